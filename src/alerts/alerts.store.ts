import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { returned } from '../database/rows.js';
import type { Tx } from '../database/transactions.js';
import type { Status } from '../evaluation/evaluation.types.js';
import type { AlertChange, AlertState, EvaluatedTarget } from './alert-rules.js';
import type { AlertView } from './alert-view.js';

export type { AlertTargetRow, AlertView } from './alert-view.js';

/** Where a silence (target or department, not expired, not deleted) covers the target `t`. */
export const SILENCED = `EXISTS (SELECT 1 FROM silences s WHERE s.deleted_at IS NULL AND s.until > now()
  AND (s.target_id = t.id OR s.department_id = t.department_id))`;

/** The joins of loadAlerts and countAlerts (alerts of active targets). */
const ALERT_TARGETS = `alerts a JOIN targets t ON t.id = a.target_id AND t.archived_at IS NULL JOIN departments d ON d.id = t.department_id`;

/** Alerts with target and latest evaluation; `where` uses aliases a, t, d; `slice` takes a page. */
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
async function countAlerts(db: DataSource | EntityManager, where: string, params: unknown[]): Promise<number> {
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM ${ALERT_TARGETS} WHERE ${where}`, params);
  return total;
}

/** The target ids (inclusive) a reconcile looks at; `only`: just these ids among them (a batch of re-evaluations). */
export interface ReconcileScope { fromId: number; toId: number; only?: readonly number[] }

const RECONCILE_LOCK = 7471104;
/** Target ids per advisory lock of a scoped reconcile: one lock for a target, a few for a run's chunk. */
const LOCK_BLOCK = 65_536;

/** Filters of the alerts list; null matches any. */
export interface AlertFilter { state: string | null; kind: string | null; department: string | null }
const FILTERED = `($1::text IS NULL OR a.state = $1) AND ($2::text IS NULL OR a.kind = $2) AND ($3::text IS NULL OR d.code = $3)`;
const filterParams = (f: AlertFilter) => [f.state, f.kind, f.department];

export interface SilenceRow {
  id: number; target: string | null; department: string | null; until: Date; reason: string; created_by: string;
  created_at: Date; active: boolean;
}

/** The alerts, alert_events and silences tables. */
@Injectable()
export class AlertsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Full reconciles take the reconcile lock alone; scoped ones share it plus ascending block locks, so none
   *  fire the same target's alert twice. */
  async lockScope(m: Tx, scope: ReconcileScope | null): Promise<void> {
    if (!scope) {
      await m.query(`SELECT pg_advisory_xact_lock(${RECONCILE_LOCK})`);
      return;
    }
    await m.query(`SELECT pg_advisory_xact_lock_shared(${RECONCILE_LOCK})`);
    await m.query(
      `SELECT pg_advisory_xact_lock(${RECONCILE_LOCK}, b) FROM generate_series($1::int / ${LOCK_BLOCK}, $2::int / ${LOCK_BLOCK}) AS b`,
      [scope.fromId, scope.toId],
    );
  }

  /** Up to `limit` latest evaluations of active targets with ids in (after, toId] (and in `only`), ascending. */
  findLatestEvaluations(m: Tx, after: number, toId: number, limit: number, only?: readonly number[]): Promise<EvaluatedTarget[]> {
    if (only) {
      return m.query(
        `SELECT l.target_id AS "targetId", e.status, e.overdue FROM latest_evaluations l
               JOIN evaluations e ON e.id = l.evaluation_id JOIN targets t ON t.id = l.target_id
              WHERE t.archived_at IS NULL AND l.target_id = ANY($3::int[]) AND l.target_id > $1 AND l.target_id <= $2
              ORDER BY l.target_id LIMIT $4`,
        [after, toId, only, limit],
      );
    }
    return m.query(
      `SELECT l.target_id AS "targetId", e.status, e.overdue FROM latest_evaluations l
             JOIN evaluations e ON e.id = l.evaluation_id JOIN targets t ON t.id = l.target_id
            WHERE t.archived_at IS NULL AND l.target_id > $1 AND l.target_id <= $2 ORDER BY l.target_id LIMIT $3`,
      [after, toId, limit],
    );
  }

  /** The alerts of the targets with ids in (after, last] (and in `only`). */
  findStates(m: Tx, after: number, last: number, only?: readonly number[]): Promise<AlertState[]> {
    if (only) {
      return m.query(
        `SELECT id, target_id AS "targetId", kind, state, inhibited, status FROM alerts
          WHERE target_id = ANY($3::int[]) AND target_id > $1 AND target_id <= $2`,
        [after, last, only],
      );
    }
    return m.query(
      `SELECT id, target_id AS "targetId", kind, state, inhibited, status FROM alerts WHERE target_id > $1 AND target_id <= $2`,
      [after, last],
    );
  }

  /** Applies the changes set-based (three statements however many) and returns each change's alert id. */
  async applyChanges(m: Tx, changes: AlertChange[], now: Date): Promise<number[]> {
    const created = changes.filter((c) => c.change === 'fire' && c.alertId === null);
    const inserted: { id: number; target_id: number; kind: string }[] = created.length
      ? await m.query(
        `INSERT INTO alerts (target_id, kind, state, inhibited, status, firing_since)
         SELECT t, k, 'firing', i, s, $5 FROM unnest($1::int[], $2::text[], $3::bool[], $4::text[]) AS x(t, k, i, s)
         RETURNING id, target_id, kind`,
        [created.map((c) => c.targetId), created.map((c) => c.kind), created.map((c) => c.change === 'fire' && c.inhibited),
          created.map((c) => c.status), now],
      )
      : [];
    const newIds = new Map(inserted.map((r) => [`${r.target_id}:${r.kind}`, r.id]));
    const ids = changes.map((c) => ('alertId' in c && c.alertId !== null ? c.alertId : newIds.get(`${c.targetId}:${c.kind}`)!));
    const updated = changes.flatMap((c, i) => ('alertId' in c && c.alertId === null ? [] : [{ c, id: ids[i] }]));
    if (updated.length) {
      await m.query(
        `UPDATE alerts a SET
           state = CASE x.change WHEN 'fire' THEN 'firing' WHEN 'resolve' THEN 'resolved' ELSE a.state END,
           inhibited = CASE x.change WHEN 'fire' THEN x.inhibited WHEN 'inhibit' THEN true WHEN 'release' THEN false ELSE a.inhibited END,
           firing_since = CASE WHEN x.change = 'fire' THEN $5 ELSE a.firing_since END,
           resolved_at = CASE x.change WHEN 'fire' THEN NULL WHEN 'resolve' THEN $5 ELSE a.resolved_at END,
           last_notified_at = CASE WHEN x.change = 'fire' THEN NULL ELSE a.last_notified_at END,
           status = x.status, updated_at = $5
         FROM unnest($1::int[], $2::text[], $3::bool[], $4::text[]) AS x(id, change, inhibited, status) WHERE a.id = x.id`,
        [updated.map((u) => u.id), updated.map((u) => u.c.change), updated.map((u) => u.c.change === 'fire' && u.c.inhibited),
          updated.map((u) => u.c.status), now],
      );
    }
    const EVENT = { fire: 'fired', resolve: 'resolved', inhibit: 'inhibited', release: 'released' } as const;
    const events = changes.flatMap((c, i) => (c.change === 'status' ? [] : [{ id: ids[i], event: EVENT[c.change], status: c.status }]));
    if (events.length) {
      await m.query(
        `INSERT INTO alert_events (alert_id, at, event, status) SELECT id, $4, e, s FROM unnest($1::int[], $2::text[], $3::text[]) AS x(id, e, s)`,
        [events.map((e) => e.id), events.map((e) => e.event), events.map((e) => e.status), now],
      );
    }
    return ids;
  }

  /** Every alert of an active target. */
  findAll(db: Tx | DataSource = this.dataSource): Promise<AlertView[]> {
    return loadAlerts(db);
  }

  /** The alerts among `ids` whose targets are binding. */
  findBindingByIds(db: Tx, ids: number[]): Promise<AlertView[]> {
    return loadAlerts(db, 'a.id = ANY($1) AND t.binding', [ids]);
  }

  async findById(id: number): Promise<AlertView | undefined> {
    const [alert] = await loadAlerts(this.dataSource, 'a.id = $1', [id]);
    return alert;
  }

  /** The alerts of one target. */
  findByTarget(targetId: number, db: Tx | DataSource = this.dataSource): Promise<AlertView[]> {
    return loadAlerts(db, 't.id = $1', [targetId]);
  }

  /** A page of the alerts the filter matches, and how many it matches. */
  async findPage(filter: AlertFilter, slice: { limit: number; offset: number }): Promise<{ alerts: AlertView[]; total: number }> {
    const params = filterParams(filter);
    const [alerts, total] = await Promise.all([
      loadAlerts(this.dataSource, FILTERED, params, slice),
      countAlerts(this.dataSource, FILTERED, params),
    ]);
    return { alerts, total };
  }

  /** An alert's history, oldest first. */
  findEvents(alertId: number): Promise<{ at: Date; event: string; status: string | null; details: unknown }[]> {
    return this.dataSource.query(
      `SELECT at, event, status, details FROM alert_events WHERE alert_id = $1 ORDER BY at, id`, [alertId],
    );
  }

  /** Records that a digest told of these alerts. */
  async markNotified(tx: Tx, alertIds: number[], now: Date): Promise<void> {
    await tx.query(`UPDATE alerts SET last_notified_at = $2 WHERE id = ANY($1)`, [alertIds, now]);
    await tx.query(
      `INSERT INTO alert_events (alert_id, at, event) SELECT id, $2, 'notified' FROM unnest($1::int[]) AS id`, [alertIds, now],
    );
  }

  /** The silences not deleted, expired ones included. */
  findSilences(): Promise<SilenceRow[]> {
    return this.dataSource.query(
      `SELECT s.id, t.code AS target, d.code AS department, s.until, s.reason, s.created_by, s.created_at,
              s.until > now() AS active
         FROM silences s LEFT JOIN targets t ON t.id = s.target_id LEFT JOIN departments d ON d.id = s.department_id
        WHERE s.deleted_at IS NULL ORDER BY s.id`,
    );
  }

  async findTargetId(code: string): Promise<number | undefined> {
    const [row] = await this.dataSource.query(`SELECT id FROM targets WHERE code = $1`, [code]);
    return row?.id;
  }

  async findDepartmentId(code: string | undefined): Promise<number | undefined> {
    const [row] = await this.dataSource.query(`SELECT id FROM departments WHERE code = $1`, [code]);
    return row?.id;
  }

  async insertSilence(
    tx: Tx, s: { targetId: number | null; departmentId: number | null; until: Date; reason: string; createdBy: string },
  ): Promise<number> {
    const [{ id }] = await tx.query(
      `INSERT INTO silences (target_id, department_id, until, reason, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [s.targetId, s.departmentId, s.until, s.reason, s.createdBy],
    );
    return id;
  }

  /** Marks the silence deleted; false when there is none (or it was deleted already). */
  async deleteSilence(tx: Tx, id: number): Promise<boolean> {
    const [row] = returned<{ id: number }>(await tx.query(
      `UPDATE silences SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id`, [id],
    ));
    return row !== undefined;
  }
}
