import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  closingQuarter,
  formatPeriod,
  frequencyOf,
  latestPeriodEndedBy,
  nextPeriod,
  parsePeriod,
  periodAtOrBefore,
  periodEndedBy,
  periodEndInstant,
  periodFits,
  periodOf,
  periodT,
  previousPeriod,
  reportingQuarter,
  subPeriod,
  type Frequency,
  type ParsedPeriod,
} from './periods.js';

describe('parsePeriod / formatPeriod', () => {
  const valid: [string, ParsedPeriod][] = [
    ['2025', { kind: 'year', year: 2025, index: 1 }],
    ['2025Q1', { kind: 'quarter', year: 2025, index: 1 }],
    ['2025Q4', { kind: 'quarter', year: 2025, index: 4 }],
    ['2025-01', { kind: 'month', year: 2025, index: 1 }],
    ['2025-12', { kind: 'month', year: 2025, index: 12 }],
    ['1900', { kind: 'year', year: 1900, index: 1 }],
    ['2200Q4', { kind: 'quarter', year: 2200, index: 4 }],
  ];
  for (const [s, parsed] of valid) {
    it(`parses and round-trips ${s}`, () => {
      assert.deepEqual(parsePeriod(s), parsed);
      assert.equal(formatPeriod(parsed), s);
    });
  }

  const invalid = [
    '2025Q5', '2025Q0', '2025-13', '2025-00', '2025-1', 'abc', '2025q1', ' 2025', '2025 ', '2025Q1\n',
    '1899', '2201', '25', '20250', '2025-Q1', '2025Q', '', '２０２５',
  ];
  for (const s of invalid) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parsePeriod(s), null));
  }

  it('refuses to format an impossible period', () => {
    assert.throws(() => formatPeriod({ kind: 'quarter', year: 2025, index: 5 }), RangeError);
    assert.throws(() => formatPeriod({ kind: 'month', year: 1899, index: 1 }), RangeError);
  });
});

describe('periodT', () => {
  const rows: [string, number][] = [
    ['2023', 2024],
    ['2023Q4', 2024],
    ['2023-12', 2024],
    ['2024Q2', 2024.5],
    ['2024-06', 2024.5],
    ['2024-11', 2024 + 11 / 12], // 序时进度 of November: 11/12
  ];
  for (const [period, t] of rows) it(`t(${period}) = ${t}`, () => assert.equal(periodT(period), t));
  it('throws on an invalid period', () => assert.throws(() => periodT('2025Q5'), RangeError));
});

describe('frequencies and sub-periods', () => {
  const rows: [string, Frequency, { year: number; k: number; n: number }][] = [
    ['2025', 'yearly', { year: 2025, k: 1, n: 1 }],
    ['2025Q3', 'quarterly', { year: 2025, k: 3, n: 4 }],
    ['2025-11', 'monthly', { year: 2025, k: 11, n: 12 }],
  ];
  for (const [period, frequency, sub] of rows) {
    it(`${period} is ${frequency}`, () => {
      assert.equal(frequencyOf(period), frequency);
      assert.deepEqual(subPeriod(period), sub);
      assert.equal(periodOf(frequency, sub.year, sub.k), period);
      for (const other of ['yearly', 'quarterly', 'monthly'] as const) {
        assert.equal(periodFits(other, period), other === frequency);
      }
    });
  }
  it('periodFits is false for an invalid period', () => assert.equal(periodFits('quarterly', '2025Q5'), false));
});

describe('previousPeriod / nextPeriod', () => {
  const rows: [string, string][] = [
    ['2024Q4', '2025Q1'],
    ['2025Q1', '2025Q2'],
    ['2024-12', '2025-01'],
    ['2025-09', '2025-10'],
    ['2024', '2025'],
  ];
  for (const [before, after] of rows) {
    it(`${before} → ${after}`, () => {
      assert.equal(nextPeriod(before), after);
      assert.equal(previousPeriod(after), before);
    });
  }
  it('throws outside 1900–2200', () => assert.throws(() => previousPeriod('1900Q1'), RangeError));
});

describe('periodAtOrBefore', () => {
  const rows: [Frequency, string, string | null][] = [
    ['quarterly', '2025', '2025Q4'],
    ['monthly', '2025', '2025-12'],
    ['yearly', '2025', '2025'],
    ['yearly', '2025Q2', '2024'], // 2025 ends after 2025Q2
    ['monthly', '2025Q2', '2025-06'],
    ['quarterly', '2025-05', '2025Q1'],
    ['yearly', '1900Q2', null],
  ];
  for (const [frequency, period, expected] of rows) {
    it(`${frequency} at or before ${period} = ${expected}`, () =>
      assert.equal(periodAtOrBefore(frequency, period), expected));
  }
});

