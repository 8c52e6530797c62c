// Issue 14, as a client developer reads the API: exact decimals out as they went in (strings, the text
// PostgreSQL stores and the CSV export writes; JSON numbers a double cannot hold refused, not rounded), one
// list style on every collection, and each figure's own revision numbers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, snapshot } from '../support/factories.js';

let t: TestApp;

const EXACT = {
  code: 'EXACT-VALUES', name: '精确值', unit: '亿元', kind: 'level', comparator: '>=', department: 'ECON-INFO', frequency: 'quarterly',
  baseline: { period: '2023', value: '2000.123456789012345' },
  target: { period: '2027', value: '999999999999999.99' },
  milestones: [{ period: '2025', value: '0.000000000000000000000000000001' }],
};

/** A raw JSON body, so that the number reaches the server as written (not as the double JSON.stringify prints). */
const raw = (method: 'put' | 'post' | 'patch', url: string, json: string) =>
  t.http()[method](url).set('content-type', 'application/json').send(json);

const revisionCount = async (code: string, period: string) => (await t.db.query(
  `SELECT count(*)::int AS n FROM figure_revisions r JOIN targets t ON t.id = r.target_id WHERE t.code = $1 AND r.period = $2`,
  [code, period])).rows[0].n as number;

describe('exact decimals out as they went in', () => {
  before(async () => {
    t = await startApp('api_values');
    await createDepartment(t);
    await createTarget(t, EXACT);
  });
  after(() => t?.close());

  it('a target\'s baseline, goal and milestones come back as the decimal strings stored', async () => {
    const one = (await t.http().get('/api/v1/targets/EXACT-VALUES').expect(200)).body;
    assert.deepEqual([one.baseline, one.target, one.milestones], [EXACT.baseline, EXACT.target, EXACT.milestones]);
    const listed = (await t.http().get('/api/v1/targets?q=EXACT').expect(200)).body.items[0];
    assert.deepEqual([listed.baseline, listed.target, listed.milestones], [EXACT.baseline, EXACT.target, EXACT.milestones]);
    const { rows: [stored] } = await t.db.query(`SELECT baseline_value::text, target_value::text FROM targets WHERE code = 'EXACT-VALUES'`);
    assert.deepEqual([stored.baseline_value, stored.target_value], ['2000.123456789012345', '999999999999999.99']);
    // JSON numbers in, normalised decimal strings out
    const patched = (await t.http().patch('/api/v1/targets/EXACT-VALUES').send({ baseline: { period: '2023', value: 2000.5 } }).expect(200)).body;
    assert.equal(patched.baseline.value, '2000.5');
    await t.http().patch('/api/v1/targets/EXACT-VALUES').send({ baseline: EXACT.baseline }).expect(200);
  });

  it('a figure, its revisions, the audit row and the CSV export all give the same exact text', async () => {
    const put = await t.http().put('/api/v1/targets/EXACT-VALUES/figures/2025Q1').send({ value: '2000.123456789012345', note: '快报' }).expect(200);
    assert.equal(put.body.value, '2000.123456789012345');
    assert.equal((await t.http().get('/api/v1/targets/EXACT-VALUES/figures/2025Q1').expect(200)).body.value, '2000.123456789012345');
    const revisions = (await t.http().get('/api/v1/targets/EXACT-VALUES/figures/2025Q1/revisions').expect(200)).body;
    assert.deepEqual(revisions.items.map((r: { value: string }) => r.value), ['2000.123456789012345']);
    const audit = (await t.http().get('/api/v1/audit?entity=figure&entityId=EXACT-VALUES/2025Q1').expect(200)).body.items[0];
    assert.equal(audit.after.value, '2000.123456789012345');
    const csv = (await t.http().get('/api/v1/exports/figures.csv').buffer(true).expect(200)).text;
    const line = csv.split('\r\n').find((l) => l.startsWith('EXACT-VALUES,2025Q1,'));
    assert.equal(line?.split(',')[2], '2000.123456789012345');
    const big = await t.http().put('/api/v1/targets/EXACT-VALUES/figures/2025Q2').send({ value: '999999999999999.99', confirm: true }).expect(200);
    assert.equal(big.body.value, '999999999999999.99');
  });

  it('PUTting back exactly what was read writes no new revision', async () => {
    const read = (await t.http().get('/api/v1/targets/EXACT-VALUES/figures/2025Q1').expect(200)).body;
    const before = await revisionCount('EXACT-VALUES', '2025Q1');
    const { value, basis, status, note, source } = read;
    const again = (await t.http().put('/api/v1/targets/EXACT-VALUES/figures/2025Q1').send({ value, basis, status, note, source }).expect(200)).body;
    assert.deepEqual(again, read);
    assert.equal(await revisionCount('EXACT-VALUES', '2025Q1'), before);
    // and the batch route likewise
    const batch = (await t.http().post('/api/v1/figures/batch').send({ figures: [{ target: 'EXACT-VALUES', period: '2025Q1', value, basis, status, note, source }] }).expect(200)).body;
    assert.deepEqual(batch, { received: 1, written: 0, unchanged: 1 });
    assert.equal(await revisionCount('EXACT-VALUES', '2025Q1'), before);
  });

  it('refuses JSON numbers a double cannot hold as written, naming the field and asking for a string; nothing written', async () => {
    const url = '/api/v1/targets/EXACT-VALUES/figures/2026Q1';
    for (const number of ['1e-400', '1e400', '-1E+400', '2000.123456789012345', '0.30000000000000001', '9007199254740993']) {
      const before = await snapshot(t);
      const res = await raw('put', url, `{"value": ${number}}`).expect(422);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(res.body.errors.length, 1, JSON.stringify(res.body));
      assert.equal(res.body.errors[0].path, 'value');
      assert.match(res.body.errors[0].message, new RegExp(`JSON 数值 ${number.replace(/[.+]/g, '\\$&')} .*字符串.*send the value as a decimal string`));
      assert.deepEqual(await snapshot(t), before, number);
    }
    const batch = await raw('post', '/api/v1/figures/batch',
      '{"figures": [{"target": "EXACT-VALUES", "period": "2026Q1", "value": 1.5}, {"target": "EXACT-VALUES", "period": "2026Q2", "value": 1e-400}]}').expect(422);
    assert.deepEqual(batch.body.errors.map((e: { path: string }) => e.path), ['figures[1].value']);
    const target = await raw('post', '/api/v1/targets', JSON.stringify({ ...EXACT, code: 'EXACT-TWO', baseline: undefined })
      .replace('"999999999999999.99"', '999999999999999.99')).expect(422);
    assert.deepEqual(target.body.errors.map((e: { path: string }) => e.path), ['target.value']);
    // not only value fields: any field given such a number says why
    const grace = await raw('patch', '/api/v1/targets/EXACT-VALUES', '{"graceDays": 20.0000000000000001}').expect(422);
    assert.deepEqual(grace.body.errors.map((e: { path: string }) => e.path), ['graceDays']);
    assert.match(grace.body.errors[0].message, /JSON 数值 20\.0000000000000001 /);
  });

  it('takes JSON numbers that a double holds exactly, and the same values as strings', async () => {
    const url = '/api/v1/targets/EXACT-VALUES/figures/2026Q1';
    const cases: [string, string][] = [
      ['0.1', '0.1'], ['1e2', '100'], ['2000.5', '2000.5'], ['1.50000000000000000', '1.5'], ['123456789012345.6', '123456789012345.6'],
      ['0.30000000000000004', '0.30000000000000004'], ['"2000.123456789012345"', '2000.123456789012345'], ['"0.000000000000000000000000000001"', '0.000000000000000000000000000001'],
    ];
    for (const [sent, stored] of cases) {
      const res = await raw('put', url, `{"value": ${sent}, "confirm": true}`).expect(200);
      assert.equal(res.body.value, stored, sent);
    }
    // a number inside a string field is just text
    const noted = await raw('put', url, '{"value": "2", "note": "1e-400 and 2000.123456789012345", "confirm": true}').expect(200);
    assert.equal(noted.body.note, '1e-400 and 2000.123456789012345');
  });

  it('evaluations give the latest value as a decimal string, computed and stored alike', async () => {
    const now = (await t.http().get('/api/v1/targets/EXACT-VALUES/evaluation').expect(200)).body;
    assert.equal(typeof now.latestValue, 'string');
    const run = (await t.http().post('/api/v1/evaluations/runs').send({}).expect(202)).body;
    let state = '';
    for (let i = 0; i < 100 && state !== 'completed'; i++) {
      state = (await t.http().get(`/api/v1/evaluations/runs/${run.id}`).expect(200)).body.state;
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'completed');
    const stored = (await t.http().get('/api/v1/evaluations/latest').expect(200)).body.items.find((e: { code: string }) => e.code === 'EXACT-VALUES');
    const { rows: [row] } = await t.db.query(
      `SELECT e.latest_value::text FROM latest_evaluations l JOIN evaluations e ON e.id = l.evaluation_id JOIN targets t ON t.id = l.target_id WHERE t.code = 'EXACT-VALUES'`);
    assert.equal(stored.latestValue, row.latest_value);
    assert.equal(stored.latestValue, now.latestValue);
  });
});

