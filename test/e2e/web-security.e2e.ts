// Issue 15's attacker on the office network, against the real app: redirects after login or a language
// switch followed by Chromium, a CSRF token minted in another session, the client address behind one
// proxy hop (TRUST_PROXY=1), and a CSV export opened where `;` separates cells.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { ADMIN } from '../support/app.js';
import { type BrowserApp, closeAll, launchBrowser, login, newContext, startListeningApp } from '../support/browser.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { csrfOf } from '../support/web.js';

const PLANNER = { email: 'mallory@example.org', password: 'Mallory-plans-2026', role: 'planner', department: null };
const NOTE = "x;=cmd|' /C calc'!A0;";
const EVIL = 'evil.example';

let t: BrowserApp;
let browser: Browser;

before(async () => {
  // evil.example answers on 127.0.0.1:80 (refused): a navigation there shows as a request, without a network.
  const [app, chromium] = await Promise.allSettled([startListeningApp('web-security', { TRUST_PROXY: '1' }),
    launchBrowser([`--host-resolver-rules=MAP ${EVIL} 127.0.0.1`])]);
  if (app.status === 'rejected' || chromium.status === 'rejected') {
    await closeAll(chromium.status === 'fulfilled' ? chromium.value : undefined, app.status === 'fulfilled' ? app.value : undefined);
    throw app.status === 'rejected' ? app.reason : (chromium as PromiseRejectedResult).reason;
  }
  t = app.value;
  browser = chromium.value;
  await createDepartment(t);
  await createTarget(t);
  await t.http().post('/api/v1/users').send(PLANNER).expect(201);
});

after(() => closeAll(browser, t));

/**
 * `next` values as they stand in the address (percent-encoded where a browser would keep them so): control
 * characters a browser drops, backslashes it reads as slashes, scheme-relative starts, dot segments that
 * leave a `//` path, and the same once or twice encoded.
 */
const HOSTILE = [
  `/%09/${EVIL}/phish`, `/%0A/${EVIL}`, `/%0D%0A/${EVIL}`, `%09//${EVIL}`, `//${EVIL}`, `/%5C${EVIL}`, `/%5C/${EVIL}`,
  `%5C%5C${EVIL}`, `https://${EVIL}/`, `https:${EVIL}`, `/..//${EVIL}`, `/.//${EVIL}`, `/a/..//${EVIL}`, `/.%2F/${EVIL}`,
  `/%2F/${EVIL}`, `/%252F/${EVIL}`, `/%2509/${EVIL}`, `/%255C${EVIL}`, `/%2E%2E//${EVIL}`, `/%E3%80%80/${EVIL}`,
];

/** Opens `path` in `page` and returns every URL the browser requested on the way and where it ended. */
async function follow(page: Page, path: string): Promise<{ requested: string[]; final: URL }> {
  const requested: string[] = [];
  const listener = (r: { url: () => string }) => requested.push(r.url());
  page.on('request', listener);
  try {
    await page.goto(path).catch((error: Error) => requested.push(`failed: ${error.message.split('\n')[0]}`));
    return { requested, final: new URL(page.url()) };
  } finally {
    page.off('request', listener);
  }
}

function assertStayed(where: string, { requested, final }: { requested: string[]; final: URL }) {
  const origin = new URL(t.baseUrl).origin;
  const away = requested.filter((url) => !url.startsWith(`${origin}/`));
  assert.deepEqual(away, [], `${where}: left the app`);
  assert.equal(final.origin, origin, where);
  // a path starting with // reads as another host wherever it is used again as a link
  assert.doesNotMatch(final.pathname, /^\/[/\\]/, `${where}: ended on ${final.href}`);
}

