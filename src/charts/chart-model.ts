import { DateTime } from 'luxon';
import type {
  Basis,
  Comparator,
  EvaluationResult,
  Expectation,
  FigureRevision,
  Kind,
  Method,
  PeriodValue,
  Status,
  TargetDefinition,
} from '../evaluation/evaluation.types.js';
import { expectedAt } from '../evaluation/expected.js';
import { currentFigures, type Figure } from '../evaluation/figures.js';
import { yearTargetFor } from '../evaluation/flow.js';
import { type Frequency, nextPeriod, periodAtOrBefore, periodOf, periodsPerYear, periodT, subPeriod } from '../evaluation/periods.js';
import { DEFAULT_TZ, evaluate } from '../evaluation/rules.js';
import { round } from '../evaluation/status.js';
import { yearToDate, ytdAt } from '../evaluation/ytd.js';

/** A target's chart data, from the evaluation rules only, so it never disagrees with the status. Pure. */

/** A target as the chart needs it (TargetDefinition's fields, with the usual defaults, plus labels). */
export interface ChartTarget {
  code?: string;
  name: string;
  unit: string;
  kind: Kind;
  comparator: Comparator;
  /** default 'linear' */
  method?: Method;
  /** default 'quarterly' */
  frequency?: Frequency;
  /** default 'time' */
  expectation?: Expectation;
  baseline: PeriodValue | null;
  target: PeriodValue;
  milestones?: PeriodValue[];
  /** default 20 */
  graceDays?: number;
}

/** A figure, or one revision of it: with recordedAt, revisions recorded after the as-of moment are ignored. */
export interface ChartFigure {
  period: string;
  value: number;
  /** default 'ytd' (for levels the basis plays no part) */
  basis?: Basis;
  recordedAt?: Date;
}

/** What the chart shows of the target's latest stored evaluation. */
export interface ChartEvaluation {
  status: Status;
  early?: boolean;
  asOf: Date;
}

export interface ChartInput {
  target: ChartTarget;
  figures: readonly ChartFigure[];
  /** the latest stored evaluation: its status labels the chart (else the status computed here) */
  evaluation?: ChartEvaluation | null;
  /** figures of periods ending later, and revisions recorded later, are not drawn */
  asOf: Date;
  /** time zone of period ends; default Asia/Shanghai */
  tz?: string;
}

export interface ChartPoint {
  period: string;
  value: number;
}

export interface ChartModel {
  code: string | null;
  name: string;
  unit: string;
  kind: Kind;
  comparator: Comparator;
  frequency: Frequency;
  asOf: Date;
  status: Status;
  early: boolean;
  /** flows: the year shown (year-to-date figures of that year); levels: null */
  year: number | null;
  /** the categories of the x axis, in order, at the target's frequency */
  periods: string[];
  /** 序时进度: the value the rules expect at each period (levels: baseline → target; flows: year target × e) */
  expected: ChartPoint[];
  /** 实际值: the figures (flows: year-to-date of `year`) */
  actual: ChartPoint[];
  /** 预测: from the latest figure to the deadline (flows: to the year's end); empty when there is none */
  projection: ChartPoint[];
  /** 目标值: T across the axis (flows: the year target); empty when a flow's year has no target */
  target: ChartPoint[];
  /** T, or the flow's year target */
  targetValue: number | null;
  /** levels: the interim targets, at the period of the axis they fall on */
  milestones: ChartPoint[];
  latest: ChartPoint | null;
}

/** Axis length cap: a monthly target over 50 years would otherwise make 600 categories. */
export const MAX_PERIODS = 240;

function definition(t: ChartTarget): TargetDefinition {
  return {
    kind: t.kind,
    comparator: t.comparator,
    method: t.method ?? 'linear',
    frequency: t.frequency ?? 'quarterly',
    expectation: t.expectation ?? 'time',
    baseline: t.baseline,
    target: t.target,
    milestones: t.milestones ?? [],
    graceDays: t.graceDays ?? 20,
  };
}

const EPOCH = new Date(0);

function revisionsOf(figures: readonly ChartFigure[]): FigureRevision[] {
  return figures.map((f) => ({ period: f.period, value: f.value, basis: f.basis ?? 'ytd', recordedAt: f.recordedAt ?? EPOCH }));
}

/** The period of the axis (the target's frequency) a period of any kind ends in: '2023' → '2023Q4'. */
function onAxis(frequency: Frequency, period: string): string {
  return periodAtOrBefore(frequency, period) ?? period;
}

function periodRange(from: string, to: string): string[] {
  const out = [from];
  while (periodT(out.at(-1)!) < periodT(to)) out.push(nextPeriod(out.at(-1)!));
  return out.length > MAX_PERIODS ? out.slice(-MAX_PERIODS) : out;
}

const byT = (a: string, b: string) => periodT(a) - periodT(b);

