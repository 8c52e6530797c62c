/** Who gets emails: a department's contact, or a subscriber to the district digest. */
export interface RecipientJson {
  id: number; email: string; name: string | null; department: string | null; subscriber: boolean;
  language: 'zh-CN' | 'en'; enabled: boolean;
}

export interface RecipientRow {
  id: number; email: string; name: string | null; department_id: number | null; subscriber: boolean;
  language: 'zh-CN' | 'en'; enabled: boolean; last_digest_at: Date | null;
}

/** How a recipient relates to a target: its department leads it, supports it, or (subscribers) all. */
export function roleOf(r: RecipientRow, target: { departmentId: number; supportingIds: number[] }): 'lead' | 'support' | null {
  if (r.department_id === target.departmentId) return 'lead';
  if (r.department_id !== null && target.supportingIds.includes(r.department_id)) return 'support';
  return r.subscriber ? 'lead' : null;
}
