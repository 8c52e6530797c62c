import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';
import { auditMark, auditSince } from '../support/state.js';
import { STATUS_FILLS, statusColour } from '../../src/spreadsheets/export.js';
import { parseFigureSheet } from '../../src/spreadsheets/parse.js';

/**
 * Spreadsheet import (upload → preview → apply) and exports, through the real app on PostgreSQL and
 * Redis: encodings, row errors, all-or-nothing, idempotence, permissions, bad uploads, and the files
 * read back with exceljs.
 */

let t: TestApp;
const ECON = { email: 'econ-importer@example.org', password: 'Econ-import-2025', role: 'department', department: 'ECON-INFO' };
const VIEWER = { email: 'viewer-importer@example.org', password: 'Viewer-import-2025', role: 'viewer', department: null };
let econToken: string;
let viewerToken: string;

const HEADER = '指标代码,期间,数值,口径,备注';
const csvText = (...rows: string[]) => [HEADER, ...rows].join('\r\n') + '\r\n';

type Agent = ReturnType<TestApp['http']>;
const upload = (agent: Agent, fileName: string, body: Buffer | string, query = '') =>
  agent.post(`/api/v1/imports${query}`).attach('file', typeof body === 'string' ? Buffer.from(body, 'utf8') : body, fileName);

