import type { Status } from '../evaluation/evaluation.types.js';
import { statusLabel } from '../common/labels.js';

/**
 * The 季度通报's data: everything the document shows, drawn once from a run and stored with the report
 * (reports.model), so rendering it again gives the same file. Numbers are strings, as they are printed;
 * charts are PNGs in base64. Pure: built from rows the store read.
 */
export interface ReportModel {
  version: 1;
  /** the reporting quarter, e.g. 2026Q3 */
  period: string;
  /** 2026年第三季度 */
  periodText: string;
  title: string;
  /** drawn from demonstration figures (示例数据): the document says so on every page */
  demo: boolean;
  runId: string;
  /** the run's as-of moment, ISO 8601 */
  asOf: string;
  /** when the report was drafted, ISO 8601 (the document's creation time) */
  createdAt: string;
  counts: ReportCounts;
  /** the counts as one sentence: 共N项指标，达到或快于序时进度X项，占Y%；… */
  overview: string;
  departments: DepartmentSection[];
  flagged: FlaggedTarget[];
  missingExplanations: MissingExplanation[];
  missingFigures: MissingFigure[];
  revisions: PublishedRevision[];
}

export interface ReportCounts {
  total: number;
  /** achieved + ahead + on_track */
  good: number;
  /** good / total as a percentage with one decimal, e.g. "62.5" ("0.0" when there are none) */
  goodPercent: string;
  atRisk: number;
  lagging: number;
  deteriorating: number;
  missed: number;
  noData: number;
  /** evaluations.overdue: the figure for the latest due period is missing */
  overdue: number;
}

export interface TargetRow {
  code: string;
  name: string;
  unit: string;
  targetValue: string;
  targetPeriod: string;
  latestValue: string | null;
  latestPeriod: string | null;
  /** percent with one decimal, or null */
  completion: string | null;
  status: Status;
  /** 序时进度 in words: 滞后, 需加快, … (数据逾期 added when overdue) */
  statusText: string;
  overdue: boolean;
}

export interface DepartmentSection {
  code: string;
  name: string;
  rows: TargetRow[];
}

export interface ReportExplanation {
  state: 'due' | 'submitted' | 'returned' | 'accepted';
  cause: string | null;
  measures: string | null;
}

export interface FlaggedTarget extends TargetRow {
  department: string;
  departmentName: string;
  /** the figures up to the run's as-of moment, by period */
  figures: { period: string; value: string }[];
  /** 序时进度: the value expected by now (in the target's unit, at most 2 decimals) */
  expected: string | null;
  /** time elapsed, percent with one decimal */
  elapsed: string | null;
  /** pace: progress made over progress expected (percent, one decimal), or null */
  pace: string | null;
  /** the chart the emails use, PNG in base64; null when it could not be drawn */
  chartPng: string | null;
  /** a submitted or accepted explanation; null: 未提交情况说明 */
  explanation: ReportExplanation | null;
}

export interface MissingExplanation {
  code: string;
  name: string;
  departmentName: string;
  /** due | returned | none (no explanation was asked for) */
  state: 'due' | 'returned' | 'none';
  dueAt: string | null;
}

export interface MissingFigure {
  code: string;
  name: string;
  departmentName: string;
  duePeriod: string;
}

export interface PublishedRevision {
  code: string;
  name: string;
  period: string;
  previous: string | null;
  value: string;
  recordedAt: string;
  recordedBy: string | null;
  reason: string | null;
}

/** One evaluation of the run with its target's fields, as the store reads it. */
export interface EvaluationInput {
  code: string;
  name: string;
  unit: string;
  departmentCode: string;
  departmentName: string;
  targetValue: string;
  targetPeriod: string;
  status: Status;
  completion: number | null;
  elapsed: number | null;
  expected: number | null;
  pace: number | null;
  latestPeriod: string | null;
  latestValue: string | null;
  overdue: boolean;
  duePeriod: string | null;
}

export interface ExplanationInput {
  code: string;
  state: ReportExplanation['state'];
  cause: string | null;
  measures: string | null;
  dueAt: string | null;
}

export interface ModelInput {
  period: string;
  runId: string;
  asOf: Date;
  createdAt: Date;
  demo: boolean;
  evaluations: EvaluationInput[];
  explanations: ExplanationInput[];
  /** by target code: its figures up to the as-of moment */
  figures: Map<string, { period: string; value: string }[]>;
  /** by target code: the chart, base64 */
  charts: Map<string, string>;
  revisions: PublishedRevision[];
}

const GOOD: readonly Status[] = ['achieved', 'ahead', 'on_track'];
/** the statuses that owe an explanation (情况说明), worst first */
export const FLAGGED: readonly Status[] = ['deteriorating', 'missed', 'lagging', 'at_risk'];

const QUARTER_TEXT = ['第一季度', '第二季度', '第三季度', '第四季度'];

/** 2026Q3 → 2026年第三季度 */
export function quarterText(period: string): string {
  const m = /^(\d{4})Q([1-4])$/.exec(period);
  if (!m) throw new RangeError(`not a quarter: ${period}`);
  return `${m[1]}年${QUARTER_TEXT[Number(m[2]) - 1]}`;
}

export const reportTitle = (period: string) => `渝北区目标进度季度通报（${quarterText(period)}）`;

