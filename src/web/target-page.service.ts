import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { alertJson } from '../alerts/alerts.service.js';
import { loadAlerts } from '../alerts/alerts.store.js';
import { statusStreaks } from './streaks.js';

export interface RevisionRow {
  value: string; basis: string; status: string; note: string | null; source: string | null; reason: string | null;
  recordedBy: string | null; recordedAt: Date;
}
export interface FigureHistory { period: string; current: RevisionRow; earlier: RevisionRow[] }

/**
 * What the target page shows beside the definition: figures with revisions, evaluations, alerts, silences,
 * the supporting departments by name and how long the current colour has held.
 */
@Injectable()
export class TargetPageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(code: string) {
    const [target]: { id: number; department_id: number }[] = await this.dataSource.query(
      `SELECT id, department_id FROM targets WHERE code = $1`, [code],
    );
    if (!target) return null;
    const [revisions, evaluations, alerts, silences, supporting, streaks] = await Promise.all([
      this.dataSource.query(
        `SELECT r.period, r.value::text AS value, r.basis, r.status, r.note, r.source, r.reason, r.recorded_by, r.recorded_at
           FROM figure_revisions r WHERE r.target_id = $1 ORDER BY tm_period_t(r.period) DESC, r.period DESC, r.id DESC`,
        [target.id],
      ),
      this.dataSource.query(
        `SELECT e.evaluated_at, e.as_of, e.status, e.completion, e.elapsed, e.pace, e.gap, e.latest_period,
                e.latest_value::text AS latest_value, e.overdue, r.trigger
           FROM evaluations e LEFT JOIN evaluation_runs r ON r.id = e.run_id
          WHERE e.target_id = $1 ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 20`,
        [target.id],
      ),
      loadAlerts(this.dataSource, 't.id = $1', [target.id]),
      this.dataSource.query(
        `SELECT s.id, s.until, s.reason, s.created_by, s.target_id IS NOT NULL AS own
           FROM silences s WHERE s.deleted_at IS NULL AND s.until > now() AND (s.target_id = $1 OR s.department_id = $2)
          ORDER BY s.until`,
        [target.id, target.department_id],
      ),
      this.dataSource.query(
        `SELECT d.name FROM target_supporting_departments s JOIN departments d ON d.id = s.department_id
          WHERE s.target_id = $1 ORDER BY d.name`,
        [target.id],
      ) as Promise<{ name: string }[]>,
      statusStreaks(this.dataSource, [target.id]),
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
      supportingNames: supporting.map((d) => d.name), streak: streaks.get(target.id) ?? null,
    };
  }
}
