import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reminderFor, type ReminderOptions, type ReminderTarget } from './reminders.js';

const tz = 'Asia/Shanghai';
const options: ReminderOptions = { tz, daysBefore: 5, repeatDays: 7 };
const at = (local: string) => new Date(`${local}+08:00`);
const quarterly: ReminderTarget = {
  targetId: 1,
  frequency: 'quarterly',
  graceDays: 20,
  baselinePeriod: '2023',
  targetPeriod: '2025',
  periodsWithFigures: ['2024Q1', '2024Q2', '2024Q3', '2024Q4', '2025Q1', '2025Q2'],
};

/** [now (local +08:00), expected period/phase or null] */
function table(target: ReminderTarget, rows: [string, string | null][], opts = options) {
  for (const [now, expected] of rows) {
    it(`${now} → ${expected ?? 'none'}`, () => {
      const r = reminderFor(target, at(now), opts);
      assert.equal(r && `${r.period} ${r.phase}`, expected);
    });
  }
}

describe('reminderFor: quarterly, grace 20, 5 days before, repeat 7 (Asia/Shanghai)', () => {
  table(quarterly, [
    // 2025Q3 ends 2025-10-01T00:00+08:00, due 2025-10-21T00:00+08:00, 'before' from 2025-10-16T00:00.
    ['2025-09-30T23:59:59.999', null], // 2025Q2 is the latest ended and has a figure
    ['2025-10-01T00:00:00', null], // 2025Q3 ended, but too early to remind
    ['2025-10-15T23:59:59.999', null],
    ['2025-10-16T00:00:00', '2025Q3 before'],
    ['2025-10-20T23:59:59.999', '2025Q3 before'],
    ['2025-10-21T00:00:00', '2025Q3 after-0'],
    ['2025-10-27T23:59:59.999', '2025Q3 after-0'],
    ['2025-10-28T00:00:00', '2025Q3 after-1'],
    ['2025-11-04T00:00:00', '2025Q3 after-2'],
    ['2025-12-31T23:59:59.999', '2025Q3 after-10'],
    // 2025Q4 is the deadline period: ends 2026-01-01, due 2026-01-21.
    ['2026-01-01T00:00:00', null],
    ['2026-01-15T23:59:59.999', null],
    ['2026-01-16T00:00:00', '2025Q4 before'],
    ['2026-01-21T00:00:00', '2025Q4 after-0'],
    // Past the deadline the deadline period is still owed; nothing later ever is.
    ['2026-06-30T00:00:00', '2025Q4 after-22'],
    ['2027-03-01T00:00:00', '2025Q4 after-57'],
  ]);

  it('gives the due instant and the target id', () => {
    const r = reminderFor(quarterly, at('2025-10-16T00:00:00'), options);
    assert.deepEqual(r, { targetId: 1, period: '2025Q3', due: new Date('2025-10-20T16:00:00Z'), phase: 'before' });
  });

  it('takes any instant, not only +08:00 ones', () => {
    assert.equal(reminderFor(quarterly, new Date('2025-10-15T15:59:59.999Z'), options), null);
    assert.equal(reminderFor(quarterly, new Date('2025-10-15T16:00:00Z'), options)?.phase, 'before');
    assert.equal(reminderFor(quarterly, new Date('2025-10-20T16:00:00Z'), options)?.phase, 'after-0');
  });
});

