import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** One stored revision of a figure, newest first within its period. */
export interface RevisionDbRow {
  period: string; value: string; basis: string; status: string; note: string | null; source: string | null; reason: string | null;
  recorded_by: string | null; recorded_at: Date;
}

/** What the target page reads beside the definition: figure revisions, recent evaluations, silences, supporting departments. */
@Injectable()
export class TargetPageStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findRef(code: string): Promise<{ id: number; department_id: number } | null> {
    const [target]: { id: number; department_id: number }[] = await this.dataSource.query(
      `SELECT id, department_id FROM targets WHERE code = $1`, [code],
    );
    return target ?? null;
  }

  /** Every revision of every period, newest period first. */
  revisions(targetId: number): Promise<RevisionDbRow[]> {
    return this.dataSource.query(
      `SELECT r.period, r.value::text AS value, r.basis, r.status, r.note, r.source, r.reason, r.recorded_by, r.recorded_at
           FROM figure_revisions r WHERE r.target_id = $1 ORDER BY tm_period_t(r.period) DESC, r.period DESC, r.id DESC`,
      [targetId],
    );
  }

  /** The last 20 evaluations with what triggered their run. */
  // Raw rows: the page shows them as read.
  evaluations(targetId: number): Promise<any[]> {
    return this.dataSource.query(
      `SELECT e.evaluated_at, e.as_of, e.status, e.completion, e.elapsed, e.pace, e.gap, e.latest_period,
                e.latest_value::text AS latest_value, e.overdue, r.trigger
           FROM evaluations e LEFT JOIN evaluation_runs r ON r.id = e.run_id
          WHERE e.target_id = $1 ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 20`,
      [targetId],
    );
  }

  /** Active silences of the target or its department. */
  // Raw rows: the page shows them as read.
  silences(targetId: number, departmentId: number): Promise<any[]> {
    return this.dataSource.query(
      `SELECT s.id, s.until, s.reason, s.created_by, s.target_id IS NOT NULL AS own
           FROM silences s WHERE s.deleted_at IS NULL AND s.until > now() AND (s.target_id = $1 OR s.department_id = $2)
          ORDER BY s.until`,
      [targetId, departmentId],
    );
  }

  async supportingNames(targetId: number): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT d.name FROM target_supporting_departments s JOIN departments d ON d.id = s.department_id
          WHERE s.target_id = $1 ORDER BY d.name`,
      [targetId],
    );
    return rows.map((d) => d.name);
  }
}
