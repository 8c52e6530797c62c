import type { TestApp } from './app.js';
import { snapshot } from './factories.js';

/**
 * Everything a write could change, as counts and hashes: equal before and after a rejected request
 * means nothing was written. Extends `snapshot` with accounts, tokens, the audit trail (less login
 * rows, which a rejected request never makes but a test's own logins do), runs and figure contents.
 * Left out on purpose: api_tokens.last_used_at (any authenticated use of a token sets it) and the
 * evaluations a queued run or re-evaluation writes in the background.
 */
export async function dbState(t: TestApp): Promise<Record<string, unknown>> {
  const base = await snapshot(t);
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u) AS users_hash,
           (SELECT count(*) FROM api_tokens)::int AS api_tokens,
           (SELECT md5(string_agg(concat_ws('|', id, user_id, name, token_hash, expires_at, revoked_at), ',' ORDER BY id))
              FROM api_tokens) AS api_tokens_hash,
           (SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL)::int AS revoked_sessions,
           (SELECT count(*) FROM audit_log WHERE action NOT IN ('auth.login', 'auth.login_failed'))::int AS audit,
           (SELECT count(*) FROM evaluation_runs)::int AS evaluation_runs,
           (SELECT md5(string_agg(d::text, ',' ORDER BY id)) FROM departments d) AS departments_hash,
           (SELECT md5(string_agg(f::text, ',' ORDER BY target_id, period)) FROM figures f) AS figures_hash,
           (SELECT md5(string_agg(m::text, ',' ORDER BY target_id, period)) FROM milestones m) AS milestones_hash,
           (SELECT md5(string_agg(s::text, ',' ORDER BY target_id, department_id)) FROM target_supporting_departments s)
             AS supporting_hash`);
  return { ...base, ...rows[0] };
}

export interface AuditRow {
  id: string;
  at: Date;
  actor_id: number | null;
  actor: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string | null;
}

/** The id of the latest audit row (0 when none): rows after it are what a request wrote. */
export async function auditMark(t: TestApp): Promise<number> {
  const { rows } = await t.db.query(`SELECT coalesce(max(id), 0)::bigint AS id FROM audit_log`);
  return Number(rows[0].id);
}

export async function auditSince(t: TestApp, mark: number): Promise<AuditRow[]> {
  const { rows } = await t.db.query(`SELECT * FROM audit_log WHERE id > $1 ORDER BY id`, [mark]);
  return rows;
}

/** Every string anywhere inside a value (JSON-ish), for scans such as "no password hash". */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The address a supertest request comes from (the app does not trust proxies in tests). */
export const LOOPBACK = /^(?:::ffff:)?127\.0\.0\.1$|^::1$/;
