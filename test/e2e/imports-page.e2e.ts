// The import pages in a real browser (Debian's chromium through playwright-core) with a sheet as the
// statistics bureau sends it: names instead of codes, a 单位 column, worded periods, one bad row —
// previewed with name, unit and old → new, then imported without the bad row. And the 别名 field of the
// admin target form, which the name matching reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';

let t: BrowserApp;
let browser: Browser;
let admin: BrowserContext;

const BUREAU_CSV = [
  '2026年一季度主要经济指标',
  '指标名称,期间,数值,单位',
  '新能源汽车产值,2026年一季度,"12,000",万元', // row 3: by alias, converted, new
  '数字化改造企业数,2026年1-3月,210,家', // row 4: by name, 200 → 210
  '不存在的指标,2026Q1,5,个', // row 5: unknown name
].join('\r\n') + '\r\n';

async function submit(page: Page, selector: string) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response!;
}

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/[\s\u2009]+/g, ' ').trim();

async function figureValue(code: string, period: string): Promise<string | null> {
  const { rows } = await t.db.query(
    `SELECT f.value::text FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1 AND f.period = $2`, [code, period]);
  return rows[0]?.value ?? null;
}

describe('import pages with the bureau’s sheet (chromium)', () => {
  before(async () => {
    ({ app: t, browser } = await startAppAndBrowser('imports_page'));
    await createDepartment(t);
    await createTarget(t); // DT-ENTERPRISES 数字化改造企业数 (家)
    await createTarget(t, { ...FLOW_TARGET }); // NEV-OUTPUT (亿元)
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2026Q1').send({ value: 200 }).expect(200);
    admin = await newContext(browser, t.baseUrl);
    await login(await admin.newPage(), ADMIN.email, ADMIN.password);
  });
  after(() => closeAll(browser, t));

  it('the admin target form keeps aliases (one a line, or separated by 、)', async () => {
    const page = admin.pages()[0];
    await page.goto('/admin/targets/NEV-OUTPUT/edit');
    await page.fill('textarea[name="aliases"]', '新能源汽车产值\n智能网联汽车产值、 新能源汽车产值');
    const response = await submit(page, '#save-target');
    assert.ok(response.status() < 400, `save answered ${response.status()}: ${await text(page, 'main')}`);
    const read = await t.http().get('/api/v1/targets/NEV-OUTPUT').expect(200);
    assert.deepEqual(read.body.aliases, ['新能源汽车产值', '智能网联汽车产值']);
    await page.goto('/admin/targets/NEV-OUTPUT/edit');
    assert.equal(await page.inputValue('textarea[name="aliases"]'), '新能源汽车产值\n智能网联汽车产值');
  });

  it('previews name, unit and old → new per row, then imports the valid rows, skipping the bad one', async () => {
    const page = admin.pages()[0];
    await page.goto('/imports');
    await page.setInputFiles('#file', { name: '统计局一季度.csv', mimeType: 'text/csv', buffer: Buffer.from(BUREAU_CSV, 'utf8') });
    const uploaded = await submit(page, '#upload');
    assert.equal(uploaded.status(), 200, await text(page, 'main'));

    const row = (n: number) => `#import-rows tr[data-row="${n}"]`;
    assert.equal(await text(page, `${row(3)} .target .name`), '智能网联新能源汽车年产值');
    assert.equal(await text(page, `${row(3)} .unit`), '亿元');
    assert.equal(await text(page, `${row(3)} .period`), '2026Q1 （2026年一季度）');
    assert.equal(await text(page, `${row(3)} .change`), '12 000 万元 → 1.2 亿元 新增 1.2');
    assert.equal(await text(page, `${row(4)} .target .name`), '数字化改造企业数');
    assert.equal(await text(page, `${row(4)} .change`), '200 → 210');
    assert.match(await text(page, `${row(5)} .errors`), /不存在的指标/);
    assert.equal(await page.locator('#apply-import').count(), 0, 'no confirming a file with errors as a whole');
    assert.equal(await text(page, '#apply-valid'), '导入有效行（跳过1行错误）');
    assert.equal(await figureValue('NEV-OUTPUT', '2026Q1'), null, 'nothing written by the preview');

    const applied = await submit(page, '#apply-valid');
    assert.equal(applied.status(), 200, await text(page, 'main'));
    assert.match(await text(page, '#import-applied'), /写入 2.*跳过 1 行错误/);
    assert.match(await text(page, '#import-skipped li[data-row="5"]'), /第 5 行.*不存在的指标/);
    assert.equal(await figureValue('NEV-OUTPUT', '2026Q1'), '1.2');
    assert.equal(await figureValue('DT-ENTERPRISES', '2026Q1'), '210');
  });

  it('shows a plausibility warning beside the row and applies it only with the confirmation box ticked', async () => {
    const page = admin.pages()[0];
    await page.goto('/imports');
    const csv = '指标代码,期间,数值\r\nDT-ENTERPRISES,2026Q2,2100\r\n'; // 10× 2026Q1's 210
    await page.setInputFiles('#file', { name: '二季度.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    assert.equal((await submit(page, '#upload')).status(), 200, await text(page, 'main'));
    assert.equal(await page.locator('#import-rows tr.warn[data-row="2"]').count(), 1);
    assert.match(await text(page, '#import-rows tr[data-row="2"] .warnings'), /^请核对：数值 2100 是上期.*10 倍/);
    assert.equal(await page.locator('#confirm-warnings[required]').count(), 1);

    // Without the box (the browser's `required` bypassed), the server refuses and writes nothing.
    await page.evaluate('document.querySelector("#confirm-warnings").removeAttribute("required")');
    const refused = await submit(page, '#apply-import');
    assert.equal(refused.status(), 422);
    assert.match(await text(page, '#apply-error'), /1 行数值需要核对/);
    assert.equal(await figureValue('DT-ENTERPRISES', '2026Q2'), null);

    await page.check('#confirm-warnings');
    assert.equal((await submit(page, '#apply-import')).status(), 200, await text(page, 'main'));
    assert.match(await text(page, '#import-applied'), /写入 1/);
    assert.equal(await figureValue('DT-ENTERPRISES', '2026Q2'), '2100');
  });
});
