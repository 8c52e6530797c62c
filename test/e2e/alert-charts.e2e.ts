import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DateTime } from 'luxon';
import { type Attachment, simpleParser } from 'mailparser';
import { DigestService } from '../../src/notifications/digest.service.js';
import { ChartsService } from '../../src/charts/charts.service.js';
import { jobIds, NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { evaluate } from '../support/runs.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { decodePng } from '../support/png.js';
import { type ReceivedMail, startSmtp, type TestSmtp } from '../support/smtp.js';

const TZ = 'Asia/Shanghai';
const APP_URL = 'http://tm.test';

// Periods relative to today, as in alerts.e2e.ts: Q1 is the last quarter that has ended.
const lastQuarterEnd = DateTime.now().setZone(TZ).startOf('quarter').minus({ milliseconds: 1 });
const Q1 = `${lastQuarterEnd.year}Q${lastQuarterEnd.quarter}`;
const Y1 = lastQuarterEnd.year;
const BASE_YEAR = String(Y1 - 2);
const GOAL_YEAR = String(Y1 + 1);
const elapsed = (lastQuarterEnd.year + lastQuarterEnd.quarter / 4 - (Y1 - 1)) / 3;

const email = (local: string) => `${local}@tm.test`;
const cid = (code: string) => `chart-${code}@target-monitor`;

async function figure(t: TestApp, code: string, period: string, value: number): Promise<void> {
  const res = await t.http().put(`/api/v1/targets/${code}/figures/${period}`).send({ value });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function level(t: TestApp, code: string, name: string, b: number, T: number): Promise<void> {
  await createTarget(t, {
    code, name, unit: '亿元', kind: 'level', comparator: '>=', department: 'CHART',
    baseline: { period: BASE_YEAR, value: b }, target: { period: GOAL_YEAR, value: T },
  });
}


/** The message again, with its HTML as sent: mailparser would otherwise turn cid: links into data: URLs. */
async function asSent(mail: ReceivedMail) {
  const parsed = await simpleParser(mail.raw, { keepCidLinks: true });
  return { html: typeof parsed.html === 'string' ? parsed.html : '', text: parsed.text ?? '', attachments: parsed.attachments };
}

const pngs = (attachments: Attachment[]) => attachments.filter((a) => a.contentType === 'image/png');

describe('charts in the weekly digest, against a real SMTP server', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let queue: Queue;
  const modelCalls: string[] = [];
  const pngCalls: string[] = [];
  const warnings: string[] = [];

  before(async () => {
    smtp = await startSmtp();
    t = await startApp('alert_charts', { SMTP_URL: smtp.url, APP_URL, JOB_BACKOFF_MS: '200' });
    queue = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
    await createDepartment(t, { code: 'CHART', name: '图表测试部门', emails: [] });
    for (const [local, body] of [
      ['chart', { department: 'CHART' }],
      ['chart-en', { department: 'CHART', language: 'en' }],
      ['chart-leader', { subscriber: true }],
    ] as const) {
      const res = await t.http().post('/api/v1/recipients').send({ email: email(local), language: 'zh-CN', ...body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }

    await level(t, 'CH-LEVEL', '数字化改造企业数', 1000, 3000);
    await figure(t, 'CH-LEVEL', Q1, 1200); // lagging: flagged, charted
    await createTarget(t, {
      code: 'CH-FLOW', name: '智能网联新能源汽车年产值', unit: '亿元', kind: 'flow', comparator: '>=', department: 'CHART',
      target: { period: GOAL_YEAR, value: 2600 }, milestones: [{ period: String(Y1), value: 2000 }],
    });
    await figure(t, 'CH-FLOW', Q1, 100); // 5% of the year target at ≥ 25% of the year: lagging
    await level(t, 'CH-RISK', '研发投入', 100, 1000);
    await figure(t, 'CH-RISK', Q1, Math.round((100 + 900 * 0.9 * elapsed) * 100) / 100); // at_risk: warned, no chart
    await level(t, 'CH-BROKEN', '图表出错指标', 100, 1000);
    await figure(t, 'CH-BROKEN', Q1, 150); // lagging, but its chart fails below
    await evaluate(t, queue);

    // Count the work the digest asks of the charts, and make one target's chart fail.
    const charts = t.app.get(ChartsService);
    const modelForTarget = charts.modelForTarget.bind(charts);
    charts.modelForTarget = async (code, options) => {
      modelCalls.push(code);
      if (code === 'CH-BROKEN') throw new Error('test: this chart cannot be drawn');
      return modelForTarget(code, options);
    };
    const png = charts.png.bind(charts);
    charts.png = (model, options) => {
      pngCalls.push(`${model.code}|${options?.lang}`);
      return png(model, options);
    };
    const logger = (t.app.get(DigestService) as unknown as { logger: Logger }).logger;
    const warn = logger.warn.bind(logger);
    logger.warn = (message: unknown, ...rest: unknown[]) => {
      warnings.push(String(message));
      warn(message, ...rest);
    };
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it('sends each flagged target’s chart as an inline PNG the HTML shows with <img src="cid:…">, under its row', async () => {
    const res = await t.http().post('/api/v1/digests/run').send({});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.emails, 3);
    const [mail] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('chart')));
    const sent = await asSent(mail);

    // A flagged level and a flagged flow target have their chart; the at_risk one and the broken one do not.
    const images = pngs(sent.attachments);
    assert.deepEqual(images.map((a) => a.cid).sort(), [cid('CH-FLOW'), cid('CH-LEVEL')]);
    for (const image of images) {
      assert.equal(image.contentId, `<${image.cid}>`);
      assert.equal(image.related, true, 'in the multipart/related part with the HTML');
      assert.equal(image.contentDisposition, 'inline');
      assert.equal(image.filename, `${image.cid!.slice('chart-'.length, -'@target-monitor'.length)}.png`);
      const decoded = decodePng(image.content);
      assert.deepEqual([decoded.width, decoded.height], [480, 200]);
      assert.ok(image.content.length > 3_000, `${image.filename}: ${image.content.length} bytes`);
      assert.ok(sent.html.includes(`<img src="cid:${image.cid}" width="480" height="200"`), `<img> for ${image.cid}`);
    }
    assert.ok(!sent.html.includes(`cid:${cid('CH-RISK')}`));
    assert.ok(!sent.html.includes(`cid:${cid('CH-BROKEN')}`));
    assert.equal(sent.html.match(/<img /g)?.length, 2);
    // The image sits in the row under its target's row.
    const rows = sent.html.split('<tr>').slice(1).map((r) => r.split('</tr>')[0]);
    for (const code of ['CH-LEVEL', 'CH-FLOW']) {
      const at = rows.findIndex((r) => r.includes(`href="${APP_URL}/targets/${code}"`));
      assert.ok(at >= 0 && rows[at + 1].includes(`src="cid:${cid(code)}"`), `${code}'s chart under its row`);
    }
    // Everything else is still there, the broken chart's target included; the text part has no image.
    for (const code of ['CH-LEVEL', 'CH-FLOW', 'CH-RISK', 'CH-BROKEN']) {
      assert.ok(sent.html.includes(`/targets/${code}"`), code);
      assert.ok(sent.text.includes(`[${code}]`), code);
    }
    assert.ok(!/cid:|<img/.test(sent.text));
    assert.match(mail.raw, /multipart\/alternative/);
    assert.match(mail.raw, /multipart\/related/);
    assert.ok(warnings.some((w) => w.includes('CH-BROKEN') && w.includes('this chart cannot be drawn')), JSON.stringify(warnings));

    // What was delivered is what the outbox held before sending.
    const { rows: stored } = await t.db.query(
      `SELECT a.cid, a.filename, a.content_type, a.content, o.status FROM outbox_attachments a JOIN outbox o ON o.id = a.outbox_id
        WHERE o.recipient = $1 ORDER BY a.cid`,
      [email('chart')],
    );
    assert.deepEqual(stored.map((r) => [r.cid, r.filename, r.content_type]), [
      [cid('CH-FLOW'), 'CH-FLOW.png', 'image/png'], [cid('CH-LEVEL'), 'CH-LEVEL.png', 'image/png'],
    ]);
    for (const row of stored) assert.ok(row.content.equals(images.find((a) => a.cid === row.cid)!.content), row.cid);
    await eventually(async () => {
      const { rows: [o] } = await t.db.query(`SELECT status FROM outbox WHERE recipient = $1`, [email('chart')]);
      return o.status === 'sent' ? true : undefined;
    }, 10_000, 'marked sent');
  });

  it('renders each chart once per run and language, shared by every recipient', async () => {
    const [zh] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('chart')));
    const [en] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('chart-en')));
    const [leader] = await smtp.waitFor(1, (m) => m.envelope.to.includes(email('chart-leader')));
    const [zhImages, enImages, leaderImages] = await Promise.all([zh, en, leader].map(async (m) => pngs((await asSent(m)).attachments)));
    const bytes = (images: Attachment[], code: string) => images.find((a) => a.cid === cid(code))!.content;

    // The subscriber (zh-CN) gets the very bytes the department got; English is a chart of its own.
    assert.deepEqual(leaderImages.map((a) => a.cid).sort(), [cid('CH-FLOW'), cid('CH-LEVEL')]);
    assert.ok(bytes(leaderImages, 'CH-LEVEL').equals(bytes(zhImages, 'CH-LEVEL')));
    assert.ok(!bytes(enImages, 'CH-LEVEL').equals(bytes(zhImages, 'CH-LEVEL')), 'English labels');
    decodePng(bytes(enImages, 'CH-FLOW'));

    assert.deepEqual([...modelCalls].sort(), ['CH-BROKEN', 'CH-FLOW', 'CH-LEVEL'], 'one model per target');
    assert.deepEqual([...pngCalls].sort(), ['CH-FLOW|en', 'CH-FLOW|zh', 'CH-LEVEL|en', 'CH-LEVEL|zh'], 'one PNG per target and language');
  });

  it('the target page’s SVG comes from the same service, and an unknown code is not found', async () => {
    const charts = t.app.get(ChartsService);
    const svg = await charts.svgForTarget('CH-FLOW', { lang: 'zh', width: 640, height: 320 });
    assert.match(svg, /^<svg [^>]*width="640" height="320"/);
    for (const label of ['智能网联新能源汽车年产值', '目标值', '序时进度', '实际值', '预测', `${Y1}年累计值`]) assert.ok(svg.includes(label), label);
    const model = await charts.modelForTarget('CH-LEVEL');
    assert.deepEqual(model.latest, { period: Q1, value: 1200 });
    assert.equal(model.status, 'lagging');
    await assert.rejects(charts.svgForTarget('NO-SUCH'), (e: Error & { code?: string }) => e.code === 'not_found');
    await assert.rejects(charts.svgForTarget('CH-FLOW', { width: 100_000 }), (e: Error & { code?: string; errors?: { path: string }[] }) =>
      e.code === 'invalid' && e.errors?.[0]?.path === 'width');
    const png = await charts.pngForTarget('CH-LEVEL', { lang: 'en', width: 320, height: 160 });
    assert.deepEqual([decodePng(png).width, decodePng(png).height], [320, 160]);
  });
});
