import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DateTime } from 'luxon';
import { AlertsService } from '../../src/alerts/alerts.service.js';
import { OutboxService } from '../../src/notifications/outbox.service.js';
import { RemindersService } from '../../src/notifications/reminders.service.js';
import { jobIds, NOTIFICATIONS_QUEUE, NotificationJob } from '../../src/jobs/jobs.constants.js';
import { eventually, flushPrefix, startApp, testEnv, type TestApp } from '../support/app.js';
import { evaluate } from '../support/runs.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { spawnMain, type Spawned, waitForOutput } from '../support/process.js';
import { type ReceivedMail, startSmtp, type TestSmtp } from '../support/smtp.js';

const TZ = 'Asia/Shanghai';
const APP_URL = 'http://tm.test';
const MAIL_ATTEMPTS = 4;

// ---- periods relative to today, so the figures below mean the same thing whenever the tests run ----
const lastQuarterEnd = DateTime.now().setZone(TZ).startOf('quarter').minus({ milliseconds: 1 });
const quarterOf = (d: DateTime) => `${d.year}Q${d.quarter}`;
/** the last quarter that has ended (Asia/Shanghai): its figure is the latest one can have */
const Q1 = quarterOf(lastQuarterEnd);
/** the quarter before */
const Q0 = quarterOf(lastQuarterEnd.startOf('quarter').minus({ milliseconds: 1 }));
/** 第3季度 for 2026Q3: the label the digest subject carries */
const QUARTER_LABEL = `第${lastQuarterEnd.quarter}季度`;
const Y1 = lastQuarterEnd.year;
const BASE_YEAR = String(Y1 - 2); // t0 = Y1 − 1
const GOAL_YEAR = String(Y1 + 1); // tT = Y1 + 2
const tOf = (quarter: string) => Number(quarter.slice(0, 4)) + Number(quarter.slice(5)) / 4;
const elapsedAt = (quarter: string) => (tOf(quarter) - (Y1 - 1)) / 3;

/** DG-RD's figure: 2% → 3.5% at pace ≈ 0.9 (at_risk), two decimals so no rounding tie can arise below */
const RD = Math.round((2 + 1.5 * 0.9 * elapsedAt(Q1)) * 100) / 100;

// ---- formatting the Chinese way, computed here independently of src/alerts/format.ts ----
const num = (x: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(x);
const pct = (ratio: number) => `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;

// ---- the fixed dates of the reminder tests: 2025Q2 closes 2025-06-30; + 20 grace days = due 2025-07-21 00:00 ----
const BEFORE_DUE = DateTime.fromISO('2025-07-18T09:00:00', { zone: TZ }).toJSDate(); // 2.6 days left
const AFTER_DUE = DateTime.fromISO('2025-07-23T09:00:00', { zone: TZ }).toJSDate(); // 2.4 days late

interface Alert { id: number; target: string; kind: string; state: string; inhibited: boolean; silenced: boolean; status: string; lastNotifiedAt: string | null }
interface Notification { id: number; recipient: string; reason: string; subject: string; status: string; attempts: number; lastError: string | null; messageId: string | null }

const email = (local: string) => `${local}@tm.test`;

async function department(t: TestApp, code: string, name = `${code} 部门`): Promise<void> {
  await createDepartment(t, { code, name, emails: [] });
}

async function recipient(t: TestApp, local: string, body: { department?: string | null; subscriber?: boolean; language?: string; enabled?: boolean }) {
  const res = await t.http().post('/api/v1/recipients').send({ email: email(local), language: 'zh-CN', ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

interface LevelTarget { name: string; unit: string; department: string; b: number; T: number; supporting?: string[]; graceDays?: number; binding?: boolean; baseline?: string; goal?: string }
async function level(t: TestApp, code: string, o: LevelTarget): Promise<void> {
  await createTarget(t, {
    code, name: o.name, unit: o.unit, kind: 'level', comparator: '>=', department: o.department, supporting: o.supporting ?? [],
    baseline: { period: o.baseline ?? BASE_YEAR, value: o.b }, target: { period: o.goal ?? GOAL_YEAR, value: o.T },
    graceDays: o.graceDays ?? 20, binding: o.binding ?? false,
  });
}

/** A figure as the scenario needs it: its jumps are deliberate, so confirmed (test/e2e/figure-input.e2e.ts tests the check). */
async function figure(t: TestApp, code: string, period: string, value: number): Promise<void> {
  const res = await t.http().put(`/api/v1/targets/${code}/figures/${period}`).send({ value, confirm: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}


async function alerts(t: TestApp, query = ''): Promise<Alert[]> {
  const res = await t.http().get(`/api/v1/alerts${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.items.length, res.body.total, 'all alerts on the first page');
  return res.body.items;
}

async function alertOf(t: TestApp, target: string, kind: string): Promise<Alert | undefined> {
  return (await alerts(t)).find((a) => a.target === target && a.kind === kind);
}

async function history(t: TestApp, id: number): Promise<string[]> {
  const res = await t.http().get(`/api/v1/alerts/${id}`).expect(200);
  return res.body.history.map((h: { event: string }) => h.event);
}

