// Figures as offices really type them (issue 12), through the API: one number grammar, units that refuse
// a % sign or a negative count, and plausibility warnings that need an explicit confirmation, which the
// revision records. Every refusal writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, snapshot } from '../support/factories.js';

const VEHICLES = { code: 'NEV-UNITS', name: '新能源汽车产量', unit: '万辆', kind: 'level', comparator: '>=', department: 'ECON-INFO',
  baseline: { period: '2024', value: 20 }, target: { period: '2027', value: 50 }, source: { document: null, quote: null, url: null } };
const COVERAGE = { ...VEHICLES, code: 'FIVEG-COVERAGE', name: '5G 覆盖率', unit: '%', baseline: { period: '2024', value: 60 }, target: { period: '2027', value: 95 } };

let t: TestApp;
const put = (code: string, period: string, body: object) => t.http().put(`/api/v1/targets/${code}/figures/${period}`).send(body);

describe('figure input (API)', () => {
  before(async () => {
    t = await startApp('figure_input');
    await createDepartment(t);
    await createTarget(t, VEHICLES);
    await createTarget(t, COVERAGE);
    await put('NEV-UNITS', '2025Q4', { value: 23 }).expect(200);
  });
  after(() => t?.close());

  // [typed, field message fragment]
  const REFUSED: [string, string][] = [
    ['23 318.5 86', '“23 318.5 86” 含有空格或换行'], ['12,34', '“12,34” 的千位分隔符须每三位一组'], ['2 0', '“2 0” 含有空格'],
    ['3e2', '“3e2” 是科学计数法'], ['-5', '数值 -5 为负数，但单位 万辆 是计数'], ['85%', '数值带 %，但指标单位是 万辆'],
  ];
  for (const [typed, fragment] of REFUSED) {
    it(`refuses ${JSON.stringify(typed)} on a 万辆 target, writing nothing`, async () => {
      const before = await snapshot(t);
      const res = await put('NEV-UNITS', '2026Q1', { value: typed }).expect(422);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      const error = res.body.errors.find((e: { path: string }) => e.path === 'value');
      assert.ok(error, JSON.stringify(res.body));
      assert.ok(error.message.includes(fragment), `${error.message} ∌ ${fragment}`);
      assert.deepEqual(await snapshot(t), before);
    });
  }

  it('takes full-width digits, grouped thousands and a % on a % target', async () => {
    assert.equal((await put('NEV-UNITS', '2026Q1', { value: '２４．５' }).expect(200)).body.value, '24.5');
    assert.equal((await put('NEV-UNITS', '2026Q2', { value: '2,5' }).expect(422)).body.errors[0].path, 'value');
    assert.equal((await put('FIVEG-COVERAGE', '2026Q1', { value: '85%' }).expect(200)).body.value, '85');
    assert.equal((await put('FIVEG-COVERAGE', '2026Q2', { value: '８６％' }).expect(200)).body.value, '86');
  });

  it('a value far from the previous period needs confirm: true, and the revision records it', async () => {
    const before = await snapshot(t);
    const refused = await put('NEV-UNITS', '2026Q2', { value: '318.5' }).expect(422);
    const warning = refused.body.errors.find((e: { code?: string }) => e.code === 'implausible');
    assert.ok(warning, JSON.stringify(refused.body));
    assert.equal(warning.path, 'value');
    assert.match(warning.message, /上期（2026年一季度：24\.5）的 13 倍/);
    assert.match(refused.body.detail, /确认/);
    assert.deepEqual(await snapshot(t), before);

    await put('NEV-UNITS', '2026Q2', { value: '318.5', confirm: true }).expect(200);
    const revisions = (await t.http().get('/api/v1/targets/NEV-UNITS/figures/2026Q2/revisions').expect(200)).body.items;
    assert.equal(revisions.length, 1);
    assert.match(revisions[0].confirmedWarning, /13 倍/);
    // A plausible value needs no confirmation and records none.
    await put('NEV-UNITS', '2026Q2', { value: '25', reason: '更正：误填' }).expect(200);
    const after = (await t.http().get('/api/v1/targets/NEV-UNITS/figures/2026Q2/revisions').expect(200)).body.items;
    assert.equal(after.at(-1).confirmedWarning, null);
  });

  it('a batch compares with the rows it writes itself and reports each unconfirmed warning', async () => {
    const before = await snapshot(t);
    const body = { figures: [
      { target: 'NEV-UNITS', period: '2027Q1', value: 26 },
      { target: 'NEV-UNITS', period: '2027Q2', value: 2600 },
    ] };
    const refused = await t.http().post('/api/v1/figures/batch').send(body).expect(422);
    // 100× the quarter before it in the same batch, and +10 300% on 2026Q2 as stored
    assert.deepEqual(refused.body.errors.map((e: { path: string; code?: string }) => [e.path, e.code]),
      [['figures[1].value', 'implausible'], ['figures[1].value', 'implausible']]);
    assert.match(refused.body.errors[0].message, /上期（2027年一季度：26）的 100 倍/);
    assert.match(refused.body.errors[1].message, /同比 \+10300%/);
    assert.deepEqual(await snapshot(t), before);
    body.figures[1] = { ...body.figures[1], confirm: true } as never;
    assert.equal((await t.http().post('/api/v1/figures/batch').send(body).expect(200)).body.written, 2);
  });
});