/** Every collection GET of the API (the figures and revisions of EXACT-VALUES 2025Q1). */
const COLLECTIONS = [
  '/api/v1/targets', '/api/v1/departments', '/api/v1/users', '/api/v1/auth/tokens', '/api/v1/audit', '/api/v1/alerts',
  '/api/v1/silences', '/api/v1/recipients', '/api/v1/notifications', '/api/v1/evaluations/latest', '/api/v1/evaluations/runs',
  '/api/v1/imports', '/api/v1/targets/EXACT-VALUES/figures', '/api/v1/targets/EXACT-VALUES/figures/2025Q1/revisions',
];

describe('one list style on every collection', () => {
  before(async () => {
    t = await startApp('api_lists');
    await createDepartment(t);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局', emails: [] });
    await createTarget(t, EXACT);
    await createTarget(t, { ...EXACT, code: 'EXACT-OTHER', name: '另一指标', department: 'SCI-TECH' });
    await t.http().put('/api/v1/targets/EXACT-VALUES/figures/2025Q1').send({ value: '1' }).expect(200);
    for (const [url, body] of [['/api/v1/silences', { target: 'EXACT-VALUES', until: '2099-12-31', reason: '测试' }],
      ['/api/v1/recipients', { email: 'lists@example.org', subscriber: true }], ['/api/v1/auth/tokens', { name: '脚本', password: ADMIN.password }]] as const) {
      const res = await t.http().post(url).send(body);
      assert.equal(res.status, 201, `${url}: ${res.text}`);
    }
  });
  after(() => t?.close());

  it('every collection answers { items, page, pageSize, total }, 100 a page unless asked', async () => {
    for (const url of COLLECTIONS) {
      const res = await t.http().get(url).expect(200);
      assert.deepEqual(Object.keys(res.body).sort(), ['items', 'page', 'pageSize', 'total'], url);
      assert.ok(Array.isArray(res.body.items), url);
      assert.deepEqual([res.body.page, res.body.pageSize], [1, 100], url);
      assert.equal(res.body.total, res.body.items.length, url);
      const beyond = await t.http().get(`${url}?page=2&pageSize=${Math.max(res.body.total, 1)}`).expect(200);
      assert.deepEqual([beyond.body.items, beyond.body.total, beyond.body.page], [[], res.body.total, 2], url);
    }
  });

  it('pages through a collection in order, the total unchanged', async () => {
    const all = (await t.http().get('/api/v1/departments').expect(200)).body;
    assert.deepEqual(all.items.map((d: { code: string }) => d.code), ['ECON-INFO', 'SCI-TECH']);
    const second = (await t.http().get('/api/v1/departments?pageSize=1&page=2').expect(200)).body;
    assert.deepEqual(second, { items: [all.items[1]], page: 2, pageSize: 1, total: 2 });
    const targets = (await t.http().get('/api/v1/targets?pageSize=1').expect(200)).body;
    assert.deepEqual([targets.items.map((x: { code: string }) => x.code), targets.total], [['EXACT-OTHER'], 2]);
  });

  it('validates page and pageSize alike everywhere (422 naming the parameter); limit is gone', async () => {
    for (const url of COLLECTIONS) {
      for (const [query, path] of [['pageSize=0', 'pageSize'], ['pageSize=501', 'pageSize'], ['page=0', 'page'], ['page=abc', 'page'],
        ['pageSize=2.5', 'pageSize'], ['page=1e300', 'page'], ['limit=10', 'limit']]) {
        const res = await t.http().get(`${url}?${query}`);
        assert.equal(res.status, 422, `${url}?${query}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.deepEqual([...new Set(res.body.errors.map((e: { path: string }) => e.path))], [path], `${url}?${query}`);
      }
      await t.http().get(`${url}?pageSize=500&page=1000000`).expect(200);
    }
  });

  it('sorts the latest evaluations by the dashboard\'s columns, - for descending', async () => {
    await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
    let codes: string[] = [];
    for (let i = 0; i < 100 && codes.length < 2; i++) {
      codes = (await t.http().get('/api/v1/evaluations/latest').expect(200)).body.items.map((e: { code: string }) => e.code);
      if (codes.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(codes, ['EXACT-OTHER', 'EXACT-VALUES']);
    const sorted = async (sort: string) => (await t.http().get(`/api/v1/evaluations/latest?sort=${sort}`).expect(200)).body.items
      .map((e: { code: string }) => e.code);
    assert.deepEqual(await sorted('-code'), ['EXACT-VALUES', 'EXACT-OTHER']);
    assert.deepEqual(await sorted('department'), ['EXACT-VALUES', 'EXACT-OTHER']); // ECON-INFO before SCI-TECH
    assert.deepEqual(await sorted('-latestValue'), ['EXACT-VALUES', 'EXACT-OTHER']); // a value before none (nulls last)
    assert.deepEqual(await sorted('latestValue'), ['EXACT-VALUES', 'EXACT-OTHER']);
    const bad = await t.http().get('/api/v1/evaluations/latest?sort=colour').expect(422);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path), ['sort']);
  });

  it('numbers each figure\'s revisions 1, 2, 3… whatever else is written in between', async () => {
    const url = '/api/v1/targets/EXACT-OTHER/figures/2025Q3';
    for (const [i, value] of ['10', '11', '12'].entries()) {
      const put = await t.http().put(url).send({ value, confirm: true }).expect(200);
      assert.equal(put.body.revision, i + 1);
      // another figure's revision between two of these takes the next row id
      await t.http().put(`/api/v1/targets/EXACT-VALUES/figures/2026Q${i + 1}`).send({ value, confirm: true }).expect(200);
    }
    const revisions = (await t.http().get(`${url}/revisions`).expect(200)).body.items as { id: number; revision: number; value: string }[];
    assert.deepEqual(revisions.map((r) => [r.revision, r.value]), [[1, '10'], [2, '11'], [3, '12']]);
    assert.ok(revisions[2].id - revisions[0].id >= 4, 'the row ids are global, with gaps');
    assert.equal((await t.http().get(url).expect(200)).body.revision, 3);
    const listed = (await t.http().get('/api/v1/targets/EXACT-OTHER/figures').expect(200)).body.items;
    assert.deepEqual(listed.map((f: { period: string; revision: number }) => [f.period, f.revision]), [['2025Q3', 3]]);
    // unchanged: no new revision, the same number
    assert.equal((await t.http().put(url).send({ value: '12' }).expect(200)).body.revision, 3);
    assert.equal((await t.http().get(`${url}/revisions?pageSize=2&page=2`).expect(200)).body.items[0].revision, 3);
  });
});
