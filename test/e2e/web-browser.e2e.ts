// The pages in a real browser (Debian's chromium through playwright-core) against the real app on
// 127.0.0.1: login, quarterly entry and an evaluation run, import, export, a department's limits,
// screenshots and the keyboard. One app and one browser for the file.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { ADMIN, eventually } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget, DEPARTMENT, WORKED_EXAMPLE } from '../support/factories.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const artifact = (name: string) => fileURLToPath(new URL(name, ARTIFACTS));

const ECON = { email: 'econ-user@example.org', password: 'Econ-user-pass-2026', role: 'department', department: 'ECON-INFO' };
const SCI = { code: 'SCI-TECH', name: '区科技局' };

/**
 * DESIGN.md's worked example moved two years on, so its deadline is still ahead of today (2026-11-29):
 * 350 by 2027 (t = 2028.0) from 200 at 2025 (t = 2026.0). A 2026Q3 figure (t = 2026.75) of 230 gives
 * e = 0.375, c = 0.2, ρ = 0.53 → lagging.
 */
const WORKED = { ...WORKED_EXAMPLE, baseline: { period: '2025', value: 200 }, target: { period: '2027', value: 350 } };
const PLANTS = { ...WORKED, code: 'DT-PLANTS', name: '智能工厂数', unit: '个', baseline: { period: '2025', value: 20 },
  target: { period: '2027', value: 50 }, source: { document: null, quote: null, url: null } };
const TECH = { ...WORKED, code: 'TECH-ENTERPRISES', name: '科技型企业数', department: SCI.code,
  baseline: { period: '2025', value: 2782 }, target: { period: '2027', value: 5564 }, source: { document: null, quote: null, url: null } };

/** The quarter entered on the entry page, and the one a failed save must leave empty. */
const ENTRY_PERIOD = '2026Q3';
const FAILED_PERIOD = '2026Q2';
const IMPORT_PERIOD = '2026Q1';

const HEADER = '指标代码,期间,数值,口径,备注';
const BAD_CSV = [HEADER, `DT-PLANTS,${IMPORT_PERIOD},24,,一季度`, `TECH-ENTERPRISES,${IMPORT_PERIOD},abc,,一季度`,
  `DT-ENTERPRISES,${IMPORT_PERIOD},215,,一季度`].join('\r\n') + '\r\n';
const GOOD_CSV = BAD_CSV.replace(',abc,', ',3010,');

let t: BrowserApp;
let browser: Browser;
let admin: BrowserContext;
let econ: BrowserContext;
/** signed out; its cookies are cleared before each use */
let anonymous: BrowserContext;

