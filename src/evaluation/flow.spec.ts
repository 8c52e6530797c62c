import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Basis, EvaluationResult, FigureRevision, TargetDefinition } from './evaluation.types.js';
import { evaluate } from './rules.js';

const AS_OF = new Date('2027-06-01T00:00:00Z');
const RECORDED = new Date('2027-01-01T00:00:00Z');

/** An annual output value of 2000 in 2025 from 1000 in 2023; 2024 interpolates to 1500. */
function flow(overrides: Partial<TargetDefinition> = {}): TargetDefinition {
  return {
    kind: 'flow',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    baseline: { period: '2023', value: 1000 },
    target: { period: '2025', value: 2000 },
    milestones: [],
    graceDays: 20,
    ...overrides,
  };
}

/** A cap: at most 800 in 2025 from 1000 in 2023; 2024 interpolates to 900. */
const cap = (overrides: Partial<TargetDefinition> = {}): TargetDefinition =>
  flow({ comparator: '<=', target: { period: '2025', value: 800 }, ...overrides });

const figures = (...rows: ([string, number] | [string, number, Basis])[]): FigureRevision[] =>
  rows.map(([period, value, basis = 'ytd']) => ({ period, value, basis, recordedAt: RECORDED }));

function pick(result: EvaluationResult, expected: Partial<EvaluationResult>): Partial<EvaluationResult> {
  return Object.fromEntries(Object.keys(expected).map((k) => [k, result[k as keyof EvaluationResult]]));
}

interface Row {
  name: string;
  def: TargetDefinition;
  figures: FigureRevision[];
  expected: Partial<EvaluationResult>;
}

// 2025Q2 YTD 950 of 2000: e = 2/4 = 0.5; c = 0.475; ρ = 0.95; E = 1000; gap = 1050; lag = 50; P = 950/0.5 = 1900
const ON_TRACK_2025Q2: Partial<EvaluationResult> = {
  status: 'on_track', early: false, pace: 0.95, paceMethod: 'linear', completion: 0.475, elapsed: 0.5,
  expected: 1000, gap: 1050, lag: 50, projected: 1900, yearTarget: 2000, latestPeriod: '2025Q2', latestValue: 950,
};

const SEASONAL_2024 = [['2024Q1', 100], ['2024Q2', 400], ['2024Q3', 700], ['2024Q4', 1000]] as [string, number][];

