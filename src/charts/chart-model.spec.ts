import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetDefinition } from '../evaluation/evaluation.types.js';
import { evaluate } from '../evaluation/rules.js';
import { type ChartFigure, type ChartInput, chartModel, type ChartModel, type ChartPoint, type ChartTarget, MAX_PERIODS } from './chart-model.js';

const RECORDED = new Date('2020-01-01T00:00:00Z');

/** 数字化改造企业 350家 by 2025 from 200 at 2023 (the article; DESIGN.md's worked example). */
const ENTERPRISES: ChartTarget = {
  code: 'DT-ENTERPRISES', name: '数字化改造企业数', unit: '家', kind: 'level', comparator: '>=',
  baseline: { period: '2023', value: 200 }, target: { period: '2025', value: 350 },
};
/** 智能网联新能源汽车年产值 2000亿元 in 2025, 1600 in 2024 (a flow: the yearly total). */
const NEV_OUTPUT: ChartTarget = {
  code: 'NEV-OUTPUT', name: '智能网联新能源汽车年产值', unit: '亿元', kind: 'flow', comparator: '>=',
  baseline: { period: '2023', value: 1200 }, target: { period: '2025', value: 2000 }, milestones: [{ period: '2024', value: 1600 }],
};
/** 科技型企业倍增: 1000 → 2000 from 2022 to 2027, compound growth. */
const DOUBLING: ChartTarget = {
  code: 'SCI-DOUBLING', name: '科技型企业数', unit: '家', kind: 'level', comparator: '>=', method: 'cagr',
  baseline: { period: '2022', value: 1000 }, target: { period: '2027', value: 2000 },
};
/** A cap: energy use per unit of output down from 0.5 to 0.4 by 2025. */
const ENERGY: ChartTarget = {
  code: 'ENERGY', name: '单位产值能耗', unit: '吨标煤/万元', kind: 'level', comparator: '<=',
  baseline: { period: '2023', value: 0.5 }, target: { period: '2025', value: 0.4 },
};

const fig = (period: string, value: number, extra: Partial<ChartFigure> = {}): ChartFigure => ({ period, value, recordedAt: RECORDED, ...extra });
const at = (iso: string) => new Date(iso);
const valueAt = (points: ChartPoint[], period: string) => points.find((p) => p.period === period)?.value;
const quarters = (from: number, to: number) => Array.from({ length: (to - from + 1) * 4 }, (_, i) => `${from + Math.floor(i / 4)}Q${(i % 4) + 1}`);

interface Row {
  name: string;
  input: ChartInput;
  expected: Partial<ChartModel>;
  /** spot checks of the expected path (序时进度) */
  path?: Record<string, number>;
}

