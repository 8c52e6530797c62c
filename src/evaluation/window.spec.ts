/**
 * The window read (window.ts) against the full read: for any target and any figure history, evaluating
 * on what the window read returns — and re-reading everything when needsFullRead says so — gives the
 * same result as evaluating on every revision. The read is simulated here exactly as the store's SQL
 * does it (per period the revision current at asOf, period strings compared as strings, the frequency
 * by string length); test/e2e/evaluation-window.e2e.ts runs the real SQL against the full query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Basis, Comparator, EvaluationResult, FigureRevision, TargetDefinition } from './evaluation.types.js';
import { periodEndMillis, periodOf, periodsPerYear, type Frequency } from './periods.js';
import { evaluate } from './rules.js';
import { type FigureWindow, figureWindow, needsFullRead } from './window.js';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;

/** What the store's WINDOW_SQL returns for one target: resolved revisions and the periods of its `latest` part. */
export function simulateWindowRead(
  revisions: readonly FigureRevision[], asOf: Date, w: FigureWindow,
): { revisions: FigureRevision[]; windowPeriods: string[] } {
  // The figures table holds each period's latest revision; as of asOf the latest recorded by then.
  const current = new Map<string, FigureRevision>();
  for (const r of revisions) {
    if (r.recordedAt.getTime() > asOf.getTime()) continue;
    const seen = current.get(r.period);
    if (!seen || r.recordedAt.getTime() >= seen.recordedAt.getTime()) current.set(r.period, r);
  }
  const known = [...current.values()].filter((r) => r.period.length === w.periodLength).sort((a, b) => (a.period < b.period ? -1 : 1));
  const inWindow = known.filter((r) => r.period <= w.upTo);
  const part = inWindow.slice(-w.latest);
  const out = [...part];
  if (w.first && inWindow.length) out.push(inWindow[0]!);
  if (w.beyondTo !== null) {
    const beyond = known.find((r) => r.period > w.upTo && r.period <= w.beyondTo!);
    if (beyond) out.push(beyond);
  }
  // The store gives each figure read asOf as its recordedAt (the SQL already resolved the revisions).
  return { revisions: out.map((r) => ({ ...r, recordedAt: asOf })), windowPeriods: part.map((r) => r.period) };
}

/** evaluate() as the store does it with the window read; `fullReads` counts the fallbacks. */
function evaluateWindowed(def: TargetDefinition, revisions: readonly FigureRevision[], asOf: Date, counter: { full: number; window: number }): EvaluationResult {
  const w = figureWindow(def, asOf, TZ);
  if (!w) {
    counter.full += 1;
    return evaluate(def, revisions, asOf, { tz: TZ });
  }
  const read = simulateWindowRead(revisions, asOf, w);
  const result = evaluate(def, read.revisions, asOf, { tz: TZ });
  if (needsFullRead(def, w, read.windowPeriods, result.latestPeriod)) {
    counter.full += 1;
    return evaluate(def, revisions, asOf, { tz: TZ });
  }
  counter.window += 1;
  return result;
}

const frequencyArb = fc.constantFrom<Frequency>('quarterly', 'quarterly', 'monthly', 'yearly');

interface Case { def: TargetDefinition; revisions: FigureRevision[]; asOf: Date }

/**
 * Dense histories (up to 60 revisions over 2016–2027, several per period, some recorded after asOf,
 * some of another frequency), level and flow, with and without baseline, seasonal, milestones,
 * deadlines before and after asOf, 'period' bases with gaps.
 */