describe('open redirect: Chromium stays on the app', () => {
  it('a language switch with a hostile next ends on the app, at a path of its own', async () => {
    const context = await newContext(browser, t.baseUrl);
    try {
      const page = await context.newPage();
      for (const next of HOSTILE) assertStayed(`/lang/en?next=${next}`, await follow(page, `/lang/en?next=${next}`));
      const ok = await follow(page, '/lang/zh?next=/targets/DT-ENTERPRISES%3Ftab%3Dfigures');
      assert.ok(ok.requested.includes(`${t.baseUrl}/targets/DT-ENTERPRISES?tab=figures`), `a path of the app is kept: ${ok.requested.join(' ')}`);
    } finally {
      await context.close();
    }
  });

  it('signed in, /login?next=… sends on to the app only', async () => {
    const context = await newContext(browser, t.baseUrl);
    try {
      const page = await context.newPage();
      await login(page, ADMIN.email, ADMIN.password);
      for (const next of HOSTILE) assertStayed(`/login?next=${next}`, await follow(page, `/login?next=${next}`));
    } finally {
      await context.close();
    }
  });

  it('the login form posted with a hostile next (as a forged page would) ends on the app', async () => {
    for (const next of ['/\t/evil.example/phish', '/\\evil.example', '/..//evil.example', '/.%2F/evil.example', ' //evil.example']) {
      const context = await newContext(browser, t.baseUrl);
      try {
        const page = await context.newPage();
        await page.goto('/login');
        await page.fill('#email', ADMIN.email);
        await page.fill('#password', ADMIN.password);
        await page.$eval('input[name=next]', (input, value) => { (input as unknown as { value: string }).value = value; }, next);
        const requested: string[] = [];
        page.on('request', (r) => requested.push(r.url()));
        await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')).catch(() => undefined),
          page.click('form[action="/login"] button[type=submit]')]);
        await page.waitForLoadState('load').catch(() => undefined);
        assertStayed(`login form, next ${JSON.stringify(next)}`, { requested, final: new URL(page.url()) });
      } finally {
        await context.close();
      }
    }
  });
});

/** Signs in through the login form with raw requests; returns the session cookie's value. */
async function pageSession(email: string, password: string): Promise<string> {
  const server = t.app.getHttpServer();
  const form = await request(server).get('/login').expect(200);
  const seed = cookieOf(form, 'tm_csrf');
  const res = await request(server).post('/login').set('cookie', `tm_csrf=${seed}`).type('form')
    .send({ _csrf: csrfOf(form.text), email, password, next: '/' }).expect(303);
  return cookieOf(res, 'tm_session');
}

/** A page's visible text, for a failure message. */
const textOf = (html: string) => html.replace(/<(script|style)[\s\S]*?<\/\1>|<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 1200);

function cookieOf(res: { headers: Record<string, unknown> }, name: string): string {
  const set = [res.headers['set-cookie'] ?? []].flat() as string[];
  const value = set.map((c) => new RegExp(`^${name}=([^;]*)`).exec(c)?.[1]).find(Boolean);
  return value ?? assert.fail(`no ${name} cookie set`);
}

describe('CSRF: a token belongs to the session it was issued in', () => {
  const figures = async () => (await t.db.query(`SELECT count(*)::int AS n FROM figures`)).rows[0].n as number;
  const SEED = 'planted-by-mallory-0123456789';

  it("the attacker's token for a planted cookie fails with the victim's session (403, nothing written)", async () => {
    const server = t.app.getHttpServer();
    const victim = await pageSession(ADMIN.email, ADMIN.password);
    const attacker = await pageSession(PLANNER.email, PLANNER.password);
    // Mallory's own session, with the cookie she will plant in the admin's browser
    const own = await request(server).get('/entry/2025Q3').set('cookie', `tm_session=${attacker}; tm_csrf=${SEED}`).expect(200);
    const minted = csrfOf(own.text);
    // and a token fetched with no session at all (the login page) for the same cookie
    const anonymous = csrfOf((await request(server).get('/login').set('cookie', `tm_csrf=${SEED}`).expect(200)).text);

    const before = await figures();
    for (const token of [minted, anonymous]) {
      const forged = await request(server).post('/entry/2025Q3').set('cookie', `tm_session=${victim}; tm_csrf=${SEED}`).type('form')
        .send({ _csrf: token, 'value.DT-ENTERPRISES': '999' });
      assert.equal(forged.status, 403, textOf(forged.text));
      assert.match(forged.text, /表单已过期或来源不明/);
    }
    assert.equal(await figures(), before, 'nothing written');

    // the attacker's token still works in the attacker's own session: it is bound, not broken
    const hers = await request(server).post('/entry/2025Q3').set('cookie', `tm_session=${attacker}; tm_csrf=${SEED}`).type('form')
      .send({ _csrf: minted, 'value.DT-ENTERPRISES': '241' });
    assert.equal(hers.status, 303, textOf(hers.text));
    // and the victim's own page, with the same cookie, gives a token that works for the victim
    const page = await request(server).get('/entry/2025Q2').set('cookie', `tm_session=${victim}; tm_csrf=${SEED}`).expect(200);
    const mine = await request(server).post('/entry/2025Q2').set('cookie', `tm_session=${victim}; tm_csrf=${SEED}`).type('form')
      .send({ _csrf: csrfOf(page.text), 'value.DT-ENTERPRISES': '242' });
    assert.equal(mine.status, 303, textOf(mine.text));
    assert.equal(await figures(), before + 2);
  });
});

