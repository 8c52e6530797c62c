// The dashboard and the target page as issue 12 found them, in a real browser (Debian's chromium):
// filters that send empty parameters, how far and since when a target lags, a department's own
// targets, search, print, Chinese wording without English or developer text, and a phone's width.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, eventually } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget, DEPARTMENT, WORKED_EXAMPLE } from '../support/factories.js';

const ECON = { email: 'econ-clerk@example.org', password: 'Econ-clerk-pass-2026', role: 'department', department: 'ECON-INFO' };
const SCI = { code: 'SCI-TECH', name: '区科技局', emails: [] };
const NO_SOURCE = { source: { document: null, quote: null, url: null } };

/** 350 by 2027 from 200 at 2025, linear: 2026Q2 210 and 2026Q3 230 are both lagging; at 2026Q3 e = 37.5%, c = 20%. */
const LAGGING = { ...WORKED_EXAMPLE, category: '数字经济', baseline: { period: '2025', value: 200 }, target: { period: '2027', value: 350 } };
/** Led by 区科技局 and supported by 区经济信息委; compound growth. */
const SUPPORTED = { ...WORKED_EXAMPLE, ...NO_SOURCE, code: 'TECH-ENTERPRISES', name: '科技型企业数', department: SCI.code,
  supporting: [DEPARTMENT.code], method: 'cagr', category: '科技创新', baseline: { period: '2025', value: 2782 }, target: { period: '2027', value: 5564 } };
/** 区科技局 alone: a department user of 区经济信息委 does not land on it. */
const OTHERS = { ...WORKED_EXAMPLE, ...NO_SOURCE, code: 'SCI-LABS', name: '重点实验室数', unit: '个', department: SCI.code, category: '科技创新',
  baseline: { period: '2025', value: 10 }, target: { period: '2027', value: 20 } };
/** No baseline and one figure: that figure is the base, evaluated from the next one on. */
const NO_BASE = { ...WORKED_EXAMPLE, ...NO_SOURCE, code: 'EV-CHARGERS', name: '公共充电桩数', unit: '个', baseline: null, target: { period: '2027', value: 5000 } };

let t: BrowserApp;
let browser: Browser;
let admin: BrowserContext;
let econ: BrowserContext;

const put = (code: string, period: string, value: number) =>
  t.http().put(`/api/v1/targets/${code}/figures/${period}`).send({ value }).expect(200);

/** An evaluation run of every target, through the API, until it has completed. */
async function evaluate() {
  const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
  const run = await eventually(async () => {
    const res = await t.http().get(`/api/v1/evaluations/runs/${started.body.id}`).expect(200);
    return ['completed', 'failed'].includes(res.body.state) ? res.body : undefined;
  }, 20_000, 'evaluation run');
  assert.equal(run.state, 'completed');
}

/** The visible text of the page's main part. */
const mainText = async (page: Page): Promise<string> =>
  (await page.evaluate<string>(`(() => {
    const main = document.querySelector('main').cloneNode(true);
    main.querySelectorAll('svg').forEach((el) => el.remove()); // the chart's axis labels are not text
    document.body.appendChild(main);
    const text = main.innerText;
    main.remove();
    return text;
  })()`)).replace(/\s+/g, ' ');

/** Opens a page and checks it answered `status`. */
async function open(page: Page, path: string, status = 200) {
  const response = await page.goto(path);
  assert.equal(response?.status(), status, `GET ${path} answered ${response?.status()}: ${(await page.textContent('main'))?.trim().slice(0, 300)}`);
}

