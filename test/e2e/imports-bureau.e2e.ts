import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';
import { auditMark, auditSince } from '../support/state.js';

/**
 * Imports of the statistics bureau's sheets through the API: targets by 指标名称 or an alias, periods as
 * the bureau words them, units read and converted, old → new per row, and the valid rows written while
 * the bad ones are skipped (skipInvalid) — on the real app, PostgreSQL and Redis.
 */

let t: TestApp;
type Agent = ReturnType<TestApp['http']>;
const upload = (agent: Agent, fileName: string, text: string, query = '') =>
  agent.post(`/api/v1/imports${query}`).attach('file', Buffer.from(text, 'utf8'), fileName);
const lines = (...rows: string[]) => rows.join('\r\n') + '\r\n';

interface Row {
  row: number; target: string | null; name: string | null; period: string | null; periodText: string | null; value: string | null;
  basis: string | null; unit: string | null; targetName: string | null; targetUnit: string | null; previous: string | null;
  conversion?: { value: string; unit: string }; errors: { field: string; message: string }[];
}
const rowsOf = (res: Response): Row[] => res.body.rows;
const byRow = (res: Response, row: number): Row => rowsOf(res).find((r) => r.row === row)!;
/** `{row: ['field: message start']}` of the rows with errors. */
const problems = (res: Response) => Object.fromEntries(rowsOf(res).filter((r) => r.errors.length)
  .map((r) => [r.row, r.errors.map((e) => `${e.field}: ${e.message.split(' (')[0]}`)]));

async function figure(code: string, period: string): Promise<{ value: string; basis: string } | undefined> {
  const { rows } = await t.db.query(
    `SELECT f.value::text, f.basis FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1 AND f.period = $2`, [code, period]);
  return rows[0];
}

const figureCount = async () => (await t.db.query(`SELECT count(*)::int AS n FROM figure_revisions`)).rows[0].n as number;

before(async () => {
  t = await startApp('imports_bureau');
  await createDepartment(t);
  await createTarget(t); // DT-ENTERPRISES 数字化改造企业数: level, quarterly, 家
  await createTarget(t, { ...FLOW_TARGET }); // NEV-OUTPUT 智能网联新能源汽车年产值: flow, quarterly, 亿元
  await createTarget(t, { code: 'EV-STOCK', name: '新能源汽车保有量', unit: '万辆', frequency: 'monthly',
    baseline: { period: '2023', value: 5 }, target: { period: '2027', value: 20 } });
  await createTarget(t, { code: 'RD-RATIO', name: '研发投入强度', unit: '%', frequency: 'yearly',
    baseline: { period: '2023', value: 1.5 }, target: { period: '2027', value: 3 } });
  for (const code of ['CAR-A', 'CAR-B']) {
    await createTarget(t, { code, name: `汽车产值${code}`, unit: '亿元', aliases: ['汽车产值'] });
  }
});
after(() => t.close());

