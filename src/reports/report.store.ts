import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import { periodT } from '../evaluation/periods.js';
import type { EvaluationInput, ExplanationInput } from './report-model.js';

export interface RunRow { id: string; as_of: Date }

/** A reports row without its document and model. */
export interface ReportRow {
  id: string; period: string; run_id: string | null; state: 'draft' | 'issued'; sha256: Buffer; size: number;
  created_by: string; created_at: Date; issued_by: string | null; issued_at: Date | null;
  /** the model's counts and overview, read from the jsonb */
  overview: string; counts: unknown; title: string; demo: boolean;
  locked: boolean;
}

export interface RevisionRow {
  code: string; name: string; period: string; value: string; previous: string | null; recorded_at: Date;
  recorded_by: string | null; reason: string | null;
}

const REPORT_COLUMNS = `r.id, r.period, r.run_id, r.state, r.sha256, length(r.document) AS size, r.created_by, r.created_at,
  r.issued_by, r.issued_at, r.model->>'overview' AS overview, r.model->'counts' AS counts, r.model->>'title' AS title,
  coalesce((r.model->>'demo')::boolean, false) AS demo,
  EXISTS (SELECT 1 FROM period_locks l WHERE l.report_id = r.id) AS locked`;

/** The 通报's data (runs, evaluations, explanations, figures, locks) and the reports and period_locks tables. */
@Injectable()
export class ReportStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The latest completed run whose as-of moment falls in [from, to). */
  async latestRun(from: Date, to: Date): Promise<RunRow | undefined> {
    const [run] = await this.dataSource.query(
      `SELECT id, as_of FROM evaluation_runs WHERE state = 'completed' AND as_of >= $1 AND as_of < $2
        ORDER BY finished_at DESC NULLS LAST, created_at DESC LIMIT 1`,
      [from, to],
    );
    return run;
  }

  /** The run's evaluations with their targets and lead departments. */
  async evaluations(runId: string): Promise<EvaluationInput[]> {
    const rows = await this.dataSource.query(
      `SELECT t.code, t.name, t.unit, d.code AS department_code, d.name AS department_name, t.target_value::text AS target_value,
              t.target_period, e.status, e.completion, e.elapsed, e.expected, e.pace, e.latest_period,
              e.latest_value::text AS latest_value, e.overdue, e.due_period
         FROM evaluations e JOIN targets t ON t.id = e.target_id JOIN departments d ON d.id = t.department_id
        WHERE e.run_id = $1 ORDER BY t.code`,
      [runId],
    );
    return rows.map((r: Record<string, any>) => ({
      code: r.code, name: r.name, unit: r.unit, departmentCode: r.department_code, departmentName: r.department_name,
      targetValue: r.target_value, targetPeriod: r.target_period, status: r.status, completion: r.completion, elapsed: r.elapsed,
      expected: r.expected, pace: r.pace, latestPeriod: r.latest_period, latestValue: r.latest_value, overdue: r.overdue,
      duePeriod: r.due_period,
    }));
  }

  /** The explanations (情况说明) of the quarter, by target code. */
  async explanations(period: string): Promise<ExplanationInput[]> {
    const rows = await this.dataSource.query(
      `SELECT t.code, x.state, x.cause, x.measures, x.due_at FROM explanations x JOIN targets t ON t.id = x.target_id
        WHERE x.period = $1 ORDER BY t.code`,
      [period],
    );
    return rows.map((r: Record<string, any>) => ({
      code: r.code, state: r.state, cause: r.cause, measures: r.measures, dueAt: r.due_at ? (r.due_at as Date).toISOString() : null,
    }));
  }

  /** Each target's figures as recorded by `asOf` (the latest revision of each period then), by code. */
  async figuresAsOf(codes: string[], asOf: Date): Promise<Map<string, { period: string; value: string }[]>> {
    const rows: { code: string; period: string; value: string }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (r.target_id, r.period) t.code, r.period, r.value::text AS value
         FROM figure_revisions r JOIN targets t ON t.id = r.target_id
        WHERE t.code = ANY($1) AND r.recorded_at <= $2
        ORDER BY r.target_id, r.period, r.recorded_at DESC, r.id DESC`,
      [codes, asOf],
    );
    const out = new Map<string, { period: string; value: string }[]>();
    for (const r of rows) out.set(r.code, [...(out.get(r.code) ?? []), { period: r.period, value: r.value }]);
    for (const list of out.values()) list.sort((a, b) => periodT(a.period) - periodT(b.period) || (a.period < b.period ? -1 : 1));
    return out;
  }

  /** Whether the run's targets' figures include demonstration figures (note 示例数据…). */
  async demo(runId: string): Promise<boolean> {
    const [{ demo }] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM figures f JOIN evaluations e ON e.target_id = f.target_id AND e.run_id = $1
                       WHERE f.note LIKE '示例数据%') AS demo`,
      [runId],
    );
    return demo;
  }

  /** Every period lock. */
  locks(db: Tx | DataSource = this.dataSource): Promise<{ period: string; report_id: string; locked_at: Date }[]> {
    return db.query(`SELECT period, report_id, locked_at FROM period_locks ORDER BY period`);
  }

  /** Revisions recorded after `since` and by `until`, each with the value it replaced. */
  revisionsSince(since: Date, until: Date): Promise<RevisionRow[]> {
    return this.dataSource.query(
      `SELECT t.code, t.name, r.period, r.value::text AS value, r.previous::text AS previous, r.recorded_at, r.recorded_by, r.reason
         FROM (SELECT r.*, lag(r.value) OVER (PARTITION BY r.target_id, r.period ORDER BY r.recorded_at, r.id) AS previous
                 FROM figure_revisions r
                WHERE (r.target_id, r.period) IN (SELECT target_id, period FROM figure_revisions WHERE recorded_at > $1)) r
         JOIN targets t ON t.id = r.target_id
        WHERE r.recorded_at > $1 AND r.recorded_at <= $2
        ORDER BY t.code, r.period, r.recorded_at, r.id`,
      [since, until],
    );
  }

  /** Enabled recipients subscribed to the district's emails (the leaders). */
  async subscribers(tx: Tx): Promise<string[]> {
    const rows: { email: string }[] = await tx.query(`SELECT email FROM recipients WHERE enabled AND subscriber ORDER BY email`);
    return rows.map((r) => r.email);
  }

  async insert(tx: Tx, r: { period: string; runId: string; model: unknown; document: Buffer; sha256: Buffer; createdBy: string; createdAt: Date }): Promise<string> {
    const [{ id }] = await tx.query(
      `INSERT INTO reports (period, run_id, model, document, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [r.period, r.runId, JSON.stringify(r.model), r.document, r.sha256, r.createdBy, r.createdAt],
    );
    return String(id);
  }

  async find(id: number, db: Tx | DataSource = this.dataSource): Promise<ReportRow | undefined> {
    const [row] = await db.query(`SELECT ${REPORT_COLUMNS} FROM reports r WHERE r.id = $1`, [id]);
    return row;
  }

  /** The report locked for update (issuing), or undefined. */
  async lockReport(tx: Tx, id: number): Promise<{ id: string; period: string; state: string } | undefined> {
    const [row] = await tx.query(`SELECT id, period, state FROM reports WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  /** A page of the reports (of a quarter), newest first, and how many there are. */
  async list(period: string | null, limit: number, offset: number): Promise<{ rows: ReportRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${REPORT_COLUMNS} FROM reports r WHERE ($1::text IS NULL OR r.period = $1)
          ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3`,
        [period, limit, offset],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM reports WHERE ($1::text IS NULL OR period = $1)`, [period]),
    ]);
    return { rows, total };
  }

  async document(id: number): Promise<{ document: Buffer; model: unknown; period: string } | undefined> {
    const [row] = await this.dataSource.query(`SELECT document, model, period FROM reports WHERE id = $1`, [id]);
    return row;
  }

  async markIssued(tx: Tx, id: number, by: string, at: Date): Promise<void> {
    await tx.query(`UPDATE reports SET state = 'issued', issued_by = $2, issued_at = $3 WHERE id = $1`, [id, by, at]);
  }

  /** Locks the period for the report; false when it is locked already. */
  async insertLock(tx: Tx, period: string, reportId: number, by: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO period_locks (period, report_id, locked_by) VALUES ($1, $2, $3) ON CONFLICT (period) DO NOTHING RETURNING period`,
      [period, reportId, by],
    );
    return rows.length > 0;
  }
}