const caseArb: fc.Arbitrary<Case> = frequencyArb.chain((frequency) => {
  const n = periodsPerYear(frequency);
  return fc.record({
    kind: fc.constantFrom<'level' | 'flow'>('level', 'flow'),
    comparator: fc.constantFrom<Comparator>('>=', '>', '<=', '<'),
    method: fc.constantFrom<'linear' | 'cagr'>('linear', 'cagr'),
    seasonal: fc.boolean(),
    hasBaseline: fc.boolean(),
    baselineYear: fc.integer({ min: 2015, max: 2022 }),
    span: fc.integer({ min: 1, max: 6 }),
    tk: fc.integer({ min: 1, max: n }),
    b: fc.integer({ min: -100, max: 1000 }),
    T: fc.integer({ min: -100, max: 3000 }),
    milestones: fc.uniqueArray(fc.record({ year: fc.integer({ min: 2016, max: 2028 }), value: fc.integer({ min: 1, max: 3000 }) }), { maxLength: 3, selector: (m) => m.year }),
    graceDays: fc.constantFrom(0, 20, 45),
    figures: fc.array(fc.record({
      year: fc.integer({ min: 2016, max: 2027 }),
      k: fc.integer({ min: 1, max: n }),
      value: fc.integer({ min: -50_000, max: 300_000 }).map((c) => c / 100),
      basis: fc.constantFrom<Basis>('ytd', 'ytd', 'period', 'period'),
      delay: fc.integer({ min: 0, max: 900 }),
      foreign: fc.integer({ min: 0, max: 19 }), // 1 in 20: a period of another frequency
    }), { maxLength: 60 }),
    asOf: fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2029, 0, 1) }).map((ms) => new Date(ms)),
  }).map((s): Case => {
    const targetYear = s.baselineYear + s.span;
    const def: TargetDefinition = {
      kind: s.kind,
      comparator: s.comparator,
      method: s.method,
      frequency,
      expectation: s.seasonal ? 'seasonal' : 'time',
      baseline: s.hasBaseline ? { period: String(s.baselineYear), value: s.b } : null,
      target: { period: periodOf(frequency, targetYear, s.tk), value: s.T },
      milestones: s.kind === 'flow' ? s.milestones.map((m) => ({ period: String(m.year), value: m.value })) : [],
      graceDays: s.graceDays,
    };
    const revisions = s.figures.map((f, i): FigureRevision => {
      const other: Frequency = frequency === 'monthly' ? 'quarterly' : 'monthly';
      const period = f.foreign === 0 ? periodOf(other, f.year, 1) : periodOf(frequency, f.year, f.k);
      const basis = s.kind === 'level' ? 'ytd' : f.basis;
      return { period, value: f.value, basis, recordedAt: new Date(periodEndMillis(period, TZ) + f.delay * DAY + i) };
    });
    return { def, revisions, asOf: s.asOf };
  });
});

describe('the window read gives the full read\'s result', () => {
  it('for any target, figure history and as-of moment (property)', () => {
    const counter = { full: 0, window: 0 };
    fc.assert(
      fc.property(caseArb, ({ def, revisions, asOf }) => {
        const full = evaluate(def, revisions, asOf, { tz: TZ });
        assert.deepEqual(evaluateWindowed(def, revisions, asOf, counter), full);
      }),
      { numRuns: 3000 },
    );
    // Both paths were exercised, the window one far more often.
    assert.ok(counter.full > 0 && counter.window > 10 * counter.full, JSON.stringify(counter));
  });

  it('reads at most 9 of 20 quarterly figures a target, and never falls back on complete data', () => {
    const asOf = new Date('2026-11-29T00:00:00Z');
    const revisions = Array.from({ length: 20 }, (_, q): FigureRevision => {
      const period = periodOf('quarterly', 2020 + Math.floor(q / 4), (q % 4) + 1);
      return { period, value: 100 + q, basis: 'ytd', recordedAt: new Date(periodEndMillis(period, TZ) + 20 * DAY) };
    });
    for (const kind of ['level', 'flow'] as const) {
      for (const expectation of ['time', 'seasonal'] as const) {
        const def: TargetDefinition = {
          kind, comparator: '>=', method: 'linear', frequency: 'quarterly', expectation, baseline: { period: '2019', value: 100 },
          target: { period: '2026', value: 300 }, milestones: [], graceDays: 20,
        };
        const w = figureWindow(def, asOf, TZ)!;
        const read = simulateWindowRead(revisions, asOf, w);
        assert.ok(read.revisions.length <= 9, `${kind}: ${read.revisions.length}`);
        const result = evaluate(def, read.revisions, asOf, { tz: TZ });
        assert.equal(needsFullRead(def, w, read.windowPeriods, result.latestPeriod), false);
        assert.deepEqual(result, evaluate(def, revisions, asOf, { tz: TZ }));
      }
    }
  });
});
