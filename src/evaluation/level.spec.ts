import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluationResult, FigureRevision, TargetDefinition } from './evaluation.types.js';
import { evaluate } from './rules.js';

const AS_OF = new Date('2027-06-01T00:00:00Z');
const RECORDED = new Date('2027-01-01T00:00:00Z');

/** 350 enterprises by 2025 from 200 at 2023 (DESIGN.md worked example). */
function level(overrides: Partial<TargetDefinition> = {}): TargetDefinition {
  return {
    kind: 'level',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    baseline: { period: '2023', value: 200 },
    target: { period: '2025', value: 350 },
    milestones: [],
    graceDays: 20,
    ...overrides,
  };
}

const figures = (...rows: [string, number][]): FigureRevision[] =>
  rows.map(([period, value]) => ({ period, value, basis: 'ytd', recordedAt: RECORDED }));

function pick(result: EvaluationResult, expected: Partial<EvaluationResult>): Partial<EvaluationResult> {
  return Object.fromEntries(Object.keys(expected).map((k) => [k, result[k as keyof EvaluationResult]]));
}

interface Row {
  name: string;
  def: TargetDefinition;
  figures: FigureRevision[];
  expected: Partial<EvaluationResult>;
}

const NO_DATA: Partial<EvaluationResult> = {
  status: 'no_data', early: false, pace: null, paceMethod: null, completion: null, elapsed: null,
  expected: null, gap: null, lag: null, projected: null, yearTarget: null, latestPeriod: null, latestValue: null,
};

