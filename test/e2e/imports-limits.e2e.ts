import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';
import { csrf, webLogin } from '../support/web.js';
import { bombXlsx, rowXml, sheetXlsx } from '../support/xlsx-bomb.js';
import { ImportsService } from '../../src/imports/imports.service.js';

/**
 * Hostile and oversized .xlsx uploads (issue 15) through the real app: zip bombs refused with a 413 while
 * the request thread keeps answering, formulas read from their cached values, too many rows refused before
 * the rest of the file is read. Nothing is stored for a refused file.
 */

let t: TestApp;

before(async () => {
  t = await startApp('imports-limits');
  await createDepartment(t);
  await createTarget(t, { ...FLOW_TARGET }); // NEV-OUTPUT: flow, quarterly
});
after(() => t.close());

const upload = (fileName: string, body: Buffer) => t.http().post('/api/v1/imports').attach('file', body, fileName);
const importCount = async () => (await t.db.query('SELECT count(*)::int AS n FROM imports')).rows[0].n as number;

function assertProblem(res: Response, status: number, message: string | RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['file'], res.text);
  if (typeof message === 'string') assert.equal(res.body.errors[0].message, message);
  else assert.match(res.body.errors[0].message, message);
}

/** Resolves when the service starts on an upload (the whole body has arrived and the file is being read). */
function previewStarted(): Promise<void> {
  const service = t.app.get(ImportsService);
  const preview = service.preview;
  return new Promise((resolve) => {
    service.preview = function started(this: ImportsService, ...args: Parameters<ImportsService['preview']>) {
      service.preview = preview;
      resolve();
      return preview.apply(this, args);
    };
  });
}

const TOO_BIG = (file: string) => `文件「${file}」解压后超过 100 MB 的上限，无法读取：请删除无关的工作表、图片和格式，或分批导入 (the .xlsx file unpacks to more than 100 MB)`;

describe('zip bombs', () => {
  it('a bomb whose zip understates its size: 413 as it inflates, and /health answers while the upload is being read', async () => {
    const bomb = bombXlsx(160, true); // 160 MB of sheet behind a few hundred KB, with a formula cell
    const before = await importCount();
    const started = previewStarted();
    let settled = false;
    const pending = upload('炸弹.xlsx', bomb).then((res) => {
      settled = true;
      return res;
    });
    await started;
    const health = await t.anonymous().get('/api/v1/health');
    assert.equal(health.status, 200, health.text);
    assert.equal(settled, false, '/health answered while the upload was still being read');
    assertProblem(await pending, 413, TOO_BIG('炸弹.xlsx'));
    assert.equal(await importCount(), before, 'nothing stored');
  });

  it('a bomb declaring its size: 413 at once, from the API and from the import page', async () => {
    const bomb = bombXlsx(128);
    const before = await importCount();
    assertProblem(await upload('bomb.xlsx', bomb), 413, TOO_BIG('bomb.xlsx'));

    const web = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
    const token = await csrf(web, '/imports');
    const page = await web.post('/imports').field('_csrf', token).attach('file', bomb, 'bomb.xlsx');
    assert.equal(page.status, 413, page.text.slice(0, 300));
    assert.ok(page.text.includes('文件「bomb.xlsx」解压后超过 100 MB 的上限'), 'the page says why');
    assert.equal(await importCount(), before, 'nothing stored');
  });
});

describe('formulas and rows while streaming', () => {
  it('a formula cell saved by LibreOffice imports its cached result', async () => {
    const file = readFileSync(new URL('../fixtures/imports/ok/libreoffice-filled.xlsx', import.meta.url));
    const res = await upload('libreoffice-filled.xlsx', file).expect(201);
    // row 4's 数值 is the formula 1000+234.5, saved with its result
    const row4 = res.body.rows.find((r: { row: number }) => r.row === 4);
    assert.deepEqual([row4.target, row4.period, row4.value, row4.errors], ['NEV-OUTPUT', '2025Q2', '1234.5', []]);
  });

  it('more rows than an import takes: 422 at the first row past the limit, before the rest of the file (also with a formula cell)', async () => {
    const before = await importCount();
    for (const head of [rowXml('指标代码', '期间', '数值'), undefined]) {
      // 110 000 data rows and then XML no reader can parse: the refusal names the rows, the damage is never reached
      const file = sheetXlsx({ head, chunk: rowXml('NEV-OUTPUT', '2025Q1', 1).repeat(1000), times: 110, tail: '<row><c><v>1</v></c></broken>' });
      assertProblem(await upload('big.xlsx', file), 422, '数据行超过 100,000 行，请分批导入 (more than 100000 rows)');
    }
    assert.equal(await importCount(), before, 'nothing stored');
  });
});
