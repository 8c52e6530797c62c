import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { inBaseUnit, matchesReal, type LocatedAnswer } from '../../src/extraction/score.js';
import type { Candidate } from '../../src/extraction/extract.js';
import { DOCUMENT_KINDS, loadRealFixtures } from '../fixtures/extraction/fixtures.js';

// The real corpus (test/fixtures/extraction/real/): loads and is well formed. Its scores are a
// measurement printed by `npm run bench:extract`, with no bar here.
const DEV = loadRealFixtures('dev');
const TEST = loadRealFixtures('test');

describe('real corpus', () => {
  it('has a dev half', () => assert.ok(DEV.length > 0));

  for (const [split, fixtures] of [['dev', DEV], ['test', TEST]] as const) {
    for (const f of fixtures) {
      it(`${split}/${f.name}: required fields, every quote found exactly once (or at its start)`, () => {
        assert.match(f.file.source ?? '', /^https?:\/\/\S+$/, 'source is the page address');
        assert.ok(f.file.issuer?.trim(), 'issuer');
        assert.ok((DOCUMENT_KINDS as readonly string[]).includes(f.file.kind ?? ''), `kind ${f.file.kind}`);
        assert.ok(f.file.title?.trim(), 'title');
        assert.ok(Array.isArray(f.file.notes) && Array.isArray(f.file.answers));
        for (const a of f.file.answers) {
          assert.equal(typeof a.value, 'number', a.quote);
          assert.ok(Number.isFinite(a.value), a.quote);
          assert.equal(typeof a.unit, 'string', a.quote);
          assert.ok(a.deadline === null || /^\d{4}$/.test(a.deadline ?? ''), `deadline of ${a.quote}`);
          if (a.start !== undefined) {
            assert.equal(f.text.slice(a.start, a.start + a.quote.length), a.quote, `quote not at its start: ${a.quote}`);
            continue;
          }
          const at = f.text.indexOf(a.quote);
          assert.ok(at >= 0, `quote not in text: ${a.quote}`);
          assert.equal(f.text.indexOf(a.quote, at + 1), -1, `quote occurs twice, give its start: ${a.quote}`);
        }
      });
    }
  }

  it('no page is in both halves', () => {
    const dev = new Set(DEV.map((f) => f.file.source));
    for (const f of TEST) assert.ok(!dev.has(f.file.source), f.name);
  });
});

describe('matching rule of the real corpus', () => {
  const answer: LocatedAnswer = { quote: 'x', value: 1.2, unit: '万亿元', deadline: '2025', start: 10, end: 20 };
  const cand = (value: number, unit: string, deadline: string | null, start = 12): Candidate => ({
    subject: '', value, unit, comparator: '>=', implicit: false, deadline, baseline: null, relative: null,
    quote: 'x', start, end: start + 5, confidence: 1, notes: [],
  });

  it('reads magnitudes into the base unit', () => {
    assert.deepEqual(inBaseUnit(12000, '亿元'), { amount: 1.2e12, base: '元' });
    assert.deepEqual(inBaseUnit(5, '％'), { amount: 5, base: '%' });
    assert.deepEqual(inBaseUnit(3, '万'), { amount: 3, base: '万' });
    assert.deepEqual(inBaseUnit(70, '萬輛'), { amount: 7e5, base: '辆' });
    assert.deepEqual(inBaseUnit(1, '萬億元'), inBaseUnit(10000, '亿元'));
  });
  it('matches the same value after units and the same deadline year', () => assert.ok(matchesReal(cand(12000, '亿元', '2025'), answer)));
  it('not another deadline year', () => assert.ok(!matchesReal(cand(1.2, '万亿元', '2024'), answer)));
  it('not another value', () => assert.ok(!matchesReal(cand(1.2, '亿元', '2025'), answer)));
  it('not a figure elsewhere in the text', () => assert.ok(!matchesReal(cand(1.2, '万亿元', '2025', 40), answer)));
});
