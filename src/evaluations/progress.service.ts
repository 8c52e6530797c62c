import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { notFound } from '../common/domain-error.js';
import { decimalText } from '../common/values.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { EvaluationResult } from '../evaluation/evaluation.types.js';
import type { Page } from '../common/paging.js';
import { EvaluationStore } from './evaluation.store.js';
import type { LATEST_SORTS, LatestQuery } from './evaluation.schema.js';
import { Clock } from '../common/clock.js';

export interface EvaluationJson {
  code: string;
  status: EvaluationResult['status'];
  early: boolean;
  pace: number | null;
  paceMethod: EvaluationResult['paceMethod'];
  completion: number | null;
  elapsed: number | null;
  expected: number | null;
  gap: number | null;
  lag: number | null;
  projected: number | null;
  yearTarget: number | null;
  latestPeriod: string | null;
  /** the latest value the rules read (12 significant digits), as the decimal text evaluations.latest_value holds */
  latestValue: string | null;
  overdue: boolean;
  duePeriod: string | null;
  asOf: string;
}

export interface StoredEvaluationJson extends EvaluationJson {
  name: string;
  unit: string;
  department: string;
  runId: string | null;
  evaluatedAt: string;
}

export function evaluationJson(code: string, r: EvaluationResult): EvaluationJson {
  return {
    code, status: r.status, early: r.early, pace: r.pace, paceMethod: r.paceMethod, completion: r.completion,
    elapsed: r.elapsed, expected: r.expected, gap: r.gap, lag: r.lag, projected: r.projected, yearTarget: r.yearTarget,
    latestPeriod: r.latestPeriod, latestValue: decimalText(r.latestValue), overdue: r.overdue, duePeriod: r.duePeriod,
    asOf: r.asOf.toISOString(),
  };
}

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

// A row of STORED_COLUMNS, as pg returns it.
function storedJson(r: any): StoredEvaluationJson {
  return {
    code: r.code, name: r.name, unit: r.unit, department: r.department, runId: r.run_id,
    evaluatedAt: r.evaluated_at.toISOString(), asOf: r.as_of.toISOString(), status: r.status, early: r.early,
    pace: r.pace, paceMethod: r.pace_method, completion: r.completion, elapsed: r.elapsed, expected: r.expected,
    gap: r.gap, lag: r.lag, projected: r.projected, yearTarget: r.year_target, latestPeriod: r.latest_period,
    latestValue: r.latest_value, overdue: r.overdue, duePeriod: r.due_period,
  };
}

@Injectable()
export class ProgressService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: EvaluationStore,
    private readonly clock: Clock,
  ) {}

  /** One target evaluated now (or as of a past moment), computed on the spot and not stored. */
  async evaluateNow(code: string, asOf = this.clock.now()): Promise<EvaluationJson> {
    const [target] = await this.dataSource.query(`SELECT id FROM targets WHERE code = $1`, [code]);
    if (!target) throw notFound(`指标 ${code}`);
    const [evaluation] = await this.store.evaluate({ targetId: target.id }, asOf, this.config.scheduleTz, true);
    return evaluationJson(code, evaluation.result);
  }

  /** Each active target's most recent stored evaluation, filtered, sorted and paginated. */
  async latest(query: LatestQuery): Promise<Page<StoredEvaluationJson>> {
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
    return { items: rows.map(storedJson), total, page: query.page, pageSize: query.pageSize };
  }

  /** The evaluations a run wrote. */
  async runResults(runId: string, page: number, pageSize: number): Promise<Page<StoredEvaluationJson>> {
    const from = `evaluations e JOIN targets t ON t.id = e.target_id JOIN departments d ON d.id = t.department_id`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${STORED_COLUMNS} FROM ${from} WHERE e.run_id = $1 ORDER BY t.code LIMIT $2 OFFSET $3`,
        [runId, pageSize, (page - 1) * pageSize],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM evaluations e WHERE e.run_id = $1`, [runId]),
    ]);
    return { items: rows.map(storedJson), total, page, pageSize };
  }
}
