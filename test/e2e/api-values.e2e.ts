// Issue 14, as a client developer reads the API: exact decimals out as they went in (strings, the text
// PostgreSQL stores and the CSV export writes; JSON numbers a double cannot hold refused, not rounded).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../support/app.js';
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
    assert.deepEqual(revisions.map((r: { value: string }) => r.value), ['2000.123456789012345']);
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
