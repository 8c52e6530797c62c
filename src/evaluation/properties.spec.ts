/**
 * Property-based tests of the pure evaluation rules (DESIGN.md "Periods" and "Evaluation rules").
 *
 * fast-check picks a fresh random seed per run and prints seed + path + shrunk counterexample on
 * failure; re-run one with `fc.assert(..., { seed, path })`.
 *
 * Status order used by the monotonicity properties (worse → better):
 *   missed < deteriorating < lagging < at_risk < on_track < ahead < achieved.
 * `no_data` is outside the order: changing a figure's value never decides whether there is data, so
 * the properties assert that both runs are no_data or neither is, and compare only the others.
 * `missed` is only ever paired with `achieved` (both need the latest figure at/after the deadline, which
 * a value change does not move), so putting it at the bottom is just "after the deadline missed < achieved".
 *
 * Monotonicity is claimed only for targets that ask for an improvement, d·(T − b) > 0 (a `>=` target
 * above its baseline, a `<=` target below it), and for flows with a positive year target: with T on the
 * "wrong" side of b, c = (a − b)/(T − b) falls as a rises, so DESIGN.md's own formula is not monotone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type {
  Basis,
  Comparator,
  EvaluationResult,
  Expectation,
  FigureRevision,
  Method,
  Status,
  TargetDefinition,
} from './evaluation.types.js';
import { currentFigures } from './figures.js';
import {
  formatPeriod,
  MAX_YEAR,
  MIN_YEAR,
  nextPeriod,
  parsePeriod,
  periodEndInstant,
  periodOf,
  periodsPerYear,
  periodT,
  previousPeriod,
  subPeriod,
  type Frequency,
  type ParsedPeriod,
} from './periods.js';
import { evaluate } from './rules.js';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;

const RANK: Record<Exclude<Status, 'no_data'>, number> = {
  missed: 0,
  deteriorating: 1,
  lagging: 2,
  at_risk: 3,
  on_track: 4,
  ahead: 5,
  achieved: 6,
};

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Values in ±max with at most 2 decimals. */
const money = (min = -1e6, max = 1e6): fc.Arbitrary<number> =>
  fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((c) => c / 100);

const frequencyArb: fc.Arbitrary<Frequency> = fc.constantFrom('quarterly', 'quarterly', 'quarterly', 'quarterly', 'monthly', 'yearly');
const comparatorArb: fc.Arbitrary<Comparator> = fc.constantFrom('>=', '>', '<=', '<');
const methodArb: fc.Arbitrary<Method> = fc.constantFrom('linear', 'cagr');
const graceArb = fc.constantFrom(0, 20, 20, 20, 45);

const subIndex = (frequency: Frequency) => fc.integer({ min: 1, max: periodsPerYear(frequency) });


interface RawFigure {
  year: number;
  k: number;
  value: number;
  basis: Basis;
  /** days after the period end at which it was recorded */
  delay: number;
}

const rawFigureArb = (frequency: Frequency, value: fc.Arbitrary<number>, years: [number, number]): fc.Arbitrary<RawFigure> =>
  fc.record({
    year: fc.integer({ min: years[0], max: years[1] }),
    k: subIndex(frequency),
    value,
    basis: fc.constantFrom<Basis>('ytd', 'ytd', 'period'),
    delay: fc.integer({ min: 0, max: 120 }),
  });

interface RevisionOptions {
  max?: number;
  /** one revision per period (default) or several */
  unique?: boolean;
  value?: fc.Arbitrary<number>;
  years?: [number, number];
}

/**
 * Revisions of `frequency`. recordedAt = period end + delay days + index ms, so that no two revisions
 * share a recordedAt (a same-instant tie is broken by array order by design, which order independence
 * must exclude).
 */