const ROWS: Row[] = [
  {
    name: 'level, the worked example: 260 at 2024Q4 against an expected 275',
    input: { target: ENTERPRISES, figures: [fig('2024Q2', 230), fig('2024Q4', 260)], asOf: at('2025-02-01T00:00:00Z') },
    expected: {
      kind: 'level', year: null, status: 'lagging', periods: ['2023Q4', ...quarters(2024, 2025)],
      actual: [{ period: '2024Q2', value: 230 }, { period: '2024Q4', value: 260 }],
      target: [{ period: '2023Q4', value: 350 }, { period: '2025Q4', value: 350 }], targetValue: 350,
      latest: { period: '2024Q4', value: 260 }, milestones: [],
    },
    path: { '2023Q4': 200, '2024Q1': 218.75, '2024Q4': 275, '2025Q2': 312.5, '2025Q4': 350 },
  },
  {
    name: 'level without a baseline (as seeded): the first figure is the starting point',
    input: { target: { ...ENTERPRISES, baseline: null }, figures: [fig('2024Q1', 220), fig('2024Q4', 280)], asOf: at('2025-02-01T00:00:00Z') },
    expected: { status: 'ahead', periods: quarters(2024, 2025), latest: { period: '2024Q4', value: 280 } },
    path: { '2024Q1': 220, '2024Q4': 220 + 130 * (0.75 / 1.75), '2025Q4': 350 },
  },
  {
    name: 'level, compound growth (倍增): b·(T/b)^e',
    input: { target: DOUBLING, figures: [fig('2024Q4', 1400)], asOf: at('2025-02-01T00:00:00Z') },
    expected: { periods: ['2022Q4', ...quarters(2023, 2027)], latest: { period: '2024Q4', value: 1400 } },
    path: { '2022Q4': 1000, '2024Q4': 1000 * 2 ** 0.4, '2027Q4': 2000 },
  },
  {
    name: 'level, a cap (<=): the path goes down',
    input: { target: ENERGY, figures: [fig('2024Q4', 0.48)], asOf: at('2025-02-01T00:00:00Z') },
    expected: { status: 'lagging', latest: { period: '2024Q4', value: 0.48 } },
    path: { '2023Q4': 0.5, '2024Q4': 0.45, '2025Q4': 0.4 },
  },
  {
    name: 'level with a milestone: a marker on the axis period the year ends in',
    input: { target: { ...ENTERPRISES, milestones: [{ period: '2024', value: 280 }] }, figures: [fig('2024Q4', 290)], asOf: at('2025-02-01T00:00:00Z') },
    expected: { milestones: [{ period: '2024Q4', value: 280 }], status: 'ahead' },
    path: { '2024Q4': 275 },
  },
  {
    name: 'level, monthly: the axis is months',
    input: { target: { ...ENTERPRISES, frequency: 'monthly' }, figures: [fig('2024-06', 240)], asOf: at('2024-08-01T00:00:00Z') },
    expected: { frequency: 'monthly', latest: { period: '2024-06', value: 240 } },
    path: { '2023-12': 200, '2024-06': 237.5, '2025-12': 350 },
  },
  {
    name: 'level: a figure after the deadline widens the axis; no projection past the deadline',
    input: { target: ENTERPRISES, figures: [fig('2025Q4', 330), fig('2026Q1', 345)], asOf: at('2026-06-01T00:00:00Z') },
    expected: { status: 'missed', projection: [], latest: { period: '2025Q4', value: 330 } },
  },
  {
    name: 'level: nothing recorded, no data: the path and the target only',
    input: { target: ENTERPRISES, figures: [], asOf: at('2024-05-01T00:00:00Z') },
    expected: { status: 'no_data', actual: [], projection: [], latest: null },
    path: { '2024Q4': 275 },
  },
  {
    name: 'level: the stored evaluation labels the chart',
    input: {
      target: ENTERPRISES, figures: [fig('2024Q4', 260)], asOf: at('2025-02-01T00:00:00Z'),
      evaluation: { status: 'at_risk', asOf: at('2025-02-01T00:00:00Z') },
    },
    expected: { status: 'at_risk', early: false },
  },
  {
    name: 'level as of a moment: later revisions and periods not yet ended are ignored',
    input: {
      target: ENTERPRISES,
      figures: [
        fig('2024Q4', 260, { recordedAt: at('2025-01-10T00:00:00Z') }),
        fig('2024Q4', 300, { recordedAt: at('2025-03-10T00:00:00Z') }), // revised later
        fig('2025Q1', 310, { recordedAt: at('2025-01-20T00:00:00Z') }), // a quarter not ended by asOf
      ],
      asOf: at('2025-02-01T00:00:00Z'),
    },
    expected: { actual: [{ period: '2024Q4', value: 260 }], latest: { period: '2024Q4', value: 260 } },
  },
  {
    name: 'flow, the article’s 年产值 2000亿元: this year’s YTD against the year target',
    input: { target: NEV_OUTPUT, figures: [fig('2024Q4', 1650), fig('2025Q1', 380), fig('2025Q2', 820)], asOf: at('2025-07-25T00:00:00Z') },
    expected: {
      kind: 'flow', year: 2025, status: 'lagging', periods: quarters(2025, 2025),
      actual: [{ period: '2025Q1', value: 380 }, { period: '2025Q2', value: 820 }],
      expected: [{ period: '2025Q1', value: 500 }, { period: '2025Q2', value: 1000 }, { period: '2025Q3', value: 1500 }, { period: '2025Q4', value: 2000 }],
      projection: [{ period: '2025Q2', value: 820 }, { period: '2025Q4', value: 1640 }],
      target: [{ period: '2025Q1', value: 2000 }, { period: '2025Q4', value: 2000 }], targetValue: 2000,
      latest: { period: '2025Q2', value: 820 }, milestones: [],
    },
  },
  {
    name: 'flow, per-period figures summed to YTD; the milestone is the year target',
    input: {
      target: NEV_OUTPUT,
      figures: [fig('2024Q1', 300, { basis: 'period' }), fig('2024Q2', 400, { basis: 'period' })],
      asOf: at('2024-08-01T00:00:00Z'),
    },
    expected: {
      year: 2024, targetValue: 1600,
      actual: [{ period: '2024Q1', value: 300 }, { period: '2024Q2', value: 700 }],
      expected: [{ period: '2024Q1', value: 400 }, { period: '2024Q2', value: 800 }, { period: '2024Q3', value: 1200 }, { period: '2024Q4', value: 1600 }],
      projection: [{ period: '2024Q2', value: 700 }, { period: '2024Q4', value: 1400 }],
    },
  },
  {
    name: 'flow, seasonal expectation: last year’s shares shape the path',
    input: {
      target: { ...NEV_OUTPUT, expectation: 'seasonal' },
      figures: [fig('2024Q1', 200), fig('2024Q2', 600), fig('2024Q3', 1000), fig('2024Q4', 1600), fig('2025Q1', 300)],
      asOf: at('2025-05-01T00:00:00Z'),
    },
    expected: {
      year: 2025, status: 'ahead',
      expected: [{ period: '2025Q1', value: 250 }, { period: '2025Q2', value: 750 }, { period: '2025Q3', value: 1250 }, { period: '2025Q4', value: 2000 }],
      projection: [{ period: '2025Q1', value: 300 }, { period: '2025Q4', value: 2400 }],
    },
  },
  {
    name: 'flow, a closed year: no projection',
    input: { target: NEV_OUTPUT, figures: [fig('2024Q4', 1500)], asOf: at('2025-02-01T00:00:00Z') },
    expected: { year: 2024, projection: [], status: 'at_risk', latest: { period: '2024Q4', value: 1500 } },
  },
  {
    name: 'flow, nothing yet this year: the as-of year (China time), its path and target',
    input: { target: NEV_OUTPUT, figures: [], asOf: at('2024-12-31T16:30:00Z') }, // 2025-01-01 00:30 in Shanghai
    expected: { year: 2025, status: 'no_data', actual: [], projection: [], targetValue: 2000, latest: null },
    path: { '2025Q1': 500, '2025Q4': 2000 },
  },
  {
    name: 'flow, monthly, interpolated year target (no milestone for the year)',
    input: {
      target: { ...NEV_OUTPUT, frequency: 'monthly', milestones: [] },
      figures: [fig('2024-03', 400)], asOf: at('2024-04-15T00:00:00Z'),
    },
    expected: { year: 2024, targetValue: 1600, periods: Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`) },
    path: { '2024-03': 400, '2024-06': 800, '2024-12': 1600 },
  },
];

function definitionOf(t: ChartTarget): TargetDefinition {
  return {
    kind: t.kind, comparator: t.comparator, method: t.method ?? 'linear', frequency: t.frequency ?? 'quarterly',
    expectation: t.expectation ?? 'time', baseline: t.baseline, target: t.target, milestones: t.milestones ?? [], graceDays: 20,
  };
}

const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

describe('chartModel', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const model = chartModel(row.input);
      for (const [key, value] of Object.entries(row.expected)) {
        assert.deepEqual(model[key as keyof ChartModel], value, key);
      }
      for (const [period, value] of Object.entries(row.path ?? {})) close(valueAt(model.expected, period), value, `expected at ${period}`);

      // The chart agrees with the evaluation of the same figures at the same moment.
      const revisions = row.input.figures.map((f) => ({ period: f.period, value: f.value, basis: f.basis ?? 'ytd', recordedAt: f.recordedAt ?? RECORDED }));
      const result = evaluate(definitionOf(row.input.target), revisions, row.input.asOf);
      if (!row.input.evaluation) assert.equal(model.status, result.status, 'status');
      assert.deepEqual(model.latest, result.latestPeriod === null ? null : { period: result.latestPeriod, value: result.latestValue });
      if (result.latestPeriod !== null && result.expected !== null) {
        close(valueAt(model.expected, result.latestPeriod), result.expected, 'the path at the latest figure = the evaluation’s expected');
      }
      if (model.projection.length) {
        assert.deepEqual(model.projection[0], model.latest, 'the projection starts at the latest figure');
        close(model.projection[1].value, result.projected!, 'the projection ends at the evaluation’s projected value');
      }
      if (model.kind === 'flow') close(model.targetValue ?? undefined, result.yearTarget ?? model.targetValue!, 'year target');

      // Every point lies on the axis, and each series runs in axis order.
      const index = new Map(model.periods.map((p, i) => [p, i]));
      assert.equal(new Set(model.periods).size, model.periods.length, 'distinct periods');
      for (const [name, series] of Object.entries({ expected: model.expected, actual: model.actual, projection: model.projection, target: model.target, milestones: model.milestones })) {
        const positions = series.map((p) => index.get(p.period));
        assert.ok(positions.every((i) => i !== undefined), `${name} on the axis: ${JSON.stringify(series)}`);
        assert.deepEqual([...positions].sort((a, b) => a! - b!), positions, `${name} in order`);
      }
    });
  }

  it('keeps a very long axis to the latest MAX_PERIODS periods', () => {
    const model = chartModel({
      target: { ...ENTERPRISES, frequency: 'monthly', baseline: { period: '1990', value: 10 }, target: { period: '2030', value: 350 } },
      figures: [fig('2024-06', 240)], asOf: at('2024-08-01T00:00:00Z'),
    });
    assert.equal(model.periods.length, MAX_PERIODS);
    assert.equal(model.periods.at(-1), '2030-12');
    assert.ok(model.expected.every((p) => model.periods.includes(p.period)));
    assert.equal(valueAt(model.actual, '2024-06'), 240);
  });

  it('is pure: the same input gives the same model, and the input is not changed', () => {
    const input: ChartInput = { target: NEV_OUTPUT, figures: [fig('2025Q1', 380)], asOf: at('2025-05-01T00:00:00Z') };
    const copy = structuredClone(input);
    assert.deepEqual(chartModel(input), chartModel(input));
    assert.deepEqual(input, copy);
  });
});
