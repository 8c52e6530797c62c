import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { invalid, notFound } from '../common/domain-error.js';
import { offsetOf, type Page } from '../common/paging.js';
import { isoOrNull } from '../common/values.js';
import { returned } from '../database/rows.js';
import { type AlertChange, reconcileAlerts, type AlertState, type EvaluatedTarget } from './alert-rules.js';
import { AlertNotifier } from './alert-notifier.js';
import { countAlerts, loadAlerts, type AlertView } from './alert-rows.js';
import type { AlertsQuery, CreateSilence } from './alerts.schema.js';
import { Clock } from '../common/clock.js';

/** Targets reconciled per step of `reconcile`. */
const RECONCILE_CHUNK = 20_000;

/** The target ids (inclusive) a reconcile looks at. */
export interface ReconcileScope { fromId: number; toId: number }
const ALL_TARGETS: ReconcileScope = { fromId: 1, toId: 2_147_483_647 };

const RECONCILE_LOCK = 7471104;
/** Target ids per advisory lock of a scoped reconcile: one lock for a target, a few for a run's chunk. */
const LOCK_BLOCK = 65_536;

/**
 * A full reconcile takes the reconcile lock alone; a scoped one shares it and takes the block locks of its
 * ids (ascending, so two never wait on each other in a circle): reconciles of different targets run side
 * by side, and no two ever read and fire the same target's alert at once.
 */