const rows: Row[] = [
  { name: 'linear ≥, time expectation, deadline year', def: flow(), figures: figures(['2025Q1', 450], ['2025Q2', 950]), expected: ON_TRACK_2025Q2 },
  {
    name: 'per-period basis sums to the same YTD',
    def: flow(),
    figures: figures(['2025Q1', 450, 'period'], ['2025Q2', 500, 'period']),
    expected: ON_TRACK_2025Q2,
  },
  {
    name: 'a period figure adds onto an earlier YTD figure',
    def: flow(),
    figures: figures(['2025Q2', 500, 'period'], ['2025Q1', 450, 'ytd']),
    expected: ON_TRACK_2025Q2,
  },
  {
    // 2024 target = 1000 + 1000·(1/2) = 1500; e = 0.25; c = 0.2; ρ = 0.8; E = 375; gap = 1200; lag = 75; P = 1200
    name: 'linear interpolated year target, lagging',
    def: flow(),
    figures: figures(['2024Q1', 300]),
    expected: { status: 'lagging', pace: 0.8, completion: 0.2, elapsed: 0.25, yearTarget: 1500, expected: 375, gap: 1200, lag: 75, projected: 1200 },
  },
  {
    // 2024 target = 1000·1.44^(1/2) = 1200; e = 0.75; c = 0.825; ρ = 1.1; E = 900; gap = 210; lag = −90; P = 1320
    name: 'cagr interpolated year target, ahead',
    def: flow({ method: 'cagr', target: { period: '2025', value: 1440 } }),
    figures: figures(['2024Q3', 990]),
    expected: {
      status: 'ahead', pace: 1.1, paceMethod: 'linear', completion: 0.825, elapsed: 0.75,
      yearTarget: 1200, expected: 900, gap: 210, lag: -90, projected: 1320,
    },
  },
  {
    // the 2024 milestone 1600 wins over the interpolated 1500: c = 0.5; ρ = 1; E = 800; gap = 800; lag = 0; P = 1600
    name: 'a milestone sets the year target',
    def: flow({ milestones: [{ period: '2024', value: 1600 }] }),
    figures: figures(['2024Q2', 800]),
    expected: { status: 'on_track', pace: 1, yearTarget: 1600, completion: 0.5, expected: 800, gap: 800, lag: 0, projected: 1600 },
  },
  {
    // ρ = (900·0.5)/480 = 0.9375; c = 480/900; E = 450; gap = −(900 − 480) = −420; lag = −(450 − 480) = 30; P = 960
    name: 'cap ≤, at_risk',
    def: cap(),
    figures: figures(['2024Q2', 480]),
    expected: {
      status: 'at_risk', pace: 0.9375, paceMethod: 'linear', completion: 0.533333333333, elapsed: 0.5,
      yearTarget: 900, expected: 450, gap: -420, lag: 30, projected: 960,
    },
  },
  {
    // 600 ≤ 900 but the year is open: ρ = 900·0.75/600 = 1.125 → ahead, not achieved
    name: 'cap under its limit in an open year is only ahead',
    def: cap(),
    figures: figures(['2024Q3', 600]),
    expected: { status: 'ahead', early: false, pace: 1.125 },
  },
  {
    // closed 2024 with 880 ≤ 900: ρ = 900/880 = 1.02272727273; c = 880/900; gap = lag = −20
    name: 'cap achieved in a closed year',
    def: cap(),
    figures: figures(['2024Q4', 880]),
    expected: { status: 'achieved', early: false, pace: 1.02272727273, completion: 0.977777777778, elapsed: 1, gap: -20, lag: -20, projected: 880 },
  },
  {
    // closed 2025 with 850 > 800: ρ = 800/850 = 0.941176470588; c = 1.0625; E = 800; gap = lag = 50
    name: 'cap missed in the deadline year',
    def: cap(),
    figures: figures(['2025Q4', 850]),
    expected: { status: 'missed', pace: 0.941176470588, completion: 1.0625, expected: 800, gap: 50, lag: 50, projected: 850 },
  },
  {
    // a = 0 under a cap: ρ would be infinite → pace null, status ahead; E = 225; gap = −900; lag = −225
    name: 'cap with nothing used yet',
    def: cap(),
    figures: figures(['2024Q1', 0]),
    expected: { status: 'ahead', pace: null, paceMethod: null, completion: 0, elapsed: 0.25, expected: 225, gap: -900, lag: -225, projected: 0 },
  },
  {
    // last year's shares: 100, 400, 700 of 1000 → e(Q2) = 0.4; c = 900/2000 = 0.45; ρ = 1.125;
    // E = 800; gap = 1100; lag = −100; P = 900/0.4 = 2250
    name: 'seasonal expectation from a complete previous year',
    def: flow({ expectation: 'seasonal' }),
    figures: figures(...SEASONAL_2024, ['2025Q2', 900]),
    expected: { status: 'ahead', pace: 1.125, elapsed: 0.4, completion: 0.45, expected: 800, gap: 1100, lag: -100, projected: 2250 },
  },
  {
    // e = 0.5; ρ = 0.45/0.5 = 0.9; E = 1000; lag = 100; P = 1800
    name: 'the same figures under time expectation',
    def: flow(),
    figures: figures(...SEASONAL_2024, ['2025Q2', 900]),
    expected: { status: 'at_risk', pace: 0.9, elapsed: 0.5, expected: 1000, lag: 100, projected: 1800 },
  },
  {
    name: 'seasonal falls back to k/n when the previous year is incomplete',
    def: flow({ expectation: 'seasonal' }),
    figures: figures(['2024Q1', 100], ['2024Q2', 400], ['2024Q4', 1000], ['2025Q2', 900]),
    expected: { status: 'at_risk', pace: 0.9, elapsed: 0.5 },
  },
  {
    // 2025Q1 missing: 2025Q2/Q3 per-period YTDs are unknown, so L = 2024Q4 (1400 of 1500, closed, not the deadline year):
    // e = 1; c = ρ = 0.933333333333 → at_risk; gap = lag = 100
    name: 'a missing sub-period breaks a per-period chain',
    def: flow(),
    figures: figures(['2024Q4', 1400], ['2025Q2', 500, 'period'], ['2025Q3', 300, 'period']),
    expected: { status: 'at_risk', latestPeriod: '2024Q4', latestValue: 1400, yearTarget: 1500, elapsed: 1, pace: 0.933333333333, gap: 100, lag: 100 },
  },
  {
    // a YTD figure is known whatever precedes it: e = 0.75; c = 0.75; ρ = 1; gap = 500; lag = 0; P = 2000
    name: 'a YTD figure after a gap is known',
    def: flow(),
    figures: figures(['2025Q2', 500, 'period'], ['2025Q3', 1500]),
    expected: { status: 'on_track', latestPeriod: '2025Q3', pace: 1, gap: 500, lag: 0, projected: 2000 },
  },
  {
    // c = 1.05; ρ = 1.05/0.75 = 1.4; E = 1500; gap = −100; lag = −600; P = 2800
    name: 'achieved early',
    def: flow(),
    figures: figures(['2025Q3', 2100]),
    expected: { status: 'achieved', early: true, pace: 1.4, completion: 1.05, expected: 1500, gap: -100, lag: -600, projected: 2800 },
  },
  {
    name: 'missed in the deadline year',
    def: flow(),
    figures: figures(['2025Q4', 1900]),
    expected: { status: 'missed', early: false, pace: 0.95, completion: 0.95, elapsed: 1, expected: 2000, gap: 100, lag: 100, projected: 1900 },
  },
  {
    name: 'figures after the deadline year are ignored',
    def: flow(),
    figures: figures(['2025Q4', 2100], ['2026Q1', 500]),
    expected: { status: 'achieved', early: false, latestPeriod: '2025Q4', latestValue: 2100 },
  },
  {
    // c = −50/2000 = −0.025; ρ = −0.1
    name: 'deteriorating',
    def: flow(),
    figures: figures(['2025Q1', -50]),
    expected: { status: 'deteriorating', pace: -0.1, completion: -0.025 },
  },
  {
    // raw ρ = (6.4125/9)/0.75 = 0.9499999999999998, shown and judged as 0.95
    name: 'pace is rounded before the thresholds',
    def: flow({ target: { period: '2025', value: 9 } }),
    figures: figures(['2025Q3', 6.4125]),
    expected: { status: 'on_track', pace: 0.95 },
  },
  {
    // n = 1: e = 1; 2024 target 1500; c = ρ = 1450/1500 = 0.966666666667; closed but not the deadline year
    name: 'yearly frequency',
    def: flow({ frequency: 'yearly' }),
    figures: figures(['2024', 1450, 'period']),
    expected: { status: 'on_track', pace: 0.966666666667, elapsed: 1, yearTarget: 1500, expected: 1500, gap: 50, lag: 50, projected: 1450 },
  },
  {
    // November: e = 11/12; c = 0.9; ρ = 0.9·12/11 = 0.981818181818; E = 1833.33333333; lag = 33.3333333333; P = 1963.63636364
    name: 'monthly frequency (序时进度 11/12)',
    def: flow({ frequency: 'monthly' }),
    figures: figures(['2025-11', 1800]),
    expected: {
      status: 'on_track', pace: 0.981818181818, elapsed: 0.916666666667, completion: 0.9,
      expected: 1833.33333333, gap: 200, lag: 33.3333333333, projected: 1963.63636364,
    },
  },
  {
    name: 'no year target (no baseline, not the deadline year) → no_data',
    def: flow({ baseline: null }),
    figures: figures(['2024Q2', 800]),
    expected: {
      status: 'no_data', pace: null, paceMethod: null, completion: null, elapsed: null, expected: null,
      gap: null, lag: null, projected: null, yearTarget: null, latestPeriod: null, latestValue: null,
    },
  },
  {
    name: 'the baseline year has no year target → no_data',
    def: flow(),
    figures: figures(['2023Q4', 1000]),
    expected: { status: 'no_data', yearTarget: null },
  },
  {
    name: 'no known YTD → no_data',
    def: flow(),
    figures: figures(['2025Q2', 500, 'period']),
    expected: { status: 'no_data', latestPeriod: null },
  },
  {
    // a floor of 0 with '>' not met: c and ρ undefined → pace null, lagging
    name: 'a year target of 0',
    def: flow({ comparator: '>', milestones: [{ period: '2024', value: 0 }] }),
    figures: figures(['2024Q1', 0]),
    expected: { status: 'lagging', pace: null, paceMethod: null, completion: null, yearTarget: 0 },
  },
];

describe('evaluate: flow targets', () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = evaluate(row.def, row.figures, AS_OF);
      assert.deepEqual(pick(result, row.expected), row.expected);
    });
  }
});
