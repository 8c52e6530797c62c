import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/domain-error.js';
import { decimalText } from '../common/values.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { EvaluationResult } from '../evaluation/evaluation.types.js';
import type { Page } from '../common/paging.js';
import { EvaluationStore } from './evaluation.store.js';
import type { LatestQuery } from './evaluation.schema.js';
import { StoredEvaluationsStore } from './stored-evaluations.store.js';
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
    private readonly stored: StoredEvaluationsStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: EvaluationStore,
    private readonly clock: Clock,
  ) {}

  /** One target evaluated now (or as of a past moment), computed on the spot and not stored. */
  async evaluateNow(code: string, asOf = this.clock.now()): Promise<EvaluationJson> {
    const targetId = await this.stored.targetIdByCode(code);
    if (targetId === undefined) throw notFound(`指标 ${code}`);
    const [evaluation] = await this.store.evaluate({ targetId }, asOf, this.config.scheduleTz, true);
    return evaluationJson(code, evaluation.result);
  }

  /** Each active target's most recent stored evaluation, filtered, sorted and paginated. */
  async latest(query: LatestQuery): Promise<Page<StoredEvaluationJson>> {
    const { rows, total } = await this.stored.latestPage(query);
    return { items: rows.map(storedJson), total, page: query.page, pageSize: query.pageSize };
  }

  /** The evaluations a run wrote. */
  async runResults(runId: string, page: number, pageSize: number): Promise<Page<StoredEvaluationJson>> {
    const { rows, total } = await this.stored.runPage(runId, page, pageSize);
    return { items: rows.map(storedJson), total, page, pageSize };
  }
}