async function lockScope(m: EntityManager, scope: ReconcileScope | null): Promise<void> {
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

export interface AlertJson {
  id: number; target: string; name: string; department: string; kind: AlertView['kind']; state: AlertView['state'];
  inhibited: boolean; silenced: boolean; status: AlertView['row']['status']; firingSince: string;
  resolvedAt: string | null; lastNotifiedAt: string | null;
}

/** A step in an alert's life: fired, notified, resolved… */
export interface AlertEventJson { at: string; event: string; status: string | null; details: unknown }
export interface AlertDetailJson extends AlertJson { history: AlertEventJson[] }

/** A rule that keeps a target's or a department's alerts out of emails until `until`. */
export interface SilenceJson {
  id: number; target: string | null; department: string | null; until: string; reason: string;
  createdBy: string; createdAt?: string; active: boolean;
}

export const alertJson = (a: AlertView): AlertJson => ({
  id: a.id, target: a.row.code, name: a.row.name, department: a.department, kind: a.kind, state: a.state,
  inhibited: a.inhibited, silenced: a.silenced, status: a.row.status, firingSince: a.firingSince.toISOString(),
  resolvedAt: isoOrNull(a.resolvedAt), lastNotifiedAt: isoOrNull(a.lastNotifiedAt),
});

/** Alert state per (target, kind), kept in PostgreSQL and updated from the latest evaluations. */
@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: AlertNotifier,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Applies the transitions the latest evaluations call for, with their history, and writes the
   * immediate 预警 email for each binding target that becomes flagged (not inhibited, not silenced).
   * With a scope, only the targets whose ids lie in it (a re-evaluated target, a run's chunk); without,
   * every target (after a run). `targets` counts the latest evaluations read.
   */
  async reconcile(now = this.clock.now(), scope: ReconcileScope | null = null): Promise<{ changes: number; emails: number; targets: number }> {
    const { fromId, toId } = scope ?? ALL_TARGETS;
    const { changes, targets, ids } = await this.dataSource.transaction(async (m) => {
      await lockScope(m, scope); // two workers must not both fire one alert
      // Alerts depend on their own target only: reconciled RECONCILE_CHUNK targets at a time (ascending
      // ids), so memory stays flat however many targets (1M at once took a worker to 1.7 GB).
      let changes = 0;
      let targets = 0;
      const flagged: number[] = [];
      for (let after = fromId - 1; ;) {
        const evaluations: EvaluatedTarget[] = await m.query(
          `SELECT l.target_id AS "targetId", e.status, e.overdue FROM latest_evaluations l
             JOIN evaluations e ON e.id = l.evaluation_id JOIN targets t ON t.id = l.target_id
            WHERE t.archived_at IS NULL AND l.target_id > $1 AND l.target_id <= $2 ORDER BY l.target_id LIMIT $3`,
          [after, toId, RECONCILE_CHUNK],
        );
        if (!evaluations.length) break;
        const last = evaluations[evaluations.length - 1].targetId;
        const current: AlertState[] = await m.query(
          `SELECT id, target_id AS "targetId", kind, state, inhibited, status FROM alerts WHERE target_id > $1 AND target_id <= $2`,
          [after, last],
        );
        const chunk = reconcileAlerts(current, evaluations);
        const ids = await this.apply(m, chunk, now);
        // flagged and visible: newly firing, or released from inhibition once the data came in
        chunk.forEach((c, i) => {
          if (c.kind === 'lagging' && ((c.change === 'fire' && !c.inhibited) || c.change === 'release')) flagged.push(ids[i]);
        });
        changes += chunk.length;
        targets += evaluations.length;
        after = last;
      }
      return { changes, targets, ids: await this.notifier.bindingAlertsFlagged(m, flagged, now) };
    });
    await this.notifier.queueSends(ids);
    return { changes, emails: ids.length, targets };
  }

  /** Applies the changes set-based (three statements however many) and returns each change's alert id. */
  private async apply(m: EntityManager, changes: AlertChange[], now: Date): Promise<number[]> {
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

  async list(q: AlertsQuery): Promise<Page<AlertJson>> {
    const where = `($1::text IS NULL OR a.state = $1) AND ($2::text IS NULL OR a.kind = $2) AND ($3::text IS NULL OR d.code = $3)`;
    const params = [q.state ?? null, q.kind ?? null, q.department ?? null];
    const [alerts, total] = await Promise.all([
      loadAlerts(this.dataSource, where, params, { limit: q.pageSize, offset: offsetOf(q) }),
      countAlerts(this.dataSource, where, params),
    ]);
    return { items: alerts.map(alertJson), page: q.page, pageSize: q.pageSize, total };
  }

  async get(id: number): Promise<AlertDetailJson> {
    const [alert] = await loadAlerts(this.dataSource, 'a.id = $1', [id]);
    if (!alert) throw notFound(`预警 ${id}`);
    const history = await this.dataSource.query(
      `SELECT at, event, status, details FROM alert_events WHERE alert_id = $1 ORDER BY at, id`, [id],
    );
    return { ...alertJson(alert), history: history.map((h: Omit<AlertEventJson, 'at'> & { at: Date }) => ({ ...h, at: h.at.toISOString() })) };
  }

  async listSilences(): Promise<SilenceJson[]> {
    const rows = await this.dataSource.query(
      `SELECT s.id, t.code AS target, d.code AS department, s.until, s.reason, s.created_by, s.created_at,
              s.until > now() AS active
         FROM silences s LEFT JOIN targets t ON t.id = s.target_id LEFT JOIN departments d ON d.id = s.department_id
        WHERE s.deleted_at IS NULL ORDER BY s.id`,
    );
    return rows.map(silenceJson);
  }

  async createSilence(actor: Actor, input: CreateSilence): Promise<SilenceJson> {
    assertCan(actor, 'alerts.manage');
    const [scope] = input.target
      ? await this.dataSource.query(`SELECT id FROM targets WHERE code = $1`, [input.target])
      : await this.dataSource.query(`SELECT id FROM departments WHERE code = $1`, [input.department]);
    if (!scope) throw invalid([{ path: input.target ? 'target' : 'department', message: `${input.target ?? input.department} 不存在 (unknown)` }]);
    return this.dataSource.transaction(async (m) => {
      const [{ id }] = await m.query(
        `INSERT INTO silences (target_id, department_id, until, reason, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [input.target ? scope.id : null, input.department ? scope.id : null, input.until, input.reason, actor.email],
      );
      const silence = { id, target: input.target ?? null, department: input.department ?? null, until: input.until.toISOString(), reason: input.reason };
      await this.audit.append(m, actor, { action: 'silence.create', entity: 'silence', entityId: String(id), after: silence, reason: input.reason });
      return { ...silence, createdBy: actor.email, active: input.until > new Date() };
    });
  }

  async deleteSilence(actor: Actor, id: number) {
    assertCan(actor, 'alerts.manage');
    await this.dataSource.transaction(async (m) => {
      const [row] = returned<{ id: number }>(await m.query(
        `UPDATE silences SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id`, [id],
      ));
      if (!row) throw notFound(`静默 ${id}`);
      await this.audit.append(m, actor, { action: 'silence.delete', entity: 'silence', entityId: String(id) });
    });
  }
}

const silenceJson = (r: Record<string, never> & { until: Date; created_at: Date }): SilenceJson => ({
  id: r.id, target: r.target, department: r.department, until: r.until.toISOString(), reason: r.reason,
  createdBy: r.created_by, createdAt: r.created_at.toISOString(), active: r.active,
});
