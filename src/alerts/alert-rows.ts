import type { DataSource, EntityManager } from 'typeorm';
import type { Status } from '../evaluation/evaluation.types.js';
import type { AlertKind } from './alert-rules.js';

/** An alert with what the emails and the API show of it. */
export interface AlertView {
  id: number;
  targetId: number;
  kind: AlertKind;
  state: 'firing' | 'resolved';
  inhibited: boolean;
  silenced: boolean;
  firingSince: Date;
  resolvedAt: Date | null;
  lastNotifiedAt: Date | null;
  binding: boolean;
  departmentId: number;
  department: string;
  supportingIds: number[];
  row: AlertTargetRow;
}

/** A target as an alert shows it: its goal and its latest evaluation. */
export interface AlertTargetRow {
  code: string;
  name: string;
  unit: string;
  target: number;
  targetPeriod: string;
  latestValue: number | null;
  latestPeriod: string | null;
  completion: number | null;
  elapsed: number | null;
  gap: number | null;
  status: Status;
  early: boolean;
  kind: AlertKind;
}

/** Where a silence (target or department, not expired, not deleted) covers the target `t`. */
export const SILENCED = `EXISTS (SELECT 1 FROM silences s WHERE s.deleted_at IS NULL AND s.until > now()
  AND (s.target_id = t.id OR s.department_id = t.department_id))`;

/** The joins of loadAlerts and countAlerts (alerts of active targets). */
const ALERT_TARGETS = `alerts a JOIN targets t ON t.id = a.target_id AND t.archived_at IS NULL JOIN departments d ON d.id = t.department_id`;

/**
 * Alerts joined with their target and its latest evaluation; `where` filters on a (alerts), t (targets) and
 * d (departments); `slice` takes a page of them.
 */
export async function loadAlerts(
  db: DataSource | EntityManager, where = 'true', params: unknown[] = [], slice?: { limit: number; offset: number },
): Promise<AlertView[]> {
  const page = slice ? ` LIMIT $${params.length + 1} OFFSET $${params.length + 2}` : '';
  const rows = await db.query(
    `SELECT a.id, a.target_id, a.kind, a.state, a.inhibited, a.firing_since, a.resolved_at, a.last_notified_at,
            t.code, t.name, t.unit, t.target_value::float8 AS target_value, t.target_period, t.binding, t.department_id,
            d.code AS department,
            (SELECT coalesce(array_agg(sd.department_id), '{}') FROM target_supporting_departments sd WHERE sd.target_id = t.id) AS supporting,
            e.status, e.early, e.latest_value::float8 AS latest_value, e.latest_period, e.completion, e.elapsed, e.gap,
            ${SILENCED} AS silenced
       FROM ${ALERT_TARGETS}
       LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id
      WHERE ${where} ORDER BY t.code, a.kind${page}`,
    slice ? [...params, slice.limit, slice.offset] : params,
  );
  return rows.map((r: Record<string, never>) => ({
    id: r.id, targetId: r.target_id, kind: r.kind, state: r.state, inhibited: r.inhibited, silenced: r.silenced,
    firingSince: r.firing_since, resolvedAt: r.resolved_at, lastNotifiedAt: r.last_notified_at, binding: r.binding,
    departmentId: r.department_id, department: r.department, supportingIds: r.supporting,
    row: {
      code: r.code, name: r.name, unit: r.unit, target: r.target_value, targetPeriod: r.target_period,
      latestValue: r.latest_value, latestPeriod: r.latest_period, completion: r.completion, elapsed: r.elapsed,
      gap: r.gap, status: (r.status ?? 'no_data') as Status, early: r.early ?? false, kind: r.kind,
    },
  }));
}

/** How many alerts loadAlerts would load with this filter. */
export async function countAlerts(db: DataSource | EntityManager, where: string, params: unknown[]): Promise<number> {
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM ${ALERT_TARGETS} WHERE ${where}`, params);
  return total;
}