// t0 = t(2023) = 2024, tT = t(2025) = 2026 unless said otherwise.
const rows: Row[] = [
  {
    // e = (2025 − 2024)/2 = 0.5; c = 60/150 = 0.4; ρ = 0.8 < 0.85; E = 200 + 150·0.5 = 275;
    // lag = 275 − 260 = 15; gap = 350 − 260 = 90; P: line (2024,200)-(2025,260) at 2026 = 320
    name: 'worked example: linear ≥ lagging',
    def: level(),
    figures: figures(['2024Q4', 260]),
    expected: {
      status: 'lagging', early: false, pace: 0.8, paceMethod: 'linear', completion: 0.4, elapsed: 0.5,
      expected: 275, gap: 90, lag: 15, projected: 320, yearTarget: null, latestPeriod: '2024Q4', latestValue: 260,
    },
  },
  {
    // c = 90/150 = 0.6; ρ = 1.2; lag = 275 − 290 = −15; gap = 60; P = 200 + 90·2 = 380
    name: 'linear ≥ ahead',
    def: level(),
    figures: figures(['2024Q4', 290]),
    expected: { status: 'ahead', pace: 1.2, completion: 0.6, expected: 275, gap: 60, lag: -15, projected: 380 },
  },
  {
    // c = 65/150; ρ = 130/150 = 0.866666666667 ≥ 0.85; lag = 10; gap = 85; P = 330
    name: 'linear ≥ at_risk',
    def: level(),
    figures: figures(['2024Q4', 265]),
    expected: { status: 'at_risk', pace: 0.866666666667, completion: 0.433333333333, gap: 85, lag: 10, projected: 330 },
  },
  {
    // c = −10/150; ρ = −0.133333333333 < 0; lag = 275 − 190 = 85; gap = 160; P = 180
    name: 'linear ≥ deteriorating',
    def: level(),
    figures: figures(['2024Q4', 190]),
    expected: {
      status: 'deteriorating', pace: -0.133333333333, completion: -0.0666666666667, gap: 160, lag: 85, projected: 180,
    },
  },
  {
    // PM2.5 ≤ 35 by 2025 from 50: e = 0.5/2 = 0.25; c = −3.75/−15 = 0.25; ρ = 1;
    // E = 50 − 15·0.25 = 46.25; lag = −(46.25 − 46.25) = 0; gap = −(35 − 46.25) = 11.25; P = 50 − 7.5·2 = 35
    name: 'linear ≤ on_track',
    def: level({ comparator: '<=', baseline: { period: '2023', value: 50 }, target: { period: '2025', value: 35 } }),
    figures: figures(['2024Q2', 46.25]),
    expected: {
      status: 'on_track', pace: 1, paceMethod: 'linear', completion: 0.25, elapsed: 0.25,
      expected: 46.25, gap: 11.25, lag: 0, projected: 35,
    },
  },
  {
    // CAGR needed = 1.21^(1/2) − 1 = 0.1; CAGR so far = 107/100 − 1 = 0.07; ρ = 0.7 ≥ 0.60 (cagr);
    // E = 100·1.21^0.5 = 110; lag = 3; gap = 14; c = 7/21; P = 100 + 7·2 = 114
    name: 'cagr ≥ at_risk (0.60 threshold)',
    def: level({ method: 'cagr', baseline: { period: '2023', value: 100 }, target: { period: '2025', value: 121 } }),
    figures: figures(['2024Q4', 107]),
    expected: {
      status: 'at_risk', pace: 0.7, paceMethod: 'cagr', completion: 0.333333333333, elapsed: 0.5,
      expected: 110, gap: 14, lag: 3, projected: 114,
    },
  },
  {
    // same figure, linear: ρ = (7/21)/0.5 = 0.666666666667 < 0.85; E = 100 + 21·0.5 = 110.5; lag = 3.5
    name: 'same figure under linear is lagging (0.85 threshold)',
    def: level({ baseline: { period: '2023', value: 100 }, target: { period: '2025', value: 121 } }),
    figures: figures(['2024Q4', 107]),
    expected: { status: 'lagging', pace: 0.666666666667, paceMethod: 'linear', expected: 110.5, lag: 3.5 },
  },
  {
    // CAGR so far 0.11 / 0.1 = 1.1; E = 110; lag = −1; gap = 10; c = 11/21; P = 122
    name: 'cagr ≥ ahead',
    def: level({ method: 'cagr', baseline: { period: '2023', value: 100 }, target: { period: '2025', value: 121 } }),
    figures: figures(['2024Q4', 111]),
    expected: { status: 'ahead', pace: 1.1, paceMethod: 'cagr', completion: 0.52380952381, expected: 110, lag: -1, gap: 10, projected: 122 },
  },
  {
    // −10 %/yr: CAGR needed = 0.81^(1/2) − 1 = −0.1; so far 181/200 − 1 = −0.095; ρ = −1·(−0.095)/0.1 = 0.95;
    // E = 200·0.81^0.5 = 180; lag = −(180 − 181) = 1; gap = −(162 − 181) = 19; c = −19/−38 = 0.5; P = 162
    name: 'cagr ≤ on_track',
    def: level({
      method: 'cagr', comparator: '<=',
      baseline: { period: '2023', value: 200 }, target: { period: '2025', value: 162 },
    }),
    figures: figures(['2024Q4', 181]),
    expected: {
      status: 'on_track', pace: 0.95, paceMethod: 'cagr', completion: 0.5, expected: 180, lag: 1, gap: 19, projected: 162,
    },
  },
  {
    // b < 0 so s = −1: needed |0.25^(1/2) − 1| = 0.5; so far (−50/−100) − 1 = −0.5; ρ = −1·1·(−0.5)/0.5 = 1;
    // E linear (b ≤ 0): −100 + 75·0.5 = −62.5; lag = −62.5 + 50 = −12.5; gap = 25; c = 50/75; P = 0
    name: 'cagr with a negative baseline',
    def: level({ method: 'cagr', baseline: { period: '2023', value: -100 }, target: { period: '2025', value: -25 } }),
    figures: figures(['2024Q4', -50]),
    expected: {
      status: 'on_track', pace: 1, paceMethod: 'cagr', completion: 0.666666666667, expected: -62.5, lag: -12.5, gap: 25, projected: 0,
    },
  },
  {
    // b = −10 and a = 5 have opposite signs → linear: c = 15/−40 = −0.375; ρ = −0.75;
    // E = −10 − 40·0.5 = −30; lag = −(−30 − 5) = 35; gap = −(−50 − 5) = 55; P = −10 + 15·2 = 20
    name: 'cagr falls back to linear when b and a have opposite signs',
    def: level({
      method: 'cagr', comparator: '<=',
      baseline: { period: '2023', value: -10 }, target: { period: '2025', value: -50 },
    }),
    figures: figures(['2024Q4', 5]),
    expected: { status: 'deteriorating', pace: -0.75, paceMethod: 'linear', completion: -0.375, expected: -30, lag: 35, gap: 55, projected: 20 },
  },
  {
    // b = −10 and T = 30 have opposite signs → linear: c = 5/40 = 0.125; ρ = 0.25; E = −10 + 40·0.5 = 10;
    // lag = 15; gap = 35; P = −10 + 5·2 = 0
    name: 'cagr falls back to linear when b and T have opposite signs',
    def: level({ method: 'cagr', baseline: { period: '2023', value: -10 }, target: { period: '2025', value: 30 } }),
    figures: figures(['2024Q4', -5]),
    expected: { status: 'lagging', pace: 0.25, paceMethod: 'linear', completion: 0.125, expected: 10, lag: 15, gap: 35, projected: 0 },
  },
  {
    // T = b and '>' not met: c = 0, ρ = 0 → lagging; cagr falls back to linear; E = 100; gap = lag = 0
    name: 'T equal to b, not achieved',
    def: level({ method: 'cagr', comparator: '>', baseline: { period: '2023', value: 100 }, target: { period: '2025', value: 100 } }),
    figures: figures(['2024Q4', 100]),
    expected: { status: 'lagging', pace: 0, paceMethod: 'linear', completion: 0, expected: 100, gap: 0, lag: 0 },
  },
  {
    // T = b and '>=' met: c = 1, ρ = 1/0.5 = 2
    name: 'T equal to b, achieved early',
    def: level({ baseline: { period: '2023', value: 100 }, target: { period: '2025', value: 100 } }),
    figures: figures(['2024Q4', 100]),
    expected: { status: 'achieved', early: true, pace: 2, completion: 1, gap: 0, lag: 0 },
  },
  {
    // c = 1; ρ = 2; lag = 275 − 350 = −75; P = 200 + 150·2 = 500
    name: 'achieved early',
    def: level(),
    figures: figures(['2024Q4', 350]),
    expected: { status: 'achieved', early: true, pace: 2, completion: 1, elapsed: 0.5, expected: 275, gap: 0, lag: -75, projected: 500 },
  },
  {
    // t(L) = tT: e = 1; c = 160/150; E = 350; gap = lag = −10; P through (2024,200),(2026,360) = 360
    name: 'achieved at the deadline is not early',
    def: level(),
    figures: figures(['2025Q4', 360]),
    expected: { status: 'achieved', early: false, pace: 1.06666666667, completion: 1.06666666667, elapsed: 1, expected: 350, gap: -10, lag: -10, projected: 360 },
  },
  {
    // e = 1; c = 100/150 = 0.666666666667; E = 350; gap = lag = 50; P = 300
    name: 'missed',
    def: level(),
    figures: figures(['2025Q4', 300]),
    expected: { status: 'missed', early: false, pace: 0.666666666667, completion: 0.666666666667, elapsed: 1, expected: 350, gap: 50, lag: 50, projected: 300 },
  },
  {
    // 2026Q1 (after tT) is ignored: the verdict stays on 2025Q4
    name: 'figures after the deadline are ignored',
    def: level(),
    figures: figures(['2025Q4', 300], ['2026Q1', 400]),
    expected: { status: 'missed', latestPeriod: '2025Q4', latestValue: 300, projected: 300 },
  },
  {
    // no baseline: (t0, b) = (2024.25, 10); L = 2024Q3: e = 0.5/1.75 = 2/7; c = 6/20 = 0.3; ρ = 1.05 → ahead;
    // E = 10 + 20·2/7 = 15.7142857143; lag = E − 16 = −0.285714285714; gap = 14; P = 10 + 12·1.75 = 31
    name: 'no baseline: the first figure is the baseline (ρ exactly at 1.05)',
    def: level({ baseline: null, target: { period: '2025', value: 30 } }),
    figures: figures(['2024Q3', 16], ['2024Q1', 10]),
    expected: {
      status: 'ahead', pace: 1.05, completion: 0.3, elapsed: 0.285714285714, expected: 15.7142857143,
      lag: -0.285714285714, gap: 14, projected: 31, latestPeriod: '2024Q3',
    },
  },
  {
    name: 'no baseline and a single figure → no_data',
    def: level({ baseline: null }),
    figures: figures(['2024Q1', 10]),
    expected: NO_DATA,
  },
  {
    // t(2023Q4) = t0: not after the baseline
    name: 'no figure after the baseline → no_data',
    def: level(),
    figures: figures(['2023Q4', 210], ['2023Q3', 205]),
    expected: NO_DATA,
  },
  {
    name: 'deadline not after the baseline → no_data',
    def: level({ baseline: { period: '2025', value: 200 } }),
    figures: figures(['2025Q4', 300]),
    expected: NO_DATA,
  },
  {
    // 10 figures; only the latest 8 (on v = 40(t − 2024)) join the baseline (2024, 0): P at 2027 = 120.
    // L = 2026Q2: e = 2.5/3; c = 100/200 = 0.5; ρ = 0.6; E = 200·2.5/3 = 166.666666667; lag = 66.6666666667
    name: 'projection uses the baseline and the latest 8 figures',
    def: level({ baseline: { period: '2023', value: 0 }, target: { period: '2026', value: 200 } }),
    figures: figures(
      ['2024Q1', 100], ['2024Q2', 100],
      ['2024Q3', 30], ['2024Q4', 40], ['2025Q1', 50], ['2025Q2', 60],
      ['2025Q3', 70], ['2025Q4', 80], ['2026Q1', 90], ['2026Q2', 100],
    ),
    expected: { status: 'lagging', pace: 0.6, elapsed: 0.833333333333, expected: 166.666666667, lag: 66.6666666667, gap: 100, projected: 120 },
  },
];

