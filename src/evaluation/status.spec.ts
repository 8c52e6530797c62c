import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLAGGED_STATUSES, STATUSES, type Method, type Status } from './evaluation.types.js';
import { DEFAULT_THRESHOLDS, round, satisfies, statusFromPace } from './status.js';

describe('statusFromPace', () => {
  const rows: [number, Method, Status][] = [
    [1.2, 'linear', 'ahead'],
    [1.05, 'linear', 'ahead'],
    [1.049, 'cagr', 'on_track'],
    [0.95, 'linear', 'on_track'],
    [0.9, 'linear', 'at_risk'],
    [0.85, 'linear', 'at_risk'],
    [0.84, 'linear', 'lagging'],
    [0.7, 'cagr', 'at_risk'],
    [0.7, 'linear', 'lagging'],
    [0.6, 'cagr', 'at_risk'],
    [0.59, 'cagr', 'lagging'],
    [0, 'linear', 'lagging'],
    [-0.01, 'cagr', 'deteriorating'],
  ];
  for (const [pace, method, status] of rows) {
    it(`${pace} (${method}) → ${status}`, () => assert.equal(statusFromPace(pace, method, DEFAULT_THRESHOLDS), status));
  }
});

describe('satisfies', () => {
  const rows: [number, '>=' | '>' | '<=' | '<', number, boolean][] = [
    [5, '>=', 5, true],
    [5, '>', 5, false],
    [5, '<=', 5, true],
    [5, '<', 5, false],
    [4, '<', 5, true],
    [6, '>', 5, true],
  ];
  for (const [a, comparator, target, expected] of rows) {
    it(`${a} ${comparator} ${target} is ${expected}`, () => assert.equal(satisfies(a, comparator, target), expected));
  }
});

describe('round', () => {
  const rows: [number, number][] = [
    [0.1 + 0.7, 0.8],
    [2 / 3, 0.666666666667],
    [-0, 0],
    [123456789012345, 123456789012000],
  ];
  for (const [x, expected] of rows) it(`${x} → ${expected}`, () => assert.ok(Object.is(round(x), expected)));
});

describe('status lists', () => {
  it('lists every status once and flags the alerting ones', () => {
    assert.equal(new Set(STATUSES).size, 8);
    assert.deepEqual([...FLAGGED_STATUSES], ['lagging', 'deteriorating', 'missed']);
    assert.ok(FLAGGED_STATUSES.every((s) => STATUSES.includes(s)));
  });
});