/** Every figure and revision, as counts and hashes: equal before and after means no figure was written. */
async function figureState(): Promise<Record<string, unknown>> {
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM figures)::int AS figures,
           (SELECT md5(string_agg(f::text, ',' ORDER BY target_id, period)) FROM figures f) AS figures_hash,
           (SELECT count(*) FROM figure_revisions)::int AS revisions,
           (SELECT md5(string_agg(r::text, ',' ORDER BY id)) FROM figure_revisions r) AS revisions_hash`);
  return rows[0];
}

async function figure(code: string, period: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await t.db.query(
    `SELECT f.value::text, f.basis, f.status, f.note, f.source FROM figures f JOIN targets t ON t.id = f.target_id
      WHERE t.code = $1 AND f.period = $2`, [code, period]);
  return rows[0];
}

function assertProblem(res: Response, status: number, paths: string[]): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), paths, res.text);
  assert.equal(res.body.status, status);
}

/** `{row: [fields with errors]}` of a preview. */
const rowErrors = (body: { rows: { row: number; errors: { field: string }[] }[] }) =>
  Object.fromEntries(body.rows.filter((r) => r.errors.length).map((r) => [r.row, r.errors.map((e) => e.field)]));

async function xlsxOf(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('实际值');
  rows.forEach((r) => sheet.addRow(r));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function readXlsx(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

/** A supertest parser keeping a binary download as a Buffer. */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

before(async () => {
  t = await startApp('imports');
  await createDepartment(t);
  await createDepartment(t, { code: 'SCI-TECH', name: '区科技局' });
  await createTarget(t); // DT-ENTERPRISES: level, quarterly, ECON-INFO
  await createTarget(t, { ...FLOW_TARGET }); // NEV-OUTPUT: flow, quarterly, ECON-INFO
  await createTarget(t, { code: 'TECH-ENTERPRISES', name: '科技型企业数', department: 'SCI-TECH',
    baseline: { period: '2023', value: 2782 }, target: { period: '2027', value: 5564 } });
  await createTarget(t, { code: 'OLD-TARGET', name: '已归档指标' });
  await t.http().delete('/api/v1/targets/OLD-TARGET').expect(204);
  for (const user of [ECON, VIEWER]) await t.http().post('/api/v1/users').send(user).expect(201);
  econToken = await t.login(ECON.email, ECON.password);
  viewerToken = await t.login(VIEWER.email, VIEWER.password);
});
after(() => t.close());

describe('import template', () => {
  for (const format of ['xlsx', 'csv'] as const) {
    it(`downloads template.${format}, which the import parser reads back`, async () => {
      const res = await t.as(viewerToken).get(`/api/v1/imports/template.${format}`).buffer(true).parse(binary).expect(200);
      assert.match(String(res.headers['content-type']), format === 'xlsx' ? /spreadsheetml/ : /^text\/csv/);
      const disposition = String(res.headers['content-disposition']);
      assert.match(disposition, /^attachment; filename="[^"]+"; filename\*=UTF-8''/);
      assert.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]), `实际值导入模板.${format}`);
      const parsed = await parseFigureSheet(res.body as Buffer, `template.${format}`);
      assert.deepEqual(parsed.rows.map((r) => [r.target, r.period, r.value, r.basis, r.errors.length]),
        [['EXAMPLE-CODE', '2025Q3', '1234.5', 'ytd', 0]]);
    });
  }

  it('an untouched template previews with its example row marked unknown', async () => {
    const template = await t.http().get('/api/v1/imports/template.xlsx').buffer(true).parse(binary).expect(200);
    const res = await upload(t.http(), '模板.xlsx', template.body as Buffer).expect(201);
    assert.equal(res.body.status, 'rejected');
    assert.deepEqual(rowErrors(res.body), { 3: ['target'] });
    assert.match(res.body.rows[0].errors[0].message, /EXAMPLE-CODE 不存在或已归档/);
  });
});

describe('upload, preview and apply', () => {
  const file = csvText('DT-ENTERPRISES,2024Q4,260,,快报', 'NEV-OUTPUT,2025Q1,380,当期,一季度');
  let importId: string;

  it('previews a UTF-8 CSV without writing any figure', async () => {
    const before = await figureState();
    const res = await upload(t.http(), '一季度.csv', file).expect(201);
    assert.deepEqual(
      { fileName: res.body.fileName, status: res.body.status, valid: res.body.valid, invalid: res.body.invalid, errors: res.body.errors },
      { fileName: '一季度.csv', status: 'preview', valid: 2, invalid: 0, errors: [] },
    );
    const shown = { name: null, unit: null, periodText: null, previous: null };
    assert.deepEqual(res.body.rows, [
      { row: 2, target: 'DT-ENTERPRISES', period: '2024Q4', value: '260', basis: null, note: '快报', errors: [],
        ...shown, targetName: '数字化改造企业数', targetUnit: '家' },
      { row: 3, target: 'NEV-OUTPUT', period: '2025Q1', value: '380', basis: 'period', note: '一季度', errors: [],
        ...shown, targetName: '智能网联新能源汽车年产值', targetUnit: '亿元' },
    ]);
    assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(await figureState(), before);
    importId = res.body.id;
    const read = await t.http().get(`/api/v1/imports/${importId}`).expect(200);
    assert.deepEqual(read.body, res.body);
  });

  it('applies it: figures written with note and source, audited once', async () => {
    const mark = await auditMark(t);
    const res = await t.http().post(`/api/v1/imports/${importId}/apply`).expect(200);
    assert.equal(res.body.status, 'applied');
    assert.deepEqual(res.body.result, { received: 2, written: 2, unchanged: 0 });
    assert.ok(res.body.appliedAt);
    // the apply answers with the import as it is now read back, rows included
    assert.deepEqual((await t.http().get(`/api/v1/imports/${importId}`).expect(200)).body, res.body);
    assert.deepEqual(res.body.rows.map((r: { row: number }) => r.row), [2, 3]);
    assert.deepEqual(await figure('DT-ENTERPRISES', '2024Q4'),
      { value: '260', basis: 'ytd', status: 'final', note: '快报', source: '导入: 一季度.csv' });
    assert.deepEqual(await figure('NEV-OUTPUT', '2025Q1'),
      { value: '380', basis: 'period', status: 'final', note: '一季度', source: '导入: 一季度.csv' });
    const audit = await auditSince(t, mark);
    assert.deepEqual(audit.map((a) => [a.action, a.entity, a.entity_id]), [['figures.import', 'import', importId]]);
    const after = audit[0].after as Record<string, unknown>;
    assert.deepEqual([after.fileName, after.sha256, after.received, after.written, after.unchanged],
      ['一季度.csv', res.body.sha256, 2, 2, 0]);
  });

  it('refuses to apply the same import twice (409) and writes nothing', async () => {
    const before = await figureState();
    const res = await t.http().post(`/api/v1/imports/${importId}/apply`);
    assertProblem(res, 409, ['id']);
    assert.match(res.body.detail, /已.*应用，不能重复应用/);
    assert.deepEqual(await figureState(), before);
  });

  it('imports the same file again as written 0, unchanged 2, adding no revision', async () => {
    const before = await figureState();
    const res = await upload(t.http(), '一季度.csv', file, '?apply=true').expect(201);
    assert.deepEqual([res.body.status, res.body.result], ['applied', { received: 2, written: 0, unchanged: 2 }]);
    assert.deepEqual(await figureState(), before);
  });

  it('reads UTF-8 with BOM, GBK and xlsx files alike (Chinese file names kept)', async () => {
    const bom = Buffer.from('\uFEFF' + csvText('DT-ENTERPRISES,2025Q1,275,,BOM'), 'utf8');
    const gbk = readFileSync(new URL('../fixtures/imports/figures-gbk.csv', import.meta.url));
    const xlsx = await xlsxOf([['Code', 'Period', 'Value', 'Basis', 'Note'], ['TECH-ENTERPRISES', '2024Q4', 3390, null, 'xlsx 导入']]);
    const cases = [
      { name: 'bom.csv', body: bom, expect: [['DT-ENTERPRISES', '2025Q1', { value: '275', basis: 'ytd', status: 'final', note: 'BOM', source: '导入: bom.csv' }]] },
      {
        name: '经信委-GBK.csv', body: gbk, expect: [
          ['NEV-OUTPUT', '2025Q1', { value: '380', basis: 'period', status: 'final', note: '一季度快报', source: '导入: 经信委-GBK.csv' }],
          ['NEV-OUTPUT', '2025Q2', { value: '1234.5', basis: 'ytd', status: 'final', note: '上半年累计', source: '导入: 经信委-GBK.csv' }],
        ],
      },
      { name: '科技局.xlsx', body: xlsx, expect: [['TECH-ENTERPRISES', '2024Q4', { value: '3390', basis: 'ytd', status: 'final', note: 'xlsx 导入', source: '导入: 科技局.xlsx' }]] },
    ] as const;
    for (const c of cases) {
      const res = await upload(t.http(), c.name, c.body, '?apply=true').expect(201);
      assert.equal(res.body.fileName, c.name);
      assert.deepEqual(res.body.result, { received: c.expect.length, written: c.expect.length, unchanged: 0 }, c.name);
      for (const [code, period, expected] of c.expect) assert.deepEqual(await figure(code, period), expected, `${c.name} ${code} ${period}`);
    }
  });
});

describe('a file with bad rows', () => {
  const bad = csvText(
    'DT-ENTERPRISES,2025Q2,290,,ok', // row 2: fine
    'DT-ENTERPRISES,2025H2,300,,', // row 3: second half-year
    'NEV-OUTPUT,2025Q2,约九百,,', // row 4: text value
    'NO-SUCH,2025Q2,1,,', // row 5: unknown
    'OLD-TARGET,2025Q2,1,,', // row 6: archived
    'DT-ENTERPRISES,2025Q3,1,当期,', // row 7: level target with basis period
    'DT-ENTERPRISES,2025Q2,291,,', // row 8: duplicate of row 2
    'NEV-OUTPUT,2025-07,1,,', // row 9: month for a quarterly target
    'NEV-OUTPUT,2025Q3,2,每月,', // row 10: unknown basis
  );
  const expected = { 3: ['period'], 4: ['value'], 5: ['target'], 6: ['target'], 7: ['basis'], 8: ['period'], 9: ['period'], 10: ['basis'] };
  let importId: string;

  it('previews every row with its reason, and writes no figure', async () => {
    const before = await figureState();
    const res = await upload(t.http(), 'bad.csv', bad).expect(201);
    assert.equal(res.body.status, 'rejected');
    assert.deepEqual([res.body.valid, res.body.invalid], [1, 8]);
    assert.deepEqual(rowErrors(res.body), expected);
    const message = (row: number) => res.body.rows.find((r: { row: number }) => r.row === row).errors[0].message as string;
    assert.match(message(3), /下半年.*既不是从1月起的累计，也不是单个季度/);
    assert.match(message(4), /“约九百” 不是数值/);
    assert.match(message(5), /NO-SUCH 不存在或已归档/);
    assert.match(message(6), /OLD-TARGET 不存在或已归档/);
    assert.match(message(7), /口径须为 ytd/);
    assert.match(message(8), /与第 2 行重复/);
    assert.match(message(9), /与指标的报送频率 quarterly 不符/);
    assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path),
      ['rows[3].period', 'rows[4].value', 'rows[5].target', 'rows[6].target', 'rows[7].basis', 'rows[8].period', 'rows[9].period', 'rows[10].basis']);
    assert.deepEqual(await figureState(), before);
    importId = res.body.id;
    // read back: the same rows, errors and counts (valid 1, invalid 8)
    assert.deepEqual((await t.http().get(`/api/v1/imports/${importId}`).expect(200)).body, res.body);
    const listed = (await t.http().get('/api/v1/imports?pageSize=100').expect(200)).body.items.find((i: { id: string }) => i.id === importId);
    assert.deepEqual([listed.valid, listed.invalid, listed.rows], [1, 8, undefined]);
  });

  it('refuses to apply it (422 naming the rows) and writes nothing', async () => {
    const before = await figureState();
    const res = await t.http().post(`/api/v1/imports/${importId}/apply`);
    assertProblem(res, 422, ['rows[3].period', 'rows[4].value', 'rows[5].target', 'rows[6].target', 'rows[7].basis', 'rows[8].period', 'rows[9].period', 'rows[10].basis']);
    assert.deepEqual(await figureState(), before);
  });

  it('refuses ?apply=true at once with the same errors, writing nothing', async () => {
    const before = await figureState();
    const res = await upload(t.http(), 'bad.csv', bad, '?apply=true');
    assertProblem(res, 422, Object.entries(expected).map(([row, [field]]) => `rows[${row}].${field}`));
    assert.deepEqual(await figureState(), before);
  });

  it('applies the fixed file', async () => {
    const fixed = csvText('DT-ENTERPRISES,2025Q2,290,,ok', 'NEV-OUTPUT,2025Q2,"1,300",累计,');
    const res = await upload(t.http(), 'fixed.csv', fixed, '?apply=true').expect(201);
    assert.deepEqual(res.body.result, { received: 2, written: 2, unchanged: 0 });
    assert.equal((await figure('DT-ENTERPRISES', '2025Q2'))?.value, '290');
    assert.equal((await figure('NEV-OUTPUT', '2025Q2'))?.value, '1300');
  });
});

describe('permissions', () => {
  it("a department user's row of another department's target is an error, and nothing is written", async () => {
    const before = await figureState();
    const file = csvText('DT-ENTERPRISES,2025Q3,300,,经信委', 'TECH-ENTERPRISES,2025Q1,3500,,不是我的');
    const preview = await upload(t.as(econToken), 'mixed.csv', file).expect(201);
    assert.deepEqual(rowErrors(preview.body), { 3: ['target'] });
    assert.match(preview.body.rows[1].errors[0].message, /无权填报指标 TECH-ENTERPRISES/);
    assertProblem(await t.as(econToken).post(`/api/v1/imports/${preview.body.id}/apply`), 422, ['rows[3].target']);
    assertProblem(await upload(t.as(econToken), 'mixed.csv', file, '?apply=true'), 422, ['rows[3].target']);
    assert.deepEqual(await figureState(), before);
  });

  it('a department user imports its own targets', async () => {
    const res = await upload(t.as(econToken), 'own.csv', csvText('DT-ENTERPRISES,2025Q3,300,,经信委'), '?apply=true').expect(201);
    assert.deepEqual(res.body.result, { received: 1, written: 1, unchanged: 0 });
  });

  it("a viewer may not import; a department user does not see others' imports", async () => {
    const before = await figureState();
    assertProblem(await upload(t.as(viewerToken), 'v.csv', csvText('DT-ENTERPRISES,2025Q4,1,,')), 403, []);
    const admins = await upload(t.http(), 'admin.csv', csvText('DT-ENTERPRISES,2025Q4,310,,')).expect(201);
    assertProblem(await t.as(econToken).get(`/api/v1/imports/${admins.body.id}`), 404, ['id']);
    assertProblem(await t.as(econToken).post(`/api/v1/imports/${admins.body.id}/apply`), 404, ['id']);
    const list = await t.as(econToken).get('/api/v1/imports').expect(200);
    assert.ok(list.body.total > 0);
    assert.ok(list.body.items.every((i: { createdBy: string }) => i.createdBy === ECON.email));
    assert.deepEqual(await figureState(), before);
    await t.anonymous().get('/api/v1/exports/figures.csv').expect(401);
  });
});

describe('bad uploads', () => {
  const cases: { name: string; send: () => ReturnType<Agent['post']>; status: number; message: RegExp }[] = [
    {
      name: 'no file', status: 422, message: /缺少上传的文件/,
      send: () => t.http().post('/api/v1/imports').field('note', 'x'),
    },
    {
      name: 'a file under another field name', status: 422, message: /文件字段应名为 file/,
      send: () => t.http().post('/api/v1/imports').attach('upload', Buffer.from(csvText('A1,2025,1,,')), 'x.csv'),
    },
    { name: 'a .txt file', status: 422, message: /只接受 \.xlsx 或 \.csv/, send: () => upload(t.http(), 'figures.txt', csvText('A1,2025,1,,')) },
    { name: 'a corrupt xlsx', status: 422, message: /无法读取 Excel 文件/, send: () => upload(t.http(), 'x.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(300, 7)])) },
    { name: 'an empty file', status: 422, message: /文件为空/, send: () => upload(t.http(), 'x.csv', Buffer.alloc(0)) },
    { name: 'a header only', status: 422, message: /没有数据行/, send: () => upload(t.http(), 'x.csv', csvText()) },
    { name: 'no header', status: 422, message: /未找到表头/, send: () => upload(t.http(), 'x.csv', 'A1,2025,1\r\n') },
    { name: 'a missing value column', status: 422, message: /缺少必需的列：数值/, send: () => upload(t.http(), 'x.csv', '指标代码,期间\r\nA1,2025\r\n') },
    {
      name: 'a JSON body', status: 415, message: /multipart\/form-data/,
      send: () => t.http().post('/api/v1/imports').send({ file: 'DT-ENTERPRISES,2025Q1,1' }),
    },
    {
      name: 'a malformed multipart body', status: 400, message: /multipart/,
      send: () => t.http().post('/api/v1/imports').set('content-type', 'multipart/form-data; boundary=xyz').send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nabc'),
    },
    {
      name: 'a file over the upload limit', status: 413, message: /文件超过上传大小上限/,
      send: () => upload(t.http(), 'big.csv', Buffer.alloc(21 * 1024 * 1024, 0x31)),
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} problem naming the file`, async () => {
      const before = await figureState();
      const res = await c.send();
      assertProblem(res, c.status, ['file']);
      assert.match(res.body.errors[0].message, c.message);
      assert.deepEqual(await figureState(), before);
    });
  }

  it('bad ids and query flags are 4xx, not 500', async () => {
    assertProblem(await t.http().get('/api/v1/imports/not-a-uuid'), 404, ['id']);
    assertProblem(await t.http().post('/api/v1/imports/00000000-0000-4000-8000-000000000000/apply'), 404, ['id']);
    assertProblem(await upload(t.http(), 'x.csv', csvText('DT-ENTERPRISES,2025Q1,1,,'), '?apply=maybe'), 422, ['apply']);
    assertProblem(await t.http().get('/api/v1/exports/figures.csv?from=2025H1'), 422, ['from']);
    assertProblem(await t.http().get('/api/v1/exports/figures.csv?from=2025Q3&to=2025Q1'), 422, ['to']);
    assertProblem(await t.http().get('/api/v1/exports/status.xlsx?department=NOPE'), 404, ['department']);
  });
});

