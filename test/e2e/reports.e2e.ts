import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DateTime } from 'luxon';
import type { Response } from 'supertest';
import { NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { unzipEntries } from '../../src/reports/report-docx.js';
import { ADMIN, eventually, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { docxText } from '../support/office.js';
import { evaluate } from '../support/runs.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { formFields, postForm, type WebAgent, webLogin } from '../support/web.js';

const TZ = 'Asia/Shanghai';
// Q1 is the last quarter that has ended: the one a run today reports on.
const lastQuarterEnd = DateTime.now().setZone(TZ).startOf('quarter').minus({ milliseconds: 1 });
const Q1 = `${lastQuarterEnd.year}Q${lastQuarterEnd.quarter}`;
const Y1 = lastQuarterEnd.year;
const BASE = String(Y1 - 2);
const GOAL = String(Y1 + 1);
const QUARTER_ZH = ['第一季度', '第二季度', '第三季度', '第四季度'][lastQuarterEnd.quarter - 1];
const TITLE = `渝北区目标进度季度通报（${Y1}年${QUARTER_ZH}）`;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const LEADER = 'leader@tm.test';
const CAUSE = '受外部市场需求下降影响，企业改造意愿不足';
const MEASURES = '加大专项资金支持，逐户走访推动改造';
const CLERK = { email: 'clerk@tm.test', password: 'Econ-clerk-report-2026', role: 'department', department: 'ECON' };

/** Whitespace out: pdftotext spaces CJK from digits and breaks lines where the page did. */
const squash = (s: string) => s.replace(/\s+/g, '');

async function figure(t: TestApp, code: string, period: string, value: number, extra: object = {}): Promise<void> {
  const res = await t.http().put(`/api/v1/targets/${code}/figures/${period}`).send({ value, ...extra });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const level = (code: string, name: string, department: string, b: number, T: number, extra: object = {}) => ({
  code, name, unit: '家', kind: 'level', comparator: '>=', department,
  baseline: { period: BASE, value: b }, target: { period: GOAL, value: T }, ...extra,
});

describe('the quarterly 通报 (.docx): drafted from a run, read back by LibreOffice, issued by email', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let report: Record<string, any>;
  let document: Buffer;
  let text: string;

  before(async () => {
    smtp = await startSmtp();
    t = await startApp('reports', { SMTP_URL: smtp.url, APP_URL: 'http://tm.test', JOB_BACKOFF_MS: '200' });
    await createDepartment(t, { code: 'ECON', name: '区经济信息委', emails: [] });
    await createDepartment(t, { code: 'SCI', name: '区科技局', emails: [] });
    await createTarget(t, level('RP-LAG', '改造企业数', 'ECON', 1000, 3000));
    await createTarget(t, level('RP-GOOD', '研发机构数', 'ECON', 100, 1000));
    await createTarget(t, level('RP-FALL', '高新企业数', 'SCI', 100, 1000));
    await createTarget(t, level('RP-NONE', '充电桩数', 'SCI', 100, 1000, { graceDays: 0 }));
    await figure(t, 'RP-LAG', Q1, 1200); // lagging, explained
    await figure(t, 'RP-GOOD', Q1, 1000); // achieved
    await figure(t, 'RP-FALL', Q1, 150); // lagging, explanation still due
    // RP-NONE: no figure at all: no data, overdue for Q1
    const res = await t.http().post('/api/v1/recipients').send({ email: LEADER, subscriber: true, language: 'zh-CN' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await t.http().post('/api/v1/users').send(CLERK)).status, 201);
    await evaluate(t, t.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE)));
    // The run owes explanations for its two lagging targets (the job that completed it writes them right
    // after): one is submitted through the API, the other stays due.
    await eventually(async () => {
      const { rows: [owed] } = await t.db.query(`SELECT count(*)::int AS n FROM explanations WHERE period = $1`, [Q1]);
      return owed.n === 2 ? true : undefined;
    }, 10_000, 'the explanations owed');
    const explained = await t.http().put(`/api/v1/targets/RP-LAG/explanations/${Q1}`).send({ cause: CAUSE, measures: MEASURES });
    assert.equal(explained.status, 200, JSON.stringify(explained.body));
  });
  after(async () => {
    try {
      await t?.close();
    } finally {
      await smtp?.close();
    }
  });

  it('POST /reports drafts the quarter’s report: 201, Location, the counts', async () => {
    const res = await t.http().post('/api/v1/reports').send({ period: Q1 });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    report = res.body;
    assert.equal(res.headers.location, `/api/v1/reports/${report.id}`);
    assert.equal(report.period, Q1);
    assert.equal(report.state, 'draft');
    assert.equal(report.locked, false);
    assert.equal(report.title, TITLE);
    assert.equal(report.demo, false);
    assert.deepEqual(
      { total: report.counts.total, good: report.counts.good, lagging: report.counts.lagging, noData: report.counts.noData, overdue: report.counts.overdue },
      { total: 4, good: 1, lagging: 2, noData: 1, overdue: 1 },
    );
    assert.equal(report.overview, '共4项指标，达到或快于序时进度1项，占25.0%；需加快0项；滞后2项；暂无数据1项；数据逾期1项。');
    const listed = await t.http().get(`/api/v1/reports?period=${Q1}`).expect(200);
    assert.deepEqual(listed.body.items.map((r: { id: number }) => r.id), [report.id]);
    assert.deepEqual([listed.body.page, listed.body.pageSize, listed.body.total], [1, 100, 1]); // the API's one collection shape
    const none = await t.http().get('/api/v1/reports?period=2001Q1&pageSize=5').expect(200);
    assert.deepEqual([none.body.items, none.body.pageSize, none.body.total], [[], 5, 0]);
    const audit = await t.db.query(`SELECT actor FROM audit_log WHERE action = 'report.draft' AND entity_id = $1`, [String(report.id)]);
    assert.equal(audit.rows.length, 1);
  });

  it('GET /reports/{id}/document: the .docx, named in Chinese, as stored (its SHA-256)', async () => {
    const res = await t.http().get(`/api/v1/reports/${report.id}/document`).buffer(true).parse(binary).expect(200);
    assert.equal(res.headers['content-type'], DOCX);
    assert.ok(res.headers['content-disposition'].includes(`filename*=UTF-8''${encodeURIComponent(TITLE).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}.docx`),
      res.headers['content-disposition']);
    document = res.body as Buffer;
    assert.equal(createHash('sha256').update(document).digest('hex'), report.sha256);
    // The two flagged targets' charts are in it.
    const media = [...unzipEntries(document).keys()].filter((k) => k.startsWith('word/media/') && k.endsWith('.png'));
    assert.equal(media.length, 2, media.join(', '));
    // Rendered again from the stored model: the same bytes.
    const fresh = await t.http().get(`/api/v1/reports/${report.id}/document?fresh=true`).buffer(true).parse(binary).expect(200);
    assert.equal(createHash('sha256').update(fresh.body as Buffer).digest('hex'), report.sha256);
  });

  it('LibreOffice reads the counts, each department’s rows, the explanation and the missing lists', async () => {
    const read = await docxText(document);
    text = squash(read.text);
    for (const s of [
      '渝北区目标进度季度通报', `（${Y1}年${QUARTER_ZH}）`, report.overview,
      '一、总体情况', '二、各责任单位指标进展', '（一）区经济信息委', '（二）区科技局', '三、滞后指标及情况说明',
      '改造企业数', '研发机构数', '高新企业数', '充电桩数', `1200（${Q1}）`, `3000（${GOAL}）`, '已完成', '滞后',
      '按序时进度应达', `原因分析：${CAUSE}`, `下步措施：${MEASURES}`, '未提交情况说明。',
      '四、未提交情况说明的指标', '五、数据逾期未报的指标', '—1—',
    ]) assert.ok(text.includes(squash(s)), `the PDF's text has ${s}`);
    // The department tables: each row's cells in order (序号, 指标, 单位, …).
    assert.match(text, /1研发机构数家1000（\d{4}）1000（\d{4}Q\d）100\.0%已完成2改造企业数家3000（\d{4}）1200（\d{4}Q\d）10\.0%滞后/);
    assert.match(text, /1高新企业数家1000（\d{4}）150（\d{4}Q\d）5\.6%滞后2充电桩数家1000（\d{4}）暂无—无数据（数据逾期）/);
    // Missing explanations: RP-FALL (due); missing figures: RP-NONE for Q1.
    const layout = read.layout.split('\n').map(squash);
    const missing = layout.slice(layout.findIndex((l) => l.includes('四、未提交情况说明的指标'))).join('\n');
    assert.match(missing, /^1高新企业数区科技局待提交/m);
    assert.ok(missing.split('\n').includes(`1充电桩数区科技局${Q1}`), missing);
    assert.ok(!text.includes('示例'), 'not labelled 示例: these are no demo figures');
  });

  it('a planner’s page lists it, downloads it, and drafts from the form; department users may not draft', async () => {
    const web: WebAgent = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
    const page = await web.get('/reports').expect(200);
    assert.ok(page.text.includes('id="nav-reports"'));
    assert.ok(page.text.includes(`<tr data-report="${report.id}" data-state="draft">`));
    assert.ok(page.text.includes(`class="report-document" href="/reports/${report.id}/document"`));
    assert.ok(page.text.includes('class="issue-report"') && page.text.includes('签发后本季度数据将锁定'));
    assert.deepEqual(formFields(page.text, 'draft-report').filter(([n]) => n === 'period'), [['period', Q1]]);
    assert.ok(page.text.includes('id="draft-submit"'));
    const download = await web.get(`/reports/${report.id}/document`).buffer(true).parse(binary).expect(200);
    assert.ok((download.body as Buffer).equals(document));
    const bad = await postForm(web, '/reports', '/reports', { period: '2026Q5' });
    assert.equal(bad.status, 422);
    assert.ok(bad.text.includes('id="form-errors"'));
    const drafted = await postForm(web, '/reports', '/reports', { period: Q1 });
    assert.equal(drafted.status, 303);
    assert.equal(drafted.headers.location, '/reports?done=drafted');

    const clerk = await t.login(CLERK.email, CLERK.password);
    const refused = await t.as(clerk).post('/api/v1/reports').send({ period: Q1 });
    assert.equal(refused.status, 403);
    assert.equal((await t.as(clerk).post(`/api/v1/reports/${report.id}/issue`).send({})).status, 403);
  });

  it('a bad or unevaluated period is a 422 naming `period`', async () => {
    for (const period of ['2026Q5', '2026', '3457Q4', '2001Q1']) {
      const res = await t.http().post('/api/v1/reports').send({ period });
      assert.equal(res.status, 422, `${period}: ${res.status}`);
      assert.match(res.headers['content-type'], /application\/problem\+json/);
      assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['period'], JSON.stringify(res.body));
    }
    const none = await t.http().post('/api/v1/reports').send({ period: '2001Q1' });
    assert.match(none.body.errors[0].message, /该季度尚无已完成的评估/);
  });

  it('issuing locks the quarter and emails the .docx to the leaders; again is a 409', async () => {
    const res = await t.http().post(`/api/v1/reports/${report.id}/issue`).send({});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.state, 'issued');
    assert.equal(res.body.locked, true);
    assert.equal(res.body.issuedBy, ADMIN.email);
    const locks = await t.db.query(`SELECT period, report_id FROM period_locks`);
    assert.deepEqual(locks.rows, [{ period: Q1, report_id: String(report.id) }]);

    const [mail] = await smtp.waitFor(1, (m) => m.envelope.to.includes(LEADER), 20_000);
    assert.equal(mail.subject, TITLE);
    assert.ok(mail.text.includes(report.overview));
    const files = mail.mail.attachments.filter((a) => a.contentType === DOCX);
    assert.equal(files.length, 1);
    assert.equal(files[0].filename, `${TITLE}.docx`);
    assert.equal(files[0].contentDisposition, 'attachment');
    assert.ok(files[0].content.equals(document), 'the attachment is the stored document');
    const outbox = await t.db.query(`SELECT reason, status FROM outbox WHERE recipient = $1`, [LEADER]);
    assert.deepEqual(outbox.rows, [{ reason: 'report', status: 'sent' }]);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.issue' AND entity_id = $1`, [String(report.id)]);
    assert.equal(audit.rows[0].n, 1);

    const again = await t.http().post(`/api/v1/reports/${report.id}/issue`).send({});
    assert.equal(again.status, 409);
    assert.equal(again.body.errors[0].path, 'state');
    // The page's draft of the same quarter cannot be issued now: the quarter is locked by the first.
    const other = (await t.http().get(`/api/v1/reports?period=${Q1}`).expect(200)).body.items.find((r: { state: string }) => r.state === 'draft');
    const web = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
    const refused = await postForm(web, '/reports', `/reports/${other.id}/issue`, {});
    assert.equal(refused.status, 409);
    assert.ok(refused.text.includes('id="issue-errors"'));
  });

  it('a figure of the locked quarter changed afterwards is listed in the next report as 已发布数据修订', async () => {
    await figure(t, 'RP-LAG', Q1, 1260, { reason: '统计局核定修正' });
    const res = await t.http().post('/api/v1/reports').send({ period: Q1 });
    assert.equal(res.status, 201);
    const next = (await t.http().get(`/api/v1/reports/${res.body.id}/document`).buffer(true).parse(binary).expect(200)).body as Buffer;
    const xml = unzipEntries(next).get('word/document.xml')!.toString('utf8').replace(/<[^>]+>/g, '');
    assert.ok(xml.includes('已发布数据修订'));
    assert.ok(xml.includes('统计局核定修正') && xml.includes('1260') && xml.includes('1200'), 'the revision, its reason and both values');
    assert.ok(!unzipEntries(document).get('word/document.xml')!.toString('utf8').includes('已发布数据修订'));
  });
});

/** A supertest parser keeping a binary download as a Buffer. */
function binary(res: Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
