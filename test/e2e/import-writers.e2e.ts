import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';

/**
 * Files written by other programs (test/fixtures/imports: LibreOffice, openpyxl, xlsx-populate,
 * write-excel-file) uploaded through POST /api/v1/imports: each ok/ file previews, each not-ok/ file is a 422
 * at path `file` with its real reason.
 */

let t: TestApp;
const dir = new URL('../fixtures/imports/', import.meta.url);
const fixture = (path: string) => readFileSync(new URL(path, dir));
const upload = (name: string, body: Buffer, query = '') =>
  t.http().post(`/api/v1/imports${query}`).attach('file', body, name.replace(/^.*\//, ''));

/** `{row: [fields with errors]}` of a preview. */
const rowErrors = (body: { rows: { row: number; errors: { field: string }[] }[] }) =>
  Object.fromEntries(body.rows.filter((r) => r.errors.length).map((r) => [r.row, r.errors.map((e) => e.field)]));

before(async () => {
  t = await startApp('import-writers');
  await createDepartment(t);
  await createTarget(t); // DT-ENTERPRISES: level, quarterly, ECON-INFO
  await createTarget(t, { ...FLOW_TARGET }); // NEV-OUTPUT: flow, quarterly, ECON-INFO
});
after(() => t.close());

describe('imports of files other programs wrote', () => {
  const special: Record<string, { status: string; errors: Record<number, string[]> }> = {
    'ok/openpyxl-resaved-old-template.xlsx': { status: 'rejected', errors: { 3: ['target'] } }, // the example row
    'ok/openpyxl-formulas.xlsx': { status: 'rejected', errors: { 2: ['value'], 3: ['value'] } }, // no computed results
  };
  const ok = readdirSync(new URL('ok/', dir)).sort().map((name) => `ok/${name}`);

  it('has fixtures from LibreOffice, openpyxl and two npm writers', () => {
    for (const writer of ['libreoffice-', 'openpyxl-', 'xlsx-populate-', 'write-excel-file']) {
      assert.ok(ok.some((path) => path.startsWith(`ok/${writer}`)), writer);
    }
  });

  for (const path of ok) {
    it(`previews ${path}`, async () => {
      const res = await upload(path, fixture(path)).expect(201);
      const expected = special[path] ?? { status: 'preview', errors: {} };
      assert.deepEqual({ status: res.body.status, errors: rowErrors(res.body) }, expected, res.text);
      if (!special[path]) {
        assert.deepEqual(res.body.rows.map((r: { value: string }) => r.value), ['380', '1234.5', '260']);
      }
    });
  }

  it('applies the template LibreOffice filled: the formula\'s computed value is stored', async () => {
    const res = await upload('ok/libreoffice-filled.xlsx', fixture('ok/libreoffice-filled.xlsx'), '?apply=true').expect(201);
    assert.equal(res.body.status, 'applied', res.text);
    const { rows } = await t.db.query(
      `SELECT t.code, f.period, f.value::text FROM figures f JOIN targets t ON t.id = f.target_id ORDER BY 1, 2`);
    assert.deepEqual(rows.map((r) => [r.code, r.period, r.value]),
      [['DT-ENTERPRISES', '2024Q4', '260'], ['NEV-OUTPUT', '2025Q1', '380'], ['NEV-OUTPUT', '2025Q2', '1234.5']]);
  });

  const refused: [string, RegExp][] = [
    ['not-ok/truncated.xlsx', /^无法读取 Excel 文件：文件不完整（压缩包被截断/],
    ['not-ok/xls-renamed.xlsx', /^无法读取 Excel 文件：这是旧版 \.xls 文件/],
    ['not-ok/ods-renamed.xlsx', /^无法读取 Excel 文件：这是 OpenDocument 表格（\.ods）/],
    ['not-ok/no-data-rows.xlsx', /^文件中没有数据行/],
  ];
  for (const [path, reason] of refused) {
    it(`refuses ${path} with its reason (422 at file), storing nothing`, async () => {
      const before = (await t.db.query('SELECT count(*)::int AS n FROM imports')).rows[0].n;
      const res = await upload(path, fixture(path));
      assert.equal(res.status, 422, res.text);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['file']);
      assert.match(res.body.errors[0].message, reason);
      assert.doesNotMatch(res.text, /可能已损坏/);
      assert.equal((await t.db.query('SELECT count(*)::int AS n FROM imports')).rows[0].n, before);
    });
  }
});