export function chartModel(input: ChartInput): ChartModel {
  const tz = input.tz ?? DEFAULT_TZ;
  const def = definition(input.target);
  const revisions = revisionsOf(input.figures);
  const figures = currentFigures(revisions, input.asOf, def.frequency, tz);
  const verdict = evaluate(def, revisions, input.asOf, { tz });
  const common = {
    code: input.target.code ?? null,
    name: input.target.name,
    unit: input.target.unit,
    kind: def.kind,
    comparator: def.comparator,
    frequency: def.frequency,
    asOf: input.asOf,
    status: input.evaluation?.status ?? verdict.status,
    early: input.evaluation ? (input.evaluation.early ?? false) : verdict.early,
  };
  return def.kind === 'level'
    ? { ...common, ...levelSeries(def, figures, verdict) }
    : { ...common, ...flowSeries(def, figures, verdict, input.asOf, tz) };
}

type Series = Pick<ChartModel, 'year' | 'periods' | 'expected' | 'actual' | 'projection' | 'target' | 'targetValue' | 'milestones' | 'latest'>;

function levelSeries(def: TargetDefinition, figures: Figure[], verdict: EvaluationResult): Series {
  const f = def.frequency;
  const deadline = onAxis(f, def.target.period);
  const tT = periodT(def.target.period);
  // The rules' starting point: the baseline, else the first figure up to the deadline.
  const first = figures.find((x) => x.t <= tT);
  const base = def.baseline ? { period: onAxis(f, def.baseline.period), value: def.baseline.value } : first && { period: first.period, value: first.value };

  const starts = [deadline, ...(base ? [base.period] : []), ...figures.map((x) => x.period)].sort(byT);
  const ends = [deadline, ...figures.map((x) => x.period)].sort(byT);
  const periods = periodRange(starts[0], ends.at(-1)!);
  const shown = new Set(periods);

  const expected: ChartPoint[] = [];
  if (base && periodT(base.period) < tT) {
    for (const period of periods) {
      const t = periodT(period);
      if (t < periodT(base.period) || t > tT) continue;
      const e = expectedAt(def, figures, period);
      if (e !== null) expected.push({ period, value: round(e) });
    }
  }

  const actual = figures.filter((x) => shown.has(x.period)).map((x) => ({ period: x.period, value: x.value }));
  const latest = verdict.latestPeriod !== null && verdict.latestValue !== null ? { period: verdict.latestPeriod, value: verdict.latestValue } : null;
  const projection =
    latest && verdict.projected !== null && periodT(latest.period) < tT && shown.has(latest.period)
      ? [latest, { period: deadline, value: verdict.projected }]
      : [];
  const T = def.target.value;
  const milestones = def.milestones
    .map((m) => ({ period: onAxis(f, m.period), value: m.value }))
    .filter((m) => shown.has(m.period))
    .sort((a, b) => byT(a.period, b.period));
  return {
    year: null,
    periods,
    expected,
    actual,
    projection,
    target: [{ period: periods[0], value: T }, { period: periods.at(-1)!, value: T }],
    targetValue: T,
    milestones,
    latest,
  };
}

function flowSeries(def: TargetDefinition, figures: Figure[], verdict: EvaluationResult, asOf: Date, tz: string): Series {
  const f = def.frequency;
  const deadlineYear = subPeriod(def.target.period).year;
  // The year the evaluation speaks of: its latest figure's, else the as-of year (at most the deadline's).
  const year = verdict.latestPeriod !== null
    ? subPeriod(verdict.latestPeriod).year
    : Math.min(deadlineYear, DateTime.fromJSDate(asOf, { zone: tz }).year);
  const n = periodsPerYear(f);
  const periods = Array.from({ length: n }, (_, i) => periodOf(f, year, i + 1));

  const ytd = yearToDate(figures.filter((x) => x.year === year));
  const actual = periods.flatMap((period, i) => {
    const value = ytdAt(ytd, year, i + 1);
    return value === undefined ? [] : [{ period, value }];
  });

  const yearTarget = yearTargetFor(def, year);
  // Seasonal expectation reads last year's shares: the rules get last year's figures beside the probe.
  const lastYear = figures.filter((x) => x.year === year - 1);
  const expected: ChartPoint[] = [];
  if (yearTarget !== null) {
    for (const period of periods) {
      const e = expectedAt(def, lastYear, period);
      if (e !== null) expected.push({ period, value: round(e) });
    }
  }

  const latest = verdict.latestPeriod !== null && verdict.latestValue !== null ? { period: verdict.latestPeriod, value: verdict.latestValue } : null;
  const yearEnd = periods[n - 1];
  const projection =
    latest && verdict.projected !== null && latest.period !== yearEnd && subPeriod(latest.period).year === year
      ? [latest, { period: yearEnd, value: verdict.projected }]
      : [];
  return {
    year,
    periods,
    expected,
    actual,
    projection,
    target: yearTarget === null ? [] : [{ period: periods[0], value: round(yearTarget) }, { period: yearEnd, value: round(yearTarget) }],
    targetValue: yearTarget === null ? null : round(yearTarget),
    milestones: [],
    latest,
  };
}