describe('periodEndInstant', () => {
  const rows: [string, string, string][] = [
    ['2024Q4', 'Asia/Shanghai', '2024-12-31T16:00:00.000Z'], // 2025-01-01 00:00 +08:00
    ['2024', 'Asia/Shanghai', '2024-12-31T16:00:00.000Z'],
    ['2024-02', 'Asia/Shanghai', '2024-02-29T16:00:00.000Z'], // leap year
    ['2024-02', 'UTC', '2024-03-01T00:00:00.000Z'],
    ['2024Q1', 'America/New_York', '2024-04-01T04:00:00.000Z'], // EDT
    ['2024', 'America/New_York', '2025-01-01T05:00:00.000Z'], // EST
  ];
  for (const [period, tz, iso] of rows) {
    it(`${period} in ${tz} ends at ${iso}`, () => assert.equal(periodEndInstant(period, tz).toISOString(), iso));
  }
  it('throws on an unknown time zone', () => assert.throws(() => periodEndInstant('2024', 'Mars/Olympus'), RangeError));
});

describe('latestPeriodEndedBy / periodEndedBy', () => {
  const tz = 'Asia/Shanghai';
  const rows: [Frequency, string, number, string][] = [
    // 2024Q4 ends 2024-12-31T16:00Z; + 20 days = 2025-01-20T16:00Z
    ['quarterly', '2025-01-20T15:59:59Z', 20, '2024Q3'],
    ['quarterly', '2025-01-20T16:00:00Z', 20, '2024Q4'],
    ['quarterly', '2024-12-31T15:59:59Z', 0, '2024Q3'],
    ['quarterly', '2024-12-31T16:00:00Z', 0, '2024Q4'],
    // February ends 2025-02-28T16:00Z, + 20 days = 2025-03-20T16:00Z > instant; January's + 20 = 2025-02-20T16:00Z
    ['monthly', '2025-03-15T00:00:00Z', 20, '2025-01'],
    ['monthly', '2025-03-20T16:00:00Z', 20, '2025-02'],
    ['yearly', '2025-01-20T16:00:00Z', 20, '2024'],
    ['yearly', '2025-01-20T15:59:59Z', 20, '2023'],
    ['quarterly', '2025-06-01T00:00:00Z', 400, '2024Q1'], // 2024Q1 ends 2024-03-31T16:00Z; + 400 days = 2025-05-05
  ];
  for (const [frequency, iso, grace, expected] of rows) {
    it(`${frequency} at ${iso} with ${grace} grace days → ${expected}`, () => {
      const instant = new Date(iso);
      assert.equal(latestPeriodEndedBy(frequency, instant, tz, grace), expected);
      assert.equal(periodEndedBy(expected, instant, tz, grace), true);
      assert.equal(periodEndedBy(nextPeriod(expected), instant, tz, grace), false);
    });
  }
  it('defaults to no grace', () =>
    assert.equal(latestPeriodEndedBy('monthly', new Date('2025-03-01T00:00:00Z'), tz), '2025-02'));
});

describe('closingQuarter / reportingQuarter', () => {
  for (const [period, quarter] of [['2026Q3', '2026Q3'], ['2026-02', '2026Q1'], ['2026-03', '2026Q1'], ['2026-04', '2026Q2'], ['2026-12', '2026Q4'], ['2026', '2026Q4']]) {
    it(`${period} closes in ${quarter}`, () => assert.equal(closingQuarter(period), quarter));
  }
  it('refuses what is not a period', () => assert.throws(() => closingQuarter('2026Q5'), RangeError));
  it('reports on the last quarter ended by the as-of moment, in the schedule time zone', () => {
    assert.equal(reportingQuarter(new Date('2026-10-10T01:00:00Z'), 'Asia/Shanghai'), '2026Q3');
    // 2026-09-30T16:30Z is 1 October 00:30 in Shanghai: Q3 has ended there, not yet in UTC
    assert.equal(reportingQuarter(new Date('2026-09-30T16:30:00Z'), 'Asia/Shanghai'), '2026Q3');
    assert.equal(reportingQuarter(new Date('2026-09-30T16:30:00Z'), 'UTC'), '2026Q2');
  });
});