/** 0.4567 → "45.7"; null → null. Rounded half away from zero on the decimal string. */
export function percent(ratio: number | null): string | null {
  if (ratio === null || !Number.isFinite(ratio)) return null;
  const x = Math.round(Math.abs(ratio) * 1000) / 10;
  const s = x.toFixed(1);
  return ratio < 0 && s !== '0.0' ? `-${s}` : s;
}

/** 1234.5678 → "1234.57"; null → null */
export function decimal(x: number | null): string | null {
  if (x === null || !Number.isFinite(x)) return null;
  const s = String(Math.round(x * 100) / 100);
  return s === '-0' ? '0' : s;
}

/** The counts of the run's evaluations. */
export function countStatuses(rows: readonly Pick<EvaluationInput, 'status' | 'overdue'>[]): ReportCounts {
  const n = (s: Status) => rows.filter((r) => r.status === s).length;
  const total = rows.length;
  const good = rows.filter((r) => GOOD.includes(r.status)).length;
  return {
    total, good,
    goodPercent: total ? ((Math.round((good * 1000) / total)) / 10).toFixed(1) : '0.0',
    atRisk: n('at_risk'), lagging: n('lagging'), deteriorating: n('deteriorating'), missed: n('missed'), noData: n('no_data'),
    overdue: rows.filter((r) => r.overdue).length,
  };
}

/** 共N项指标，达到或快于序时进度X项，占Y%；需加快A项；滞后B项；[倒退…；未完成…；暂无数据…；]数据逾期C项。 */
export function overviewSentence(c: ReportCounts): string {
  const parts = [`共${c.total}项指标，达到或快于序时进度${c.good}项，占${c.goodPercent}%`, `需加快${c.atRisk}项`, `滞后${c.lagging}项`];
  if (c.deteriorating) parts.push(`倒退${c.deteriorating}项`);
  if (c.missed) parts.push(`未完成${c.missed}项`);
  if (c.noData) parts.push(`暂无数据${c.noData}项`);
  parts.push(`数据逾期${c.overdue}项`);
  return `${parts.join('；')}。`;
}

function row(e: EvaluationInput): TargetRow {
  const words = statusLabel(e.status, 'zh-CN');
  return {
    code: e.code, name: e.name, unit: e.unit, targetValue: e.targetValue, targetPeriod: e.targetPeriod,
    latestValue: e.latestValue, latestPeriod: e.latestPeriod, completion: percent(e.completion),
    status: e.status, statusText: e.overdue ? `${words}（数据逾期）` : words, overdue: e.overdue,
  };
}

const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** The report's model from the run's rows. Deterministic: the same input gives the same model. */
export function buildReportModel(input: ModelInput): ReportModel {
  const evaluations = [...input.evaluations].sort(byCode);
  const counts = countStatuses(evaluations);

  const departments = new Map<string, DepartmentSection>();
  for (const e of evaluations) {
    let d = departments.get(e.departmentCode);
    if (!d) departments.set(e.departmentCode, (d = { code: e.departmentCode, name: e.departmentName, rows: [] }));
    d.rows.push(row(e));
  }

  const explanations = new Map(input.explanations.map((x) => [x.code, x]));
  const flaggedRows = evaluations
    .filter((e) => FLAGGED.includes(e.status))
    .sort((a, b) => FLAGGED.indexOf(a.status) - FLAGGED.indexOf(b.status) || byCode(a, b));
  const flagged: FlaggedTarget[] = flaggedRows.map((e) => {
    const x = explanations.get(e.code);
    return {
      ...row(e),
      department: e.departmentCode, departmentName: e.departmentName,
      figures: input.figures.get(e.code) ?? [],
      expected: decimal(e.expected), elapsed: percent(e.elapsed), pace: percent(e.pace),
      chartPng: input.charts.get(e.code) ?? null,
      explanation: x && (x.state === 'submitted' || x.state === 'accepted') ? { state: x.state, cause: x.cause, measures: x.measures } : null,
    };
  });

  const missingExplanations: MissingExplanation[] = flaggedRows.flatMap((e) => {
    const x = explanations.get(e.code);
    if (x && (x.state === 'submitted' || x.state === 'accepted')) return [];
    const state: MissingExplanation['state'] = x?.state === 'due' || x?.state === 'returned' ? x.state : 'none';
    return [{ code: e.code, name: e.name, departmentName: e.departmentName, state, dueAt: x?.dueAt ?? null }];
  });
  // Explanations owed for targets no longer flagged at this run are still owed.
  for (const x of [...input.explanations].sort(byCode)) {
    if ((x.state === 'due' || x.state === 'returned') && !missingExplanations.some((m) => m.code === x.code)) {
      const e = evaluations.find((v) => v.code === x.code);
      missingExplanations.push({ code: x.code, name: e?.name ?? x.code, departmentName: e?.departmentName ?? '', state: x.state, dueAt: x.dueAt });
    }
  }

  const missingFigures: MissingFigure[] = evaluations
    .filter((e) => e.overdue && e.duePeriod)
    .map((e) => ({ code: e.code, name: e.name, departmentName: e.departmentName, duePeriod: e.duePeriod! }));

  return {
    version: 1,
    period: input.period,
    periodText: quarterText(input.period),
    title: reportTitle(input.period),
    demo: input.demo,
    runId: input.runId,
    asOf: input.asOf.toISOString(),
    createdAt: input.createdAt.toISOString(),
    counts,
    overview: overviewSentence(counts),
    departments: [...departments.values()].sort(byCode),
    flagged,
    missingExplanations,
    missingFigures,
    revisions: input.revisions,
  };
}
