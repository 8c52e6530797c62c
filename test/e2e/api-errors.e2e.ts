// Ordinary bad input and the framework's own refusals (issue 14): no 5xx, every error application/problem+json
// with a Chinese title and detail and, where there is a field, its path; a refused write writes nothing.
// Numeric ids: anything but an integer 1…2147483647 is a 422 naming the parameter; an id in range that names
// nothing stays a 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { dbState } from '../support/state.js';

const HAN = /\p{Script=Han}/u;

interface Case {
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  url: string;
  body?: unknown;
  /** sent verbatim as application/json */
  raw?: string;
  contentType?: string;
  anonymous?: boolean;
  status: number;
  paths: string[];
}

const NEW_TARGET = {
  code: 'NEW-TARGET', name: '新指标', unit: '家', kind: 'level', comparator: '>=', department: 'ECON-INFO',
  baseline: { period: '2023', value: 10 }, target: { period: '2025', value: 20 },
};
const NEW_DEPARTMENT = { code: 'NEW-DEPT', name: '新部门' };
const UNTIL = new Date(Date.now() + 7 * 86400_000).toISOString();
const FIGURE = '/api/v1/targets/DT-ENTERPRISES/figures/2025Q1';
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const nested = (n: number): unknown => (n === 0 ? '引文' : { quote: nested(n - 1) });

/** Every API route with a numeric id. */
const ID_ROUTES: Pick<Case, 'method' | 'url' | 'body'>[] = [
  { method: 'get', url: '/api/v1/users/:id' },
  { method: 'patch', url: '/api/v1/users/:id', body: { role: 'viewer' } },
  { method: 'get', url: '/api/v1/alerts/:id' },
  { method: 'delete', url: '/api/v1/silences/:id' },
  { method: 'patch', url: '/api/v1/recipients/:id', body: { name: '某人' } },
];
const BAD_IDS = ['2147483648', '99999999999999999999', '0', '-1', '1.5', 'abc', '1e3', '0x10', '%201', '01'];

const idCases: Case[] = ID_ROUTES.flatMap((route) => [
  ...BAD_IDS.map((id): Case => ({ ...route, name: `id ${id}`, url: route.url.replace(':id', id), status: 422, paths: ['id'] })),
  { ...route, name: 'id 2147483647 (in range, absent)', url: route.url.replace(':id', '2147483647'), status: 404, paths: [] },
]);