function revisionsArb(frequency: Frequency, opts: RevisionOptions = {}): fc.Arbitrary<FigureRevision[]> {
  const { max = 14, unique = true, value = money(), years = [2015, 2030] } = opts;
  const item = rawFigureArb(frequency, value, years);
  const arr = unique
    ? fc.uniqueArray(item, { maxLength: max, selector: (f) => `${f.year}/${f.k}` })
    : fc.array(item, { maxLength: max });
  return arr.map((figs) =>
    figs.map((f, i): FigureRevision => {
      const period = periodOf(frequency, f.year, f.k);
      return {
        period,
        value: f.value,
        basis: f.basis,
        recordedAt: new Date(periodEndInstant(period, TZ).getTime() + f.delay * DAY + i),
      };
    }),
  );
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Mostly values near the path from b to T (u ∈ [−0.5, 1.5]), sometimes anything in ±1e6. */
const nearPath = (b: number, T: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -500, max: 1500 }).map((u) => round2(b + ((T - b) * u) / 1000)) },
    { weight: 1, arbitrary: money() },
  );

/** An instant from the start of year `from` to the end of year `to`. */
const instantIn = (from: number, to: number): fc.Arbitrary<Date> =>
  fc.integer({ min: Date.UTC(from, 0, 1), max: Date.UTC(to + 1, 0, 1) }).map((ms) => new Date(ms));

/** An instant between 2015 and the end of 2032. */
const asOfArb = instantIn(2015, 2032);

interface LevelShape {
  frequency: Frequency;
  comparator: Comparator;
  method: Method;
  hasBaseline: boolean;
  baselineYear: number;
  span: number;
  baselineAsYear: boolean;
  targetAsYear: boolean;
  bk: number;
  tk: number;
  b: number;
  T: number;
  graceDays: number;
}

/** t(target) > t(baseline) always: a period of year y ends in (y, y + 1], and the target's year is 1–5 years later. */
const levelShapeArb: fc.Arbitrary<LevelShape> = frequencyArb.chain((frequency) =>
  fc.record({
    frequency: fc.constant(frequency),
    comparator: comparatorArb,
    method: methodArb,
    hasBaseline: fc.boolean(),
    baselineYear: fc.integer({ min: 2015, max: 2026 }),
    span: fc.integer({ min: 1, max: 5 }),
    baselineAsYear: fc.boolean(),
    targetAsYear: fc.boolean(),
    bk: subIndex(frequency),
    tk: subIndex(frequency),
    b: money(),
    T: money(),
    graceDays: graceArb,
  }),
);

function levelDef(s: LevelShape): TargetDefinition {
  const baselinePeriod = s.baselineAsYear ? String(s.baselineYear) : periodOf(s.frequency, s.baselineYear, s.bk);
  const targetYear = s.baselineYear + s.span;
  const targetPeriod = s.targetAsYear ? String(targetYear) : periodOf(s.frequency, targetYear, s.tk);
  return {
    kind: 'level',
    comparator: s.comparator,
    method: s.method,
    frequency: s.frequency,
    expectation: 'time',
    baseline: s.hasBaseline ? { period: baselinePeriod, value: s.b } : null,
    target: { period: targetPeriod, value: s.T },
    milestones: [],
    graceDays: s.graceDays,
  };
}

interface FlowShape {
  frequency: Frequency;
  comparator: Comparator;
  method: Method;
  expectation: Expectation;
  hasBaseline: boolean;
  baselineYear: number;
  span: number;
  b: number;
  T: number;
  milestones: { year: number; value: number }[];
  graceDays: number;
}

const flowShapeArb = (value: fc.Arbitrary<number>): fc.Arbitrary<FlowShape> =>
  fc.record({
    frequency: fc.constantFrom<Frequency>('quarterly', 'quarterly', 'quarterly', 'monthly', 'yearly'),
    comparator: comparatorArb,
    method: methodArb,
    expectation: fc.constantFrom<Expectation>('time', 'seasonal'),
    hasBaseline: fc.boolean(),
    baselineYear: fc.integer({ min: 2015, max: 2026 }),
    span: fc.integer({ min: 1, max: 5 }),
    b: value,
    T: value,
    milestones: fc.uniqueArray(fc.record({ year: fc.integer({ min: 2015, max: 2031 }), value }), {
      maxLength: 3,
      selector: (m) => m.year,
    }),
    graceDays: graceArb,
  });

function flowDef(s: FlowShape): TargetDefinition {
  return {
    kind: 'flow',
    comparator: s.comparator,
    method: s.method,
    frequency: s.frequency,
    expectation: s.expectation,
    baseline: s.hasBaseline ? { period: String(s.baselineYear), value: s.b } : null,
    target: { period: String(s.baselineYear + s.span), value: s.T },
    milestones: s.milestones.map((m) => ({ period: String(m.year), value: m.value })),
    graceDays: s.graceDays,
  };
}

