// The entry sheet as a clerk uses it (issue 12), in Debian's Chromium: pasted cells never become one wrong
// number, a column pasted from Excel fills the rows downward, Enter and Tab move between values, the goal and
// 应达值 stand beside each input, implausible values need 确认无误 (recorded), and the new status follows a save.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget, WORKED_EXAMPLE } from '../support/factories.js';

const PERIOD = '2026Q3';
const NO_SOURCE = { document: null, quote: null, url: null };
/** 350 by 2027 from 200 at 2025: at 2026Q3 (e = 0.375) the rules expect 256.25 家. */
const WORKED = { ...WORKED_EXAMPLE, baseline: { period: '2025', value: 200 }, target: { period: '2027', value: 350 } };
const PLANTS = { ...WORKED, code: 'DT-PLANTS', name: '智能工厂数', unit: '个', baseline: { period: '2025', value: 20 }, target: { period: '2027', value: 50 }, source: NO_SOURCE };
const PARKS = { ...WORKED, code: 'DT-PARKS', name: '数字化园区数', unit: '个', baseline: { period: '2025', value: 2 }, target: { period: '2027', value: 10 }, source: NO_SOURCE };
const COVERAGE = { ...WORKED, code: 'FIVEG-COVERAGE', name: '5G 覆盖率', unit: '%', baseline: { period: '2025', value: 60 }, target: { period: '2027', value: 95 }, source: NO_SOURCE };
const ORDER = ['DT-ENTERPRISES', 'DT-PARKS', 'DT-PLANTS', 'FIVEG-COVERAGE'];

let t: BrowserApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function figure(code: string, period = PERIOD): Promise<string | null> {
  const { rows } = await t.db.query(
    `SELECT f.value::text FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1 AND f.period = $2`, [code, period]);
  return rows[0]?.value ?? null;
}

async function save(): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#save-entry')]);
  return response!.status();
}

const focused = () => page.evaluate<string>("document.activeElement?.id ?? ''");

