/**
 * The batch body's fast path (`parseBatchFast`) against the schema it stands in for: whatever the body,
 * it either leaves it to zod (null) or gives exactly what `ZodPipe(batchFiguresSchema)` gives; and it
 * takes the usual bodies itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ZodPipe } from '../common/zod.pipe.js';
import { BatchFiguresPipe, batchFiguresSchema, parseBatchFast } from './figure.schema.js';

const zodPipe = new ZodPipe(batchFiguresSchema);
const viaZod = (body: unknown): { ok: true; data: unknown } | { ok: false; error: unknown } => {
  try {
    return { ok: true, data: zodPipe.transform(body) };
  } catch (error) {
    return { ok: false, error };
  }
};

const validFigure = fc.record({
  target: fc.constantFrom('GDP-GROWTH', 'BENCH-0000001', 'A1', 'NEV-OUTPUT'),
  period: fc.constantFrom('2024', '2024Q1', '2025Q4', '2024-01', '2024-12'),
  value: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.constantFrom('12.50', ' 7 ', '-0', '1,234.5', '８２０', '85%')),
  confirm: fc.boolean(),
  basis: fc.constantFrom('ytd', 'period'),
  status: fc.constantFrom('final', 'preliminary'),
  note: fc.oneof(fc.constant(null), fc.constantFrom('统计快报', '  padded  ', '')),
  source: fc.constant(null),
  reason: fc.constantFrom('核定', null),
}, { requiredKeys: ['target', 'period', 'value'] });

const hostile = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.constant(''), fc.constant('x'), fc.constant('\u0000'), fc.constant('a\u0000b'),
  fc.constant(Number.NaN), fc.constant(1e16), fc.constant('1e16'), fc.constant(`0.${'0'.repeat(30)}1`), fc.constant(true),
  fc.constant([]), fc.constant({}), fc.constant('x'.repeat(2001)), fc.constant(` ${'x'.repeat(2000)} `), fc.constant('2024Q5'),
  fc.constant('gdp'), fc.constant('FINAL'), fc.constant('YTD'), fc.string(), fc.integer(), fc.double(),
);
const KEYS = ['target', 'period', 'value', 'basis', 'status', 'note', 'source', 'reason', 'confirm', 'extra', '__proto__', 'constructor'];
const mutated = fc.tuple(validFigure, fc.constantFrom(...KEYS), hostile, fc.boolean()).map(([f, key, v, remove]) => {
  const out: Record<string, unknown> = { ...f };
  if (remove) delete out[key];
  else Object.defineProperty(out, key, { value: v, enumerable: true, configurable: true, writable: true });
  return out;
});
/** Bodies as they arrive: through JSON. */
const body = fc.oneof(
  fc.array(validFigure, { minLength: 1, maxLength: 5 }).map((figures) => ({ figures })),
  fc.array(fc.oneof(validFigure, mutated), { minLength: 1, maxLength: 5 }).map((figures) => ({ figures })),
  fc.array(validFigure, { maxLength: 2 }).map((figures) => ({ figures, extra: 1 })),
  fc.oneof(fc.constant([]), fc.constant({}), fc.constant({ figures: [] }), fc.constant({ figures: {} }), fc.constant(null), fc.constant({ figures: [null] })),
).map((b) => JSON.parse(JSON.stringify(b)) as unknown);

describe('batch body: fast path', () => {
  it('leaves a body to zod or gives what zod gives', () => {
    let fast = 0;
    fc.assert(fc.property(body, (b) => {
      const result = parseBatchFast(b);
      const reference = viaZod(b);
      if (result === null) return;
      fast++;
      assert.ok(reference.ok, `fast path accepted what zod refuses: ${JSON.stringify(b)}`);
      assert.deepEqual(result, reference.data);
    }), { numRuns: 5000 });
    assert.ok(fast > 500, `the fast path took ${fast} bodies`);
  });

  it('takes every valid body itself', () => {
    fc.assert(fc.property(fc.array(validFigure, { minLength: 1, maxLength: 20 }), (figures) => {
      const b = JSON.parse(JSON.stringify({ figures }));
      assert.deepEqual(parseBatchFast(b), viaZod(b).ok ? (viaZod(b) as { data: unknown }).data : null);
    }), { numRuns: 2000 });
  });

  // [figure, fast path takes it]
  const CASES: [Record<string, unknown>, boolean][] = [
    [{ target: 'GDP', period: '2024Q1', value: 1 }, true],
    [{ target: 'GDP', period: '2024Q1', value: '001.50', basis: 'period', status: 'preliminary', note: ' n ', source: null, reason: 'r' }, true],
    [{ target: 'gdp', period: '2024Q1', value: 1 }, false],
    [{ target: 'GDP', period: '2024Q5', value: 1 }, false],
    [{ target: 'GDP', period: '2024Q1', value: '1e16' }, false],
    [{ target: 'GDP', period: '2024Q1', value: '3e2' }, false],
    [{ target: 'GDP', period: '2024Q1', value: '23 318.5 86' }, false],
    [{ target: 'GDP', period: '2024Q1', value: '12,34' }, false],
    [{ target: 'GDP', period: '2024Q1', value: '1,234.5', confirm: true }, true],
    [{ target: 'GDP', period: '2024Q1', value: 1, confirm: 'yes' }, false],
    [{ target: 'GDP', period: '2024Q1', value: 1, basis: null }, false],
    [{ target: 'GDP', period: '2024Q1', value: 1, status: null }, false],
    [{ target: 'GDP', period: '2024Q1', value: 1, note: 'a\u0000' }, false],
    [{ target: 'GDP', period: '2024Q1', value: 1, note: 'x'.repeat(2001) }, false],
    [{ target: 'GDP', period: '2024Q1', value: 1, extra: 1 }, false],
    [{ target: 'GDP', period: '2024Q1' }, false],
  ];
  for (const [figure, taken] of CASES) {
    it(`${JSON.stringify(figure).slice(0, 100)} → ${taken ? 'fast' : 'zod'}`, () => {
      const b = { figures: [figure] };
      const result = parseBatchFast(b);
      assert.equal(result !== null, taken);
      const reference = viaZod(b);
      if (taken) assert.deepEqual(result, (reference as { data: unknown }).data);
      // The pipe answers as ZodPipe did, errors included.
      let piped: unknown;
      try {
        piped = { ok: true, data: new BatchFiguresPipe().transform(b) };
      } catch (error) {
        piped = { ok: false, error };
      }
      assert.deepEqual(piped, reference);
    });
  }
});