describe('targets by 指标名称 or an alias', () => {
  it('the target API keeps aliases (create, patch, read)', async () => {
    const patched = await t.http().patch('/api/v1/targets/NEV-OUTPUT')
      .send({ aliases: ['新能源汽车产值', '智能网联新能源汽车产值（亿元）'] }).expect(200);
    assert.deepEqual(patched.body.aliases, ['新能源汽车产值', '智能网联新能源汽车产值（亿元）']);
    assert.deepEqual((await t.http().get('/api/v1/targets/NEV-OUTPUT').expect(200)).body.aliases, ['新能源汽车产值', '智能网联新能源汽车产值（亿元）']);
    assert.deepEqual((await t.http().get('/api/v1/targets/CAR-A').expect(200)).body.aliases, ['汽车产值']);
    assert.deepEqual((await t.http().get('/api/v1/targets/DT-ENTERPRISES').expect(200)).body.aliases, []);
    const bad = await t.http().patch('/api/v1/targets/NEV-OUTPUT').send({ aliases: ['x'.repeat(201)] });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path), ['aliases[0]']);
  });

  it('matches names loosely (NFKC, whitespace, full-width brackets) and refuses unknown or ambiguous names, quoting them', async () => {
    const before = await figureCount();
    const res = await upload(t.http(), '统计局.csv', lines(
      '指标名称,期间,数值',
      '数字化改造企业数,2025Q1,210',
      ' 数字化改造 企业数 ,2025Q2,220',
      '新能源汽车产值,2025Q1,400',
      '智能网联新能源汽车产值(亿元),2025Q2,800',
      '汽车产值,2025Q1,1',
      '不存在的指标,2025Q1,1',
    )).expect(201);
    assert.deepEqual(rowsOf(res).map((r) => [r.row, r.target, r.targetName]), [
      [2, 'DT-ENTERPRISES', '数字化改造企业数'], [3, 'DT-ENTERPRISES', '数字化改造企业数'],
      [4, 'NEV-OUTPUT', '智能网联新能源汽车年产值'], [5, 'NEV-OUTPUT', '智能网联新能源汽车年产值'],
      [6, null, null], [7, null, null],
    ]);
    assert.deepEqual(problems(res), {
      6: ['name: 名称「汽车产值」对应多个指标（CAR-A、CAR-B），请填写指标代码'],
      7: ['name: 未找到名称或别名为「不存在的指标」的指标，请填写指标代码或在指标设置中添加别名'],
    });
    assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['rows[6].name', 'rows[7].name']);
    assert.deepEqual([res.body.status, res.body.valid, res.body.invalid], ['rejected', 4, 2]);
    assert.equal(await figureCount(), before);
  });
});

describe('periods as the bureau words them', () => {
  it('resolves each wording against the target’s frequency, refusing misfits and basis conflicts', async () => {
    const res = await upload(t.http(), '期间.csv', lines(
      '指标代码,期间,数值,口径',
      'NEV-OUTPUT,2025年1—9月,1500,', // 2
      'NEV-OUTPUT,2025年上半年,900,', // 3
      'NEV-OUTPUT,2025年1-9月,1500,当期', // 4: conflict
      'NEV-OUTPUT,2025年9月,1,', // 5: a month for a quarterly target
      'DT-ENTERPRISES,2025年第三季度,260,', // 6
      'DT-ENTERPRISES,2025年全年,300,', // 7
      'EV-STOCK,2025年8月,12,', // 8
      'EV-STOCK,2025年1～9月,12.5,', // 9
      'RD-RATIO,2025年全年,2.1,', // 10
      'RD-RATIO,2025年三季度,2,', // 11: a quarter for a yearly target
      'NEV-OUTPUT,2024年7-9月,600,当期', // 12: the quarter's own figure
      'NO-SUCH,2025年三季度,1,', // 13: unknown target, the wording unresolved
    )).expect(201);
    assert.deepEqual(rowsOf(res).filter((r) => !r.errors.length).map((r) => [r.row, r.target, r.period, r.basis]), [
      [2, 'NEV-OUTPUT', '2025Q3', 'ytd'], [3, 'NEV-OUTPUT', '2025Q2', 'ytd'], [6, 'DT-ENTERPRISES', '2025Q3', null],
      [7, 'DT-ENTERPRISES', '2025Q4', 'ytd'], [8, 'EV-STOCK', '2025-08', null], [9, 'EV-STOCK', '2025-09', 'ytd'],
      [10, 'RD-RATIO', '2025', null], [12, 'NEV-OUTPUT', '2024Q3', 'period'],
    ]);
    assert.equal(byRow(res, 2).periodText, '2025年1—9月');
    assert.deepEqual(problems(res), {
      4: ['basis: 期间「2025年1-9月」是累计数（自1月起），与口径「当期」冲突'],
      5: ['period: 期间「2025年9月」与指标的报送频率（季度）不符，请按指标频率填写期间'],
      11: ['period: 期间「2025年三季度」与指标的报送频率（年度）不符'],
      13: ['target: 指标 NO-SUCH 不存在或已归档'],
    });
    assert.equal(byRow(res, 13).period, null);
  });
});

