// `npm run screenshots`: the dashboard, a target page, an import preview and the entry page at 1280×800
// and at 390×844 (a phone), written to docs/screenshots/. Runs the real app on a scratch database
// (as the tests do: PostgreSQL, Redis and Debian's chromium) with demonstration data made here.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ADMIN, eventually } from '../test/support/app.js';
import { closeAll, launchBrowser, login, newContext, startListeningApp, type BrowserApp } from '../test/support/browser.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const SIZES = { '': { width: 1280, height: 800 }, '-phone': { width: 390, height: 844 } } as const;
const CLERK = { email: 'clerk@example.org', password: 'Econ-clerk-demo-2026', role: 'department', department: 'ECON-INFO' };

const DEPARTMENTS = [
  { code: 'ECON-INFO', name: '区经济信息委', emails: ['econ-info@example.org'] },
  { code: 'SCI-TECH', name: '区科技局', emails: ['sci-tech@example.org'] },
];
const NO_SOURCE = { document: null, quote: null, url: null };
const level = { kind: 'level', comparator: '>=', method: 'linear', department: 'ECON-INFO', source: NO_SOURCE };
/** Deadlines after today, so the colours depend on the figures; TECH and HIGHTECH show the lower compound-growth bar. */
const TARGETS = [
  { ...level, code: 'DT-ENTERPRISES', name: '数字化改造企业数', unit: '家', category: '数字经济', binding: true, supporting: ['SCI-TECH'],
    baseline: { period: '2025', value: 200 }, target: { period: '2027', value: 350 },
    source: { document: '渝北“四新”引领先进制造业激发新质生产力', quote: '将通过数字化改造企业350家以上', url: null } },
  { ...level, code: 'DT-COVERAGE', name: '规上工业企业数字化改造覆盖率', unit: '%', category: '数字经济',
    baseline: { period: '2025', value: 61 }, target: { period: '2027', value: 90 } },
  { ...level, code: 'NEV-OUTPUT', name: '新能源汽车产值', unit: '亿元', kind: 'flow', category: '先进制造',
    milestones: [{ period: '2026', value: 2400 }], target: { period: '2027', value: 3000 } },
  { ...level, code: 'TECH-ENTERPRISES', name: '科技型企业数', unit: '家', method: 'cagr', department: 'SCI-TECH', supporting: ['ECON-INFO'],
    category: '科技创新', baseline: { period: '2023', value: 2782 }, target: { period: '2027', value: 5564 } },
  { ...level, code: 'HIGHTECH-ENTERPRISES', name: '高新技术企业数', unit: '家', method: 'cagr', department: 'SCI-TECH', category: '科技创新',
    baseline: { period: '2023', value: 506 }, target: { period: '2027', value: 1012 } },
  { ...level, code: 'BASE-5G', name: '5G基站数', unit: '个', category: '数字经济', baseline: { period: '2025', value: 1800 }, target: { period: '2027', value: 3000 } },
  { ...level, code: 'EV-CHARGERS', name: '公共充电桩数', unit: '个', category: '先进制造', baseline: null, target: { period: '2027', value: 5000 } },
];
const FIGURES: [code: string, period: string, value: number][] = [
  ['DT-ENTERPRISES', '2026Q1', 205], ['DT-ENTERPRISES', '2026Q2', 210], ['DT-ENTERPRISES', '2026Q3', 230],
  ['DT-COVERAGE', '2026Q1', 64], ['DT-COVERAGE', '2026Q2', 67], ['DT-COVERAGE', '2026Q3', 71],
  ['NEV-OUTPUT', '2026Q1', 520], ['NEV-OUTPUT', '2026Q2', 1150], ['NEV-OUTPUT', '2026Q3', 1820],
  ['TECH-ENTERPRISES', '2025Q4', 3820], ['TECH-ENTERPRISES', '2026Q2', 4050], ['TECH-ENTERPRISES', '2026Q3', 4150],
  ['HIGHTECH-ENTERPRISES', '2025Q4', 640], ['HIGHTECH-ENTERPRISES', '2026Q2', 680], ['HIGHTECH-ENTERPRISES', '2026Q3', 700],
  ['BASE-5G', '2026Q2', 2600], ['BASE-5G', '2026Q3', 3050],
  ['EV-CHARGERS', '2026Q3', 1200],
];
/** The statistics bureau's sheet: one good row and one the preview refuses. */
const IMPORT_CSV = ['指标代码,期间,数值,口径,备注', 'DT-COVERAGE,2026Q3,71.5,,统计局核定', 'NEV-OUTPUT,2026Q3,23 318.5 86,,粘贴了三个单元格'].join('\r\n') + '\r\n';

