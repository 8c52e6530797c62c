import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OutboxService } from '../../src/notifications/outbox.service.js';
import { cappedBackoff } from '../../src/jobs/jobs.constants.js';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The drill (SMTP down for 5 minutes, first retry after 2 s, mail within a minute of SMTP's return)
// scaled down 20×: first retry after 100 ms, waits capped at 1 s, SMTP refusing for 14 s.
const BACKOFF_MS = 100;
const CAP_MS = 1000;
const DOWN_MS = 14_000;
const RECIPIENT = 'outage@example.org';

describe('recovery (issue 18): SMTP down, then back', () => {
  let smtp: TestSmtp;
  let t: TestApp;

  before(async () => {
    smtp = await startSmtp();
    t = await startApp('recovery_smtp', {
      SMTP_URL: smtp.url, JOB_BACKOFF_MS: String(BACKOFF_MS), MAIL_RETRY_CAP_MS: String(CAP_MS), MAIL_ATTEMPTS: '200',
    });
  });

  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('waits grow like Bull\'s exponential backoff up to the cap, never beyond', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 20].map((n) => cappedBackoff(n, new Error('451'), { delay: 2000, cap: 60_000 }));
    assert.deepEqual(waits, [2000, 6000, 14_000, 30_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('keeps retrying through the outage and sends once, within the cap of SMTP\'s return', async () => {
    smtp.refuse();
    const { rows: [mail] } = await t.db.query(
      `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text)
       VALUES ('recovery:smtp-down', $1, 'digest', '演练：邮件服务中断', '<p>中断</p>', '中断') RETURNING id`,
      [RECIPIENT],
    );
    await t.app.get(OutboxService).queueSends([Number(mail.id)]);
    await sleep(DOWN_MS);
    const refusedDuringOutage = smtp.refusals();
    smtp.accept();
    const back = Date.now();

    await smtp.waitFor(1, (m) => m.envelope.to.includes(RECIPIENT), CAP_MS + 10_000);
    const afterReturn = Date.now() - back;
    const { rows: [row] } = await t.db.query(`SELECT status, attempts FROM outbox WHERE id = $1`, [mail.id]);
    await eventually(async () => ((await t.db.query(`SELECT status FROM outbox WHERE id = $1`, [mail.id])).rows[0].status === 'sent' ? true : undefined), 5000, 'sent');

    // Uncapped, the 8th attempt would come 12.7 s after the 7th, 10.7 s after SMTP's return.
    assert.ok(afterReturn <= CAP_MS + 1500, `sent ${afterReturn} ms after SMTP came back (cap ${CAP_MS} ms)`);
    assert.ok(refusedDuringOutage >= 12, `attempts kept coming through the outage: ${refusedDuringOutage} refused`);
    assert.ok(row.attempts >= refusedDuringOutage, `attempts recorded: ${row.attempts}`);
    await sleep(2 * CAP_MS);
    assert.equal(smtp.to(RECIPIENT).length, 1, 'delivered exactly once');
  });
});
