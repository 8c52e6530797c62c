import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeNext } from './pages.controller.js';

// `next` as the handler receives it (the query string or form body already decoded once).
const HOSTILE = [
  '/\t/evil.example/phish', '/\n/evil.example', '/\r\n/evil.example', '/\u0000/evil.example', '/\u007f/evil.example',
  '//evil.example', '/\\evil.example', '\\/evil.example', '/\\/evil.example', ' /evil.example', '\t//evil.example',
  'https://evil.example', 'javascript:alert(1)', 'evil.example', '', '/%09/evil.example', '/%2F/evil.example',
  '/%5Cevil.example', '/%2f%2fevil.example', '/%252F/evil.example', '/%25252F/evil.example', '/.//evil.example',
  '/..//evil.example', '/a/..//evil.example', '/./\\evil.example', '/.%2F/evil.example', '/%2E%2E//evil.example',
  '/a\\..\\..\\/evil.example', '/%0D%0ALocation:%20https://evil.example', '/\ud800/evil.example',
];

describe('safeNext: where a redirect after login or a language switch may go', () => {
  for (const next of HOSTILE) {
    it(`${JSON.stringify(next)} → /`, () => assert.equal(safeNext(next), '/'));
  }

  it('anything not a string goes home', () => {
    for (const next of [undefined, null, 1, ['/admin'], { toString: () => '/admin' }]) assert.equal(safeNext(next), '/');
    assert.equal(safeNext(`/${'a'.repeat(3000)}`), '/');
  });

  const SAME_SITE: [string, string][] = [
    ['/', '/'],
    ['/admin', '/admin'],
    ['/targets/DT-ENTERPRISES?tab=figures', '/targets/DT-ENTERPRISES?tab=figures'],
    ['/entry/2026Q3?department=ECON-INFO#DT-ENTERPRISES', '/entry/2026Q3?department=ECON-INFO#DT-ENTERPRISES'],
    ['/中文', '/%E4%B8%AD%E6%96%87'],
    ['/%E4%B8%AD%E6%96%87', '/%E4%B8%AD%E6%96%87'],
    ['/?q=a b', '/?q=a%20b'],
    ['/?next=//evil.example', '/?next=//evil.example'],
    ['/a/../admin', '/admin'],
    ['/search?q=100%', '/search?q=100%'],
  ];
  for (const [next, location] of SAME_SITE) {
    it(`${JSON.stringify(next)} → ${location}`, () => assert.equal(safeNext(next), location));
  }
});