interface Case {
  def: TargetDefinition;
  revisions: FigureRevision[];
  asOf: Date;
}

/** A level target with figures mostly around its path and an asOf mostly within its span. */
const levelCase = (shape: fc.Arbitrary<LevelShape>, unique = true): fc.Arbitrary<Case> =>
  shape.chain((s) => {
    const y0 = s.baselineYear;
    const yT = y0 + s.span;
    return fc.record({
      def: fc.constant(levelDef(s)),
      revisions: revisionsArb(s.frequency, {
        unique,
        value: nearPath(s.b, s.T),
        years: [y0 - 1, yT + 1],
      }),
      asOf: fc.oneof({ weight: 4, arbitrary: instantIn(y0, yT + 2) }, { weight: 1, arbitrary: asOfArb }),
    });
  });

/** A flow target with YTD-ish figures mostly around the target and an asOf mostly within its span. */
const flowCase = (shape: fc.Arbitrary<FlowShape>, unique = true): fc.Arbitrary<Case> =>
  shape.chain((s) => {
    const y0 = s.baselineYear;
    const yT = y0 + s.span;
    return fc.record({
      def: fc.constant(flowDef(s)),
      revisions: revisionsArb(s.frequency, { unique, value: nearPath(0, s.T), years: [y0, yT] }),
      asOf: fc.oneof({ weight: 4, arbitrary: instantIn(y0, yT + 2) }, { weight: 1, arbitrary: asOfArb }),
    });
  });

/** Any target of either kind with its revisions (possibly several per period), any values. */
const anyCaseArb: fc.Arbitrary<Case> = fc.oneof(
  levelCase(levelShapeArb, false),
  flowCase(flowShapeArb(money()), false),
  levelShapeArb.chain((s) =>
    fc.record({ def: fc.constant(levelDef(s)), revisions: revisionsArb(s.frequency, { unique: false }), asOf: asOfArb }),
  ),
);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const direction = (c: Comparator): 1 | -1 => (c === '>=' || c === '>' ? 1 : -1);

function compareStatuses(before: EvaluationResult, after: EvaluationResult): void {
  assert.equal(after.status === 'no_data', before.status === 'no_data', 'a value change decided whether there is data');
  if (before.status === 'no_data' || after.status === 'no_data') return;
  assert.ok(
    RANK[after.status] >= RANK[before.status],
    `status got worse: ${before.status} (a=${before.latestValue}, pace=${before.pace}) → ${after.status} (a=${after.latestValue}, pace=${after.pace})`,
  );
}

/** Replaces the value of every revision of `period` by f(value). */
const mapPeriod = (revisions: FigureRevision[], period: string, f: (v: number) => number): FigureRevision[] =>
  revisions.map((r) => (r.period === period ? { ...r, value: f(r.value) } : r));