describe('the entry sheet in a browser', () => {
  before(async () => {
    ({ app: t, browser } = await startAppAndBrowser('web_entry'));
    await createDepartment(t);
    for (const target of [WORKED, PLANTS, PARKS, COVERAGE]) await createTarget(t, target);
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2026Q2').send({ value: 220 }).expect(200);
    context = await newContext(browser, t.baseUrl);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    page = await context.newPage();
    await login(page, ADMIN.email, ADMIN.password);
  });
  after(() => closeAll(browser, t));

  it('shows the goal and 应达值 beside each input, in Chinese conventions', async () => {
    assert.equal((await page.goto(`/entry/${PERIOD}`))?.status(), 200);
    const rows = await page.locator('#entry tbody tr[data-code]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')));
    assert.deepEqual(rows, ORDER);
    const row = page.locator('tr[data-code=DT-ENTERPRISES]');
    assert.match((await row.textContent()) ?? '', /≥350家/);
    assert.match((await row.textContent()) ?? '', /2027年/);
    assert.match((await row.locator('.expected').textContent()) ?? '', /应达值\s*256家/);
    assert.match((await page.textContent('h1')) ?? '', /2026年三季度/);
  });

  it('refuses three pasted cells typed into one field, quoting them, and stores nothing', async () => {
    await page.goto(`/entry/${PERIOD}`);
    await page.fill('#value-dt-parks', '23 318.5 86');
    assert.equal(await save(), 422);
    const message = (await page.textContent('#value-dt-parks-error')) ?? '';
    assert.match(message, /“23 318\.5 86”/);
    assert.match(message, /粘贴了多个单元格/);
    assert.doesNotMatch(message, /[A-Za-z]{3,}/, 'no English in the zh-CN page');
    assert.equal(await page.inputValue('#value-dt-parks'), '23 318.5 86', 'what was typed is kept');
    assert.equal(await figure('DT-PARKS'), null);
  });

  it('refuses a negative count and a % sign on a count; takes full-width digits and 85% on a % target', async () => {
    await page.goto(`/entry/${PERIOD}`);
    await page.fill('#value-dt-plants', '-5');
    await page.fill('#value-dt-parks', '3%');
    assert.equal(await save(), 422);
    assert.match((await page.textContent('#value-dt-plants-error')) ?? '', /不能为负/);
    assert.match((await page.textContent('#value-dt-parks-error')) ?? '', /带 %/);
    assert.equal(await figure('DT-PLANTS'), null);

    await page.fill('#value-dt-plants', '２３');
    await page.fill('#value-dt-parks', '');
    await page.fill('#value-fiveg-coverage', '85%');
    assert.equal(await save(), 200);
    assert.equal(await figure('DT-PLANTS'), '23');
    assert.equal(await figure('FIVEG-COVERAGE'), '85');
  });

  it('fills a column pasted from Excel downward, one cell a row', async () => {
    await page.goto('/entry/2027Q1');
    await page.evaluate("navigator.clipboard.writeText('230\\r\\n4\\r\\n24\\r\\n')");
    await page.focus('#value-dt-enterprises');
    await page.keyboard.press('Control+V');
    assert.deepEqual(
      await Promise.all(['#value-dt-enterprises', '#value-dt-parks', '#value-dt-plants', '#value-fiveg-coverage'].map((s) => page.inputValue(s))),
      ['230', '4', '24', ''],
    );
    assert.match((await page.textContent('#paste-notice')) ?? '', /向下填入 3 个值/);
    // More lines than rows below: the rest is said, not lost silently.
    await page.fill('#value-dt-plants', '');
    await page.evaluate("navigator.clipboard.writeText('24\\n86\\n7\\n')");
    await page.focus('#value-dt-plants');
    await page.keyboard.press('Control+V');
    assert.deepEqual([await page.inputValue('#value-dt-plants'), await page.inputValue('#value-fiveg-coverage')], ['24', '86']);
    assert.match((await page.textContent('#paste-notice')) ?? '', /多出的 1 个值/);
  });

  it('Enter moves down a row without saving; Tab goes value to value', async () => {
    await page.goto('/entry/2027Q2');
    await page.focus('#value-dt-enterprises');
    await page.keyboard.type('240');
    await page.keyboard.press('Enter');
    assert.equal(await focused(), 'value-dt-parks');
    assert.equal(new URL(page.url()).pathname, '/entry/2027Q2', 'Enter did not submit');
    assert.equal(await figure('DT-ENTERPRISES', '2027Q2'), null);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'value-dt-plants');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'value-dt-parks');
    await page.keyboard.press('Shift+Enter');
    assert.equal(await focused(), 'value-dt-enterprises');
  });

  it('a correction tabs to its reason first', async () => {
    await page.goto(`/entry/${PERIOD}`);
    await page.focus('#value-dt-plants'); // 23, entered above
    await page.fill('#value-dt-plants', '24');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'reason-dt-plants');
    await page.keyboard.type('统计局核定');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'value-fiveg-coverage');
  });

  it('an implausible value needs 确认无误, which the revision records; then the new status follows', async () => {
    await page.goto(`/entry/${PERIOD}`);
    await page.fill('#value-dt-enterprises', '900'); // 2026Q2 was 220
    assert.equal(await save(), 422);
    const warning = (await page.textContent('#value-dt-enterprises-warning')) ?? '';
    assert.match(warning, /上期（2026年二季度：220）的 4\.09 倍/);
    assert.doesNotMatch(warning, /[A-Za-z]{3,}/);
    assert.equal(await figure('DT-ENTERPRISES'), null);
    assert.equal(await page.inputValue('#value-dt-enterprises'), '900');

    await page.check('#confirm-dt-enterprises');
    assert.equal(await save(), 200);
    assert.equal(await figure('DT-ENTERPRISES'), '900');
    const { rows } = await t.db.query(
      `SELECT r.confirmed_warning FROM figure_revisions r JOIN targets t ON t.id = r.target_id WHERE t.code = 'DT-ENTERPRISES' AND r.period = $1`, [PERIOD]);
    assert.match(rows[0].confirmed_warning, /4\.09 倍/);

    // 900 ≥ 350: achieved once the re-evaluation has run; until then the cell says 评估中… (or already the status).
    const cell = page.locator('tr[data-code=DT-ENTERPRISES] [data-status-cell]');
    assert.match((await cell.textContent()) ?? '', /评估中…|已完成|提前完成/);
    await cell.locator('.status').waitFor({ timeout: 30_000 });
    assert.match((await cell.textContent()) ?? '', /完成/);
  });
});
