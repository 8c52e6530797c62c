import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FigureRevision, TargetDefinition } from './evaluation.types.js';
import { evaluate } from './rules.js';

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

const rev = (period: string, value: number, recordedAt = '2024-01-01T00:00:00Z'): FigureRevision => ({
  period,
  value,
  basis: 'ytd',
  recordedAt: new Date(recordedAt),
});

describe('evaluate: as of a moment', () => {
  const rows: { name: string; revisions: FigureRevision[]; asOf: string; latest: [string, number] | null }[] = [
    {
      name: 'a revision recorded after asOf is ignored',
      revisions: [rev('2024Q4', 260, '2025-01-20T00:00:00Z'), rev('2024Q4', 240, '2025-01-10T00:00:00Z')],
      asOf: '2025-01-15T00:00:00Z',
      latest: ['2024Q4', 240],
    },
    {
      name: 'the latest recorded revision wins whatever the array order',
      revisions: [rev('2024Q4', 260, '2025-01-20T00:00:00Z'), rev('2024Q4', 240, '2025-01-10T00:00:00Z')],
      asOf: '2025-02-01T00:00:00Z',
      latest: ['2024Q4', 260],
    },
    {
      name: 'a tie goes to the later revision in the array',
      revisions: [rev('2024Q4', 240, '2025-01-10T00:00:00Z'), rev('2024Q4', 260, '2025-01-10T00:00:00Z')],
      asOf: '2025-02-01T00:00:00Z',
      latest: ['2024Q4', 260],
    },
    {
      name: 'a period that has not ended by asOf is ignored (2024Q4 ends 2024-12-31T16:00Z)',
      revisions: [rev('2024Q3', 230), rev('2024Q4', 260)],
      asOf: '2024-12-31T15:59:59Z',
      latest: ['2024Q3', 230],
    },
    {
      name: 'a period counts from the instant it ends',
      revisions: [rev('2024Q3', 230), rev('2024Q4', 260)],
      asOf: '2024-12-31T16:00:00Z',
      latest: ['2024Q4', 260],
    },
    {
      name: 'figures of another frequency are ignored',
      revisions: [rev('2024-12', 260), rev('2024', 260)],
      asOf: '2025-06-01T00:00:00Z',
      latest: null,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const result = evaluate(level(), row.revisions, new Date(row.asOf));
      assert.deepEqual(
        [result.latestPeriod, result.latestValue],
        row.latest ?? [null, null],
      );
    });
  }
});

describe('evaluate: overdue (数据逾期)', () => {
  // Quarterly, 20 grace days, Asia/Shanghai: 2024Q4 ends 2025-01-01 00:00 +08:00 = 2024-12-31T16:00Z,
  // so its figure is due from 2025-01-20T16:00Z.
  const rows: {
    name: string;
    def?: TargetDefinition;
    revisions: FigureRevision[];
    asOf: string;
    overdue: boolean;
    duePeriod: string | null;
  }[] = [
    { name: 'one second before the grace ends: 2024Q3 is due and present', revisions: [rev('2024Q3', 230)], asOf: '2025-01-20T15:59:59Z', overdue: false, duePeriod: '2024Q3' },
    { name: 'at Shanghai midnight after 20 days: 2024Q4 is overdue', revisions: [rev('2024Q3', 230)], asOf: '2025-01-20T16:00:00Z', overdue: true, duePeriod: '2024Q4' },
    { name: 'the due figure is present', revisions: [rev('2024Q3', 230), rev('2024Q4', 260)], asOf: '2025-01-20T16:00:00Z', overdue: false, duePeriod: '2024Q4' },
    {
      name: 'a figure recorded after asOf does not count',
      revisions: [rev('2024Q4', 260, '2025-01-25T00:00:00Z')],
      asOf: '2025-01-21T00:00:00Z',
      overdue: true,
      duePeriod: '2024Q4',
    },
    {
      // 2025Q1 closed 2025-03-31T16:00Z but is not due until 2025-04-20T16:00Z; its figure covers 2024Q4
      name: 'a later figure covers the due period',
      revisions: [rev('2025Q1', 280)],
      asOf: '2025-04-10T00:00:00Z',
      overdue: false,
      duePeriod: '2024Q4',
    },
    { name: 'grace 0: due from the period end', def: level({ graceDays: 0 }), revisions: [], asOf: '2024-12-31T16:00:00Z', overdue: true, duePeriod: '2024Q4' },
    { name: 'capped at the deadline (2025Q4)', revisions: [rev('2025Q3', 300)], asOf: '2027-06-01T00:00:00Z', overdue: true, duePeriod: '2025Q4' },
    { name: 'capped at the deadline, figure present', revisions: [rev('2025Q4', 300)], asOf: '2027-06-01T00:00:00Z', overdue: false, duePeriod: '2025Q4' },
    {
      name: 'a yearly-period deadline expressed in months',
      def: level({ frequency: 'monthly' }),
      revisions: [rev('2025-11', 300)],
      asOf: '2027-06-01T00:00:00Z',
      overdue: true,
      duePeriod: '2025-12',
    },
    {
      // t(2024Q4) = 2025 = t(baseline 2024): nothing is due yet
      name: 'due period at the baseline',
      def: level({ baseline: { period: '2024', value: 200 } }),
      revisions: [],
      asOf: '2025-02-01T00:00:00Z',
      overdue: false,
      duePeriod: null,
    },
    { name: 'no baseline: any due period counts', def: level({ baseline: null }), revisions: [], asOf: '2025-02-01T00:00:00Z', overdue: true, duePeriod: '2024Q4' },
    {
      name: 'flows are due the same way',
      def: level({ kind: 'flow' }),
      revisions: [rev('2024Q3', 700)],
      asOf: '2025-02-01T00:00:00Z',
      overdue: true,
      duePeriod: '2024Q4',
    },
    { name: 'before anything could be due', revisions: [], asOf: '1900-01-01T00:00:00Z', overdue: false, duePeriod: null },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const result = evaluate(row.def ?? level(), row.revisions, new Date(row.asOf));
      assert.deepEqual({ overdue: result.overdue, duePeriod: result.duePeriod }, { overdue: row.overdue, duePeriod: row.duePeriod });
    });
  }

  it('follows the time zone option', () => {
    // in UTC 2024Q4 ends 2025-01-01T00:00Z, due from 2025-01-21T00:00Z
    const result = evaluate(level(), [rev('2024Q3', 230)], new Date('2025-01-20T23:59:59Z'), { tz: 'UTC' });
    assert.deepEqual([result.overdue, result.duePeriod], [false, '2024Q3']);
  });
});
