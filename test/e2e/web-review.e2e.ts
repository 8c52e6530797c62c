// 审核 in a real browser (FIGURE_REVIEW=on): a department saves the entry sheet (the figures wait for
// review), a planner returns one on /review and approves the rest of the visible queue, and the department
// sees the returned figure with its reason on the entry sheet and the target page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { ADMIN } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget, WORKED_EXAMPLE } from '../support/factories.js';

const ECON = { email: 'econ-review-web@example.org', password: 'Econ-review-web-2026', role: 'department', department: 'ECON-INFO' };
const WORKED = { ...WORKED_EXAMPLE, baseline: { period: '2025', value: 200 }, target: { period: '2027', value: 350 } };
const PLANTS = { ...WORKED, code: 'DT-PLANTS', name: '智能工厂数', unit: '个', baseline: { period: '2025', value: 20 }, target: { period: '2027', value: 50 } };
const PERIOD = '2026Q3';

describe('review queue in the browser (FIGURE_REVIEW=on)', () => {
  let t: BrowserApp;
  let browser: Browser;
  let econ: BrowserContext;
  let planner: BrowserContext;
  const figure = async (code: string, period: string) => (await t.db.query(
    `SELECT f.value::text FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1 AND f.period = $2`, [code, period])).rows[0]?.value ?? null;

  before(async () => {
    ({ app: t, browser } = await startAppAndBrowser('web-review', { FIGURE_REVIEW: 'on' }));
    await createDepartment(t);
    await createTarget(t, WORKED);
    await createTarget(t, PLANTS);
    await t.http().post('/api/v1/users').send(ECON).expect(201);
    // another period's submission, which a queue filtered to PERIOD neither shows nor approves
    const token = await t.login(ECON.email, ECON.password);
    await t.as(token).put('/api/v1/targets/DT-PLANTS/figures/2026Q2').send({ value: 22 }).expect(202);
    econ = await newContext(browser, t.baseUrl);
    planner = await newContext(browser, t.baseUrl);
    await login(await econ.newPage(), ECON.email, ECON.password);
    await login(await planner.newPage(), ADMIN.email, ADMIN.password);
  });
  after(() => closeAll(browser, t));

  it('submits from the entry sheet, returns one figure with a reason, approves the visible rest', async () => {
    const page = await econ.newPage();
    await page.goto(`/entry/${PERIOD}`);
    await page.fill('#value-dt-enterprises', '240');
    await page.fill('#value-dt-plants', '26');
    await Promise.all([page.waitForURL(/submitted=2/), page.click('#save-entry')]);
    assert.match(await page.textContent('#submitted') ?? '', /已提交，待规划处审核/);
    assert.equal(await page.locator('.pending-value').count(), 2);
    assert.equal(await figure('DT-PLANTS', PERIOD), null);

    const review = await planner.newPage();
    await review.goto('/');
    await Promise.all([review.waitForURL(/\/review/), review.click('nav a[href="/review"]')]);
    await review.selectOption('select[name=department]', 'ECON-INFO');
    await review.fill('input[name=period]', PERIOD);
    await Promise.all([review.waitForURL(/period=2026Q3/), review.click('#review-filter button[type=submit]')]);
    assert.equal(await review.locator('#review-queue tbody tr[data-target]').count(), 2);
    const row = review.locator(`tr[data-target="DT-ENTERPRISES"][data-period="${PERIOD}"]`);
    assert.match(await row.locator('.submitted-value').textContent() ?? '', /240/);
    await row.locator('input[name=reason]').fill('与统计快报不符');
    await Promise.all([review.waitForURL(/done=returned/), row.locator('.return-figure').click()]);
    await Promise.all([review.waitForURL(/done=approved/), review.click('#approve-all')]);
    assert.match(await review.textContent('#review-done') ?? '', /已审核通过：1/);

    assert.equal(await figure('DT-PLANTS', PERIOD), '26');
    assert.equal(await figure('DT-ENTERPRISES', PERIOD), null);
    assert.equal(await figure('DT-PLANTS', '2026Q2'), null); // not visible, not approved

    await page.goto(`/entry/${PERIOD}`);
    assert.match(await page.locator('tr[data-code="DT-ENTERPRISES"] .returned-reason').textContent() ?? '', /与统计快报不符/);
    await page.goto('/targets/DT-ENTERPRISES');
    assert.match(await page.locator('#target-review .returned-reason').textContent() ?? '', /与统计快报不符/);
  });
});
