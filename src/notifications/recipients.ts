import type { DataSource, EntityManager } from 'typeorm';

export interface RecipientRow {
  id: number; email: string; name: string | null; department_id: number | null; subscriber: boolean;
  language: 'zh-CN' | 'en'; enabled: boolean; last_digest_at: Date | null;
}

export const loadRecipients = (db: DataSource | EntityManager): Promise<RecipientRow[]> =>
  db.query(`SELECT id, email, name, department_id, subscriber, language, enabled, last_digest_at FROM recipients WHERE enabled ORDER BY id`);

/** How a recipient relates to a target: its department leads it, supports it, or (subscribers) all. */
export function roleOf(r: RecipientRow, target: { departmentId: number; supportingIds: number[] }): 'lead' | 'support' | null {
  if (r.department_id === target.departmentId) return 'lead';
  if (r.department_id !== null && target.supportingIds.includes(r.department_id)) return 'support';
  return r.subscriber ? 'lead' : null;
}
