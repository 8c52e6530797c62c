import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Response } from 'supertest';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { csrf, webLogin } from '../support/web.js';
import { UPLOAD_LIMIT } from '../../src/imports/upload.js';

/**
 * Policy documents uploaded as files (issue 13): the .docx, .pdf, .html and .txt LibreOffice wrote from
 * test/fixtures/extraction/files/policy.html, through the API (multipart, field `file`), the 文件识别
 * page and a browser; and the files refused, each with its reason at `file` and nothing written.
 */

const fixture = (name: string) => readFileSync(new URL(`../fixtures/extraction/files/${name}`, import.meta.url));
const FORMATS = ['policy.docx', 'policy.pdf', 'policy.html', 'policy.txt'];
const REFUSED: { name: string; body: Buffer; status: number; message: RegExp }[] = [
  { name: 'setup.exe', body: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00'), status: 415, message: /不支持的文件类型 \.exe/ },
  { name: '空白.docx', body: Buffer.alloc(0), status: 422, message: /上传的文件是空的/ },
  { name: 'broken.docx', body: fixture('broken.docx'), status: 422, message: /Word 文档已损坏或不完整/ },
  { name: 'scan.pdf', body: fixture('scan.pdf'), status: 422, message: /PDF 没有文字层（可能是扫描件）/ },
  { name: 'big.txt', body: Buffer.alloc(UPLOAD_LIMIT + 1, 0x41), status: 413, message: /超过上传大小上限 20 MB/ },
];

type Candidate = {
  value: number; unit: string; deadline: string | null; quote: string; start: number; end: number;
  baseline: { period: string | null; value: number } | null; binding?: boolean; table?: { row: number } | null;
};
const paragraphTargets = (candidates: Candidate[]) =>
  candidates.filter((c) => c.deadline === '2025' && ((c.value === 1200 && c.unit === '亿元') || (c.value === 350 && c.unit === '家')));

function assertProblem(res: Response, status: number, message: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['file'], res.text);
  assert.match(res.body.detail, message);
}

