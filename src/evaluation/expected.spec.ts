import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetDefinition } from './evaluation.types.js';
import { expectedAt, probe } from './expected.js';

const level: TargetDefinition = {
  kind: 'level', comparator: '>=', method: 'linear', frequency: 'quarterly', expectation: 'time',
  baseline: { period: '2023', value: 200 }, target: { period: '2025', value: 350 }, milestones: [], graceDays: 20,
};
const flow: TargetDefinition = {
  kind: 'flow', comparator: '>=', method: 'linear', frequency: 'quarterly', expectation: 'time',
  baseline: null, target: { period: '2025', value: 2000 }, milestones: [{ period: '2024', value: 1600 }], graceDays: 20,
};

// [name, definition, figures, period, 应达值]
const CASES: [string, TargetDefinition, ReturnType<typeof probe>[], string, number | null][] = [
  ['the worked example: 2024Q4 halfway from 200 to 350', level, [], '2024Q4', 275],
  ['at the baseline', level, [], '2023Q4', 200],
  ['at the deadline', level, [], '2025Q4', 350],
  ['before the baseline', level, [], '2023Q3', null],
  ['after the deadline', level, [], '2026Q1', null],
  ['cagr: 100 → 400 over two years, halfway', { ...level, method: 'cagr', baseline: { period: '2023', value: 100 }, target: { period: '2025', value: 400 } }, [], '2024Q4', 200],
  ['no baseline: from the first figure', { ...level, baseline: null }, [probe('2024Q2', 250)], '2024Q4', 250 + 100 / 3],
  ['no baseline and no figure', { ...level, baseline: null }, [], '2024Q4', null],
  ['a flow: the deadline year at Q3', flow, [], '2025Q3', 1500],
  ['a flow: a milestone year at Q2', flow, [], '2024Q2', 800],
  ['a flow year without a year target', flow, [], '2023Q2', null],
];

describe('expectedAt (应达值)', () => {
  for (const [name, def, figures, period, expected] of CASES) {
    it(name, () => {
      const e = expectedAt(def, figures, period);
      if (expected === null) assert.equal(e, null);
      else assert.ok(e !== null && Math.abs(e - expected) < 1e-9, `${e} ≠ ${expected}`);
    });
  }
});