async function figureCount(where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM figures f JOIN targets t ON t.id = f.target_id WHERE ${where}`, params);
  return rows[0].n;
}

async function figureValue(code: string, period: string): Promise<number | null> {
  const { rows } = await t.db.query(
    `SELECT f.value FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1 AND f.period = $2`, [code, period]);
  return rows.length ? Number(rows[0].value) : null;
}

async function finishedRun(id: string): Promise<{ state: string; counts: Record<string, number>; createdAt: string }> {
  return eventually(async () => {
    const res = await t.http().get(`/api/v1/evaluations/runs/${id}`).expect(200);
    return ['completed', 'failed'].includes(res.body.state) ? res.body : undefined;
  }, 20_000, `run ${id}`);
}

/** Clicks what starts a navigation and returns the main document's response to it. */
async function submit(page: Page, selector: string) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response!;
}

async function download(page: Page, selector: string): Promise<{ file: Download; path: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await file.path();
  assert.equal(await file.failure(), null);
  return { file, path };
}

async function upload(page: Page, name: string, text: string) {
  const opened = await page.goto('/imports');
  assert.equal(opened?.status(), 200, `GET /imports answered ${opened?.status()}: ${(await page.textContent('main'))?.trim()}`);
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
  const response = await submit(page, '#upload');
  assert.equal(response.status(), 200, `upload answered ${response.status()}: ${(await page.textContent('main'))?.trim()}`);
  assert.match(new URL(page.url()).pathname, /^\/imports\/[^/]+$/);
}

const pageWidth = (page: Page) =>
  page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })');

describe('pages in a browser (chromium)', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ app: t, browser } = await startAppAndBrowser('web_browser'));
    // Pages open (a renderer each) while the data is made.
    const contexts = Promise.all([1, 2, 3].map(async () => {
      const context = await newContext(browser, t.baseUrl);
      await context.newPage();
      return context;
    }));
    contexts.catch(() => undefined); // awaited below; no unhandled rejection if the setup fails first
    await createDepartment(t);
    await createDepartment(t, SCI);
    for (const target of [WORKED, PLANTS, TECH]) await createTarget(t, target);
    await t.http().post('/api/v1/users').send(ECON).expect(201);
    // Evaluated once before anything is entered: every target starts as no_data.
    const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
    assert.equal((await finishedRun(started.body.id)).state, 'completed');
    [admin, econ, anonymous] = await contexts;
    await Promise.all([login(admin.pages()[0], ADMIN.email, ADMIN.password), login(econ.pages()[0], ECON.email, ECON.password)]);
  });
  after(() => closeAll(browser, t));

  it('logs in: a wrong password shows the error on the page, the right one opens the dashboard', async () => {
    await anonymous.clearCookies();
    const page = anonymous.pages()[0];
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/login'); // signed out: sent to the login page
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', 'not-the-password-1');
    const refused = await submit(page, 'form[action="/login"] button[type=submit]');
    assert.equal(refused.status(), 401);
    assert.ok(await page.isVisible('#login-error'));
    assert.ok(((await page.textContent('#login-error')) ?? '').trim().length > 0);
    assert.equal(await page.inputValue('#email'), ADMIN.email); // kept; the password is not
    assert.equal(await page.inputValue('#password'), '');
    assert.equal(await page.getAttribute('#email', 'aria-describedby'), 'login-error');

    await page.fill('#password', ADMIN.password);
    await submit(page, 'form[action="/login"] button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/');
    for (const colour of ['red', 'amber', 'green', 'grey', 'overdue']) {
      assert.ok(await page.isVisible(`[data-count=${colour}]`), colour);
    }
    // Three targets, none evaluated beyond no_data yet: all grey.
    assert.equal((await page.textContent('[data-count=grey] strong'))?.trim(), '3');
    assert.ok(await page.isVisible('#targets'));
    assert.equal(await page.locator('#targets tbody tr[data-code]').count(), 3);
    assert.equal(await page.isVisible('#login-error'), false);
  });

  it('a department enters a quarter; after a run the dashboard shows the new status', async () => {
    const planner = admin.pages()[0];
    const row = planner.locator('tr[data-code=DT-ENTERPRISES]');
    await planner.goto('/');
    assert.equal(await row.getAttribute('data-status'), 'no_data');

    const page = econ.pages()[0];
    const opened = await page.goto(`/entry/${ENTRY_PERIOD}`);
    assert.equal(opened?.status(), 200);
    // Only the department's own targets are on its sheet.
    const rows = await page.locator('#entry tbody tr[data-code]').all();
    assert.deepEqual(await Promise.all(rows.map((r) => r.getAttribute('data-code'))), ['DT-ENTERPRISES', 'DT-PLANTS']);
    assert.equal(await page.locator('#value-tech-enterprises').count(), 0);
    await page.fill('#value-dt-enterprises', '230');
    const saved = await submit(page, '#save-entry');
    assert.equal(saved.status(), 200);
    assert.match((await page.textContent('#saved')) ?? '', /已保存：\s*1\s/);
    assert.equal(await figureValue('DT-ENTERPRISES', ENTRY_PERIOD), 230);
    assert.equal(await page.inputValue('#value-dt-enterprises'), '230');

    await planner.goto('/');
    await submit(planner, '#run-evaluation');
    assert.equal(new URL(planner.url()).search, '?run=started');
    // The page reloads itself while the run is queued or running; wait for the finished state.
    await planner.locator('#last-run', { hasText: '已完成' }).waitFor({ timeout: 20_000 });
    const runs = await t.http().get('/api/v1/evaluations/runs').expect(200);
    const [run] = runs.body.items;
    assert.equal(run.state, 'completed');
    assert.equal(await planner.getAttribute('#last-run time', 'datetime'), run.finishedAt); // the run the button started, when it finished
    const results = await t.http().get(`/api/v1/evaluations/runs/${run.id}/evaluations`).expect(200);
    assert.equal(results.body.items.find((e: { code: string }) => e.code === 'DT-ENTERPRISES').status, 'lagging', 'the run\'s own result');

    assert.equal(await row.getAttribute('data-status'), 'lagging', 'the dashboard row after the run');
    assert.match((await row.locator('.status').textContent()) ?? '', /滞后/);
    assert.equal((await planner.textContent('[data-count=red] strong'))?.trim(), '1');
    assert.equal(await planner.getAttribute('tr[data-code=DT-PLANTS]', 'data-status'), 'no_data');
  });

  it('a failed save shows the error beside the bad field, keeps what was typed and writes nothing', async () => {
    const page = econ.pages()[0];
    await page.goto(`/entry/${FAILED_PERIOD}`);
    const before = await figureCount();
    await page.fill('#value-dt-enterprises', '225');
    await page.fill('#value-dt-plants', 'abc');
    const refused = await submit(page, '#save-entry');
    assert.equal(refused.status(), 422);
    assert.ok(await page.isVisible('#failure'));
    assert.ok(await page.isVisible('#value-dt-plants-error'));
    assert.ok(((await page.textContent('#value-dt-plants-error')) ?? '').trim().length > 0);
    assert.equal(await page.getAttribute('#value-dt-plants', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#value-dt-plants', 'aria-describedby'), 'value-dt-plants-error');
    assert.equal(await page.locator('#value-dt-enterprises-error').count(), 0);
    // The error sits in the bad field's own row.
    assert.equal(await page.locator('tr[data-code=DT-PLANTS] #value-dt-plants-error').count(), 1);
    assert.equal(await page.inputValue('#value-dt-plants'), 'abc');
    assert.equal(await page.inputValue('#value-dt-enterprises'), '225');
    assert.equal(await figureCount(), before);
    assert.equal(await figureCount('f.period = $1', [FAILED_PERIOD]), 0);
  });

  it("a department user cannot open another department's entry sheet", async () => {
    const page = econ.pages()[0];
    const response = await page.goto(`/entry/${ENTRY_PERIOD}?department=${SCI.code}`);
    assert.equal(response?.status(), 403);
    assert.match((await page.textContent('h1')) ?? '', /无权限/);
    assert.match((await page.textContent('main .alert')) ?? '', /区科技局/);
    assert.equal(await page.locator('#value-tech-enterprises').count(), 0);
    assert.equal(await page.locator('input[name^="value."]').count(), 0);
    assert.equal(await page.locator('#save-entry').count(), 0);
  });

  it('imports a file with a bad row (rejected, nothing written), then the fixed file (applied), then again (nothing new)', async () => {
    const page = admin.pages()[0];
    const before = await figureCount();

    await upload(page, '一季度-有误.csv', BAD_CSV);
    assert.ok(await page.isVisible('#import-rejected'));
    assert.equal(await page.locator('tr.bad').count(), 1);
    const bad = page.locator('tr.bad[data-row="3"]');
    assert.ok(await bad.isVisible());
    assert.match((await bad.locator('td.errors').textContent()) ?? '', /^数值：/);
    assert.equal(await page.locator('tr[data-row="2"].bad, tr[data-row="4"].bad').count(), 0);
    assert.equal(await page.locator('#apply-import').count(), 0);
    assert.equal(await figureCount(), before);

    await upload(page, '一季度.csv', GOOD_CSV);
    assert.equal(await page.locator('tr.bad').count(), 0);
    assert.equal(await page.locator('#import-rows tbody tr[data-row]').count(), 3);
    assert.equal(await figureCount(), before); // a preview writes nothing
    await submit(page, '#apply-import');
    assert.match((await page.textContent('#import-applied')) ?? '', /写入\s*3\D/);
    assert.equal(await figureCount(), before + 3);
    assert.deepEqual([await figureValue('DT-PLANTS', IMPORT_PERIOD), await figureValue('TECH-ENTERPRISES', IMPORT_PERIOD),
      await figureValue('DT-ENTERPRISES', IMPORT_PERIOD)], [24, 3010, 215]);

    await upload(page, '一季度.csv', GOOD_CSV);
    await submit(page, '#apply-import');
    const again = (await page.textContent('#import-applied')) ?? '';
    assert.match(again, /写入\s*0\D/);
    assert.match(again, /未变化\s*3\D/);
    assert.equal(await figureCount(), before + 3);
  });

  it('downloads the status report and the figures CSV, and reads them back', async () => {
    const page = admin.pages()[0];
    const opened = await page.goto('/exports');
    assert.equal(opened?.status(), 200, `GET /exports answered ${opened?.status()}: ${(await page.textContent('main'))?.trim()}`);

    const report = await download(page, '#export-status');
    assert.match(report.file.suggestedFilename(), /\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(report.path);
    const names = workbook.worksheets.map((s) => s.name);
    assert.ok(names.includes('汇总'), names.join(','));
    const sheet = workbook.getWorksheet(DEPARTMENT.name);
    assert.ok(sheet, `no sheet ${DEPARTMENT.name} in ${names.join(',')}`);
    const rows: unknown[][] = [];
    sheet.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    const worked = rows.find((r) => r[0] === 'DT-ENTERPRISES');
    assert.ok(worked, 'DT-ENTERPRISES row');
    assert.equal(worked[1], WORKED.name);
    assert.match(String(worked[9]), /滞后/);
    assert.ok(workbook.getWorksheet(SCI.name)?.getRow(2).getCell(1).value === 'TECH-ENTERPRISES');

    const csv = await download(page, '#export-figures-csv');
    assert.match(csv.file.suggestedFilename(), /\.csv$/);
    const text = (await readFile(csv.path, 'utf8')).replace(/^\uFEFF/, '');
    const lines = text.split(/\r?\n/).filter(Boolean);
    assert.match(lines[0], /^指标代码,期间,数值,口径,备注/);
    assert.ok(lines.some((l) => /^DT-ENTERPRISES,2026Q3,230(\.0+)?,/.test(l)), lines.join('\n'));
    assert.equal(lines.length - 1, await figureCount());
  });

  it('screenshots the dashboard, a target page and the entry page at 1366×768 and the dashboard on a phone', async () => {
    const page = admin.pages()[0];
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto('/');
    await page.screenshot({ path: artifact('dashboard.png'), fullPage: true });
    const desktop = await pageWidth(page);
    assert.ok(desktop.scrollWidth <= desktop.innerWidth + 1, JSON.stringify(desktop));

    await page.goto('/targets/DT-ENTERPRISES');
    assert.ok(await page.isVisible('#chart svg'));
    assert.match((await page.textContent('#quote')) ?? '', /350/);
    await page.screenshot({ path: artifact('target.png'), fullPage: true });

    const entry = econ.pages()[0];
    await entry.goto(`/entry/${ENTRY_PERIOD}`);
    await entry.screenshot({ path: artifact('entry.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto('/');
      assert.ok(await page.isVisible('#targets'));
      await page.screenshot({ path: artifact('dashboard-phone.png'), fullPage: true });
      const size = await pageWidth(page);
      assert.equal(size.innerWidth, 390);
      assert.ok(size.scrollWidth <= size.innerWidth + 1, `horizontal scroll on a phone: ${JSON.stringify(size)}`);
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  it('the login form can be completed with the keyboard alone', async () => {
    await anonymous.clearCookies();
    const page = anonymous.pages()[0];
    await page.goto('/login');
    assert.equal(await page.locator('#email').count(), 1); // signed out again
    const focused = () => page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');
    let presses = 0;
    while ((await focused()) !== 'email') {
      assert.ok(++presses <= 10, 'Tab never reached #email');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'password');
    await page.keyboard.type(ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.ok(await page.isVisible('#targets'));
  });
});
