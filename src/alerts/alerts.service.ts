import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { invalid, notFound } from '../common/domain-error.js';
import { offsetOf, type Page } from '../common/paging.js';
import { isoOrNull } from '../common/values.js';
import { Transactions } from '../database/transactions.js';
import { reconcileAlerts } from './alert-rules.js';
import { AlertNotifier } from './alert-notifier.js';
import { AlertsStore, type AlertView, type ReconcileScope, type SilenceRow } from './alerts.store.js';
import type { AlertsQuery, CreateSilence } from './alerts.schema.js';
import { Clock } from '../common/clock.js';

/** Targets reconciled per step of `reconcile`. */
const RECONCILE_CHUNK = 20_000;

export type { ReconcileScope } from './alerts.store.js';
const ALL_TARGETS: ReconcileScope = { fromId: 1, toId: 2_147_483_647 };

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
    private readonly store: AlertsStore,
    private readonly transactions: Transactions,
    private readonly notifier: AlertNotifier,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Applies the transitions the latest evaluations call for (within a scope, if given) and writes 预警 emails. */
  async reconcile(now = this.clock.now(), scope: ReconcileScope | null = null): Promise<{ changes: number; emails: number; targets: number }> {
    const { fromId, toId } = scope ?? ALL_TARGETS;
    const { changes, targets, ids } = await this.transactions.run(async (m) => {
      await this.store.lockScope(m, scope); // two workers must not both fire one alert
      // Alerts depend on their own target only: RECONCILE_CHUNK targets at a time, so memory stays flat.
      let changes = 0;
      let targets = 0;
      const flagged: number[] = [];
      for (let after = fromId - 1; ;) {
        const evaluations = await this.store.findLatestEvaluations(m, after, toId, RECONCILE_CHUNK, scope?.only);
        if (!evaluations.length) break;
        const last = evaluations[evaluations.length - 1].targetId;
        const current = await this.store.findStates(m, after, last, scope?.only);
        const chunk = reconcileAlerts(current, evaluations);
        const ids = await this.store.applyChanges(m, chunk, now);
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

  async list(q: AlertsQuery): Promise<Page<AlertJson>> {
    const { alerts, total } = await this.store.findPage(
      { state: q.state ?? null, kind: q.kind ?? null, department: q.department ?? null }, { limit: q.pageSize, offset: offsetOf(q) },
    );
    return { items: alerts.map(alertJson), page: q.page, pageSize: q.pageSize, total };
  }

  async get(id: number): Promise<AlertDetailJson> {
    const alert = await this.store.findById(id);
    if (!alert) throw notFound(`预警 ${id}`);
    const history = await this.store.findEvents(id);
    return { ...alertJson(alert), history: history.map((h) => ({ ...h, at: h.at.toISOString() })) };
  }

  async listSilences(): Promise<SilenceJson[]> {
    const rows = await this.store.findSilences();
    return rows.map(silenceJson);
  }

  async createSilence(actor: Actor, input: CreateSilence): Promise<SilenceJson> {
    assertCan(actor, 'alerts.manage');
    const scopeId = input.target
      ? await this.store.findTargetId(input.target)
      : await this.store.findDepartmentId(input.department);
    if (scopeId === undefined) throw invalid([{ path: input.target ? 'target' : 'department', message: `${input.target ?? input.department} 不存在 (unknown)` }]);
    return this.transactions.run(async (m) => {
      const id = await this.store.insertSilence(m, {
        targetId: input.target ? scopeId : null, departmentId: input.department ? scopeId : null, until: input.until,
        reason: input.reason, createdBy: actor.email,
      });
      const silence = { id, target: input.target ?? null, department: input.department ?? null, until: input.until.toISOString(), reason: input.reason };
      await this.audit.append(m, actor, { action: 'silence.create', entity: 'silence', entityId: String(id), after: silence, reason: input.reason });
      return { ...silence, createdBy: actor.email, active: input.until > new Date() };
    });
  }

  async deleteSilence(actor: Actor, id: number) {
    assertCan(actor, 'alerts.manage');
    await this.transactions.run(async (m) => {
      if (!await this.store.deleteSilence(m, id)) throw notFound(`静默 ${id}`);
      await this.audit.append(m, actor, { action: 'silence.delete', entity: 'silence', entityId: String(id) });
    });
  }
}

const silenceJson = (r: SilenceRow): SilenceJson => ({
  id: r.id, target: r.target, department: r.department, until: r.until.toISOString(), reason: r.reason,
  createdBy: r.created_by, createdAt: r.created_at.toISOString(), active: r.active,
});