describe('reminderFor: when nothing is owed', () => {
  const now = at('2025-10-22T00:00:00');
  it('the period has a figure', () => {
    assert.equal(reminderFor({ ...quarterly, periodsWithFigures: ['2025Q3'] }, now, options), null);
  });
  it('a figure of another frequency ending with the period settles it too', () => {
    assert.equal(reminderFor({ ...quarterly, periodsWithFigures: ['2025-09'] }, now, options), null);
    assert.equal(reminderFor({ ...quarterly, periodsWithFigures: ['2025-08'] }, now, options)?.phase, 'after-0');
  });
  it('ignores malformed periods in the figure list', () => {
    assert.equal(reminderFor({ ...quarterly, periodsWithFigures: ['nonsense'] }, now, options)?.period, '2025Q3');
  });
  it('the period is at or before the baseline', () => {
    const t = { ...quarterly, baselinePeriod: '2025Q3', periodsWithFigures: [] };
    assert.equal(reminderFor(t, now, options), null);
    assert.equal(reminderFor({ ...t, baselinePeriod: '2025' }, now, options), null);
    assert.equal(reminderFor({ ...t, baselinePeriod: '2025Q2' }, now, options)?.period, '2025Q3');
  });
  it('no baseline: the latest ended period is owed', () => {
    assert.equal(reminderFor({ ...quarterly, baselinePeriod: null, periodsWithFigures: [] }, now, options)?.period, '2025Q3');
  });
  it('before any period of the frequency could have ended', () => {
    assert.equal(reminderFor({ ...quarterly, baselinePeriod: null, periodsWithFigures: [] }, new Date('1900-01-01T00:00:00Z'), options), null);
  });
  it('daysBefore 0: no before reminder, the first one at the due instant', () => {
    const o = { ...options, daysBefore: 0 };
    assert.equal(reminderFor(quarterly, at('2025-10-20T23:59:59.999'), o), null);
    assert.equal(reminderFor(quarterly, at('2025-10-21T00:00:00'), o)?.phase, 'after-0');
  });
});

describe('reminderFor: other frequencies', () => {
  describe('monthly, grace 10, 3 days before, repeat 1', () => {
    const monthly: ReminderTarget = { ...quarterly, frequency: 'monthly', graceDays: 10, periodsWithFigures: ['2025-10'] };
    table(
      monthly,
      [
        // 2025-11 ends 2025-12-01, due 2025-12-11, 'before' from 2025-12-08.
        ['2025-12-07T23:59:59.999', null],
        ['2025-12-08T00:00:00', '2025-11 before'],
        ['2025-12-11T00:00:00', '2025-11 after-0'],
        ['2025-12-12T00:00:00', '2025-11 after-1'],
        ['2025-12-31T23:59:59.999', '2025-11 after-20'],
        // January: December's figure is the one owed now; November's is no longer asked for.
        ['2026-01-01T00:00:00', null],
        ['2026-01-08T00:00:00', '2025-12 before'],
      ],
      { tz, daysBefore: 3, repeatDays: 1 },
    );
  });

  describe('yearly, grace 60, deadline capped at the target year', () => {
    const yearly: ReminderTarget = { ...quarterly, frequency: 'yearly', graceDays: 60, periodsWithFigures: ['2024'] };
    table(yearly, [
      // 2025 ends 2026-01-01, due 2026-03-02 (60 days), 'before' from 2026-02-25.
      ['2026-02-24T23:59:59.999', null],
      ['2026-02-25T00:00:00', '2025 before'],
      ['2026-03-02T00:00:00', '2025 after-0'],
      ['2028-01-01T00:00:00', '2025 after-95'],
    ]);
  });

  it('a quarterly target whose deadline is a month caps at the last quarter ending by then', () => {
    const t = { ...quarterly, targetPeriod: '2025-11', periodsWithFigures: [] };
    assert.equal(reminderFor(t, at('2026-03-01T00:00:00'), options)?.period, '2025Q3');
  });
});

describe('reminderFor: options', () => {
  it('rejects a non-positive repeat and a negative lead time', () => {
    assert.throws(() => reminderFor(quarterly, at('2025-10-22T00:00:00'), { ...options, repeatDays: 0 }), RangeError);
    assert.throws(() => reminderFor(quarterly, at('2025-10-22T00:00:00'), { ...options, daysBefore: -1 }), RangeError);
  });

  it('counts calendar days across a DST change (America/New_York)', () => {
    const t: ReminderTarget = { ...quarterly, frequency: 'monthly', graceDays: 10, periodsWithFigures: [] };
    // 2025-10 ends 2025-11-01T00:00-04:00; due 2025-11-11T00:00-05:00 (DST ended on 11-02).
    const o = { tz: 'America/New_York', daysBefore: 10, repeatDays: 1 };
    assert.deepEqual(reminderFor(t, new Date('2025-11-01T04:00:00Z'), o)?.due, new Date('2025-11-11T05:00:00Z'));
    assert.equal(reminderFor(t, new Date('2025-11-01T04:00:00Z'), o)?.phase, 'before');
    assert.equal(reminderFor(t, new Date('2025-11-12T04:59:59Z'), o)?.phase, 'after-0');
    assert.equal(reminderFor(t, new Date('2025-11-12T05:00:00Z'), o)?.phase, 'after-1');
  });
});
