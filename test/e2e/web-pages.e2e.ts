import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, snapshot } from '../support/factories.js';
import { csrfOf, postForm, type WebAgent as Agent, webLogin } from '../support/web.js';

const DEPT_PASSWORD = 'Econ-office-2025-strong';
// Deadlines after the test's clock (2026-11), so statuses depend on the figures entered.
const LEVEL = { code: 'DT-ENTERPRISES', baseline: { period: '2025', value: 200 }, target: { period: '2027', value: 350 } };

describe('Pages: sign-in, CSRF, dashboard, target page, quarterly entry', () => {
  let t: TestApp;
  let admin: Agent;
  before(async () => {
    t = await startApp('web-pages');
    await createDepartment(t);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局', emails: [] });
    await createTarget(t, { ...LEVEL, name: '数字化改造企业数 <script>alert(1)</script>' });
    await createTarget(t, { code: 'NEV-OUTPUT', name: '新能源汽车产值', unit: '亿元', kind: 'flow', target: { period: '2027', value: 2000 } });
    await createTarget(t, { code: 'TECH-ENTERPRISES', name: '科技型企业数', department: 'SCI-TECH', baseline: { period: '2025', value: 2782 }, target: { period: '2027', value: 5564 } });
    await t.http().post('/api/v1/users').send({ email: 'econ@example.org', password: DEPT_PASSWORD, role: 'department', department: 'ECON-INFO' }).expect(201);
    admin = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
  });
  after(() => t.close());

  it('sends a visitor without a session to the login page, and back after signing in', async () => {
    const res = await request(t.app.getHttpServer()).get('/entry/2026Q3').expect(303);
    assert.equal(res.headers.location, '/login?next=%2Fentry%2F2026Q3');
    const agent = request.agent(t.app.getHttpServer());
    const page = await agent.get('/login').expect(200);
    assert.match(page.text, /<label for="email">邮箱<\/label>/);
    const login = await agent.post('/login').type('form')
      .send({ _csrf: csrfOf(page.text), email: ADMIN.email, password: ADMIN.password, next: '/entry/2026Q3' }).expect(303);
    assert.equal(login.headers.location, '/entry/2026Q3');
    const cookie = [login.headers['set-cookie']].flat().find((c: string) => c.startsWith('tm_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    await agent.get('/entry/2026Q3').expect(200);
  });

  it('keeps a wrong password on the login page with a message, and never redirects off-site', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), email: ADMIN.email, password: 'wrong', next: '/' }).expect(401);
    assert.match(res.text, /邮箱或密码错误/);
    assert.match(res.text, new RegExp(`value="${ADMIN.email}"`));
    const ok = await agent.post('/login').type('form')
      .send({ _csrf: csrfOf(page.text), email: ADMIN.email, password: ADMIN.password, next: '//evil.example/x' }).expect(303);
    assert.equal(ok.headers.location, '/');
    const lang = await agent.get('/lang/en?next=https://evil.example').expect(303);
    assert.equal(lang.headers.location, '/');
  });

  it('refuses a form post without the CSRF token, and writes nothing', async () => {
    const before = await snapshot(t);
    const res = await admin.post('/entry/2026Q3').type('form').send({ 'value.DT-ENTERPRISES': '260' }).expect(403);
    assert.match(res.headers['content-type'], /text\/html/);
    assert.match(res.text, /表单已过期或来源不明/);
    await admin.post('/entry/2026Q3').type('form').send({ _csrf: 'forged', 'value.DT-ENTERPRISES': '260' }).expect(403);
    assert.deepEqual(await snapshot(t), before);
  });

  it('logging out ends the session at once', async () => {
    const agent = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
    await postForm(agent, '/', '/logout', {}).then((r) => assert.equal(r.status, 303));
    await agent.get('/').expect(303);
  });

  it('shows the dashboard in Chinese, with English on request, escaping what users typed', async () => {
    const zh = await admin.get('/').expect(200);
    assert.match(zh.text, /<html lang="zh-CN">/);
    assert.match(zh.text, /进度看板/);
    assert.ok(!zh.text.includes('<script>alert(1)</script>'));
    assert.ok(zh.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.match(zh.text, /data-count="grey">[\s\S]*?<strong>3<\/strong>/);
    await admin.get('/lang/en?next=/').expect(303);
    const en = await admin.get('/').expect(200);
    assert.match(en.text, /<html lang="en">/);
    assert.match(en.text, /Dashboard/);
    await admin.get('/lang/zh?next=/').expect(303);
  });

  it('filters the dashboard by department and ignores unknown filter values', async () => {
    const res = await admin.get('/?department=SCI-TECH').expect(200);
    const codes = [...res.text.matchAll(/<tr data-code="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(codes, ['TECH-ENTERPRISES']);
    const odd = await admin.get('/?status=purple&sort=%3Bdrop').expect(200);
    assert.equal([...odd.text.matchAll(/<tr data-code=/g)].length, 3);
  });

  it('lets a department user enter its quarter, all or nothing, keeping what was typed on failure', async () => {
    const econ = await webLogin(t.app.getHttpServer(), 'econ@example.org', DEPT_PASSWORD);
    const page = await econ.get('/entry/2026Q3').expect(200);
    const codes = [...page.text.matchAll(/<tr data-code="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(codes, ['DT-ENTERPRISES', 'NEV-OUTPUT']); // not SCI-TECH's target
    const before = await snapshot(t);
    const bad = await econ.post('/entry/2026Q3').type('form')
      .send({ _csrf: csrfOf(page.text), 'value.DT-ENTERPRISES': '260', 'value.NEV-OUTPUT': '12x', 'basis.NEV-OUTPUT': 'ytd' }).expect(422);
    assert.match(bad.text, /id="value-nev-output-error"/);
    assert.match(bad.text, /name="value.DT-ENTERPRISES" value="260"/);
    assert.match(bad.text, /name="value.NEV-OUTPUT" value="12x"/);
    assert.deepEqual(await snapshot(t), before);

    const ok = await econ.post('/entry/2026Q3').type('form')
      .send({ _csrf: csrfOf(page.text), 'value.DT-ENTERPRISES': '260', 'value.NEV-OUTPUT': '1,200.5', 'basis.NEV-OUTPUT': 'ytd' }).expect(303);
    assert.equal(ok.headers.location, '/entry/2026Q3?saved=2');
    const { rows } = await t.db.query(
      `SELECT t.code, f.value::text, f.basis, r.recorded_by FROM figures f JOIN targets t ON t.id = f.target_id
         JOIN figure_revisions r ON r.id = f.revision_id ORDER BY t.code`);
    assert.deepEqual(rows, [
      { code: 'DT-ENTERPRISES', value: '260', basis: 'ytd', recorded_by: 'econ@example.org' },
      { code: 'NEV-OUTPUT', value: '1200.5', basis: 'ytd', recorded_by: 'econ@example.org' },
    ]);

    // Saving the same sheet again writes nothing; a correction needs its reason.
    const again = await postForm(econ, '/entry/2026Q3', '/entry/2026Q3', { 'value.DT-ENTERPRISES': '260', 'value.NEV-OUTPUT': '1200.5' });
    assert.equal(again.headers.location, '/entry/2026Q3?saved=0');
    const noReason = await postForm(econ, '/entry/2026Q3', '/entry/2026Q3', { 'value.DT-ENTERPRISES': '265' });
    assert.equal(noReason.status, 422);
    assert.match(noReason.text, /id="reason-dt-enterprises-error"[^>]*>修改已报数据须填写原因/);
    const corrected = await postForm(econ, '/entry/2026Q3', '/entry/2026Q3', { 'value.DT-ENTERPRISES': '265', 'reason.DT-ENTERPRISES': '统计局核定' });
    assert.equal(corrected.status, 303);
    const { rows: revisions } = await t.db.query(`SELECT value::text, reason FROM figure_revisions r JOIN targets t ON t.id = r.target_id WHERE t.code = 'DT-ENTERPRISES' ORDER BY r.id`);
    assert.deepEqual(revisions, [{ value: '260', reason: null }, { value: '265', reason: '统计局核定' }]);
  });

  it('shows last period, last year and 同比 beside each input', async () => {
    await t.http().put('/api/v1/targets/TECH-ENTERPRISES/figures/2025Q3').send({ value: 3000 }).expect(200);
    await t.http().put('/api/v1/targets/TECH-ENTERPRISES/figures/2026Q2').send({ value: 3300 }).expect(200);
    await t.http().put('/api/v1/targets/TECH-ENTERPRISES/figures/2026Q3').send({ value: 3600 }).expect(200);
    const res = await admin.get('/entry/2026Q3?department=SCI-TECH').expect(200);
    const row = /<tr data-code="TECH-ENTERPRISES"[\s\S]*?<\/tr>/.exec(res.text)![0];
    assert.match(row, /3,300/);
    assert.match(row, /3,000/);
    assert.match(row, /\+20%/);
  });

  it('does not let a department user open another department\'s entry', async () => {
    const econ = await webLogin(t.app.getHttpServer(), 'econ@example.org', DEPT_PASSWORD);
    const res = await econ.get('/entry/2026Q3?department=SCI-TECH').expect(403);
    assert.ok(!res.text.includes('TECH-ENTERPRISES'));
    const before = await snapshot(t);
    await postForm(econ, '/entry/2026Q3', '/entry/2026Q3', { department: 'SCI-TECH', 'value.TECH-ENTERPRISES': '1' })
      .then((r) => assert.equal(r.status, 403));
    assert.deepEqual(await snapshot(t), before);
  });

  it('shows a target page with its quote, chart, figures with revisions and evaluation', async () => {
    const res = await admin.get('/targets/DT-ENTERPRISES').expect(200);
    assert.match(res.text, /<blockquote id="quote">将通过数字化改造企业350家以上<\/blockquote>/);
    assert.match(res.text, /<figure class="chart" id="chart">\s*<div class="scroll-x"><svg/);
    assert.match(res.text, /<tr data-period="2026Q3">[\s\S]*?265[\s\S]*?统计局核定[\s\S]*?历次修订/);
    assert.match(res.text, /id="progress-now"/);
    await admin.get('/targets/NOPE').expect(404);
  });

  it('starts an evaluation run from the dashboard (planners only)', async () => {
    const res = await postForm(admin, '/', '/evaluations/run', {});
    assert.equal(res.status, 303);
    const { rows } = await t.db.query(`SELECT trigger FROM evaluation_runs`);
    assert.deepEqual(rows, [{ trigger: 'manual' }]);
    const econ = await webLogin(t.app.getHttpServer(), 'econ@example.org', DEPT_PASSWORD);
    const denied = await postForm(econ, '/', '/evaluations/run', {});
    assert.equal(denied.status, 403);
    assert.ok(!/id="run-evaluation"/.test((await econ.get('/')).text));
  });

  it('answers unknown pages and bad periods with pages, not stack traces', async () => {
    const bad = await admin.get('/entry/2026Q9').expect(422);
    assert.match(bad.text, /期间 2026Q9 格式不正确/);
    assert.ok(!/at .*\.ts:\d+/.test(bad.text));
  });
});

describe('Pages: an unknown address', () => {
  let t: TestApp;
  before(async () => { t = await startApp('web-404'); });
  after(() => t.close());

  it('is a page for a browser and problem+json for the API', async () => {
    const page = await request(t.app.getHttpServer()).get('/no-such-page').set('accept', 'text/html,*/*').expect(404);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.match(page.text, /返回看板/);
    const api = await t.anonymous().get('/api/v1/no-such-thing').set('accept', 'text/html,*/*').expect(404);
    assert.match(api.headers['content-type'], /application\/problem\+json/);
  });
});
