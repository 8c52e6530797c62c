import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { EVALUATION_QUEUE, jobIds, NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { RemindersService } from '../../src/notifications/reminders.service.js';
import { eventually } from '../support/app.js';
import { type BrowserApp, closeAll, login, newContext, startAppAndBrowser } from '../support/browser.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { evaluate } from '../support/runs.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { postForm, webLogin } from '../support/web.js';

const TZ = 'Asia/Shanghai';
const APP_URL = 'http://tm.test';
const lastQuarterEnd = DateTime.now().setZone(TZ).startOf('quarter').minus({ milliseconds: 1 });
/** the quarter a run as of now reports on */
const Q = `${lastQuarterEnd.year}Q${lastQuarterEnd.quarter}`;
const Y = lastQuarterEnd.year;

const USERS = {
  lead: { email: 'lead-user@tm.test', password: 'Lead-dept-pass-2025', role: 'department', department: 'LEAD' },
  other: { email: 'other-user@tm.test', password: 'Other-dept-pass-2025', role: 'department', department: 'OTHER' },
  planner: { email: 'planner@tm.test', password: 'Planner-pass-2025', role: 'planner', department: null },
};
type Who = keyof typeof USERS;

describe('explanations (情况说明): owed after a run, submitted, returned, accepted, reminded and digested', () => {
  let t: BrowserApp;
  let browser: Browser;
  let smtp: TestSmtp;
  let queue: Queue;
  const tokens = {} as Record<Who, string>;
  const as = (who: Who) => t.as(tokens[who]);
  const explanations = async () =>
    (await t.db.query(`SELECT t.code, x.period, x.state, x.due_at, x.run_id, x.flagged_status FROM explanations x JOIN targets t ON t.id = x.target_id ORDER BY t.code`)).rows;

  before(async () => {
    smtp = await startSmtp();
    ({ app: t, browser } = await startAppAndBrowser('explanations', { SMTP_URL: smtp.url, APP_URL }));
    queue = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
    for (const code of ['LEAD', 'OTHER']) await createDepartment(t, { code, name: `${code} 单位`, emails: [] });
    for (const code of ['LEAD', 'OTHER']) {
      await t.http().post('/api/v1/recipients').send({ email: `${code.toLowerCase()}@tm.test`, department: code, language: 'zh-CN' }).expect(201);
    }
    for (const [who, u] of Object.entries(USERS)) {
      await t.http().post('/api/v1/users').send(u).expect(201);
      tokens[who as Who] = await t.login(u.email, u.password);
    }
    const level = (code: string, department: string) => createTarget(t, {
      code, name: `${code} 指标`, unit: '亿元', kind: 'level', comparator: '>=', department, supporting: [],
      baseline: { period: String(Y - 2), value: 100 }, target: { period: String(Y + 1), value: 1000 }, graceDays: 366,
    });
    await level('LAG-1', 'LEAD');
    await level('LAG-2', 'OTHER');
    await level('OK-1', 'LEAD');
    for (const [code, value] of [['LAG-1', 150], ['LAG-2', 150], ['OK-1', 990]] as const) {
      await t.http().put(`/api/v1/targets/${code}/figures/${Q}`).send({ value, confirm: true }).expect(200);
    }
  });
  after(async () => {
    try {
      await closeAll(browser, t);
    } finally {
      await smtp.close();
    }
  });

  it('a run owes one explanation per flagged target, due 10 days after it finished; a second run adds none', async () => {
    await evaluate(t, queue);
    // Written right after the run completes, by the job that completed it.
    const owed = await eventually(async () => ((await explanations()).length === 2 ? explanations() : undefined), 10_000, 'obligations');
    assert.deepEqual(owed.map((x) => [x.code, x.period, x.state, x.flagged_status]), [['LAG-1', Q, 'due', 'lagging'], ['LAG-2', Q, 'due', 'lagging']]);
    const { rows: [run] } = await t.db.query(`SELECT id, finished_at FROM evaluation_runs ORDER BY created_at DESC LIMIT 1`);
    assert.equal(owed[0].run_id, run.id);
    assert.equal(owed[0].due_at.getTime(), run.finished_at.getTime() + 10 * 86_400_000);

    await evaluate(t, queue);
    const { rows: [second] } = await t.db.query(`SELECT id, chunks_total FROM evaluation_runs ORDER BY created_at DESC LIMIT 1`);
    const runs: Queue = t.app.get(getQueueToken(EVALUATION_QUEUE));
    await eventually(async () => { // its chunk jobs done: the obligations are written before the last one returns
      for (let chunk = 0; chunk < second.chunks_total; chunk++) {
        if (!(await (await runs.getJob(jobIds.chunk(second.id, chunk)))?.isCompleted())) return undefined;
      }
      return true;
    }, 10_000, 'the chunk jobs of the second run');
    const again = await explanations();
    assert.deepEqual(again.map((x) => [x.code, x.due_at.getTime(), x.run_id]), owed.map((x) => [x.code, x.due_at.getTime(), x.run_id]));
    await as('lead').put(`/api/v1/targets/OK-1/explanations/${Q}`).send({ cause: '无', measures: '无' }).expect(404);
  });

  it('the lead department submits; another department may not; blank fields are refused and nothing is written', async () => {
    const url = `/api/v1/targets/LAG-1/explanations/${Q}`;
    const due = await as('lead').get(url).expect(200);
    assert.deepEqual([due.body.state, due.body.overdue, due.body.department, due.body.cause], ['due', false, 'LEAD', null]);

    const wrong = await as('other').put(url).send({ cause: '别人的原因', measures: '别人的措施' });
    assert.equal(wrong.status, 403, JSON.stringify(wrong.body));
    const blank = await as('lead').put(url).send({ cause: '  ', measures: '加快项目建设' });
    assert.equal(blank.status, 422);
    assert.deepEqual(blank.body.errors.map((e: { path: string }) => e.path), ['cause']);
    const missing = await as('lead').put(url).send({ cause: '原因' });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path), ['measures']);
    await as('lead').put(`/api/v1/targets/LAG-1/explanations/2026-01`).send({ cause: 'a', measures: 'b' }).expect(422);
    assert.equal((await explanations())[0].state, 'due');

    const ok = await as('lead').put(url).send({ cause: '受原材料价格上涨影响，产值增长放缓。', measures: '加快重点项目投产，强化企业服务。' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.state, 'submitted');
    assert.equal(ok.body.submittedBy, USERS.lead.email);
    assert.equal(ok.body.cause, '受原材料价格上涨影响，产值增长放缓。');
  });

  it('the planner sees who has not submitted; a department sees only its own', async () => {
    const all = await as('planner').get('/api/v1/explanations').query({ period: Q }).expect(200);
    assert.deepEqual(all.body.items.map((x: { target: string; state: string }) => [x.target, x.state]), [['LAG-1', 'submitted'], ['LAG-2', 'due']]);
    const open = await as('planner').get('/api/v1/explanations').query({ period: Q, state: 'due' }).expect(200);
    assert.deepEqual(open.body.items.map((x: { target: string }) => x.target), ['LAG-2']);
    const own = await as('lead').get('/api/v1/explanations').expect(200);
    assert.deepEqual(own.body.items.map((x: { target: string }) => x.target), ['LAG-1']);
    await as('lead').get('/api/v1/explanations').query({ department: 'OTHER' }).expect(403);
  });

  it('the planner returns it with a reason, the department resubmits, the planner accepts; each step audited', async () => {
    const base = `/api/v1/targets/LAG-1/explanations/${Q}`;
    await as('lead').post(`${base}/return`).send({ reason: '不行' }).expect(403);
    await as('planner').post(`${base}/return`).send({ reason: ' ' }).expect(422);
    const returned = await as('planner').post(`${base}/return`).send({ reason: '原因分析不够具体，请补充数据。' }).expect(200);
    assert.deepEqual([returned.body.state, returned.body.reviewReason, returned.body.reviewedBy], ['returned', '原因分析不够具体，请补充数据。', USERS.planner.email]);
    await as('planner').post(`${base}/accept`).expect(409);

    const again = await as('lead').put(base).send({ cause: '原材料价格同比上涨12%，两家重点企业减产。', measures: '加快重点项目投产。' }).expect(200);
    assert.equal(again.body.state, 'submitted');
    const accepted = await as('planner').post(`${base}/accept`).expect(200);
    assert.equal(accepted.body.state, 'accepted');
    const late = await as('lead').put(base).send({ cause: '改', measures: '改' });
    assert.equal(late.status, 409);

    const target = await t.http().get('/api/v1/targets/LAG-1/explanations').expect(200);
    assert.deepEqual(target.body.items.map((x: { period: string; state: string }) => [x.period, x.state]), [[Q, 'accepted']]);
    const { rows } = await t.db.query(`SELECT action, actor FROM audit_log WHERE entity = 'explanation' ORDER BY id`);
    assert.deepEqual(rows.map((r) => r.action), ['explanation.submit', 'explanation.return', 'explanation.submit', 'explanation.accept']);
  });

  it('reminds the department that still owes one, once per phase, and the digest shows explanations beside flagged targets', async () => {
    const [, lag2] = await explanations();
    const reminders = t.app.get(RemindersService);
    const isReminder = (m: { subject: string }) => m.subject.includes('情况说明提醒');
    await reminders.run(new Date(lag2.due_at.getTime() - 2 * 86_400_000));
    const [mail] = await smtp.waitFor(1, (m) => m.envelope.to.includes('other@tm.test') && isReminder(m));
    assert.equal(mail.subject, '【目标监测】情况说明提醒：1项指标待提交情况说明');
    assert.ok(mail.html.includes(`${APP_URL}/targets/LAG-2`) && mail.text.includes(Q));
    await reminders.run(new Date(lag2.due_at.getTime() - 1 * 86_400_000)); // the same phase: nothing new
    await reminders.run(new Date(lag2.due_at.getTime() + 3600_000)); // past due: one more
    await smtp.waitFor(2, (m) => m.envelope.to.includes('other@tm.test') && isReminder(m));
    assert.ok(!smtp.to('lead@tm.test').some(isReminder), 'LEAD has nothing owed');

    await t.http().post('/api/v1/digests/run').send({}).expect(200);
    const [lead] = await smtp.waitFor(1, (m) => m.envelope.to.includes('lead@tm.test') && m.subject.includes('滞后'));
    assert.ok(lead.html.includes('原材料价格同比上涨12%，两家重点企业减产。'), lead.html);
    assert.ok(lead.text.includes(`情况说明（${Q}）：原因分析：原材料价格同比上涨12%`));
    const [other] = await smtp.waitFor(1, (m) => m.envelope.to.includes('other@tm.test') && m.subject.includes('滞后'));
    assert.ok(other.html.includes('情况说明未提交'));
  });

  it('a department writes its explanation in the /explanations page', async () => {
    const context = await newContext(browser, t.baseUrl);
    try {
      const page = await context.newPage();
      await login(page, USERS.other.email, USERS.other.password);
      await page.goto('/explanations');
      const form = page.locator('form.explanation-form[data-target="LAG-2"]');
      await form.locator('textarea[name=cause]').fill('征地进度滞后。');
      await form.locator('textarea[name=measures]').fill('倒排工期，专班推进。');
      await form.locator('.submit-explanation').click();
      await page.waitForURL(/done=submitted/);
      assert.equal(await page.locator('section.explanation[data-target="LAG-2"] .explanation-state').textContent(), '已提交，待审核');
      assert.equal(await page.locator('form.explanation-form[data-target="LAG-1"]').count(), 0, 'not its department’s');
      const res = await as('planner').get(`/api/v1/targets/LAG-2/explanations/${Q}`).expect(200);
      assert.deepEqual([res.body.state, res.body.cause, res.body.submittedBy], ['submitted', '征地进度滞后。', USERS.other.email]);
      await page.goto('/targets/LAG-2');
      assert.match(await page.locator('#target-explanations').innerText(), /征地进度滞后。/);

      // The planner's table: who has submitted, accept and return; a return without a reason is refused.
      const planner = await webLogin(t.app.getHttpServer(), USERS.planner.email, USERS.planner.password);
      const table = await planner.get(`/explanations?period=${Q}`).expect(200);
      assert.ok(table.text.includes('<tr data-target="LAG-2" data-state="submitted"'));
      assert.ok(table.text.includes('class="accept-explanation"') && table.text.includes('class="return-explanation"'));
      assert.equal((await postForm(planner, '/explanations', `/explanations/LAG-2/${Q}/return`, { reason: ' ' })).status, 422);
      const back = await postForm(planner, '/explanations', `/explanations/LAG-2/${Q}/return`, { reason: '请补充征地进度数据。' });
      assert.equal(back.status, 303);
      await page.goto('/explanations');
      assert.equal(await page.locator('section.explanation[data-target="LAG-2"] .review-reason').textContent(), '退回原因：请补充征地进度数据。');
    } finally {
      await context.close();
    }
  });
});
