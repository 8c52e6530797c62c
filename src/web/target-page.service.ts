import { Injectable } from '@nestjs/common';
import { alertJson } from '../alerts/alerts.service.js';
import { AlertsStore } from '../alerts/alerts.store.js';
import { OverviewStore } from '../evaluations/overview.store.js';
import { TargetPageStore } from '../targets/target-page.store.js';

export interface RevisionRow {
  value: string; basis: string; status: string; note: string | null; source: string | null; reason: string | null;
  recordedBy: string | null; recordedAt: Date;
}
export interface FigureHistory { period: string; current: RevisionRow; earlier: RevisionRow[] }

/** What the target page shows beside the definition. */
@Injectable()
export class TargetPageService {
  constructor(private readonly store: TargetPageStore, private readonly overview: OverviewStore, private readonly alerts: AlertsStore) {}

  async load(code: string) {
    const target = await this.store.findRef(code);
    if (!target) return null;
    const [revisions, evaluations, alerts, silences, supportingNames, streaks] = await Promise.all([
      this.store.revisions(target.id),
      this.store.evaluations(target.id),
      this.alerts.findByTarget(target.id),
      this.store.silences(target.id, target.department_id),
      this.store.supportingNames(target.id),
      this.overview.statusStreaks([target.id]),
    ]);
    const figures: FigureHistory[] = [];
    for (const r of revisions) {
      const row: RevisionRow = {
        value: r.value, basis: r.basis, status: r.status, note: r.note, source: r.source, reason: r.reason,
        recordedBy: r.recorded_by, recordedAt: r.recorded_at,
      };
      const last = figures[figures.length - 1];
      if (last?.period === r.period) last.earlier.push(row);
      else figures.push({ period: r.period, current: row, earlier: [] });
    }
    return {
      figures, evaluations, alerts: alerts.map(alertJson), silences,
      supportingNames, streak: streaks.get(target.id) ?? null,
    };
  }
}