describe('exports', () => {
  /** Yearly targets 100 (2020) → 200 (2030) with last year's figure at pace ρ: red, amber and green whatever today is. */
  const PACED = { 'PACE-RED': 0.5, 'PACE-AMBER': 0.9, 'PACE-GREEN': 1 } as const;
  before(async () => {
    await t.http().put('/api/v1/targets/TECH-ENTERPRISES/figures/2025Q1').send({ value: 3500, note: '=cmd|\' /C calc\'!A0' }).expect(200);
    const lastYear = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) - 1;
    const elapsed = (lastYear + 1 - 2021) / 10;
    for (const [code, pace] of Object.entries(PACED)) {
      await createTarget(t, { code, name: `配速 ${code}`, department: 'SCI-TECH', frequency: 'yearly', graceDays: 0,
        baseline: { period: '2020', value: 100 }, target: { period: '2030', value: 200 } });
      await t.http().put(`/api/v1/targets/${code}/figures/${lastYear}`).send({ value: 100 + 100 * pace * elapsed }).expect(200);
    }
    // Wait for the re-evaluations the figure writes queued: each target's latest evaluation reads its latest figure.
    await eventually(async () => {
      const { rows } = await t.db.query(`
        SELECT count(*)::int AS stale FROM targets t
          LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id
         WHERE t.archived_at IS NULL AND (e.id IS NULL OR e.evaluated_at < (SELECT max(recorded_at) FROM figures WHERE target_id = t.id))`);
      return rows[0].stale === 0 ? true : undefined;
    }, 30_000, 're-evaluations');
  });

  it('status.xlsx: a summary and a sheet per department, status cells in their colour (viewers may read)', async () => {
    const res = await t.as(viewerToken).get('/api/v1/exports/status.xlsx').buffer(true).parse(binary).expect(200);
    assert.match(String(res.headers['content-type']), /spreadsheetml/);
    assert.match(String(res.headers['content-disposition']), /filename\*=UTF-8''/);
    const workbook = await readXlsx(res.body as Buffer);
    assert.deepEqual(workbook.worksheets.map((w) => w.name), ['汇总', '区经济信息委', '区科技局']);

    const { rows: latest } = await t.db.query(`
      SELECT t.code, e.status, e.overdue FROM latest_evaluations l JOIN evaluations e ON e.id = l.evaluation_id
      JOIN targets t ON t.id = l.target_id WHERE t.archived_at IS NULL`);
    const colours = new Set<string>();
    for (const sheetName of ['区经济信息委', '区科技局']) {
      const sheet = workbook.getWorksheet(sheetName)!;
      assert.equal(sheet.getCell(1, 10).value, '状态');
      for (let r = 2; r <= sheet.rowCount; r += 1) {
        const code = sheet.getCell(r, 1).value as string;
        const evaluation = latest.find((e: { code: string }) => e.code === code);
        assert.ok(evaluation, code);
        const colour = statusColour(evaluation.status, evaluation.overdue);
        colours.add(colour);
        const fill = (sheet.getCell(r, 10).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
        assert.equal(fill, colour === 'none' ? undefined : STATUS_FILLS[colour].fill, `${code} ${evaluation.status}`);
        assert.equal(typeof sheet.getCell(r, 4).value, 'number', 'target value as a number');
      }
    }
    const fillOf = (code: string) => {
      const sheet = workbook.getWorksheet('区科技局')!;
      const row = sheet.getColumn(1).values.indexOf(code);
      return (sheet.getCell(row, 10).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
    };
    assert.deepEqual(Object.keys(PACED).map(fillOf), [STATUS_FILLS.red.fill, STATUS_FILLS.amber.fill, STATUS_FILLS.green.fill]);
    assert.ok(colours.has('red') && colours.has('amber') && colours.has('green'), [...colours].join());
    const econOnly = await t.http().get('/api/v1/exports/status.xlsx?department=ECON-INFO').buffer(true).parse(binary).expect(200);
    assert.deepEqual((await readXlsx(econOnly.body as Buffer)).worksheets.map((w) => w.name), ['汇总', '区经济信息委']);
  });

  it('figures.xlsx and figures.csv: numbers as numbers, the =cmd note neutralised, filters applied', async () => {
    const xlsx = await t.as(viewerToken).get('/api/v1/exports/figures.xlsx').buffer(true).parse(binary).expect(200);
    const sheet = (await readXlsx(xlsx.body as Buffer)).worksheets[0];
    const rows: ExcelJS.CellValue[][] = [];
    sheet.eachRow((row, n) => n > 1 && rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
    const tech = rows.find((r) => r[0] === 'TECH-ENTERPRISES' && r[1] === '2025Q1')!;
    assert.deepEqual(tech.slice(0, 5), ['TECH-ENTERPRISES', '2025Q1', 3500, '累计', '\'=cmd|\' /C calc\'!A0']);
    assert.equal(rows.length, (await t.db.query(`SELECT count(*)::int AS n FROM figures f JOIN targets t ON t.id = f.target_id
      WHERE t.archived_at IS NULL`)).rows[0].n);

    const csv = await t.http().get('/api/v1/exports/figures.csv?department=SCI-TECH&from=2025Q1&to=2025Q2').buffer(true).parse(binary).expect(200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const text = (csv.body as Buffer).toString('utf8');
    assert.ok(text.startsWith('\uFEFF指标代码,期间,数值,口径,备注,'));
    const lines = text.slice(1).split('\r\n').filter(Boolean);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(',')), ['TECH-ENTERPRISES,2025Q1,3500,累计,\'=cmd|\' /C calc\'!A0']);
    const all = await t.http().get('/api/v1/exports/figures.csv?department=SCI-TECH').buffer(true).parse(binary).expect(200);
    assert.deepEqual((all.body as Buffer).toString('utf8').split('\r\n').filter(Boolean).slice(1).map((l) => l.split(',')[0]),
      ['PACE-AMBER', 'PACE-GREEN', 'PACE-RED', 'TECH-ENTERPRISES', 'TECH-ENTERPRISES'], 'the department\'s figures, by code and period');
  });
});
