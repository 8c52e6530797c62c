import { Injectable } from '@nestjs/common';
import { ReadReplicas } from '../database/replicas.js';

/** A target's latest evaluation as the status report reads it (numerics as text). */
export type StatusReportRecord = Record<string, any>;
/** A current figure as the figures export reads it (numerics as text). */
export type FigureExportRecord = Record<string, any>;

/** What the spreadsheet exports read: departments, targets with their latest evaluation, current figures. */
@Injectable()
export class ExportsStore {
  /** exports may lag a moment behind the last write: read from a replica when there is one */
  constructor(private readonly reads: ReadReplicas) {}

  /** rows typed by each method, as with DataSource.query */
  private read = (sql: string, params: unknown[] = []): Promise<any[]> => this.reads.run((db) => db.query(sql, params));

  async findDepartment(code: string): Promise<{ id: number; code: string; name: string } | null> {
    const [row] = await this.read(`SELECT id, code, name FROM departments WHERE code = $1`, [code]);
    return row ?? null;
  }

  /** Each active target (led by the department, when given) with its latest stored evaluation, by department and code. */
  async listStatusReport(departmentId: number | null): Promise<StatusReportRecord[]> {
    return this.read(
      `SELECT d.code AS department, d.name AS department_name, t.code, t.name, t.unit, t.target_value::text,
              e.status, e.early, e.completion, e.elapsed, e.pace, e.gap, e.latest_value::text, e.latest_period, e.overdue
         FROM targets t JOIN departments d ON d.id = t.department_id
         LEFT JOIN latest_evaluations l ON l.target_id = t.id
         LEFT JOIN evaluations e ON e.id = l.evaluation_id
        WHERE t.archived_at IS NULL AND ($1::int IS NULL OR d.id = $1)
        ORDER BY d.code, t.code`,
      [departmentId],
    );
  }

  /** Current figures of active targets whose period's time lies in (start, end], at most `limit`. */
  async listFigures(departmentId: number | null, start: number | null, end: number | null, limit: number): Promise<FigureExportRecord[]> {
    return this.read(
      `SELECT t.code AS target, t.name, d.name AS department, f.period, f.value::text, f.basis, f.status, f.note, f.source,
              f.recorded_at, r.recorded_by
         FROM figures f JOIN targets t ON t.id = f.target_id JOIN departments d ON d.id = t.department_id
         JOIN figure_revisions r ON r.id = f.revision_id
        WHERE t.archived_at IS NULL AND ($1::int IS NULL OR t.department_id = $1)
          AND ($2::float8 IS NULL OR tm_period_t(f.period) > $2 + 1e-9)
          AND ($3::float8 IS NULL OR tm_period_t(f.period) <= $3 + 1e-9)
        ORDER BY t.code, tm_period_t(f.period), f.period
        LIMIT $4`,
      [departmentId, start, end, limit],
    );
  }
}
