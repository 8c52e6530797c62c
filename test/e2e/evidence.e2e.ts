// 佐证材料 (issue 17): evidence files uploaded through the API and the target page, stored in PostgreSQL
// with their SHA-256, downloaded byte for byte; refused when too large (EVIDENCE_MAX_MB=1 here), empty,
// of another type than their name says, or by a department of another target.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Response } from 'supertest';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { webLogin } from '../support/web.js';

let t: BrowserApp;
let browser: Browser;
let econ: string;
let sci: string;

const ECON = { email: 'econ-user@example.org', password: 'Econ-user-pass-2025' };
const SCI = { email: 'sci-user@example.org', password: 'Sci-user-pass-2025' };
const CODE = 'DT-ENTERPRISES'; // led by ECON-INFO, quarterly

/** A minimal well-formed PDF (one empty page) with `padding` bytes of comment to make it as large as needed. */
function pdf(padding = 0): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>'];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.concat([Buffer.from(body, 'latin1'), Buffer.alloc(padding, 0x25)]);
}

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const count = async () => (await t.db.query('SELECT count(*)::int AS n FROM evidence')).rows[0].n as number;
const binary = (res: Response, cb: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

function assertProblem(res: Response, status: number, path: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), [path], res.text);
}

before(async () => {
  ({ app: t, browser } = await startAppAndBrowser('evidence', { EVIDENCE_MAX_MB: '1' }));
  await createDepartment(t);
  await createDepartment(t, { code: 'SCI-TECH', name: '区科技局', emails: ['sci@example.org'] });
  await createTarget(t);
  await createTarget(t, { code: 'SCI-ONLY', name: '科技指标', department: 'SCI-TECH' });
  for (const [who, department] of [[ECON, 'ECON-INFO'], [SCI, 'SCI-TECH']] as const) {
    await t.http().post('/api/v1/users').send({ ...who, role: 'department', department }).expect(201);
  }
  econ = await t.login(ECON.email, ECON.password);
  sci = await t.login(SCI.email, SCI.password);
  await t.http().put(`/api/v1/targets/${CODE}/figures/2026Q1`).send({ value: 210 }).expect(200);
});
after(() => closeAll(browser, t));

