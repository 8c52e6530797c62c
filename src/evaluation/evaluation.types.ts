import type { Frequency } from './periods.js';

export type { Frequency } from './periods.js';

export type Kind = 'level' | 'flow';
export type Comparator = '>=' | '>' | '<=' | '<';
export type Method = 'linear' | 'cagr';
export type Expectation = 'time' | 'seasonal';
export type Basis = 'ytd' | 'period';
export type Status =
  | 'achieved'
  | 'ahead'
  | 'on_track'
  | 'at_risk'
  | 'lagging'
  | 'deteriorating'
  | 'missed'
  | 'no_data';

export const STATUSES: readonly Status[] = [
  'achieved',
  'ahead',
  'on_track',
  'at_risk',
  'lagging',
  'deteriorating',
  'missed',
  'no_data',
];
/** Statuses that raise an alert; at_risk only warns. */
export const FLAGGED_STATUSES: readonly Status[] = ['lagging', 'deteriorating', 'missed'];

export interface PeriodValue {
  period: string;
  value: number;
}

export interface TargetDefinition {
  kind: Kind;
  comparator: Comparator;
  method: Method;
  frequency: Frequency;
  expectation: Expectation;
  baseline: PeriodValue | null;
  target: PeriodValue;
  milestones: PeriodValue[];
  graceDays: number;
}

export interface FigureRevision {
  period: string;
  value: number;
  basis: Basis;
  recordedAt: Date;
}

export interface Thresholds {
  ahead: number;
  onTrack: number;
  atRiskLinear: number;
  atRiskCagr: number;
}

export interface EvaluateOptions {
  /** default 'Asia/Shanghai' */
  tz?: string;
  thresholds?: Thresholds;
}

export interface EvaluationResult {
  status: Status;
  /** achieved before the deadline (level) / before year end (flow) */
  early: boolean;
  pace: number | null;
  /** the method actually used: cagr may fall back to linear */
  paceMethod: Method | null;
  completion: number | null;
  elapsed: number | null;
  expected: number | null;
  gap: number | null;
  lag: number | null;
  projected: number | null;
  /** flows only */
  yearTarget: number | null;
  latestPeriod: string | null;
  /** a: the latest value (YTD for flows) */
  latestValue: number | null;
  overdue: boolean;
  /** the period whose figure is (or would be) overdue */
  duePeriod: string | null;
  asOf: Date;
}