describe('units', () => {
  it('reads 单位：… above the header and a 单位 column, converts exactly and refuses other units', async () => {
    const res = await upload(t.http(), '单位.csv', lines(
      '2024年主要经济指标',
      '单位：万元',
      '指标代码,期间,数值,单位',
      'NEV-OUTPUT,2024Q4,"12,000",', // 4: 万元 from the line above → 1.2 亿元
      'NEV-OUTPUT,2024Q3,3,万吨', // 5
      'EV-STOCK,2024-12,86000,辆', // 6
      'RD-RATIO,2024,21,‰', // 7
      'DT-ENTERPRISES,2024Q3,250,家', // 8
      'DT-ENTERPRISES,2024Q2,240,', // 9: 万元 for 家
    )).expect(201);
    assert.deepEqual(rowsOf(res).map((r) => [r.row, r.value, r.unit, r.targetUnit, r.conversion ?? null]), [
      [4, '1.2', '万元', '亿元', { value: '12000', unit: '万元' }],
      [5, '3', '万吨', '亿元', null],
      [6, '8.6', '辆', '万辆', { value: '86000', unit: '辆' }],
      [7, '2.1', '‰', '%', { value: '21', unit: '‰' }],
      [8, '250', '家', '家', null],
      [9, '240', '万元', '家', null],
    ]);
    assert.deepEqual(problems(res), {
      5: ['unit: 单位 万吨 与指标单位 亿元 不符'],
      9: ['unit: 单位 万元 与指标单位 家 不符'],
    });
    const applied = await t.http().post(`/api/v1/imports/${res.body.id}/apply?skipInvalid=true`).expect(200);
    assert.deepEqual(applied.body.result.skipped.map((s: { row: number }) => s.row), [5, 9]);
    assert.deepEqual(await figure('NEV-OUTPUT', '2024Q4'), { value: '1.2', basis: 'ytd' });
    assert.deepEqual(await figure('EV-STOCK', '2024-12'), { value: '8.6', basis: 'ytd' });
    assert.deepEqual(await figure('RD-RATIO', '2024'), { value: '2.1', basis: 'ytd' });
    assert.equal(await figure('NEV-OUTPUT', '2024Q3'), undefined);
  });
});

