import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from './domain-error.js';
import { checkIfMatch, etagOf, ifMatchHolds, ifNoneMatchNames, parseEntityTags } from './etag.js';

describe('entity tags', () => {
  const tag = etagOf({ code: 'DT-ENTERPRISES', name: '数字化改造企业数' });

  it('tags a representation by its JSON: equal for equal, different for any change', () => {
    assert.match(tag, /^"[A-Za-z0-9_-]{27}"$/);
    assert.equal(etagOf({ code: 'DT-ENTERPRISES', name: '数字化改造企业数' }), tag);
    assert.notEqual(etagOf({ code: 'DT-ENTERPRISES', name: '数字化改造企业数 ' }), tag);
    assert.equal(etagOf('{"a":1}'), etagOf({ a: 1 }), 'a body sent as text is tagged as its text');
  });

  it('reads If-Match and If-None-Match lists, `*` and weak tags; anything else is no tag at all', () => {
    assert.deepEqual(parseEntityTags(', "a" , W/"b",,"c,d",'), [
      { weak: false, opaque: '"a"' }, { weak: true, opaque: '"b"' }, { weak: false, opaque: '"c,d"' },
    ]);
    assert.equal(parseEntityTags(' * '), '*');
    for (const bad of ['', ' , ', 'abc', '"a" "b"', '"a", b', 'W/', '"a', '*, "a"']) assert.equal(parseEntityTags(bad), null, bad);
  });

  it('compares If-Match strongly and If-None-Match weakly', () => {
    assert.ok(ifMatchHolds(tag, tag));
    assert.ok(ifMatchHolds(`"x", ${tag}`, tag));
    assert.ok(ifMatchHolds('*', tag));
    assert.ok(!ifMatchHolds('*', null), '* needs a current representation');
    assert.ok(!ifMatchHolds(tag, null));
    assert.ok(!ifMatchHolds(`W/${tag}`, tag), 'a weak tag never matches strongly');
    assert.ok(!ifMatchHolds(tag.slice(1, -1), tag), 'unquoted is not a tag');
    assert.ok(ifNoneMatchNames(`W/${tag}`, tag));
    assert.ok(ifNoneMatchNames('*', tag));
    assert.ok(!ifNoneMatchNames('"x"', tag));
    assert.ok(!ifNoneMatchNames(undefined, tag));
  });

  it('throws precondition_failed with a Chinese message when If-Match does not hold, nothing when absent', () => {
    checkIfMatch(undefined, null, '指标 A');
    checkIfMatch(tag, tag, '指标 A');
    assert.throws(() => checkIfMatch('"x"', tag, '指标 A'), (e: unknown) =>
      e instanceof DomainError && e.code === 'precondition_failed' && /^指标 A 已被修改/.test(e.message));
    assert.throws(() => checkIfMatch('x', tag, '指标 A'), (e: unknown) => e instanceof DomainError && /^If-Match 不是实体标签/.test(e.message));
  });
});