describe('POST /api/v1/documents/extract with a file', () => {
  let t: TestApp;
  before(async () => (t = await startApp('document-uploads')));
  after(() => t.close());

  for (const name of FORMATS) {
    it(`${name}: the paragraph's targets are proposed, each quote found in the text returned`, async () => {
      const res = await t.http().post('/api/v1/documents/extract').field('documentYear', '2023').attach('file', fixture(name), name).expect(200);
      const { document, candidates } = res.body as { document: Record<string, string>; candidates: Candidate[] };
      assert.deepEqual([document.title, document.fileName, document.format], ['policy', name, name.split('.')[1]]);
      assert.equal(paragraphTargets(candidates).length, 2, JSON.stringify(candidates));
      for (const c of candidates) assert.equal(document.text.slice(c.start, c.end), c.quote);
      if (name !== 'policy.txt') assert.match(document.text, /\n\n指标\t单位\t2022年\t2025年\t属性\n研发经费投入强度\t%\t2\.1\t3\.0\t预期性\n/);
      // the indicator table stays a table: each row a target with its base value and 约束性
      const rows = candidates.filter((c) => c.table).map((c) => [c.value, c.unit, c.deadline, c.baseline?.value ?? null, c.binding]);
      const expected = [[3, '%', '2025', 2.1, false], [13.5, '%', '2025', null, true], [120, '家', '2025', null, false]];
      // LibreOffice's .txt puts each cell on a line of its own, the blank base cell an empty line: the row keeps its target
      assert.deepEqual(rows, expected, JSON.stringify(candidates));
    });
  }

  it('a title and URL sent as form fields are kept; a bad year is named', async () => {
    const res = await t.http().post('/api/v1/documents/extract').field('title', '行动方案').field('url', 'https://example.org/a')
      .attach('file', fixture('policy.html'), 'policy.html').expect(200);
    assert.deepEqual([res.body.document.title, res.body.document.url], ['行动方案', 'https://example.org/a']);
    const bad = await t.http().post('/api/v1/documents/extract').field('documentYear', '二〇二三').attach('file', fixture('policy.html'), 'policy.html');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path), ['documentYear']);
  });

  for (const c of REFUSED) {
    it(`refuses ${c.name} at \`file\` (${c.status}) and writes nothing`, async () => {
      const res = await t.http().post('/api/v1/documents/extract').attach('file', c.body, c.name);
      assertProblem(res, c.status, c.message);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM targets`);
      assert.equal(rows[0].n, 0);
    });
  }

  it('a file in another field is named; JSON text still works', async () => {
    const res = await t.http().post('/api/v1/documents/extract').attach('upload', fixture('policy.html'), 'policy.html');
    assertProblem(res, 422, /字段应名为 file/);
    const json = await t.http().post('/api/v1/documents/extract').send({ text: '到2025年，高新技术企业数量达到350家。' }).expect(200);
    assert.equal(json.body.candidates[0].value, 350);
  });

  it('the 文件识别 page takes an upload and refuses a scan beside the file field', async () => {
    const admin = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
    const token = await csrf(admin, '/documents');
    const review = await admin.post('/documents/upload').field('_csrf', token).field('documentYear', '2023').attach('file', fixture('policy.docx'), '政策.docx');
    assert.equal(review.status, 200, review.text);
    assert.match(review.text, /<h1>审核候选指标<\/h1>/);
    assert.match(review.text, /name="title" value="政策"/);
    assert.match(review.text, /1200亿元以上/);
    const scan = await admin.post('/documents/upload').field('_csrf', await csrf(admin, '/documents')).attach('file', fixture('scan.pdf'), 'scan.pdf');
    assert.equal(scan.status, 422);
    assert.match(scan.text, /<input id="f-file"[^>]*aria-invalid="true"/);
    assert.match(scan.text, /PDF 没有文字层/);
    const forged = await admin.post('/documents/upload').field('_csrf', 'forged').attach('file', fixture('policy.docx'), 'policy.docx');
    assert.equal(forged.status, 403);
  });
});

const MIME: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  html: 'text/html',
  txt: 'text/plain',
};

describe('文件识别 in the browser: each of the four formats uploaded and reviewed', () => {
  let app: BrowserApp;
  let browser: Browser;
  before(async () => ({ app, browser } = await startAppAndBrowser('document-uploads-browser')));
  after(() => closeAll(browser, app));

  for (const name of FORMATS) {
    const ext = name.split('.')[1];
    it(`${ext}: chooses the file, uploads it and sees the candidates highlighted in the text, the table row marked`, async () => {
      const context = await newContext(browser, app.baseUrl);
      const page = await context.newPage();
      await login(page, ADMIN.email, ADMIN.password);
      await page.goto('/documents');
      await page.setInputFiles('#upload-form input[type=file]', { name: `云溪区行动方案.${ext}`, mimeType: MIME[ext], buffer: fixture(name) });
      await page.fill('#upload-documentYear', '2023');
      await Promise.all([page.waitForURL('**/documents/upload'), page.click('#upload')]);
      assert.equal(await page.textContent('h1'), '审核候选指标');
      const quotes = await page.locator('#candidates textarea[name$=".quote"]').allTextContents();
      assert.ok(quotes.some((q) => q.includes('1200亿元')), quotes.join(' | '));
      assert.ok(quotes.some((q) => q.includes('研发经费投入强度')), quotes.join(' | '));
      assert.match(await page.textContent('#doc-text') ?? '', /研发经费投入强度\s+%\s+2\.1\s+3\.0\s+预期性/);
      assert.ok(await page.locator('#doc-text mark').count() >= 2);
      assert.match(await page.locator('#doc-text mark.table-row').first().textContent() ?? '', /研发经费投入强度/);
      await context.close();
    });
  }
});