describe('evidence through the API', () => {
  it('a department uploads a PDF with a Chinese name to its figure: listed, downloaded byte for byte, audited', async () => {
    const file = pdf(2000);
    const name = '2026年一季度 数字化改造（统计局）.pdf';
    const res = await t.as(econ).post(`/api/v1/targets/${CODE}/figures/2026Q1/evidence`).attach('file', file, name);
    assert.equal(res.status, 201, res.text);
    const { rows: [figure] } = await t.db.query(
      `SELECT f.revision_id::int AS revision FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1 AND f.period = '2026Q1'`, [CODE]);
    assert.deepEqual({ ...res.body, id: 0, uploadedAt: '' }, {
      id: 0, target: CODE, period: '2026Q1', subject: 'figure', filename: name, contentType: 'application/pdf', size: file.length,
      sha256: sha256(file), revisionId: figure.revision, submissionId: null, uploadedBy: ECON.email, uploadedAt: '',
    });
    assert.equal(res.headers.location, `/api/v1/evidence/${res.body.id}`);

    const list = await t.as(sci).get(`/api/v1/targets/${CODE}/figures/2026Q1/evidence`).expect(200);
    assert.deepEqual(list.body.items.map((i: { id: number }) => i.id), [res.body.id], 'any signed-in user may list');

    const download = await t.as(sci).get(res.headers.location).buffer(true).parse(binary);
    assert.equal(download.status, 200);
    assert.ok(Buffer.compare(download.body as Buffer, file) === 0, 'the same bytes');
    assert.equal(sha256(download.body as Buffer), res.body.sha256);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.equal(download.headers.etag, `"${res.body.sha256}"`);
    assert.match(download.headers['content-disposition'], /^attachment; filename="[^"]+"; filename\*=UTF-8''(.+)$/);
    assert.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(download.headers['content-disposition'])![1]), name);

    const { rows: [audit] } = await t.db.query(`SELECT actor, after FROM audit_log WHERE action = 'evidence.upload' AND entity_id = $1`, [String(res.body.id)]);
    assert.equal(audit.actor, ECON.email);
    assert.equal(audit.after.sha256, sha256(file));
    assert.equal(audit.after.filename, name);
    assert.ok(!JSON.stringify(audit.after).includes('PDF-1.4'), 'no content in the audit trail');
  });

  it('a PNG for the explanation by the lead department; a department of another target is refused (403), nothing written', async () => {
    const res = await t.as(econ).post(`/api/v1/targets/${CODE}/explanations/2026Q1/evidence`).attach('file', PNG, '../../现场照片.png');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.filename, '现场照片.png', 'no folders in the name');
    assert.equal(res.body.contentType, 'image/png');
    assert.equal(res.body.revisionId, null);
    const before = await count();
    assertProblem(await t.as(sci).post(`/api/v1/targets/${CODE}/figures/2026Q1/evidence`).attach('file', PNG, 'x.png'), 403, 'code');
    assertProblem(await t.as(sci).post(`/api/v1/targets/${CODE}/explanations/2026Q1/evidence`).attach('file', PNG, 'x.png'), 403, 'code');
    assert.equal(await count(), before);
    const list = await t.http().get(`/api/v1/targets/${CODE}/explanations/2026Q1/evidence`).expect(200);
    assert.deepEqual(list.body.items.map((i: { filename: string }) => i.filename), ['现场照片.png']);
  });

  it('a figure awaiting review: linked to its open submission (no revision yet)', async () => {
    const { rows: [submission] } = await t.db.query(
      `INSERT INTO figure_submissions (target_id, period, value, basis, status, submitted_by)
       SELECT id, '2026Q2', 220, 'ytd', 'final', $2 FROM targets WHERE code = $1 RETURNING id::int`, [CODE, ECON.email]);
    const res = await t.as(econ).post(`/api/v1/targets/${CODE}/figures/2026Q2/evidence`).attach('file', PNG, '截图.png').expect(201);
    assert.deepEqual([res.body.revisionId, res.body.submissionId], [null, submission.id]);
  });

  it('DELETE: not by another department (403); by its uploader (204, audited)', async () => {
    const res = await t.as(econ).post(`/api/v1/targets/${CODE}/figures/2026Q1/evidence`).attach('file', PNG, '错传.png').expect(201);
    assertProblem(await t.as(sci).delete(`/api/v1/evidence/${res.body.id}`), 403, 'id');
    await t.as(econ).delete(`/api/v1/evidence/${res.body.id}`).expect(204);
    assertProblem(await t.as(econ).get(`/api/v1/evidence/${res.body.id}`), 404, 'id');
    const { rows } = await t.db.query(`SELECT before->>'filename' AS filename FROM audit_log WHERE action = 'evidence.delete' AND entity_id = $1`, [String(res.body.id)]);
    assert.deepEqual(rows, [{ filename: '错传.png' }]);
  });

  it('refused: over the limit (413), wrong or unknown type (415), empty (422), unknown target (404), bad period (422)', async () => {
    const before = await count();
    const url = `/api/v1/targets/${CODE}/figures/2026Q1/evidence`;
    const big = pdf(1.5 * 1024 * 1024);
    const tooBig = await t.as(econ).post(url).attach('file', big, '大文件.pdf');
    assertProblem(tooBig, 413, 'file');
    assert.match(tooBig.body.errors[0].message, /1 MB/);
    assertProblem(await t.as(econ).post(url).attach('file', PNG, '伪装.pdf'), 415, 'file');
    assertProblem(await t.as(econ).post(url).attach('file', Buffer.from('MZ\x90\x00'), 'tool.exe'), 415, 'file');
    assertProblem(await t.as(econ).post(url).attach('file', Buffer.alloc(0), '空.pdf'), 422, 'file');
    assertProblem(await t.as(econ).post(url).attach('upload', PNG, 'a.png'), 422, 'file');
    assertProblem(await t.as(econ).post(url).send({ file: 'x' }), 415, 'file');
    assertProblem(await t.as(econ).post('/api/v1/targets/NO-SUCH/figures/2026Q1/evidence').attach('file', PNG, 'a.png'), 404, 'code');
    assertProblem(await t.as(econ).post(`/api/v1/targets/${CODE}/figures/2026-13/evidence`).attach('file', PNG, 'a.png'), 422, 'period');
    assertProblem(await t.as(econ).post(`/api/v1/targets/${CODE}/explanations/2026/evidence`).attach('file', PNG, 'a.png'), 422, 'period');
    assertProblem(await t.as(econ).get('/api/v1/evidence/999999'), 404, 'id');
    assert.equal(await count(), before, 'nothing written');
    // the app still answers on the same server after the refused upload
    await t.as(econ).get(url).expect(200);
  });
});

