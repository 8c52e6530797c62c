import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparisonPeriods, plausibilityWarnings, type PlausibilityInput } from './plausibility.js';

const fig = (period: string, value: string, basis: 'ytd' | 'period' = 'ytd') => ({ period, value, basis });

// [name, input, expected warning fragments (empty: plausible)]
const CASES: [string, PlausibilityInput, string[]][] = [
  ['three pasted cells read as one number (the clerk\'s 23318.586 万辆)',
    { kind: 'level', period: '2026Q1', value: '23318.586', basis: 'ytd', previous: fig('2025Q4', '23'), lastYear: fig('2025Q1', '12') },
    ['上期（2025年四季度：23）的 1010 倍', '同比 +194221.6%']],
  ['a steady level', { kind: 'level', period: '2026Q1', value: '260', basis: 'ytd', previous: fig('2025Q4', '250'), lastYear: fig('2025Q1', '200') }, []],
  ['exactly 3× is still plausible', { kind: 'level', period: '2026Q1', value: '300', basis: 'ytd', previous: fig('2025Q4', '100'), lastYear: null }, []],
  ['just over 3×', { kind: 'level', period: '2026Q1', value: '300.1', basis: 'ytd', previous: fig('2025Q4', '100'), lastYear: null }, ['3 倍']],
  ['under a third', { kind: 'level', period: '2026Q1', value: '33', basis: 'ytd', previous: fig('2025Q4', '100'), lastYear: null }, ['0.33 倍']],
  ['a drop to zero', { kind: 'level', period: '2026Q1', value: '0', basis: 'ytd', previous: fig('2025Q4', '100'), lastYear: null }, ['0 倍']],
  ['previous zero: no ratio', { kind: 'level', period: '2026Q1', value: '5', basis: 'ytd', previous: fig('2025Q4', '0'), lastYear: null }, []],
  ['a year-to-date flow at Q1 against last Q4\'s total is no jump',
    { kind: 'flow', period: '2026Q1', value: '480', basis: 'ytd', previous: fig('2025Q4', '2000'), lastYear: fig('2025Q1', '450') }, []],
  ['a year-to-date flow within the year',
    { kind: 'flow', period: '2026Q3', value: '5000', basis: 'ytd', previous: fig('2026Q2', '1000'), lastYear: null }, ['5 倍']],
  ['a single-period flow across the year',
    { kind: 'flow', period: '2026Q1', value: '150', basis: 'period', previous: fig('2025Q4', '400', 'period'), lastYear: null }, []],
  ['a single-period flow dropping to a fifth',
    { kind: 'flow', period: '2026Q1', value: '80', basis: 'period', previous: fig('2025Q4', '400', 'period'), lastYear: null }, ['0.2 倍']],
  ['bases differ: not compared', { kind: 'flow', period: '2026Q2', value: '900', basis: 'ytd', previous: fig('2026Q1', '100', 'period'), lastYear: null }, []],
  ['同比 +100% exactly is plausible', { kind: 'flow', period: '2026Q2', value: '200', basis: 'ytd', previous: null, lastYear: fig('2025Q2', '100') }, []],
  ['同比 −100% exactly is plausible', { kind: 'level', period: '2026Q2', value: '0', basis: 'ytd', previous: null, lastYear: fig('2025Q2', '100') }, []],
  ['同比 beyond −100% (sign flip)', { kind: 'level', period: '2026Q2', value: '-5', basis: 'ytd', previous: null, lastYear: fig('2025Q2', '100') }, ['同比 -105%']],
  ['同比 against a negative base', { kind: 'level', period: '2026Q2', value: '10', basis: 'ytd', previous: null, lastYear: fig('2025Q2', '-4') }, ['同比 +350%']],
  ['a yearly target compares once (the previous period is last year)',
    { kind: 'level', period: '2026', value: '500', basis: 'ytd', previous: fig('2025', '100'), lastYear: fig('2025', '100') }, ['同比 +400%']],
  ['nothing to compare', { kind: 'level', period: '2026Q1', value: '99999', basis: 'ytd', previous: null, lastYear: null }, []],
];

describe('plausibilityWarnings', () => {
  for (const [name, input, expected] of CASES) {
    it(name, () => {
      const warnings = plausibilityWarnings(input);
      assert.equal(warnings.length, expected.length, warnings.join(' | '));
      expected.forEach((fragment, i) => assert.ok(warnings[i].includes(fragment), `${warnings[i]} ∌ ${fragment}`));
    });
  }

  it('compares a quarter with the one before and a year earlier', () => {
    assert.deepEqual(comparisonPeriods('2026Q1'), { previous: '2025Q4', lastYear: '2025Q1' });
    assert.deepEqual(comparisonPeriods('2026-01'), { previous: '2025-12', lastYear: '2025-01' });
    assert.deepEqual(comparisonPeriods('2026'), { previous: '2025', lastYear: '2025' });
    assert.deepEqual(comparisonPeriods('1900-01'), { previous: null, lastYear: null });
    assert.deepEqual(comparisonPeriods('1900Q2'), { previous: '1900Q1', lastYear: null });
  });
});