describe('evaluate: level targets', () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = evaluate(row.def, row.figures, AS_OF);
      assert.deepEqual(pick(result, row.expected), row.expected);
    });
  }

  it('zero baseline counts as 0.001 in CAGR', () => {
    // needed (100/0.001)^(1/2) − 1 = 315.227766; so far 10/0.001 − 1 = 9999; ρ = 9999/315.227766 ≈ 31.72;
    // E linear (b ≤ 0): 0 + 100·0.5 = 50; lag = 40; gap = 90; c = 0.1
    const def = level({ method: 'cagr', baseline: { period: '2023', value: 0 }, target: { period: '2025', value: 100 } });
    const result = evaluate(def, figures(['2024Q4', 10]), AS_OF);
    assert.equal(result.status, 'ahead');
    assert.equal(result.paceMethod, 'cagr');
    assert.equal(Math.round(result.pace! * 100) / 100, 31.72);
    assert.deepEqual(pick(result, { completion: 0.1, expected: 50, lag: 40, gap: 90 }), { completion: 0.1, expected: 50, lag: 40, gap: 90 });
  });

  it('applies custom thresholds', () => {
    const thresholds = { ahead: 1.5, onTrack: 1, atRiskLinear: 0.75, atRiskCagr: 0.5 };
    const result = evaluate(level(), figures(['2024Q4', 260]), AS_OF, { thresholds });
    assert.equal(result.status, 'at_risk'); // ρ = 0.8 ≥ 0.75
  });

  it('returns asOf and JSON-safe numbers', () => {
    const result = evaluate(level(), figures(['2024Q4', 260]), AS_OF);
    assert.equal(result.asOf, AS_OF);
    assert.doesNotThrow(() => JSON.stringify(result));
  });
});