describe('evidence on the target page (chromium)', () => {
  let context: BrowserContext;
  before(async () => {
    context = await newContext(browser, t.baseUrl);
    await login(await context.newPage(), ECON.email, ECON.password);
  });

  it('a department user uploads through form#evidence-upload, sees it listed and downloads it; too large is said in Chinese', async () => {
    const page = context.pages()[0];
    await page.goto(`/targets/${CODE}`);
    await page.selectOption('#evidence-upload select[name=subject]', 'figure');
    await page.fill('#evidence-upload input[name=period]', '2026Q1');
    const file = pdf(500);
    await page.setInputFiles('#evidence-upload input[type=file][name=file]', { name: '会议纪要.pdf', mimeType: 'application/pdf', buffer: file });
    await Promise.all([page.waitForURL(/[?&]evidence=\d+/), page.click('#evidence-submit')]);
    assert.match((await page.textContent('#evidence-flash')) ?? '', /已上传「会议纪要\.pdf」/);
    const link = page.locator('#evidence-list a.evidence-download', { hasText: '会议纪要.pdf' });
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /^\/evidence\/\d+$/);
    const download = await page.request.get(href!);
    assert.equal(download.status(), 200);
    assert.equal(sha256(await download.body()), sha256(file));

    await page.setInputFiles('#evidence-upload input[type=file][name=file]', { name: '扫描件.pdf', mimeType: 'application/pdf', buffer: pdf(1.5 * 1024 * 1024) });
    await Promise.all([page.waitForURL(/evidenceError=too_large/), page.click('#evidence-submit')]);
    assert.match((await page.textContent('#evidence-error')) ?? '', /文件超过大小上限 1 MB/);
    assert.equal(await page.locator('#evidence-list a', { hasText: '扫描件.pdf' }).count(), 0);
  });

  it('the page form without its CSRF token: 403, nothing written', async () => {
    const before = await count();
    const web = await webLogin(t.app.getHttpServer(), ECON.email, ECON.password);
    const res = await web.post(`/targets/${CODE}/evidence`).field('period', '2026Q1').field('subject', 'figure').attach('file', PNG, 'a.png');
    assert.equal(res.status, 403, res.text.slice(0, 200));
    assert.equal(await count(), before);
  });

  it('the list shows to everyone, the form only to who may upload', async () => {
    const agent = await newContext(browser, t.baseUrl);
    try {
      const page = await agent.newPage();
      await login(page, SCI.email, SCI.password);
      await page.goto(`/targets/${CODE}`);
      assert.ok(await page.locator('#evidence-list tr[data-evidence-id]').count() >= 2);
      assert.equal(await page.locator('#evidence-upload').count(), 0);
    } finally {
      await agent.close();
    }
  });
});