describe('old → new and skipping bad rows', () => {
  it('shows each row’s current figure (null: new)', async () => {
    await upload(t.http(), 'first.csv', lines('指标代码,期间,数值', 'DT-ENTERPRISES,2025Q1,210'), '?apply=true').expect(201);
    const res = await upload(t.http(), 'second.csv', lines('指标代码,期间,数值', 'DT-ENTERPRISES,2025Q1,215', 'DT-ENTERPRISES,2025Q2,230')).expect(201);
    assert.deepEqual(rowsOf(res).map((r) => [r.row, r.previous, r.value]), [[2, '210', '215'], [3, null, '230']]);
  });

  const mixed = lines(
    '指标代码,期间,数值,备注',
    'DT-ENTERPRISES,2026Q1,300,ok', // 2
    'DT-ENTERPRISES,2026Q2,约三百,', // 3: value
    'NO-SUCH,2026Q1,1,', // 4: target
    'NEV-OUTPUT,2026Q1,500,ok', // 5
  );

  it('writes nothing without skipInvalid; with it, writes the valid rows and lists the skipped ones in the result and the audit row', async () => {
    const res = await upload(t.http(), 'mixed.csv', mixed).expect(201);
    assert.deepEqual([res.body.status, res.body.valid, res.body.invalid], ['rejected', 2, 2]);
    const before = await figureCount();
    const refused = await t.http().post(`/api/v1/imports/${res.body.id}/apply`);
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.body.detail, /skipInvalid=true/);
    assert.equal(await figureCount(), before);

    const mark = await auditMark(t);
    const applied = await t.http().post(`/api/v1/imports/${res.body.id}/apply?skipInvalid=true`).expect(200);
    assert.equal(applied.body.status, 'applied');
    const skipped = [
      { row: 3, errors: [{ field: 'value', message: res.body.rows[1].errors[0].message }] },
      { row: 4, errors: [{ field: 'target', message: res.body.rows[2].errors[0].message }] },
    ];
    assert.deepEqual(applied.body.result, { received: 2, written: 2, unchanged: 0, skipped });
    assert.deepEqual((await t.http().get(`/api/v1/imports/${res.body.id}`).expect(200)).body, applied.body);
    assert.equal((await figure('DT-ENTERPRISES', '2026Q1'))?.value, '300');
    assert.equal((await figure('NEV-OUTPUT', '2026Q1'))?.value, '500');
    assert.equal(await figure('DT-ENTERPRISES', '2026Q2'), undefined);
    const audit = await auditSince(t, mark);
    assert.deepEqual(audit.map((a) => a.action), ['figures.import']);
    assert.deepEqual((audit[0].after as { skipped: unknown }).skipped, skipped);
    const again = await t.http().post(`/api/v1/imports/${res.body.id}/apply?skipInvalid=true`);
    assert.equal(again.status, 409, again.text);
  });

  it('applies the valid rows at upload with ?apply=true&skipInvalid=true', async () => {
    const res = await upload(t.http(), 'mixed.csv', mixed.replaceAll('2026Q1', '2026Q3'), '?apply=true&skipInvalid=true').expect(201);
    assert.deepEqual([res.body.status, res.body.result.written, res.body.result.skipped.map((s: { row: number }) => s.row)], ['applied', 2, [3, 4]]);
  });

  it('cannot apply a file without a valid row, and refuses a bad flag', async () => {
    const res = await upload(t.http(), 'bad.csv', lines('指标代码,期间,数值', 'NO-SUCH,2025Q1,1', 'DT-ENTERPRISES,2025Q1,abc')).expect(201);
    const before = await figureCount();
    const refused = await t.http().post(`/api/v1/imports/${res.body.id}/apply?skipInvalid=true`);
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.body.detail, /没有有效行/);
    assert.equal((await t.http().get(`/api/v1/imports/${res.body.id}`).expect(200)).body.status, 'rejected');
    const flag = await t.http().post(`/api/v1/imports/${res.body.id}/apply?skipInvalid=maybe`);
    assert.equal(flag.status, 422, flag.text);
    assert.deepEqual(flag.body.errors.map((e: { path: string }) => e.path), ['skipInvalid']);
    assert.equal(await figureCount(), before);
  });
});

describe('plausibility warnings', () => {
  it('shows a warning per row without rejecting the import, and applies such rows only when confirmed', async () => {
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2027Q1').send({ value: 300 }).expect(200);
    const res = await upload(t.http(), 'warned.csv', lines('指标代码,期间,数值', 'DT-ENTERPRISES,2027Q2,3000', 'NEV-OUTPUT,2028Q1,10')).expect(201);
    assert.deepEqual([res.body.status, res.body.valid, res.body.invalid, res.body.errors], ['preview', 2, 0, []]);
    const warnings = (row: number) => (byRow(res, row) as Row & { warnings?: { field: string; message: string }[] }).warnings ?? [];
    assert.deepEqual(warnings(2).map((w) => w.field), ['value']);
    assert.match(warnings(2)[0].message, /是上期.*的 10 倍/);
    assert.deepEqual(warnings(3), []);

    const before = await figureCount();
    const refused = await t.http().post(`/api/v1/imports/${res.body.id}/apply`);
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.body.detail, /confirmWarnings=true/);
    assert.deepEqual(refused.body.errors.map((e: { path: string; code?: string }) => [e.path, e.code]), [['rows[2].value', 'implausible']]);
    assert.equal(await figureCount(), before);

    const applied = await t.http().post(`/api/v1/imports/${res.body.id}/apply?confirmWarnings=true`).expect(200);
    assert.deepEqual(applied.body.result, { received: 2, written: 2, unchanged: 0 });
    const { rows } = await t.db.query(
      `SELECT r.confirmed_warning FROM figure_revisions r JOIN targets t ON t.id = r.target_id
        WHERE t.code = $1 AND r.period = $2 ORDER BY r.id DESC LIMIT 1`, ['DT-ENTERPRISES', '2027Q2']);
    assert.match(rows[0].confirmed_warning, /是上期.*的 10 倍/);
  });
});