describe('dashboard and target page (chromium)', () => {
  before(async () => {
    ({ app: t, browser } = await startAppAndBrowser('web_dashboard'));
    await createDepartment(t);
    await createDepartment(t, SCI);
    for (const target of [LAGGING, SUPPORTED, OTHERS, NO_BASE]) await createTarget(t, target);
    await t.http().post('/api/v1/users').send(ECON).expect(201);
    await put('DT-ENTERPRISES', '2026Q2', 210);
    await put('TECH-ENTERPRISES', '2026Q2', 3000);
    await evaluate();
    await put('DT-ENTERPRISES', '2026Q3', 230);
    await put('EV-CHARGERS', '2026Q3', 1200);
    await evaluate();
    admin = await newContext(browser, t.baseUrl);
    econ = await newContext(browser, t.baseUrl);
    await Promise.all([login(await admin.newPage(), ADMIN.email, ADMIN.password), login(await econ.newPage(), ECON.email, ECON.password)]);
  });
  after(() => closeAll(browser, t));

  it('API queries take an empty parameter as not set', async () => {
    const all = await t.http().get('/api/v1/evaluations/latest').expect(200);
    const empty = await t.http().get('/api/v1/evaluations/latest?status=&department=&overdue=').expect(200);
    assert.equal(empty.body.items.length, all.body.items.length);
    const targets = await t.http().get('/api/v1/targets?department=&category=&kind=&binding=&q=&page=').expect(200);
    assert.equal(targets.body.items.length, 4);
    await t.http().get('/api/v1/alerts?state=').expect(200);
  });

  it('filters: a choice or 筛选 with the defaults never sends an empty filter, and shows the targets', async () => {
    const page = admin.pages()[0];
    await open(page, '/');
    const total = await page.locator('#targets tbody tr[data-code]').count();
    assert.equal(total, 4);
    await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
    assert.equal(await page.locator('#targets tbody tr[data-code]').count(), 4, `after 筛选: ${page.url()}`);
    await Promise.all([page.waitForNavigation(), page.selectOption('select[name=department]', SCI.code)]);
    assert.equal(await page.locator('#targets tbody tr[data-code]').count(), 2, `after choosing 区科技局: ${page.url()}`);
    assert.match(await page.innerText('#targets caption'), /共 2 项指标/);
    await open(page, '/?department=&category=&status=&binding=&q=');
    assert.equal(await page.locator('#targets tbody tr[data-code]').count(), 4);
  });

  it('says how far and since when a target lags, with units, and explains the colour thresholds', async () => {
    const page = admin.pages()[0];
    await open(page, '/');
    const row = await page.innerText('#targets tr[data-code="DT-ENTERPRISES"]');
    assert.match(row, /滞后自2026年二季度（连续2期）/);
    assert.match(row, /低于序时进度 17\.5 个百分点/);
    assert.match(row, /120家/); // 差距 350 − 230
    await put('SCI-LABS', '2026Q3', 22); // past its 20: the gap is how far beyond
    await evaluate();
    await open(page, '/');
    assert.match(await page.innerText('#targets tr[data-code="SCI-LABS"]'), /超出 2个/);
    const legend = await page.innerText('#thresholds');
    assert.match(legend, /0\.85/);
    assert.match(legend, /0\.6/);
    assert.match(legend, /复合增长/);
    await open(page, '/targets/DT-ENTERPRISES');
    const now = await page.innerText('#progress-now');
    assert.match(now, /滞后自2026年二季度（连续2期）/);
    assert.match(now, /低于序时进度 17\.5 个百分点/);
    assert.match(now, /应达值\s*256家/); // 200 + 150 × 0.375 = 256.25, a count: whole
    assert.match(now, /距目标差距\s*120家/);
    assert.match(now, /预计期末\s*[\d.,]+家/);
    assert.ok(await page.isVisible('#thresholds'));
  });

  it('shows the one figure of a target without a baseline as 最新值, to be evaluated from the next', async () => {
    const page = admin.pages()[0];
    await open(page, '/');
    const row = await page.innerText('#targets tr[data-code="EV-CHARGERS"]');
    assert.match(row, /1,200个/);
    assert.match(row, /首个值作为基期，下期起评估/);
    await open(page, '/targets/EV-CHARGERS');
    const now = await page.innerText('#progress-now');
    assert.match(now, /最新值\s*1,200个（2026年三季度）/);
    assert.match(now, /首个值作为基期，下期起评估/);
  });

  it('lands a department user on its own 牵头 and 配合 targets, with 本期待填 N 项 and names, not codes', async () => {
    const page = econ.pages()[0];
    await open(page, '/');
    const codes = await page.locator('#targets tbody tr[data-code]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    assert.deepEqual(codes.sort(), ['DT-ENTERPRISES', 'EV-CHARGERS', 'TECH-ENTERPRISES']);
    assert.match(await page.innerText('#targets tr[data-code="TECH-ENTERPRISES"]'), /配合/);
    assert.match(await page.innerText('#targets tr[data-code="DT-ENTERPRISES"]'), /牵头/);
    const todo = page.locator('#to-fill');
    assert.match(await todo.innerText(), /本期待填 \d+ 项/);
    assert.match((await todo.getAttribute('href')) ?? '', /^\/entry/);
    const text = await mainText(page);
    assert.ok(!/ECON-INFO|SCI-TECH/.test(text), 'a department code on the dashboard');
    assert.match(text, /区经济信息委/);
    await open(page, '/targets/TECH-ENTERPRISES');
    const definition = await mainText(page);
    assert.ok(!/ECON-INFO|SCI-TECH/.test(definition), 'a department code on the target page');
    assert.match(definition, /配合单位\s*区经济信息委|配合[:：]\s*区经济信息委/);
    // 全部 still shows every target.
    await open(page, '/?scope=all');
    assert.equal(await page.locator('#targets tbody tr[data-code]').count(), 4);
  });

  it('searches by code or name on the server; an empty search shows all', async () => {
    const page = admin.pages()[0];
    await open(page, '/');
    await page.fill('#search', '企业');
    await Promise.all([page.waitForNavigation(), page.press('#search', 'Enter')]);
    let codes = await page.locator('#targets tbody tr[data-code]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    assert.deepEqual(codes.sort(), ['DT-ENTERPRISES', 'TECH-ENTERPRISES']);
    await page.fill('#search', 'sci-labs');
    await Promise.all([page.waitForNavigation(), page.press('#search', 'Enter')]);
    codes = await page.locator('#targets tbody tr[data-code]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    assert.deepEqual(codes, ['SCI-LABS']);
    await page.fill('#search', '');
    await Promise.all([page.waitForNavigation(), page.press('#search', 'Enter')]);
    assert.equal(await page.locator('#targets tbody tr[data-code]').count(), 4);
  });

  it('prints the dashboard and the target page without navigation or filters, tables whole, status as text', async () => {
    const page = await admin.newPage();
    try {
      for (const path of ['/', '/targets/DT-ENTERPRISES']) {
        await open(page, path);
        assert.ok(await page.isVisible('button#print'), `no 打印 button on ${path}`);
        await page.emulateMedia({ media: 'print' });
        await page.setViewportSize({ width: 1032, height: 700 }); // A4 landscape less 12 mm margins, at 96 dpi (app.css @page)
        for (const hidden of ['header.top', 'form.filters', 'button#print']) {
          if (await page.locator(hidden).count()) assert.ok(!(await page.isVisible(hidden)), `${hidden} printed on ${path}`);
        }
        const clipped = await page.evaluate(`[...document.querySelectorAll('main table')]
          .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1 || t.scrollWidth > t.clientWidth + 1).length`);
        assert.equal(clipped, 0, `a table wider than the paper on ${path}`);
        assert.equal(await page.evaluate('document.scrollingElement.scrollWidth > window.innerWidth + 1'), false, `wider than the paper: ${path}`);
        assert.match(await page.innerText('main'), /滞后/);
        await page.emulateMedia({ media: 'screen' });
        await page.setViewportSize({ width: 1366, height: 768 });
      }
    } finally {
      await page.close();
    }
  });

  it('writes Chinese the Chinese way: periods, dates, ≥, whole counts', async () => {
    const page = admin.pages()[0];
    await open(page, '/');
    const text = await mainText(page);
    assert.ok(!/\d{4}Q[1-4]/.test(text), `2026Q3-style periods on the dashboard: ${text.match(/.{20}\d{4}Q[1-4].{10}/)?.[0]}`);
    assert.ok(!/>=|<=/.test(text), 'a >= on the dashboard');
    assert.match(text, /≥ ?350家/);
    assert.match(text, /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
    await open(page, '/targets/DT-ENTERPRISES');
    const target = await mainText(page);
    assert.ok(!/\d{4}Q[1-4]/.test(target), `a 2026Q3-style period on the target page: ${target.match(/.{30}\d{4}Q[1-4].{10}/)?.[0]}`);
    assert.ok(!/\d{4}-\d{2}-\d{2}/.test(target), 'an ISO date on the target page');
    assert.match(target, /2026年三季度/);
    assert.match(target, /230家/); // not 230.0000
  });

  it('keeps English, with 2026Q3 periods, for the en locale', async () => {
    const context = await newContext(browser, t.baseUrl);
    try {
      const page = await context.newPage();
      await login(page, ADMIN.email, ADMIN.password);
      await open(page, '/lang/en?next=/targets/DT-ENTERPRISES');
      const text = await mainText(page);
      assert.match(text, /2026Q3/);
      assert.match(text, /Lagging since 2026Q2 \(2 periods in a row\)/i);
      await open(page, '/nope', 404);
      assert.match(await mainText(page), /Back to the dashboard/);
    } finally {
      await context.close();
    }
  });

  describe('no English or developer text in the zh-CN interface', () => {
    /** English UI words, parenthesised English, raw field paths and exponent numbers. */
    const DENY = [
      /\b(Cannot|GET|POST|Back|dashboard|required|invalid|error|role|department|targets\.write|forbidden|Not found|undefined|null|NaN|true|false)\b/,
      /[(（][^)）]*(?<![.\w])[a-z]{2,}\b[^)）]*[)）]/, /\b[a-z]+\[\d+\]\.[a-z]+/i, /\b\d+e\d+\b/,
    ];

    /** The page's visible text in Chinese, leaving out what users typed as data and the switch to English. */
    async function checkChinese(page: Page, label: string) {
      const text: string = await page.evaluate(`(() => {
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('[lang="en"], svg, script, style').forEach((el) => el.remove());
        document.body.appendChild(main);
        const text = main.innerText;
        main.remove();
        return text;
      })()`);
      for (const pattern of DENY) {
        const m = pattern.exec(text);
        assert.ok(!m, `${label}: "${m?.[0]}" in «${m ? text.slice(Math.max(0, m.index - 40), m.index + 40) : ''}»`);
      }
    }

    it('walks the main pages', async () => {
      const page = admin.pages()[0];
      for (const path of ['/', '/?status=red', '/targets/DT-ENTERPRISES', '/targets/EV-CHARGERS', '/entry', '/imports', '/exports',
        '/documents', '/admin', '/admin/targets', '/admin/departments', '/admin/users', '/admin/silences']) {
        await open(page, path);
        await checkChinese(page, path);
      }
    });

    it('the 404 page', async () => {
      const page = admin.pages()[0];
      await open(page, '/nope', 404);
      assert.match(await mainText(page), /返回看板/);
      await checkChinese(page, '404');
    });

    it('the 403 page says in words what the account may not do', async () => {
      const page = econ.pages()[0];
      await open(page, '/admin/targets/new', 403);
      assert.match(await mainText(page), /您的账号（责任单位）无权修改指标/);
      await checkChinese(page, '403');
      await open(page, '/admin/queues', 403);
      await checkChinese(page, 'the queue board refused');
    });

    it('form errors name the field in words', async () => {
      const page = admin.pages()[0];
      await open(page, '/admin/targets/new');
      await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
      await checkChinese(page, 'an empty target form');
      assert.match(await mainText(page), /必填/);
    });
  });

  describe('at 390×844 (a phone)', () => {
    /** Children of `card` whose box leaves it, and whether the page scrolls sideways. */
    async function overflow(page: Page, card: string) {
      return page.evaluate(`(() => {
        const box = document.querySelector(${JSON.stringify(card)});
        if (!box) return { missing: true };
        const outer = box.getBoundingClientRect();
        const out = [...box.querySelectorAll('*')].filter((el) => {
          if (el.closest('.scroll-x') && el.closest('.scroll-x') !== box && box.contains(el.closest('.scroll-x'))) return false;
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.left < outer.left - 1 || r.right > outer.right + 1);
        }).map((el) => el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className);
        return { out: out.slice(0, 5), pageScroll: document.scrollingElement.scrollWidth > window.innerWidth + 1 };
      })()`) as Promise<{ missing?: boolean; out: string[]; pageScroll: boolean }>;
    }

    it('the chart, the figures and the progress cards stay inside their cards; no sideways scroll', async () => {
      const page = await admin.newPage();
      try {
        await page.setViewportSize({ width: 390, height: 844 });
        await open(page, '/targets/DT-ENTERPRISES');
        for (const card of ['#chart', '#figures-card', '#progress-now', '#definition']) {
          const result = await overflow(page, card);
          assert.ok(!result.missing, `${card} missing`);
          assert.deepEqual(result.out, [], `${card}: elements outside the card`);
          assert.equal(result.pageScroll, false, 'the target page scrolls sideways');
        }
        const chart = await page.locator('#chart svg').boundingBox();
        assert.ok(chart && chart.width >= 340, `chart ${chart?.width}px wide: unreadable`);
        await open(page, '/');
        const dashboard = await overflow(page, '#targets-card');
        assert.deepEqual(dashboard.out, []);
        assert.equal(dashboard.pageScroll, false, 'the dashboard scrolls sideways');
      } finally {
        await page.close();
      }
    });

    it('the import preview rows stay inside their cards', async () => {
      const page = await admin.newPage();
      try {
        await page.setViewportSize({ width: 390, height: 844 });
        await open(page, '/imports');
        const csv = '指标代码,期间,数值,口径,备注\r\nDT-ENTERPRISES,2026Q1,205,,一季度数据（统计局快报，含规模以上与规模以下企业的合计口径）\r\nNOPE,2026Q1,abc,,\r\n';
        await page.setInputFiles('#file', { name: 'quarter.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
        await Promise.all([page.waitForNavigation(), page.click('#upload')]);
        const result = await overflow(page, '.table-wrap:has(#import-rows)');
        assert.ok(!result.missing, 'no import preview');
        // Each cell at least as tall as its label (an empty cell's label would run into the next).
        const short = await page.evaluate(`[...document.querySelectorAll('#import-rows td[data-label]')]
          .filter((td) => td.getBoundingClientRect().height < parseFloat(getComputedStyle(td, '::before').lineHeight || '18') - 1)
          .map((td) => td.dataset.label)`) as string[];
        assert.deepEqual(short, [], 'labels of empty cells overlap the next');
        assert.deepEqual(result.out, [], 'import preview: elements outside the card');
        assert.equal(result.pageScroll, false, 'the import preview scrolls sideways');
      } finally {
        await page.close();
      }
    });

    it('the entry page: each reason input inside its card', async () => {
      const page = await econ.newPage();
      try {
        await page.setViewportSize({ width: 390, height: 844 });
        await open(page, '/entry/2026Q3');
        const result = await page.evaluate(`(() => [...document.querySelectorAll('#entry tbody tr')].flatMap((tr) => {
          const row = tr.getBoundingClientRect();
          return [...tr.querySelectorAll('input, textarea, select')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.left < row.left - 1 || r.right > row.right + 1);
          }).map((el) => el.name);
        }))()`) as string[];
        assert.deepEqual(result, [], 'entry inputs outside their row card');
        assert.equal(await page.evaluate('document.scrollingElement.scrollWidth > window.innerWidth + 1'), false, 'the entry page scrolls sideways');
      } finally {
        await page.close();
      }
    });
  });
});
