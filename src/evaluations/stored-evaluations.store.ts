import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { LATEST_SORTS, LatestQuery } from './evaluation.schema.js';

// Worst first, as the dashboard reads a status list.
const SEVERITY = `CASE e.status WHEN 'deteriorating' THEN 0 WHEN 'missed' THEN 1 WHEN 'lagging' THEN 2 WHEN 'at_risk' THEN 3
  WHEN 'no_data' THEN 4 WHEN 'on_track' THEN 5 WHEN 'ahead' THEN 6 WHEN 'achieved' THEN 7 ELSE 8 END`;

/** The column of each `sort` of GET /evaluations/latest. */
const LATEST_ORDER: Record<(typeof LATEST_SORTS)[number], string> = {
  code: 't.code', name: 't.name', department: 'd.code', status: SEVERITY, completion: 'e.completion', elapsed: 'e.elapsed',
  pace: 'e.pace', gap: 'e.gap', latestValue: 'e.latest_value',
};

const STORED_COLUMNS = `t.code, t.name, t.unit, d.code AS department, e.run_id, e.evaluated_at, e.as_of, e.status,
  e.early, e.pace, e.pace_method, e.completion, e.elapsed, e.expected, e.gap, e.lag, e.projected, e.year_target,
  e.latest_period, e.latest_value, e.overdue, e.due_period`;

/** Rows of STORED_COLUMNS as pg returns them, and how many match in all. */
export interface StoredPage { rows: any[]; total: number }

/** Stored evaluations as read back: each target's latest, a run's. */
@Injectable()
export class StoredEvaluationsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A target's id by its code, archived or not. */
  async targetIdByCode(code: string): Promise<number | undefined> {
    const [target] = await this.dataSource.query(`SELECT id FROM targets WHERE code = $1`, [code]);
    return target?.id;
  }

  /** Each active target's most recent stored evaluation, filtered, sorted and paginated. */
  async latestPage(query: LatestQuery): Promise<StoredPage> {
    const params = [query.status ?? null, query.department ?? null, query.overdue ?? null];
    const where = `t.archived_at IS NULL AND ($1::text IS NULL OR e.status = $1) AND ($2::text IS NULL OR d.code = $2)
      AND ($3::bool IS NULL OR e.overdue = $3)`;
    const from = `latest_evaluations l JOIN evaluations e ON e.id = l.evaluation_id
      JOIN targets t ON t.id = l.target_id JOIN departments d ON d.id = t.department_id`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${STORED_COLUMNS} FROM ${from} WHERE ${where}
          ORDER BY ${LATEST_ORDER[query.sort.field]} ${query.sort.descending ? 'DESC' : 'ASC'} NULLS LAST, t.code LIMIT $4 OFFSET $5`,
        [...params, query.pageSize, (query.page - 1) * query.pageSize],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM ${from} WHERE ${where}`, params),
    ]);
    return { rows, total };
  }

  /** The evaluations a run wrote, by target code. */
  async runPage(runId: string, page: number, pageSize: number): Promise<StoredPage> {
    const from = `evaluations e JOIN targets t ON t.id = e.target_id JOIN departments d ON d.id = t.department_id`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${STORED_COLUMNS} FROM ${from} WHERE e.run_id = $1 ORDER BY t.code LIMIT $2 OFFSET $3`,
        [runId, pageSize, (page - 1) * pageSize],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM evaluations e WHERE e.run_id = $1`, [runId]),
    ]);
    return { rows, total };
  }
}
