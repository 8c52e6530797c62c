import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';

export type ExplanationState = 'due' | 'submitted' | 'returned' | 'accepted';
export type FlaggedStatus = 'at_risk' | 'lagging' | 'deteriorating' | 'missed';

/** The statuses that make a target's lead department owe an explanation. */
export const FLAGGED_STATUSES: readonly FlaggedStatus[] = ['at_risk', 'lagging', 'deteriorating', 'missed'];

/** An explanation as read, with its target's and department's codes and names. */
export interface ExplanationRow {
  target_id: number;
  code: string;
  target_name: string;
  period: string;
  department_id: number;
  department: string;
  department_name: string;
  flagged_status: FlaggedStatus;
  due_at: Date;
  state: ExplanationState;
  cause: string | null;
  measures: string | null;
  submitted_by: string | null;
  submitted_at: Date | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  review_reason: string | null;
}

export interface ExplanationFilter {
  targetId?: number;
  period?: string;
  state?: ExplanationState;
  departmentId?: number;
}

const SELECT = `
  SELECT x.target_id, t.code, t.name AS target_name, x.period::text AS period, x.department_id, d.code AS department,
         d.name AS department_name, x.flagged_status, x.due_at, x.state, x.cause, x.measures, x.submitted_by, x.submitted_at,
         x.reviewed_by, x.reviewed_at, x.review_reason
    FROM explanations x JOIN targets t ON t.id = x.target_id JOIN departments d ON d.id = x.department_id`;

/** explanations: the 情况说明 owed for flagged targets, by reporting quarter. */
@Injectable()
export class ExplanationsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One explanation owed per active target the completed run flagged, for `period`, due `dueDays` days after the
   * run finished; one that exists already (an earlier run of the quarter) is kept as it is. Nothing for a period
   * whose 通报 has been issued (locked). Set-based: one statement over the run's evaluations.
   */
  async owe(tx: Tx, runId: string, period: string, dueDays: number): Promise<void> {
    await tx.query(
      `INSERT INTO explanations (target_id, period, department_id, run_id, flagged_status, due_at)
       SELECT e.target_id, $2::tm_period, t.department_id, e.run_id, e.status, r.finished_at + $3 * interval '1 day'
         FROM evaluation_runs r
         JOIN evaluations e ON e.run_id = r.id
         JOIN targets t ON t.id = e.target_id AND t.archived_at IS NULL
        WHERE r.id = $1 AND r.state = 'completed' AND e.status = ANY($4::text[])
          AND NOT EXISTS (SELECT 1 FROM period_locks l WHERE l.period = $2::tm_period)
       ON CONFLICT DO NOTHING`,
      [runId, period, dueDays, FLAGGED_STATUSES],
    );
  }

  /** One explanation; in `tx`, locked for the write when `lock`. */
  async find(targetId: number, period: string, tx?: Tx, lock = false): Promise<ExplanationRow | undefined> {
    const [row] = await (tx ?? this.dataSource).query(`${SELECT} WHERE x.target_id = $1 AND x.period = $2${lock ? ' FOR UPDATE OF x' : ''}`, [targetId, period]);
    return row;
  }

  /** By period (newest first), department and target code. */
  list(f: ExplanationFilter): Promise<ExplanationRow[]> {
    return this.dataSource.query(
      `${SELECT}
        WHERE ($1::int IS NULL OR x.target_id = $1) AND ($2::text IS NULL OR x.period = $2)
          AND ($3::text IS NULL OR x.state = $3) AND ($4::int IS NULL OR x.department_id = $4)
        ORDER BY x.period DESC, d.code, t.code`,
      [f.targetId ?? null, f.period ?? null, f.state ?? null, f.departmentId ?? null],
    );
  }

  /** The periods with explanations, newest first (of one department when given). */
  async periods(departmentId: number | null): Promise<string[]> {
    const rows: { period: string }[] = await this.dataSource.query(
      `SELECT DISTINCT period::text AS period FROM explanations WHERE ($1::int IS NULL OR department_id = $1) ORDER BY 1 DESC`,
      [departmentId],
    );
    return rows.map((r) => r.period);
  }

  async submit(tx: Tx, targetId: number, period: string, cause: string, measures: string, by: string): Promise<void> {
    await tx.query(
      `UPDATE explanations SET state = 'submitted', cause = $3, measures = $4, submitted_by = $5, submitted_at = clock_timestamp()
        WHERE target_id = $1 AND period = $2`,
      [targetId, period, cause, measures, by],
    );
  }

  async review(tx: Tx, targetId: number, period: string, state: 'returned' | 'accepted', by: string, reason: string | null): Promise<void> {
    await tx.query(
      `UPDATE explanations SET state = $3, reviewed_by = $4, reviewed_at = clock_timestamp(), review_reason = $5
        WHERE target_id = $1 AND period = $2`,
      [targetId, period, state, by, reason],
    );
  }

  async findTarget(code: string): Promise<{ id: number; department_id: number } | undefined> {
    const [row] = await this.dataSource.query(`SELECT id, department_id FROM targets WHERE code = $1`, [code]);
    return row;
  }

  async findDepartmentId(code: string): Promise<number | undefined> {
    const [row] = await this.dataSource.query(`SELECT id FROM departments WHERE code = $1`, [code]);
    return row?.id;
  }
}