async function evaluateAsOf(t: BrowserApp, asOf?: string): Promise<void> {
  const started = await t.http().post('/api/v1/evaluations/runs').send(asOf ? { asOf } : {}).expect(202);
  await eventually(async () => {
    const res = await t.http().get(`/api/v1/evaluations/runs/${started.body.id}`).expect(200);
    return res.body.state === 'completed' ? true : res.body.state === 'failed' ? Promise.reject(new Error(res.body.error)) : undefined;
  }, 30_000, 'evaluation run');
}

/** A write through the API that must answer `status`; else the answer is the error. */
async function write(t: BrowserApp, method: 'post' | 'put', path: string, body: object, status: number): Promise<void> {
  const res = await t.http()[method](`/api/v1${path}`).send(body);
  if (res.status !== status) throw new Error(`${method.toUpperCase()} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function demoData(t: BrowserApp): Promise<void> {
  for (const d of DEPARTMENTS) await write(t, 'post', '/departments', d, 201);
  for (const target of TARGETS) await write(t, 'post', '/targets', target, 201);
  await write(t, 'post', '/users', CLERK, 201);
  // Quarter by quarter, each evaluated a little after it closed: the history the "since when" reads.
  const entered = new Set<string>();
  for (const [quarter, asOf] of [['2026Q1', '2026-04-25'], ['2026Q2', '2026-07-25'], ['2026Q3', undefined]] as const) {
    for (const [code, period, value] of FIGURES) {
      if (period > quarter || entered.has(code + period)) continue;
      entered.add(code + period);
      await write(t, 'put', `/targets/${code}/figures/${period}`, { value, note: '示例数据' }, 200);
    }
    await evaluateAsOf(t, asOf);
  }
}

async function shoot(page: Page, name: string, path: string): Promise<void> {
  for (const [suffix, size] of Object.entries(SIZES)) {
    await page.setViewportSize(size);
    const response = await page.goto(path);
    if (response?.status() !== 200) throw new Error(`${path} answered ${response?.status()}`);
    await page.screenshot({ path: `${OUT}${name}${suffix}.png`, fullPage: true });
    console.log(`docs/screenshots/${name}${suffix}.png`);
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  let t: BrowserApp | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    [t, browser] = await Promise.all([startListeningApp('screenshots'), launchBrowser()]);
    await demoData(t);
    const admin = await (await newContext(browser, t.baseUrl)).newPage();
    await login(admin, ADMIN.email, ADMIN.password);
    await shoot(admin, 'dashboard', '/');
    await shoot(admin, 'target', '/targets/DT-ENTERPRISES');
    await admin.goto('/imports');
    await admin.setInputFiles('#file', { name: '统计局2026年三季度.csv', mimeType: 'text/csv', buffer: Buffer.from(IMPORT_CSV, 'utf8') });
    await Promise.all([admin.waitForNavigation(), admin.click('#upload')]);
    await shoot(admin, 'import', new URL(admin.url()).pathname);
    // The entry page last: a colleague's page that changes most often.
    const clerk = await (await newContext(browser, t.baseUrl)).newPage();
    await login(clerk, CLERK.email, CLERK.password);
    await shoot(clerk, 'entry', '/entry/2026Q3');
  } finally {
    await closeAll(browser, t);
  }
}

await main();
