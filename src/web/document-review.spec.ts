import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { highlight } from './document-review.js';

describe('highlight', () => {
  it('escapes every segment and marks each quote in order of its offsets', () => {
    const text = '<b>到2025年</b>，企业350家以上 & 覆盖率超90%';
    const a = text.indexOf('企业350家以上');
    const b = text.indexOf('覆盖率超90%');
    const html = highlight(text, [{ n: 2, start: b, end: b + 7 }, { n: 1, start: a, end: a + 8 }]);
    assert.equal(html,
      '&lt;b&gt;到2025年&lt;/b&gt;，<mark class="cand" id="c-1">企业350家以上</mark><sup><a href="#row-1">1</a></sup> &amp; '
      + '<mark class="cand" id="c-2">覆盖率超90%</mark><sup><a href="#row-2">2</a></sup>');
  });

  it('never nests marks: an overlapping quote starts where the one before ended; bad offsets are skipped', () => {
    const html = highlight('abcdef', [{ n: 1, start: 0, end: 4 }, { n: 2, start: 2, end: 6 }, { n: 3, start: 5, end: 99 }, { n: 4, start: 3, end: 3 }]);
    assert.equal(html, '<mark class="cand" id="c-1">abcd</mark><sup><a href="#row-1">1</a></sup><mark class="cand" id="c-2">ef</mark><sup><a href="#row-2">2</a></sup>');
  });
});