function close(actual: number | null, expected: number, scale: number, what: string): void {
  assert.ok(actual !== null, `${what} is null, expected ${expected}`);
  const tol = 1e-9 * Math.max(1, Math.abs(expected), scale);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} ≠ ${expected} (tol ${tol})`);
}

/** The level baseline the rules use: the given one, else the first figure up to the deadline. */
function levelBase(def: TargetDefinition, revisions: FigureRevision[], asOf: Date): { b: number; t0: number } | null {
  const tT = periodT(def.target.period);
  if (def.baseline) return { b: def.baseline.value, t0: periodT(def.baseline.period) };
  const first = currentFigures(revisions, asOf, def.frequency, TZ).find((f) => f.t <= tT);
  return first ? { b: first.value, t0: first.t } : null;
}

/** A permutation of the array via random sort keys. */
const shuffled = <T>(items: T[]): fc.Arbitrary<T[]> =>
  fc
    .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: items.length, maxLength: items.length })
    .map((keys) => items.map((x, i) => [keys[i]!, x] as const).sort((p, q) => p[0] - q[0]).map(([, x]) => x));

// ---------------------------------------------------------------------------------------------
// 1. Periods
// ---------------------------------------------------------------------------------------------

const parsedArb: fc.Arbitrary<ParsedPeriod> = fc.oneof(
  fc.integer({ min: MIN_YEAR, max: MAX_YEAR }).map((year): ParsedPeriod => ({ kind: 'year', year, index: 1 })),
  fc.record({ kind: fc.constant('quarter' as const), year: fc.integer({ min: MIN_YEAR, max: MAX_YEAR }), index: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('month' as const), year: fc.integer({ min: MIN_YEAR, max: MAX_YEAR }), index: fc.integer({ min: 1, max: 12 }) }),
);

describe('properties: periods', () => {
  it('parsePeriod ∘ formatPeriod = id and formatPeriod ∘ parsePeriod = id on valid periods', () => {
    fc.assert(
      fc.property(parsedArb, (p) => {
        const s = formatPeriod(p);
        assert.match(s, /^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$/);
        assert.deepEqual(parsePeriod(s), { ...p }); // fc.record builds null-prototype objects
        assert.equal(formatPeriod(parsePeriod(s)!), s);
      }),
      { numRuns: 500 },
    );
  });

  it('periodT strictly increases along nextPeriod, and previousPeriod inverts nextPeriod', () => {
    fc.assert(
      fc.property(
        parsedArb.filter((p) => !(p.year === MAX_YEAR && p.index === { year: 1, quarter: 4, month: 12 }[p.kind])),
        (p) => {
          const s = formatPeriod(p);
          const next = nextPeriod(s);
          assert.ok(periodT(next) > periodT(s), `t(${next}) = ${periodT(next)} ≤ t(${s}) = ${periodT(s)}`);
          assert.equal(previousPeriod(next), s);
          // consecutive periods of one kind are exactly one sub-period apart
          const n = { year: 1, quarter: 4, month: 12 }[p.kind];
          assert.ok(Math.abs(periodT(next) - periodT(s) - 1 / n) < 1e-9);
          assert.ok(periodEndInstant(next, TZ).getTime() > periodEndInstant(s, TZ).getTime());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('t(YYYY) = t(YYYYQ4) = t(YYYY-12) = YYYY + 1, and t(YYYY-MM) = YYYY + m/12', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_YEAR, max: MAX_YEAR }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        assert.equal(periodT(String(y)), y + 1);
        assert.equal(periodT(`${y}Q4`), y + 1);
        assert.equal(periodT(`${y}-12`), y + 1);
        assert.equal(periodT(periodOf('monthly', y, m)), y + m / 12);
        if (m % 3 === 0) assert.equal(periodT(periodOf('monthly', y, m)), periodT(`${y}Q${m / 3}`));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Monotonicity
// ---------------------------------------------------------------------------------------------

/** A level target asking for an improvement, d·(T − b) > 0, when it has a baseline. */
const improvingLevelArb = levelShapeArb.map((s) => {
  const d = direction(s.comparator);
  let [lo, hi] = s.b <= s.T ? [s.b, s.T] : [s.T, s.b];
  if (lo === hi) hi = lo + 1;
  return d > 0 ? { ...s, b: lo, T: hi } : { ...s, b: hi, T: lo };
});

describe('properties: monotonicity in the latest value', () => {
  it('level: a better latest value (higher for >=/>, lower for <=/<) never gives a worse status', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.tuple(levelCase(improvingLevelArb), fc.integer({ min: 1, max: 1000 })),
        ([{ def, revisions, asOf }, permille]) => {
          const before = evaluate(def, revisions, asOf);
          if (before.latestPeriod === null) return;
          const base = levelBase(def, revisions, asOf)!;
          const d = direction(def.comparator);
          // without a baseline the first figure is b: only improving paths are claimed
          if (d * (def.target.value - base.b) <= 0) return;
          const delta = Math.max(0.01, round2((Math.abs(def.target.value - base.b) * permille) / 1000));
          const after = evaluate(def, mapPeriod(revisions, before.latestPeriod, (v) => v + d * delta), asOf);
          assert.equal(after.latestPeriod, before.latestPeriod);
          compareStatuses(before, after);
          compared++;
        },
      ),
      { numRuns: 400 },
    );
    assert.ok(compared > 50, `only ${compared} runs compared`);
  });

  it('level, small steps around the target: raising a by 0.01 never gives a worse status', () => {
    // Dense around the boundaries (achieved, pace thresholds, the cagr/linear switch at a = 0).
    fc.assert(
      fc.property(
        fc.record({
          comparator: comparatorArb,
          method: methodArb,
          b: money(-500, 500),
          T: money(-500, 500),
          a: money(-1000, 1000),
          k: fc.integer({ min: 1, max: 12 }),
        }),
        ({ comparator, method, b, T, a, k }) => {
          const d = direction(comparator);
          if (d * (T - b) <= 0) return;
          const def = levelDef({
            frequency: 'quarterly', comparator, method, hasBaseline: true, baselineYear: 2022, span: 3,
            baselineAsYear: true, targetAsYear: true, bk: 1, tk: 1, b, T, graceDays: 20,
          });
          const asOf = new Date('2031-01-01T00:00:00Z');
          const period = periodOf('quarterly', 2023 + Math.floor((k - 1) / 4), ((k - 1) % 4) + 1);
          const rev = (value: number): FigureRevision[] => [{ period, value, basis: 'ytd', recordedAt: new Date('2030-01-01T00:00:00Z') }];
          const before = evaluate(def, rev(a), asOf);
          const after = evaluate(def, rev(Math.round((a + d * 0.01) * 100) / 100), asOf);
          compareStatuses(before, after);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('flow (positive year targets, within a year): a better YTD never gives a worse status', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.tuple(flowCase(flowShapeArb(money(1, 1e6))), fc.integer({ min: 1, max: 1000 })),
        ([{ def, revisions, asOf }, permille]) => {
          const before = evaluate(def, revisions, asOf);
          if (before.latestPeriod === null) return;
          const d = direction(def.comparator);
          const delta = Math.max(0.01, round2((before.yearTarget! * permille) / 1000));
          const after = evaluate(def, mapPeriod(revisions, before.latestPeriod, (v) => v + d * delta), asOf);
          assert.equal(after.latestPeriod, before.latestPeriod);
          assert.equal(after.yearTarget, before.yearTarget);
          assert.equal(after.elapsed, before.elapsed);
          compareStatuses(before, after);
          compared++;
        },
      ),
      { numRuns: 400 },
    );
    assert.ok(compared > 50, `only ${compared} runs compared`);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. As-of never reads the future; 4. order independence
// ---------------------------------------------------------------------------------------------

describe('properties: as of a moment', () => {
  it('revisions recorded after asOf and figures of periods ending after asOf change nothing', () => {
    fc.assert(
      fc.property(
        anyCaseArb.chain(({ def, revisions, asOf }) =>
          fc.record({
            def: fc.constant(def),
            revisions: fc.constant(revisions),
            asOf: fc.constant(asOf),
            // late revisions of any period (also of periods already ended, overriding a known figure)
            late: fc.array(
              fc.record({
                year: fc.integer({ min: 2014, max: 2031 }),
                k: subIndex(def.frequency),
                value: money(),
                basis: fc.constantFrom<Basis>('ytd', 'period'),
                after: fc.integer({ min: 1, max: 800 * DAY }),
              }),
              { maxLength: 6 },
            ),
            // figures of periods not ended by asOf, recorded by asOf (e.g. entered in advance)
            early: fc.array(
              fc.record({
                ahead: fc.integer({ min: 0, max: 40 }),
                value: money(),
                basis: fc.constantFrom<Basis>('ytd', 'period'),
                before: fc.integer({ min: 0, max: 400 * DAY }),
              }),
              { maxLength: 6 },
            ),
            positions: fc.array(fc.nat(), { maxLength: 12 }),
          }),
        ),
        ({ def, revisions, asOf, late, early, positions }) => {
          const expected = evaluate(def, revisions, asOf);
          const extra: FigureRevision[] = late.map((l) => ({
            period: periodOf(def.frequency, l.year, l.k),
            value: l.value,
            basis: l.basis,
            recordedAt: new Date(asOf.getTime() + l.after),
          }));
          // the first period of def.frequency whose end is after asOf, then `ahead` periods later
          let p = periodOf(def.frequency, new Date(asOf.getTime() - 400 * DAY).getUTCFullYear(), 1);
          while (periodEndInstant(p, TZ).getTime() <= asOf.getTime()) p = nextPeriod(p);
          for (const e of early) {
            let q = p;
            for (let i = 0; i < e.ahead; i++) q = nextPeriod(q);
            assert.ok(periodEndInstant(q, TZ).getTime() > asOf.getTime());
            extra.push({ period: q, value: e.value, basis: e.basis, recordedAt: new Date(asOf.getTime() - e.before) });
          }
          const mixed = [...revisions];
          extra.forEach((r, i) => mixed.splice((positions[i] ?? 0) % (mixed.length + 1), 0, r));
          assert.deepEqual(evaluate(def, mixed, asOf), expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('shuffling the revisions never changes the result (no two revisions share a recordedAt)', () => {
    fc.assert(
      fc.property(
        anyCaseArb.chain(({ def, revisions, asOf }) =>
          fc.record({ def: fc.constant(def), revisions: fc.constant(revisions), asOf: fc.constant(asOf), order: shuffled(revisions) }),
        ),
        ({ def, revisions, asOf, order }) => {
          assert.deepEqual(evaluate(def, order, asOf), evaluate(def, revisions, asOf));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Outputs well-formed and consistent with their definitions
// ---------------------------------------------------------------------------------------------

const NUMERIC: (keyof EvaluationResult)[] = [
  'pace', 'completion', 'elapsed', 'expected', 'gap', 'lag', 'projected', 'yearTarget', 'latestValue',
];

function statusFromPace(pace: number, method: Method): Status {
  if (pace >= 1.05) return 'ahead';
  if (pace >= 0.95) return 'on_track';
  if (pace >= (method === 'cagr' ? 0.6 : 0.85)) return 'at_risk';
  return pace >= 0 ? 'lagging' : 'deteriorating';
}

describe('properties: outputs', () => {
  it('are finite or null; pace is null only for no_data and the documented flow cases; status follows pace', () => {
    fc.assert(
      fc.property(anyCaseArb, ({ def, revisions, asOf }) => {
        const r = evaluate(def, revisions, asOf);
        for (const key of NUMERIC) {
          const v = r[key] as number | null;
          assert.ok(v === null || Number.isFinite(v), `${key} = ${v}`);
        }
        if (r.status === 'no_data') {
          for (const key of NUMERIC) assert.equal(r[key], null, `${key} with no_data`);
          assert.equal(r.latestPeriod, null);
          return;
        }
        assert.notEqual(r.latestValue, null);
        assert.notEqual(r.latestPeriod, null);
        assert.notEqual(r.elapsed, null);
        if (r.pace === null) {
          // flows only: a cap with a ≤ 0 used so far (ρ = yT·e/a undefined), or a floor of 0 (c undefined)
          assert.equal(def.kind, 'flow', 'level pace is never null when there is data');
          const d = direction(def.comparator);
          assert.ok((d < 0 && r.latestValue! <= 0) || (d > 0 && r.yearTarget === 0), `pace null: ${JSON.stringify(r)}`);
          assert.equal(r.paceMethod, null);
        } else {
          assert.notEqual(r.paceMethod, null);
          if (r.status !== 'achieved' && r.status !== 'missed') assert.equal(r.status, statusFromPace(r.pace, r.paceMethod!));
        }
        if (r.early) assert.equal(r.status, 'achieved');
      }),
      { numRuns: 500 },
    );
  });

  it('level: c, e, E, gap, lag and pace agree with DESIGN.md', () => {
    fc.assert(
      fc.property(
        levelCase(levelShapeArb),
        ({ def, revisions, asOf }) => {
          const r = evaluate(def, revisions, asOf);
          if (r.status === 'no_data') return;
          const { b, t0 } = levelBase(def, revisions, asOf)!;
          const T = def.target.value;
          const tT = periodT(def.target.period);
          const a = r.latestValue!;
          const tL = periodT(r.latestPeriod!);
          const d = direction(def.comparator);
          const scale = Math.max(Math.abs(a), Math.abs(b), Math.abs(T));
          const e = (tL - t0) / (tT - t0);
          close(r.elapsed, e, 1, 'elapsed');
          assert.ok(e > 0 && e <= 1 + 1e-12, `elapsed ${e} outside (0, 1]`);
          const achieved = { '>=': a >= T, '>': a > T, '<=': a <= T, '<': a < T }[def.comparator];
          assert.equal(r.status === 'achieved', achieved);
          assert.equal(r.status === 'missed', !achieved && tL >= tT);
          if (T !== b) close(r.completion, (a - b) / (T - b), Math.abs(a - b) / Math.abs(T - b), 'completion');
          else assert.equal(r.completion, achieved ? 1 : 0);
          const geometric = def.method === 'cagr' && b > 0 && T > 0;
          const E = geometric ? b * (T / b) ** Math.min(e, 1) : b + (T - b) * Math.min(e, 1);
          close(r.expected, E, scale, 'expected');
          close(r.gap, d * (T - a), scale, 'gap');
          close(r.lag, d * (E - a), scale, 'lag');
          if (r.paceMethod === 'linear') {
            close(r.pace, r.completion! / e, Math.abs(r.completion! / e), 'linear pace');
          } else {
            assert.equal(def.method, 'cagr');
            const nz = (x: number) => (x === 0 ? 0.001 : x);
            const cagr = (v1: number, v0: number, years: number) => (v1 / v0) ** (1 / years) - 1;
            const s = b < 0 ? -1 : 1;
            const rho = (s * d * cagr(nz(a), nz(b), tL - t0)) / Math.abs(cagr(nz(T), nz(b), tT - t0));
            close(r.pace, rho, Math.abs(rho), 'cagr pace');
          }
          if (r.projected !== null) assert.ok(Number.isFinite(r.projected));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('flow: c, e, expected, gap, lag and projection agree with DESIGN.md', () => {
    fc.assert(
      fc.property(
        flowCase(flowShapeArb(money(1, 1e6))),
        ({ def, revisions, asOf }) => {
          const r = evaluate(def, revisions, asOf);
          if (r.status === 'no_data') return;
          const yT = r.yearTarget!;
          const a = r.latestValue!;
          const e = r.elapsed!;
          const { k, n, year } = subPeriod(r.latestPeriod!);
          const d = direction(def.comparator);
          if (def.expectation === 'time') close(e, k / n, 1, 'elapsed');
          assert.ok(e > 0 && e <= 1, `elapsed ${e} outside (0, 1]`);
          const scale = Math.max(Math.abs(a), Math.abs(yT));
          close(r.completion, a / yT, Math.abs(a / yT), 'completion');
          close(r.expected, yT * e, scale, 'expected');
          close(r.gap, d * (yT - a), scale, 'gap');
          close(r.lag, d * (yT * e - a), scale, 'lag');
          close(r.projected, a / e, Math.abs(a / e), 'projected');
          if (r.pace !== null) {
            const rho = d > 0 ? a / yT / e : (yT * e) / a;
            close(r.pace, rho, Math.abs(rho), 'pace');
          }
          const met = { '>=': a >= yT, '>': a > yT, '<=': a <= yT, '<': a < yT }[def.comparator];
          assert.equal(r.status === 'achieved', d > 0 ? met : met && k === n);
          assert.equal(r.status === 'missed', !(r.status === 'achieved') && k === n && year === subPeriod(def.target.period).year);
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Overdue
// ---------------------------------------------------------------------------------------------

describe('properties: overdue', () => {
  it('adding the due period’s figure (recorded by asOf) clears overdue and never sets it', () => {
    let added = 0;
    fc.assert(
      fc.property(
        anyCaseArb.chain((c) =>
          fc.record({ c: fc.constant(c), value: money(), before: fc.integer({ min: 0, max: 30 * DAY }), basis: fc.constantFrom<Basis>('ytd', 'period') }),
        ),
        ({ c: { def, revisions, asOf }, value, before, basis }) => {
          const r1 = evaluate(def, revisions, asOf);
          if (r1.duePeriod === null) {
            assert.equal(r1.overdue, false);
            return;
          }
          const recordedAt = new Date(Math.max(periodEndInstant(r1.duePeriod, TZ).getTime(), asOf.getTime() - before));
          const r2 = evaluate(def, [...revisions, { period: r1.duePeriod, value, basis, recordedAt }], asOf);
          assert.equal(r2.duePeriod, r1.duePeriod);
          assert.equal(r2.overdue, false);
          added++;
        },
      ),
      { numRuns: 400 },
    );
    assert.ok(added > 50, `only ${added} runs had a due period`);
  });
});
