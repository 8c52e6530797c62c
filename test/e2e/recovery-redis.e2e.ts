import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { EVALUATION_QUEUE, jobIds, NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { OutboxService } from '../../src/notifications/outbox.service.js';
import { eventually, flushPrefix, startApp, type TestApp } from '../support/app.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHECK_MS = 1500;
const RECIPIENT = 'flush@example.org';

/** Redis emptied of this app's keys (its prefix) under a live worker, as a FLUSHALL or a Redis that lost its data would. */
describe('recovery (issue 18): Redis flushed under a live worker', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let evaluation: Queue;
  let notifications: Queue;

  before(async () => {
    smtp = await startSmtp();
    t = await startApp('recovery_redis', {
      SMTP_URL: smtp.url, SCHEDULE_CHECK_MS: String(CHECK_MS), JOB_BACKOFF_MS: '100', MAIL_RETRY_CAP_MS: '500', MAIL_ATTEMPTS: '200',
    });
    evaluation = t.app.get<Queue>(getQueueToken(EVALUATION_QUEUE));
    notifications = t.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  });

  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  const schedules = async () => [
    ...(await evaluation.getRepeatableJobs()).map((j) => j.name),
    ...(await notifications.getRepeatableJobs()).map((j) => j.name),
  ].sort();

  it('queues the schedules and the unsent email again within SCHEDULE_CHECK_MS, and sends the email once', async () => {
    const registered = await schedules();
    assert.equal(registered.length, 3, `evaluation, digest and reminder schedules: ${registered}`);

    smtp.refuse();
    const { rows: [mail] } = await t.db.query(
      `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text)
       VALUES ('recovery:redis-flush', $1, 'digest', '演练：Redis 清空', '<p>清空</p>', '清空') RETURNING id`,
      [RECIPIENT],
    );
    await t.app.get(OutboxService).queueSends([Number(mail.id)]);
    await eventually(async () => (smtp.refusals() > 0 ? true : undefined), 10_000, 'a refused attempt');

    await flushPrefix(t.config.queuePrefix);
    const flushed = Date.now();
    assert.deepEqual(await schedules(), [], 'the flush took the schedules');
    assert.equal(await notifications.getJob(jobIds.send(mail.id)), null, 'and the send job');
    smtp.accept();

    await eventually(async () => ((await schedules()).length === 3 ? true : undefined), CHECK_MS + 10_000, 'the schedules back');
    const back = Date.now() - flushed;
    assert.deepEqual(await schedules(), registered);
    await smtp.waitFor(1, (m) => m.envelope.to.includes(RECIPIENT), CHECK_MS + 10_000);
    assert.ok(back <= CHECK_MS + 2000, `schedules back ${back} ms after the flush (check every ${CHECK_MS} ms)`);
    await eventually(async () => ((await t.db.query(`SELECT status FROM outbox WHERE id = $1`, [mail.id])).rows[0].status === 'sent' ? true : undefined), 5000, 'sent');
    await sleep(2 * CHECK_MS);
    assert.equal(smtp.to(RECIPIENT).length, 1, 'sent once');
  });
});