const textCases: Case[] = [
  { name: 'target name with a lone high surrogate', method: 'post', url: '/api/v1/targets', body: { ...NEW_TARGET, name: '指标\ud800' }, status: 422, paths: ['name'] },
  { name: 'target source.quote with a lone low surrogate', method: 'post', url: '/api/v1/targets', body: { ...NEW_TARGET, source: { document: '文件', quote: '引\udc00文' } }, status: 422, paths: ['source.quote'] },
  { name: 'target notes with BEL (multi-line text keeps only \\t \\n \\r)', method: 'post', url: '/api/v1/targets', body: { ...NEW_TARGET, notes: '第一行\n第\u0007二行' }, status: 422, paths: ['notes'] },
  { name: 'target name with a line break (one-line field)', method: 'post', url: '/api/v1/targets', body: { ...NEW_TARGET, name: '新\n指标' }, status: 422, paths: ['name'] },
  { name: 'target alias with a C1 control (U+0085)', method: 'post', url: '/api/v1/targets', body: { ...NEW_TARGET, aliases: ['别名', '别\u0085名'] }, status: 422, paths: ['aliases[1]'] },
  { name: 'target PATCH notes with a lone surrogate', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { notes: '\ud800' }, status: 422, paths: ['notes'] },
  { name: 'department name with a lone surrogate', method: 'post', url: '/api/v1/departments', body: { ...NEW_DEPARTMENT, name: '部门\ud800' }, status: 422, paths: ['name'] },
  { name: 'department name with U+0001', method: 'post', url: '/api/v1/departments', body: { ...NEW_DEPARTMENT, name: '部门\u0001' }, status: 422, paths: ['name'] },
  { name: 'department PATCH name with a lone surrogate', method: 'patch', url: '/api/v1/departments/ECON-INFO', body: { name: '\udfff' }, status: 422, paths: ['name'] },
  { name: 'department: a key with a lone surrogate', method: 'post', url: '/api/v1/departments', raw: '{"code":"NEW-DEPT","name":"新部门","x\\ud800":1}', status: 422, paths: ['x\ud800'] },
  { name: 'silence reason with a lone surrogate', method: 'post', url: '/api/v1/silences', body: { target: 'DT-ENTERPRISES', until: UNTIL, reason: '口径调整\ud800' }, status: 422, paths: ['reason'] },
  { name: 'silence reason with ESC', method: 'post', url: '/api/v1/silences', body: { target: 'DT-ENTERPRISES', until: UNTIL, reason: '口径\u001b调整' }, status: 422, paths: ['reason'] },
  { name: 'figure note with a lone surrogate (was stored as U+FFFD)', method: 'put', url: FIGURE, body: { value: 1, note: '快报\ud800' }, status: 422, paths: ['note'] },
  { name: 'batch row note with a lone surrogate', method: 'post', url: '/api/v1/figures/batch', body: { figures: [{ target: 'DT-ENTERPRISES', period: '2025Q1', value: 1 }, { target: 'DT-ENTERPRISES', period: '2025Q2', value: 2, note: '\ud800' }] }, status: 422, paths: ['figures[1].note'] },
  { name: 'recipient name with a lone surrogate', method: 'post', url: '/api/v1/recipients', body: { email: 'someone@example.org', name: '某\ud800' }, status: 422, paths: ['name'] },
  { name: 'login email with a lone surrogate', method: 'post', url: '/api/v1/auth/login', body: { email: 'a\ud800@example.org', password: 'x' }, anonymous: true, status: 422, paths: ['email'] },
  { name: 'document text with a lone surrogate', method: 'post', url: '/api/v1/documents/extract', body: { text: '到2025年，企业达到350家\ud800。' }, status: 422, paths: ['text'] },
];

const depthCases: Case[] = [
  { name: 'login with JSON nested 100 000 deep', method: 'post', url: '/api/v1/auth/login', raw: `{"email":${deep(100_000)},"password":"x"}`, anonymous: true, status: 422, paths: ['email'] },
  { name: 'a batch nested 100 000 deep', method: 'post', url: '/api/v1/figures/batch', raw: `{"figures":${deep(100_000)}}`, status: 422, paths: ['figures'] },
  { name: 'a target source nested 40 deep', method: 'post', url: '/api/v1/targets', body: { ...NEW_TARGET, source: nested(40) }, status: 422, paths: ['source'] },
  { name: 'a body that is an array nested 100 000 deep', method: 'post', url: '/api/v1/departments', raw: deep(100_000), status: 422, paths: ['[0]'] },
];

const frameworkCases: Case[] = [
  { name: 'a path parameter over 100 characters', method: 'get', url: `/api/v1/targets/${'A'.repeat(5000)}`, status: 414, paths: [''] },
  { name: 'a path parameter over 100 characters (a write)', method: 'put', url: `/api/v1/targets/${'A'.repeat(200)}/figures/2025Q1`, body: { value: 1 }, status: 414, paths: [''] },
  { name: 'a query string past 16 KB (Node refuses the request line: 431)', method: 'get', url: `/api/v1/alerts?department=${encodeURIComponent('长'.repeat(2001))}`, status: 431, paths: [''] },
  { name: 'a malformed percent-encoding (FST_ERR_BAD_URL)', method: 'get', url: '/api/v1/targets/%zz', status: 400, paths: [''] },
  { name: 'a truncated UTF-8 percent-encoding', method: 'patch', url: '/api/v1/departments/%E0%A4%A', body: { name: '部门' }, status: 400, paths: [''] },
  { name: 'a malformed JSON body', method: 'post', url: '/api/v1/departments', raw: '{"code":', status: 400, paths: [''] },
  { name: 'an empty JSON body', method: 'post', url: '/api/v1/departments', raw: '', status: 400, paths: [''] },
  { name: 'a body over 1 MB', method: 'post', url: '/api/v1/departments', raw: JSON.stringify({ ...NEW_DEPARTMENT, name: 'x'.repeat(1_100_000) }), status: 413, paths: [''] },
  { name: 'an XML body', method: 'post', url: '/api/v1/departments', raw: '<department/>', contentType: 'application/xml', status: 415, paths: [''] },
  { name: 'a text/plain body', method: 'post', url: '/api/v1/targets', raw: 'code=X', contentType: 'text/plain', status: 415, paths: [''] },
  { name: 'a form body', method: 'post', url: '/api/v1/targets', raw: 'code=X', contentType: 'application/x-www-form-urlencoded', status: 415, paths: [''] },
];