async function notifications(t: TestApp, query: Record<string, string>): Promise<Notification[]> {
  const res = await t.http().get('/api/v1/notifications').query(query);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

async function runDigest(t: TestApp): Promise<{ recipients: number; emails: number }> {
  const res = await t.http().post('/api/v1/digests/run').send({});
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The <tr> of the HTML whose link goes to the target. */
function rowOf(html: string, code: string): string {
  const rows = html.split('<tr>').slice(1).filter((r) => r.includes(`href="${APP_URL}/targets/${code}"`));
  assert.equal(rows.length, 1, `one row for ${code} in:\n${html}`);
  return rows[0].split('</tr>')[0];
}
const cells = (row: string) => [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

describe('alerts and scheduled emails (issue 4) against a real SMTP server', () => {
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
  });
  after(() => smtp.close());

  describe('one app, role all', () => {
    let t: TestApp;
    let queue: Queue;
    before(async () => {
      t = await startApp('alerts', { SMTP_URL: smtp.url, APP_URL, JOB_BACKOFF_MS: '200', MAIL_ATTEMPTS: String(MAIL_ATTEMPTS) });
      queue = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
      for (const code of ['TRANS', 'DIG', 'DIGS', 'OTHER']) await department(t, code);
      await recipient(t, 'trans', { department: 'TRANS' });
      await recipient(t, 'dig', { department: 'DIG' });
      await recipient(t, 'digs', { department: 'DIGS' });
      await recipient(t, 'other', { department: 'OTHER' });

      // The transitions target: lagging on its Q0 figure; 366 grace days keep it from being overdue for now.
      await level(t, 'TR-1', { name: '转换测试指标', unit: '亿元', department: 'TRANS', b: 100, T: 1000, graceDays: 366 });
      await figure(t, 'TR-1', Q0, 150);

      // The digest's targets (department DIG, DIGS supporting the first).
      await level(t, 'DG-NEV', { name: '新能源汽车产值', unit: '亿元', department: 'DIG', supporting: ['DIGS'], b: 1000, T: 3000 });
      await figure(t, 'DG-NEV', Q1, 1200); // c = 10% while e ≥ 41.7%: lagging
      await level(t, 'DG-RD', { name: '研发投入强度', unit: '%', department: 'DIG', b: 2, T: 3.5 });
      await figure(t, 'DG-RD', Q1, RD); // pace ≈ 0.9: at_risk
      await level(t, 'DG-ENT', { name: '数字化改造企业数', unit: '家', department: 'DIG', b: 200, T: 350 });
      await figure(t, 'DG-ENT', Q1, 190); // below the baseline: deteriorating
      await level(t, 'DG-OK', { name: '正常指标', unit: '亿元', department: 'DIG', b: 100, T: 200 });
      await figure(t, 'DG-OK', Q1, 190); // ahead
      // Lagging on its Q0 figure, but with no grace the Q1 figure is overdue: data_overdue inhibits lagging.
      await level(t, 'DG-STALE', { name: '数据滞报指标', unit: '亿元', department: 'DIG', b: 100, T: 1000, graceDays: 0 });
      await figure(t, 'DG-STALE', Q0, 150);
    });
    after(() => t.close());

    it('fires, inhibits (data_overdue), releases, resolves and fires again, with the history of each alert', async () => {
      await evaluate(t, queue);
      const fired = await alertOf(t, 'TR-1', 'lagging');
      assert.ok(fired, 'lagging alert of TR-1');
      assert.deepEqual([fired.state, fired.inhibited, fired.status], ['firing', false, 'lagging']);
      assert.equal(await alertOf(t, 'TR-1', 'data_overdue'), undefined);
      assert.deepEqual(await history(t, fired.id), ['fired']);
      const firing = await alerts(t, '?state=firing');
      assert.ok(firing.every((a) => a.state === 'firing'));
      assert.ok(firing.some((a) => a.id === fired.id));

      // No grace: the Q1 figure is overdue now.
      await t.http().patch('/api/v1/targets/TR-1').send({ graceDays: 0 }).expect(200);
      await evaluate(t, queue);
      const inhibited = await alertOf(t, 'TR-1', 'lagging');
      const overdue = await alertOf(t, 'TR-1', 'data_overdue');
      assert.deepEqual([inhibited?.state, inhibited?.inhibited], ['firing', true]);
      assert.deepEqual([overdue?.state, overdue?.inhibited], ['firing', false]);
      assert.deepEqual(await history(t, fired.id), ['fired', 'inhibited']);

      // The figure comes in, still lagging: data_overdue resolves, lagging is released.
      await figure(t, 'TR-1', Q1, 160);
      await evaluate(t, queue);
      const released = await alertOf(t, 'TR-1', 'lagging');
      assert.deepEqual([released?.state, released?.inhibited], ['firing', false]);
      assert.equal((await alertOf(t, 'TR-1', 'data_overdue'))?.state, 'resolved');
      assert.deepEqual(await history(t, fired.id), ['fired', 'inhibited', 'released']);
      assert.deepEqual(await history(t, overdue!.id), ['fired', 'resolved']);

      // Corrected upwards: ahead, the lagging alert resolves.
      await figure(t, 'TR-1', Q1, 900);
      await evaluate(t, queue);
      const resolved = await t.http().get(`/api/v1/alerts/${fired.id}`).expect(200);
      assert.equal(resolved.body.state, 'resolved');
      assert.ok(resolved.body.resolvedAt);
      assert.deepEqual(resolved.body.history.map((h: { event: string; status: string }) => [h.event, h.status]),
        [['fired', 'lagging'], ['inhibited', 'lagging'], ['released', 'lagging'], ['resolved', 'ahead']]);
      assert.ok((await alerts(t, '?state=resolved')).some((a) => a.id === fired.id));
      assert.ok(!(await alerts(t, '?state=firing')).some((a) => a.id === fired.id));

      // And back down: the same alert fires again.
      await figure(t, 'TR-1', Q1, 160);
      await evaluate(t, queue);
      const again = await alertOf(t, 'TR-1', 'lagging');
      assert.deepEqual([again?.id, again?.state], [fired.id, 'firing']);
      assert.deepEqual(await history(t, fired.id), ['fired', 'inhibited', 'released', 'resolved', 'fired']);
      await t.http().get('/api/v1/alerts/999999').expect(404);
    });

    it('inhibition: an overdue target shows data_overdue and its lagging alert is held back', async () => {
      const lagging = await alertOf(t, 'DG-STALE', 'lagging');
      const overdue = await alertOf(t, 'DG-STALE', 'data_overdue');
      assert.deepEqual([lagging?.state, lagging?.inhibited], ['firing', true]);
      assert.deepEqual([overdue?.state, overdue?.inhibited], ['firing', false]);
      const latest = await t.http().get('/api/v1/evaluations/latest?overdue=true&department=DIG').expect(200);
      assert.deepEqual(latest.body.items.map((e: { code: string }) => e.code), ['DG-STALE']);
      // Nothing else of DIG is overdue, and DG-OK has no alert at all.
      assert.equal((await alerts(t, '?kind=data_overdue&department=DIG')).length, 1);
      assert.ok(!(await alerts(t)).some((a) => a.target === 'DG-OK'));
    });

    it('digest: subject, a row per flagged target with links and Chinese numbers, HTML and text; once; resolved notice', async () => {
      await recipient(t, 'leader', { subscriber: true });
      await recipient(t, 'dig-en', { department: 'DIG', language: 'en' });
      await recipient(t, 'dig-off', { department: 'DIG', enabled: false });
      const expectedSubject = `【目标监测】${QUARTER_LABEL}：2项指标滞后，1项指标需加快，1项数据逾期`;

      // The preview renders exactly this, sending nothing.
      const preview = await t.http().get('/api/v1/digests/preview').query({ recipient: email('dig') }).expect(200);
      assert.equal(preview.body.subject, expectedSubject);
      assert.equal(preview.body.wouldSend, true);
      assert.equal(smtp.to(email('dig')).length, 0);

      const run = await runDigest(t);
      assert.ok(run.emails >= 4, JSON.stringify(run)); // dig, digs, trans, leader
      const [mail] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('dig')));
      assert.equal(mail.subject, expectedSubject);
      assert.deepEqual(mail.to, [email('dig')]);
      assert.match(mail.mail.from?.text ?? '', /target-monitor@example\.org/);
      assert.ok(mail.html.length > 0 && mail.text.length > 0, 'HTML and text parts');
      assert.match(mail.raw, /multipart\/alternative/);
      for (const column of ['指标', '目标', '最新值', '完成率', '序时进度', '差距', '状态']) assert.ok(mail.html.includes(`>${column}</th>`), column);

      const e1 = elapsedAt(Q1);
      // 新能源汽车产值: 1,200亿元 of 3,000亿元 from 1,000亿元
      assert.deepEqual(cells(rowOf(mail.html, 'DG-NEV')), [
        '新能源汽车产值 DG-NEV', `3,000亿元（${GOAL_YEAR}）`, `1,200亿元（${Q1}）`, '10.0%', pct(e1), '1,800亿元', '滞后',
      ]);
      assert.deepEqual(cells(rowOf(mail.html, 'DG-RD')), [
        '研发投入强度 DG-RD', `3.5%（${GOAL_YEAR}）`, `${num(RD)}%（${Q1}）`, pct((RD - 2) / 1.5), pct(e1), `${num(3.5 - RD)}%`, '需加快',
      ]);
      assert.deepEqual(cells(rowOf(mail.html, 'DG-ENT')), [
        '数字化改造企业数 DG-ENT', `350家（${GOAL_YEAR}）`, `190家（${Q1}）`, '-6.7%', pct(e1), '160家', '倒退',
      ]);
      // The overdue target appears once, as 数据逾期, not as lagging.
      const stale = cells(rowOf(mail.html, 'DG-STALE'));
      assert.deepEqual([stale[0], stale[2], stale[6]], ['数据滞报指标 DG-STALE', `150亿元（${Q0}）`, '数据逾期']);
      assert.ok(!mail.html.includes('/targets/DG-OK"'), 'an on-track target is not in the digest');
      assert.ok(!mail.html.includes('/targets/TR-1"'), 'another department’s target is not in the digest');
      // The text part carries the same rows and links.
      for (const code of ['DG-NEV', 'DG-RD', 'DG-ENT', 'DG-STALE']) {
        assert.ok(mail.text.includes(`[${code}]`), code);
        assert.ok(mail.text.includes(`${APP_URL}/targets/${code}`), `${code} link`);
      }
      assert.ok(mail.text.includes('3,000亿元') && mail.text.includes('1,800亿元') && mail.text.includes('160家'), mail.text);
      assert.ok(!mail.text.includes('DG-OK'));

      // The supporting department hears of its one target, marked 配合.
      const [support] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('digs')));
      assert.equal(support.subject, `【目标监测】${QUARTER_LABEL}：1项指标滞后`);
      assert.ok(cells(rowOf(support.html, 'DG-NEV'))[0].includes('（配合）'));
      assert.ok(!support.html.includes('/targets/DG-RD"'));
      // The subscriber gets the whole district.
      const [leader] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('leader')));
      for (const code of ['DG-NEV', 'DG-RD', 'DG-ENT', 'DG-STALE', 'TR-1']) assert.ok(leader.html.includes(`/targets/${code}"`), code);
      // In English for who asked for it; nothing for who is switched off.
      const [en] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('dig-en')));
      assert.equal(en.subject, `[Target monitor] Q${lastQuarterEnd.quarter}: 2 targets lagging, 1 target at risk, 1 with overdue data`);
      assert.deepEqual(cells(rowOf(en.html, 'DG-NEV')).slice(1, 3), [`3,000 亿元 (${GOAL_YEAR})`, `1,200 亿元 (${Q1})`]);
      // A department with nothing flagged hears nothing.
      assert.equal(smtp.to(email('other')).length, 0);
      assert.equal(smtp.to(email('dig-off')).length, 0);
      assert.deepEqual(await notifications(t, { recipient: email('dig-off') }), []);
      const sent = await eventually(async () => {
        const [row] = await notifications(t, { recipient: email('dig'), reason: 'digest' });
        return row?.status === 'sent' ? row : undefined;
      }, 10_000, 'digest row sent');
      assert.equal(sent.messageId, mail.messageId);
      assert.ok((await alertOf(t, 'DG-NEV', 'lagging'))?.lastNotifiedAt);

      // Right away again: still firing, inside the repeat interval — nothing new.
      const before = await notifications(t, { recipient: email('dig') });
      await runDigest(t);
      assert.deepEqual(await notifications(t, { recipient: email('dig') }), before);
      const preview2 = await t.http().get('/api/v1/digests/preview').query({ recipient: email('dig') }).expect(200);
      assert.equal(preview2.body.wouldSend, false);

      // DG-RD reaches its goal: the next digest says it resolved, and only that.
      await figure(t, 'DG-RD', Q1, 3.5);
      await evaluate(t, queue);
      assert.equal((await alertOf(t, 'DG-RD', 'at_risk'))?.state, 'resolved');
      const digSoFar = smtp.to(email('dig')).length;
      const digsSoFar = smtp.to(email('digs')).length;
      await runDigest(t);
      const [resolved] = await smtp.waitFor(digSoFar + 1, (m) => m.envelope.to.includes(email('dig'))).then((all) => all.slice(digSoFar));
      assert.equal(resolved.subject, `【目标监测】${QUARTER_LABEL}：1项已恢复`);
      assert.ok(resolved.html.includes('已恢复'));
      const row = cells(rowOf(resolved.html, 'DG-RD'));
      assert.match(row[6], /已解除：需加快/);
      assert.ok(!resolved.html.includes('/targets/DG-NEV"'), 'still-firing alerts are not repeated');
      await sleep(300);
      assert.equal(smtp.to(email('digs')).length, digsSoFar, 'the supporting department has nothing new');
      assert.equal(smtp.to(email('dig')).length, digSoFar + 1);
    });

    it('silences: a target silence mutes the digest and expires by itself; a department silence until DELETEd', async () => {
      await department(t, 'SIL');
      await recipient(t, 'sil', { department: 'SIL' });
      await level(t, 'SIL-1', { name: '静默指标一', unit: '亿元', department: 'SIL', b: 100, T: 1000 });
      await figure(t, 'SIL-1', Q1, 150);
      await evaluate(t, queue);

      const until = DateTime.now().plus({ days: 7 }).toISO()!;
      const created = await t.http().post('/api/v1/silences').send({ target: 'SIL-1', until, reason: '数据口径调整中' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.active, true);
      assert.equal((await alertOf(t, 'SIL-1', 'lagging'))?.silenced, true);
      await runDigest(t);
      assert.deepEqual(await notifications(t, { recipient: email('sil') }), [], 'a silenced alert is not sent');

      // The silence runs out (moved into the past, as time would): it stops muting on its own.
      await t.db.query(`UPDATE silences SET until = now() - interval '1 second' WHERE id = $1`, [created.body.id]);
      const listed = await t.http().get('/api/v1/silences').expect(200);
      assert.equal(listed.body.items.find((s: { id: number }) => s.id === created.body.id).active, false);
      assert.equal((await alertOf(t, 'SIL-1', 'lagging'))?.silenced, false);
      await runDigest(t);
      const [unmuted] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('sil')));
      assert.equal(unmuted.subject, `【目标监测】${QUARTER_LABEL}：1项指标滞后`);
      assert.ok(unmuted.html.includes(`/targets/SIL-1"`));

      // A department silence mutes a target that fires under it, until it is deleted.
      const dept = await t.http().post('/api/v1/silences').send({ department: 'SIL', until, reason: '机构改革' });
      assert.equal(dept.status, 201, JSON.stringify(dept.body));
      await level(t, 'SIL-2', { name: '静默指标二', unit: '亿元', department: 'SIL', b: 100, T: 1000 });
      await figure(t, 'SIL-2', Q1, 150);
      await evaluate(t, queue);
      assert.equal((await alertOf(t, 'SIL-2', 'lagging'))?.silenced, true);
      await runDigest(t);
      assert.equal((await notifications(t, { recipient: email('sil') })).length, 1);

      await t.http().delete(`/api/v1/silences/${dept.body.id}`).expect(204);
      await t.http().delete(`/api/v1/silences/${dept.body.id}`).expect(404);
      assert.ok(!(await t.http().get('/api/v1/silences').expect(200)).body.items.some((s: { id: number }) => s.id === dept.body.id));
      await runDigest(t);
      const all = await smtp.waitFor(2, (m) => m.envelope.to.includes(email('sil')));
      assert.equal(all[1].subject, `【目标监测】${QUARTER_LABEL}：1项指标滞后`);
      assert.ok(all[1].html.includes('/targets/SIL-2"'));
      assert.ok(!all[1].html.includes('/targets/SIL-1"'), 'SIL-1 was sent already and is not due for repeat');
    });

    it('sends the immediate 预警 email when a binding target becomes flagged, once', async () => {
      await department(t, 'BND');
      await department(t, 'BNDS');
      await recipient(t, 'bnd', { department: 'BND' });
      await recipient(t, 'bnds', { department: 'BNDS' });
      await level(t, 'BND-1', { name: '单位GDP能耗下降', unit: '亿元', department: 'BND', supporting: ['BNDS'], b: 100, T: 1000, binding: true });
      await figure(t, 'BND-1', Q1, 150);
      await level(t, 'BND-2', { name: '非约束性指标', unit: '亿元', department: 'BND', b: 100, T: 1000 });
      await figure(t, 'BND-2', Q1, 150);
      await evaluate(t, queue);

      const subject = '【目标监测】预警：约束性指标「单位GDP能耗下降」滞后';
      const [lead] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('bnd')));
      assert.equal(lead.subject, subject);
      assert.ok(lead.html.includes(`href="${APP_URL}/targets/BND-1"`));
      assert.ok(lead.text.includes(`${APP_URL}/targets/BND-1`));
      assert.ok(!lead.html.includes('BND-2'), 'a non-binding target sends no immediate email');
      // The supporting department hears of it too (in copy).
      const [support] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('bnds')));
      assert.equal(support.subject, subject);
      const binding = await notifications(t, { reason: 'binding_alert' });
      assert.ok(binding.every((n) => n.subject === subject), JSON.stringify(binding.map((n) => n.subject)));
      for (const who of ['bnd', 'bnds']) assert.equal(binding.filter((n) => n.recipient === email(who)).length, 1, who);
      assert.ok(!binding.some((n) => [email('dig'), email('other'), email('trans')].includes(n.recipient)));

      // Still flagged at the next run: no second 预警.
      const count = (await notifications(t, { reason: 'binding_alert' })).length;
      await evaluate(t, queue);
      assert.equal((await notifications(t, { reason: 'binding_alert' })).length, count);
      await sleep(200);
      assert.equal(smtp.to(email('bnd')).length, 1);
    });

    it('two reconciles at once (two workers finishing two runs) make one transition and one 预警 email', async () => {
      const lagging = await alertOf(t, 'BND-1', 'lagging');
      await figure(t, 'BND-1', Q1, 900);
      await evaluate(t, queue);
      assert.equal((await alertOf(t, 'BND-1', 'lagging'))?.state, 'resolved');
      // Back to lagging, re-evaluated on the figure change alone (no run, so no reconcile yet) …
      await figure(t, 'BND-1', Q1, 150);
      await eventually(async () => {
        const res = await t.http().get('/api/v1/evaluations/latest?department=BND').expect(200);
        const row = res.body.items.find((e: { code: string }) => e.code === 'BND-1');
        return row?.latestValue === '150' && row.status === 'lagging' ? row : undefined;
      }, 10_000, 'BND-1 re-evaluated');
      // … then two reconciles at the same moment.
      const service = t.app.get(AlertsService);
      const at = Date.now(); // two workers, two clocks a millisecond apart
      await Promise.allSettled([service.reconcile(new Date(at)), service.reconcile(new Date(at + 1))]);
      await service.reconcile(); // what a retry of a failed one would do
      const events = (await history(t, lagging!.id)).filter((e) => e !== 'notified');
      assert.deepEqual(events, ['fired', 'resolved', 'fired'], 'one transition, recorded once');
      const binding = await notifications(t, { reason: 'binding_alert', recipient: email('bnd') });
      assert.equal(binding.length, 2, `one 预警 per firing, got ${JSON.stringify(binding.map((n) => n.subject))}`);
      await smtp.waitFor(2, (m) => m.envelope.to.includes(email('bnd')));
      await sleep(300);
      assert.equal(smtp.to(email('bnd')).length, 2);
    });

    it('reminds the department that owes a figure before and after the due date, until it is entered', async () => {
      const reminders = t.app.get(RemindersService);
      await department(t, 'REM');
      await department(t, 'REMS');
      await recipient(t, 'rem', { department: 'REM' });
      await recipient(t, 'rems', { department: 'REMS' });
      await level(t, 'REM-1', { name: '工业投资', unit: '亿元', department: 'REM', supporting: ['REMS'], b: 100, T: 1000, baseline: '2024', goal: '2027' });

      // Too early: 2025Q2's figure is due 2025-07-21, the first reminder goes 5 days before.
      await reminders.run(DateTime.fromISO('2025-07-10T09:00:00', { zone: TZ }).toJSDate());
      assert.deepEqual(await notifications(t, { recipient: email('rem') }), []);

      await reminders.run(BEFORE_DUE);
      const [before] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('rem')));
      assert.equal(before.subject, '【目标监测】数据报送提醒：1项指标待报送');
      const beforeRow = cells(rowOf(before.html, 'REM-1'));
      assert.equal(beforeRow[1], '2025Q2');
      // Due: the period's end (2025-06-30) + 20 grace days; from 2025-07-21 00:00 the figure is overdue.
      assert.equal(beforeRow[2], '2025-07-20', 'the due date shown is the last day to report');
      assert.match(beforeRow[3], /^还剩\d天$/);
      assert.ok(before.text.includes(`${APP_URL}/targets/REM-1`));
      const [copy] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('rems')));
      assert.ok(cells(rowOf(copy.html, 'REM-1'))[0].includes('（配合）'));
      for (const who of ['other', 'leader', 'dig']) {
        assert.ok(!smtp.to(email(who)).some((m) => m.html.includes('/targets/REM-1"')), `${who} owes nothing`);
      }

      // The same phase again: nothing new.
      await reminders.run(BEFORE_DUE);
      assert.equal((await notifications(t, { recipient: email('rem') })).length, 1);

      await reminders.run(AFTER_DUE);
      const [, late] = await smtp.waitFor(2, (m) => m.envelope.to.includes(email('rem')));
      assert.equal(cells(rowOf(late.html, 'REM-1'))[3], '已逾期2天');

      // The figure is entered: no more reminders.
      await figure(t, 'REM-1', '2025Q2', 200);
      await reminders.run(DateTime.fromISO('2025-07-31T09:00:00', { zone: TZ }).toJSDate());
      await reminders.run(DateTime.fromISO('2025-08-15T09:00:00', { zone: TZ }).toJSDate());
      assert.equal((await notifications(t, { recipient: email('rem'), reason: 'reminder' })).length, 2);
      await sleep(200);
      assert.equal(smtp.to(email('rem')).filter((m) => m.subject.includes('数据报送提醒')).length, 2);
    });

    it('retries while SMTP refuses, then delivers exactly once', async () => {
      await department(t, 'RTY');
      await recipient(t, 'rty', { department: 'RTY' });
      await level(t, 'RTY-1', { name: '重试指标', unit: '亿元', department: 'RTY', b: 100, T: 1000, baseline: '2024', goal: '2027' });
      smtp.refuse((r) => r === email('rty'));
      try {
        await t.app.get(RemindersService).run(BEFORE_DUE);
        // The first attempt is refused with 451 and recorded.
        const failedOnce = await eventually(async () => {
          const { rows: [row] } = await t.db.query(`SELECT status, attempts, last_error FROM outbox WHERE recipient = $1`, [email('rty')]);
          return row?.last_error ? row : undefined;
        }, 10_000, 'a refused attempt');
        assert.match(failedOnce.last_error, /451/);
        assert.notEqual(failedOnce.status, 'failed');
      } finally {
        smtp.accept();
      }
      const [mail] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('rty')));
      const sent = await eventually(async () => {
        const [row] = await notifications(t, { recipient: email('rty') });
        return row?.status === 'sent' ? row : undefined;
      }, 10_000, 'sent');
      assert.ok(sent.attempts > 1, `attempts ${sent.attempts}`);
      assert.equal(sent.messageId, mail.messageId);
      assert.equal(sent.lastError, null);
      await sleep(MAIL_ATTEMPTS * 200);
      assert.equal(smtp.to(email('rty')).length, 1, 'delivered exactly once');
    });

    it('ends `failed`, visible through GET /notifications, when SMTP keeps refusing', async () => {
      await department(t, 'FAIL');
      await recipient(t, 'fail', { department: 'FAIL' });
      await level(t, 'FAIL-1', { name: '失败指标', unit: '亿元', department: 'FAIL', b: 100, T: 1000, baseline: '2024', goal: '2027' });
      smtp.refuse((r) => r === email('fail'));
      try {
        await t.app.get(RemindersService).run(BEFORE_DUE);
        const failed = await eventually(async () => {
          const [row] = await notifications(t, { recipient: email('fail'), status: 'failed' });
          return row;
        }, 15_000, 'failed');
        assert.equal(failed.attempts, MAIL_ATTEMPTS);
        assert.match(failed.lastError ?? '', /451/);
        assert.equal(failed.messageId, null);
        assert.ok((await notifications(t, { status: 'failed' })).some((n) => n.id === failed.id));
      } finally {
        smtp.accept();
      }
      assert.equal(smtp.to(email('fail')).length, 0);
    });

    it('sends an email a dead worker had claimed once its claim is stale, without waiting for a restart', async () => {
      // Bull hands a stalled send to a live worker while the row is still claimed by the dead one.
      const { rows: [row] } = await t.db.query(
        `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text, status, attempts, claimed_at)
         VALUES ('test:dead-claim', $1, 'reminder', '【目标监测】认领后中断', '<p>中断</p>', '中断', 'sending', 1, now() - interval '119.5 seconds')
         RETURNING id`,
        [email('dead')],
      );
      await t.app.get(OutboxService).queueSends([Number(row.id)]);
      const [mail] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('dead')), 8_000);
      assert.equal(mail.messageId, `<outbox-${row.id}@target-monitor>`);
      const [sent] = await notifications(t, { recipient: email('dead') });
      assert.equal(sent.status, 'sent');
      assert.equal(smtp.to(email('dead')).length, 1);
    });

    it('schedules the digest for Monday 09:00 and reminders for 09:00, Asia/Shanghai', async () => {
      const jobs = await queue.getRepeatableJobs();
      const digest = jobs.filter((j) => j.name === NotificationJob.digest);
      const reminders = jobs.filter((j) => j.name === NotificationJob.reminders);
      assert.deepEqual(digest.map((j) => [j.cron, j.tz]), [['0 9 * * 1', TZ]]);
      assert.deepEqual(reminders.map((j) => [j.cron, j.tz]), [['0 9 * * *', TZ]]);

      const now = DateTime.now().setZone(TZ);
      const next09 = now.hour < 9 ? now.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }) : now.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
      let monday = now.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
      while (monday.weekday !== 1 || monday <= now) monday = monday.plus({ days: 1 });

      const digestNext = DateTime.fromMillis(digest[0].next, { zone: TZ });
      assert.deepEqual([digestNext.weekday, digestNext.hour, digestNext.minute, digestNext.second], [1, 9, 0, 0]);
      assert.equal(digestNext.toISO(), monday.toISO());
      const remindersNext = DateTime.fromMillis(reminders[0].next, { zone: TZ });
      assert.deepEqual([remindersNext.hour, remindersNext.minute], [9, 0]);
      assert.equal(remindersNext.toISO(), next09.toISO());
      // The delayed job waiting to fire is there too, at that moment.
      const delayed = (await queue.getDelayed()).filter((j) => j.name === NotificationJob.digest);
      assert.equal(delayed.length, 1);
      assert.equal(delayed[0].timestamp + (delayed[0].opts.delay ?? 0), digest[0].next);
    });
  });

  describe('repeat interval', () => {
    let t: TestApp;
    let queue: Queue;
    before(async () => {
      t = await startApp('alerts_repeat', { SMTP_URL: smtp.url, APP_URL, JOB_BACKOFF_MS: '50', ALERT_REPEAT_INTERVAL: '2s' });
      queue = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
      await department(t, 'REP');
      await recipient(t, 'rep', { department: 'REP' });
      await level(t, 'REP-1', { name: '重复提醒指标', unit: '亿元', department: 'REP', b: 100, T: 1000 });
      await figure(t, 'REP-1', Q1, 150);
      await evaluate(t, queue);
    });
    after(() => t.close());

    it('repeats a still-firing alert only once ALERT_REPEAT_INTERVAL has passed', async () => {
      const first = Date.now();
      await runDigest(t);
      const [fresh] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('rep')));
      assert.equal(fresh.subject, `【目标监测】${QUARTER_LABEL}：1项指标滞后`);
      assert.ok(fresh.html.includes('新增预警'));

      await runDigest(t);
      assert.equal((await notifications(t, { recipient: email('rep') })).length, 1, 'not again within 2 s');

      await sleep(Math.max(0, first + 2_200 - Date.now()));
      await runDigest(t);
      const [, repeated] = await smtp.waitFor(2, (m) => m.envelope.to.includes(email('rep')));
      assert.equal(repeated.subject, `【目标监测】${QUARTER_LABEL}：1项指标滞后`);
      assert.ok(repeated.html.includes('持续预警'));
      assert.ok(repeated.html.includes('/targets/REP-1"'));
      assert.notEqual(repeated.messageId, fresh.messageId);
      const alert = await alertOf(t, 'REP-1', 'lagging');
      assert.deepEqual(await history(t, alert!.id), ['fired', 'notified', 'notified']);
    });

    it('still sends reminders when the repeat interval is shorter than a day', async () => {
      await level(t, 'REP-2', { name: '待报送指标', unit: '亿元', department: 'REP', b: 100, T: 1000, baseline: '2024', goal: '2027' });
      const result = await t.app.get(RemindersService).run(BEFORE_DUE);
      assert.equal(result.emails, 1);
      await smtp.waitFor(1, (m) => m.envelope.to.includes(email('rep')) && m.subject.includes('数据报送提醒'));
    });
  });

  describe('the outbox across a crash, a Redis flush and two workers', () => {
    let t: TestApp;
    const workers: Spawned[] = [];
    const workerEnv = () => testEnv(t.config.databaseUrl, t.config.queuePrefix, {
      APP_ROLE: 'worker', LOG_LEVEL: 'log', SMTP_URL: smtp.url, APP_URL, JOB_BACKOFF_MS: '50',
    });
    before(async () => {
      // The API only: emails are written and queued, but nothing in this process sends them.
      t = await startApp('alerts_outbox', { APP_ROLE: 'api', SMTP_URL: smtp.url, APP_URL, JOB_BACKOFF_MS: '50' });
      await department(t, 'CRASH');
      await recipient(t, 'crash', { department: 'CRASH' });
      await level(t, 'CRASH-1', { name: '崩溃测试指标', unit: '亿元', department: 'CRASH', b: 100, T: 1000, baseline: '2024', goal: '2027' });
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await t.close();
    });

    it('delivers once what was queued before a crash and a Redis flush, and a send a dead worker had claimed', async () => {
      const queued = await t.app.get(RemindersService).run(BEFORE_DUE);
      assert.equal(queued.emails, 1);
      // A worker that died mid-send three minutes ago left this one claimed.
      await t.db.query(
        `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text, status, attempts, claimed_at)
         VALUES ('test:stale-claim', $1, 'reminder', '【目标监测】中断的发送', '<p>中断</p>', '中断', 'sending', 1, now() - interval '3 minutes')`,
        [email('crash')],
      );
      await sleep(300);
      assert.equal(smtp.to(email('crash')).length, 0, 'nothing sends in the api role');
      await flushPrefix(t.config.queuePrefix); // Redis loses every job

      const worker = spawnMain(workerEnv());
      workers.push(worker);
      await waitForOutput(worker, 'worker started');
      const mails = await smtp.waitFor(2, (m) => m.envelope.to.includes(email('crash')), 20_000);
      assert.deepEqual(mails.map((m) => m.subject).sort(), ['【目标监测】中断的发送', '【目标监测】数据报送提醒：1项指标待报送'].sort());
      await eventually(async () => {
        const rows = await notifications(t, { recipient: email('crash') });
        return rows.length === 2 && rows.every((r) => r.status === 'sent') ? rows : undefined;
      }, 10_000, 'both sent');
      await worker.stop();
      assert.equal(smtp.to(email('crash')).length, 2, 'each delivered once');
    });

    it('two worker processes send each pending email exactly once', async () => {
      const pair = [spawnMain(workerEnv()), spawnMain(workerEnv())];
      workers.push(...pair);
      await Promise.all(pair.map((w) => waitForOutput(w, 'worker started')));

      // Both workers are up: 12 emails are written and queued, as a digest run would.
      const n = 12;
      const { rows } = await t.db.query(
        `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text)
         SELECT 'test:multi:' || i, 'multi' || (i % 3) || '@tm.test', 'digest', '【目标监测】批量 ' || i, '<p>批量 ' || i || '</p>', '批量 ' || i
           FROM generate_series(1, $1::int) AS i RETURNING id`,
        [n],
      );
      const ids = rows.map((r) => Number(r.id));
      await t.app.get(OutboxService).queueSends(ids);
      // And duplicate deliveries of the same sends, as Bull makes of a stalled job: the claim must hold.
      const queue: Queue = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
      await queue.addBulk(ids.flatMap((outboxId) => [1, 2].map((k) => ({
        name: NotificationJob.send, data: { outboxId }, opts: { jobId: `test-dup:${outboxId}:${k}`, attempts: 8, backoff: { type: 'exponential', delay: 50 }, removeOnComplete: true },
      }))));

      const isBatch = (m: ReceivedMail) => m.subject.startsWith('【目标监测】批量 ');
      await smtp.waitFor(n, isBatch, 20_000);
      await eventually(async () => {
        const { rows: sent } = await t.db.query(`SELECT status FROM outbox WHERE id = ANY($1)`, [ids]);
        return sent.every((r) => r.status === 'sent') ? sent : undefined;
      }, 10_000, 'all sent');
      await eventually(async () => ((await queue.getJobCounts()).active + (await queue.getJobCounts()).waiting === 0 ? true : undefined), 10_000, 'queue drained');
      await sleep(300);
      const batch = smtp.messages.filter(isBatch);
      assert.equal(batch.length, n, 'no email twice');
      assert.equal(new Set(batch.map((m) => m.subject)).size, n);
      assert.deepEqual(batch.map((m) => m.messageId).sort(), ids.map((id) => `<outbox-${id}@target-monitor>`).sort());
      const { rows: attempts } = await t.db.query(`SELECT attempts FROM outbox WHERE id = ANY($1)`, [ids]);
      assert.deepEqual(attempts.map((r) => r.attempts), ids.map(() => 1));
      await Promise.all(pair.map((w) => w.stop()));
    });
  });
});
