import type { Comparator, EvaluationResult, Method, Status, Thresholds } from './evaluation.types.js';

export const DEFAULT_THRESHOLDS: Thresholds = { ahead: 1.05, onTrack: 0.95, atRiskLinear: 0.85, atRiskCagr: 0.6 };

/** What the kind-specific rules decide; overdue and asOf are added by evaluate(). */
export type Verdict = Omit<EvaluationResult, 'overdue' | 'duePeriod' | 'asOf'>;

export function noData(): Verdict {
  return {
    status: 'no_data',
    early: false,
    pace: null,
    paceMethod: null,
    completion: null,
    elapsed: null,
    expected: null,
    gap: null,
    lag: null,
    projected: null,
    yearTarget: null,
    latestPeriod: null,
    latestValue: null,
  };
}

/** 12 significant digits, so JSON shows 0.8 rather than 0.7999999999999999. */
export function round(x: number): number;
export function round(x: number | null): number | null;
export function round(x: number | null): number | null {
  return x === null ? null : Number(x.toPrecision(12));
}

export function direction(comparator: Comparator): 1 | -1 {
  return comparator === '>=' || comparator === '>' ? 1 : -1;
}

export function satisfies(a: number, comparator: Comparator, target: number): boolean {
  switch (comparator) {
    case '>=':
      return a >= target;
    case '>':
      return a > target;
    case '<=':
      return a <= target;
    case '<':
      return a < target;
  }
}

/** Expects a pace already rounded, so the status agrees with the pace shown. */
export function statusFromPace(pace: number, method: Method, thresholds: Thresholds): Status {
  const atRisk = method === 'cagr' ? thresholds.atRiskCagr : thresholds.atRiskLinear;
  if (pace >= thresholds.ahead) return 'ahead';
  if (pace >= thresholds.onTrack) return 'on_track';
  if (pace >= atRisk) return 'at_risk';
  return pace >= 0 ? 'lagging' : 'deteriorating';
}