describe('API errors: no 5xx on bad input, every error problem+json in Chinese with its field', () => {
  let t: TestApp;

  function send(c: Case) {
    const agent = c.anonymous ? t.anonymous() : t.http();
    const req = agent[c.method](c.url);
    if (c.raw !== undefined) return req.set('content-type', c.contentType ?? 'application/json').send(c.raw);
    if (c.body !== undefined) return req.send(c.body as object);
    return req;
  }

  /** Everything a write could change, logins included (a refused login writes no auth.login_failed row). */
  async function state(): Promise<Record<string, unknown>> {
    const { rows } = await t.db.query(`
      SELECT (SELECT count(*) FROM audit_log)::int AS audit_all, (SELECT count(*) FROM silences)::int AS silences,
             (SELECT count(*) FROM recipients)::int AS recipients,
             (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM recipients r) AS recipients_hash,
             (SELECT count(*) FROM login_failures)::int AS login_failures, (SELECT count(*) FROM sessions)::int AS sessions`);
    return { ...(await dbState(t)), ...rows[0] };
  }

  function assertProblem(res: Response, status: number, paths: string[]): { status: number; title: string; detail: string; errors: { path: string; message: string }[] } {
    const shown = `${res.status} ${res.headers['content-type']} ${res.text?.slice(0, 400)}`;
    assert.equal(res.status, status, shown);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, shown);
    const body = JSON.parse(res.text);
    assert.equal(body.status, status, shown);
    assert.match(body.title, HAN, `title in Chinese: ${shown}`);
    assert.match(body.detail, HAN, `detail in Chinese: ${shown}`);
    assert.doesNotMatch(body.detail, /^(?:Cannot|Validation failed|Body )/, shown);
    assert.ok(Array.isArray(body.errors), shown);
    for (const path of paths) {
      const error = body.errors.find((e: { path: string }) => e.path === path);
      assert.ok(error, `errors should name "${path}": ${shown}`);
      assert.match(error.message, HAN, `the message at "${path}" in Chinese: ${shown}`);
    }
    assert.doesNotMatch(res.text, /QueryFailedError|    at |SELECT |INSERT |RangeError/, shown);
    return body;
  }

  before(async () => {
    t = await startApp('api_errors');
    await createDepartment(t);
    await createTarget(t);
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260, note: '快报' }).expect(200);
  });
  after(() => t?.close());

  for (const [group, cases] of [
    ['numeric ids', idCases], ['lone surrogates and control characters', textCases], ['nesting depth', depthCases],
    ['framework errors', frameworkCases],
  ] as const) {
    describe(group, () => {
      for (const c of cases) {
        it(`${c.method.toUpperCase()} ${c.name} → ${c.status}`, async () => {
          const before = await state();
          assertProblem(await send(c), c.status, c.paths);
          assert.deepEqual(await state(), before, 'a refused request writes nothing');
        });
      }
    });
  }

  it('an id in range that exists is found (the bound refuses nothing real)', async () => {
    const { rows } = await t.db.query(`SELECT id FROM users ORDER BY id LIMIT 1`);
    const res = await t.http().get(`/api/v1/users/${rows[0].id}`).expect(200);
    assert.equal(res.body.email, 'admin@example.org');
  });

  it('multi-line fields keep \\t \\n \\r and text outside the BMP (a surrogate pair) is stored as sent', async () => {
    const notes = '第一行\r\n\t第二行\n第三行';
    const name = '数字化改造企业数 😀';
    const created = await t.http().post('/api/v1/targets').send({ ...NEW_TARGET, code: 'TEXT-OK', name, notes }).expect(201);
    assert.deepEqual([created.body.name, created.body.notes], [name, notes]);
    const read = await t.http().get('/api/v1/targets/TEXT-OK').expect(200);
    assert.deepEqual([read.body.name, read.body.notes], [name, notes]);
    await t.http().put('/api/v1/targets/TEXT-OK/figures/2024Q4').send({ value: 12, note: '快报\n修订' }).expect(200);
  });

  it('a wrong method on an existing route answers 405 with Allow listing the route\'s methods', async () => {
    for (const [method, url, allow] of [
      ['delete', '/api/v1/users', 'GET, HEAD, POST'],
      ['post', '/api/v1/users/1', 'GET, HEAD, PATCH'],
      ['put', '/api/v1/targets/DT-ENTERPRISES', 'GET, HEAD, PATCH, DELETE'],
      ['post', '/api/v1/targets/DT-ENTERPRISES/figures/2025Q1', 'GET, HEAD, PUT'],
      ['patch', '/api/v1/silences/1', 'DELETE'],
    ] as const) {
      const before = await state();
      const res = await t.http()[method](url).send({});
      const body = assertProblem(res, 405, []);
      assert.equal(res.headers.allow, allow, `${method} ${url}`);
      assert.ok(body.detail.includes(method.toUpperCase()) && body.detail.includes(allow), body.detail);
      assert.deepEqual(await state(), before);
    }
    // an address no route has stays a 404, in Chinese
    const none = assertProblem(await t.http().get('/api/v1/no-such-thing'), 404, []);
    assert.match(none.detail, /^没有这个地址：\/api\/v1\/no-such-thing/);
    assert.equal((await t.http().delete('/api/v1/no-such-thing')).status, 404);
    // a browser gets the 405 as a page
    const page = await t.anonymous().delete('/login').set('accept', 'text/html');
    assert.equal(page.status, 405);
    assert.equal(page.headers.allow, 'GET, HEAD, POST');
    assert.match(page.text, /方法不允许/);
  });

  it('the framework\'s refusals carry the security headers of every other answer', async () => {
    for (const url of [`/api/v1/targets/${'A'.repeat(500)}`, '/api/v1/targets/%zz']) {
      const res = await t.http().get(url);
      assert.ok(res.status === 414 || res.status === 400, `${url}: ${res.status}`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(res.headers['content-security-policy']);
      assert.ok(res.headers['x-request-id']);
    }
  });

  it('a language switch to a path with a control character redirects home, not a 500', async () => {
    for (const [next, location] of [
      ['/%01x', '/'],
      ['/%09/evil.example', '/'],
      ['/%7F', '/'],
      ['/targets/DT-ENTERPRISES?tab=figures', '/targets/DT-ENTERPRISES?tab=figures'],
      ['/%E4%B8%AD%E6%96%87', '/%E4%B8%AD%E6%96%87'],
      ['//evil.example', '/'],
    ]) {
      const res = await t.anonymous().get(`/lang/en?next=${next}`);
      assert.equal(res.status, 303, `${next}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.headers.location, location, next);
    }
  });

  it('documents/extract takes a single paragraph of ~130 000 characters (no stack overflow) and refuses one over its limit', async () => {
    const text = `到2025年，全区数字化改造企业达到350家以上，${'加快推进数字化转型'.repeat(14_500)}。`;
    assert.ok(text.length > 130_000 && !text.includes('\n'));
    const res = await t.http().post('/api/v1/documents/extract').send({ text });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(res.body.candidates.some((c: { value: number; unit: string }) => Number(c.value) === 350 && c.unit === '家'),
      JSON.stringify(res.body.candidates));
    const tooLong = await t.http().post('/api/v1/documents/extract').send({ text: '加'.repeat(200_001) });
    const body = assertProblem(tooLong, 422, ['text']);
    assert.match(body.errors.find((e) => e.path === 'text')!.message, /200000/);
  });
});