describe('TRUST_PROXY=1: the address our proxy appended, not what the client wrote', () => {
  const FORGED = '6.6.6.6';

  it('a failed login counts against the proxy-appended address in login_failures', async () => {
    await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', `${FORGED}, 203.0.113.7`)
      .send({ email: 'nobody@example.org', password: 'Wrong-password-1' }).expect(401);
    const { rows } = await t.db.query(`SELECT key FROM login_failures`);
    const keys = rows.map((r: { key: string }) => r.key);
    assert.ok(keys.some((k) => k.includes('203.0.113.7')), keys.join());
    assert.ok(!keys.some((k) => k.includes(FORGED)), keys.join());
  });

  it('a login and a write are audited with the proxy-appended address', async () => {
    const login = await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', `${FORGED}, 203.0.113.8`)
      .send({ email: PLANNER.email, password: PLANNER.password }).expect(200);
    await t.as(login.body.accessToken).put('/api/v1/targets/DT-ENTERPRISES/figures/2026Q1').set('x-forwarded-for', `${FORGED}, 203.0.113.9`)
      .send({ value: 230, note: '快报' }).expect(200);
    const { rows } = await t.db.query(`SELECT action, ip FROM audit_log WHERE actor = $1 ORDER BY id`, [PLANNER.email]);
    const ips = Object.fromEntries(rows.map((r: { action: string; ip: string }) => [r.action, r.ip]));
    assert.equal(ips['auth.login'], '203.0.113.8', JSON.stringify(rows));
    assert.ok(rows.some((r: { action: string; ip: string }) => r.action !== 'auth.login' && r.ip === '203.0.113.9'), JSON.stringify(rows));
    assert.ok(!rows.some((r: { ip: string }) => r.ip === FORGED), JSON.stringify(rows));
    const { rows: sessions } = await t.db.query(`SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [PLANNER.email]);
    assert.ok(sessions.every((s: { ip: string }) => s.ip !== FORGED), JSON.stringify(sessions));
  });
});

describe('CSV export where ; separates cells', () => {
  it("a note x;=cmd|' /C calc'!A0; starts no formula cell, split at , or at ;, and reads back as written", async () => {
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2025Q4').send({ value: 300, note: NOTE }).expect(200);
    const res = await t.http().get('/api/v1/exports/figures.csv').buffer(true)
      .parse((r, done) => { const chunks: Buffer[] = []; r.on('data', (c: Buffer) => chunks.push(c)); r.on('end', () => done(null, Buffer.concat(chunks))); })
      .expect(200);
    const lines = (res.body as Buffer).toString('utf8').slice(1).split('\r\n').filter(Boolean);
    const line = lines.find((l) => l.startsWith('DT-ENTERPRISES,2025Q4,'));
    assert.ok(line, lines.join('\n'));
    // Excel with ; as list separator: cells split at every ; (a quote counts only at a cell's start)
    for (const cell of line.split(';')) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a ;-split cell starts a formula: ${cell}`);
    for (const cell of line.split('\t')) assert.doesNotMatch(cell, /^[=+\-@\r]/, `a tab-split cell starts a formula: ${cell}`);
    // a reader honouring quotes keeps the note in one field
    const { parse } = await import('csv-parse/sync');
    const [record] = parse(line, { delimiter: ',' }) as string[][];
    assert.equal(record[4], "x;'=cmd|' /C calc'!A0;");
    const { unneutralise } = await import('../../src/spreadsheets/cells.js');
    assert.equal(unneutralise(record[4]), NOTE);
  });
});
