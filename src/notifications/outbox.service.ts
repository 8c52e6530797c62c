import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { returned } from '../database/rows.js';
import { jobIds, NOTIFICATIONS_QUEUE, NotificationJob, sendBackoff, type SendJobData } from '../jobs/jobs.constants.js';
import type { Page } from '../common/paging.js';
import { type MailAttachment, MailTransport } from './mail.transport.js';

export interface OutboxMessage {
  dedupeKey: string;
  recipient: string;
  cc?: string[];
  reason: 'digest' | 'reminder' | 'binding_alert';
  subject: string;
  html: string;
  text: string;
  /** stored with the row (table outbox_attachments) and attached when it is sent */
  attachments?: MailAttachment[];
}

export interface NotificationJson {
  id: number; recipient: string; cc: string[]; reason: string; subject: string; status: string;
  attempts: number; lastError: string | null; messageId: string | null; createdAt: string; sentAt: string | null;
}

/** A claim older than this is taken to belong to a worker that died mid-send. */
const STALE_CLAIM = '2 minutes';

/**
 * The outbox: an email is a row before it is a job, keyed so it exists once; the `notifications`
 * queue sends it and marks it sent. Rows not sent are queued again at start, so neither a Redis
 * flush nor a crash loses one.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transport: MailTransport,
  ) {}

  /** Writes the messages and their attachments (a key seen before is skipped) and returns the ids of the new rows. */
  async add(manager: EntityManager, messages: OutboxMessage[]): Promise<number[]> {
    if (!messages.length) return [];
    const rows: { id: string; dedupe_key: string }[] = await manager.query(
      `INSERT INTO outbox (dedupe_key, recipient, cc, reason, subject, html, text)
       SELECT k, r, string_to_array(c, ','), re, s, h, t
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS m(k, r, c, re, s, h, t)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key`,
      [
        messages.map((m) => m.dedupeKey), messages.map((m) => m.recipient), messages.map((m) => (m.cc ?? []).join(',')),
        messages.map((m) => m.reason), messages.map((m) => m.subject), messages.map((m) => m.html), messages.map((m) => m.text),
      ],
    );
    const byKey = new Map(messages.map((m) => [m.dedupeKey, m]));
    const files = rows.flatMap((r) => (byKey.get(r.dedupe_key)?.attachments ?? []).map((a) => ({ id: r.id, ...a })));
    if (files.length) {
      await manager.query(
        `INSERT INTO outbox_attachments (outbox_id, cid, filename, content_type, content)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[])`,
        [files.map((f) => f.id), files.map((f) => f.cid), files.map((f) => f.filename), files.map((f) => f.contentType), files.map((f) => f.content)],
      );
    }
    return rows.map((r) => Number(r.id));
  }

  /** Queues sends for outbox rows (after their transaction committed). */
  async queueSends(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.queue.addBulk(ids.map((outboxId) => ({
      name: NotificationJob.send,
      data: { outboxId } satisfies SendJobData,
      opts: {
        jobId: jobIds.send(outboxId),
        attempts: this.config.mailAttempts,
        backoff: sendBackoff(this.config.jobBackoffMs, this.config.mailRetryCapMs),
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    })));
  }

  /** At start: every row not yet sent gets its send job again (the job id makes this idempotent). */
  async requeueUnsent(): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM outbox WHERE status = 'pending' OR (status = 'sending' AND claimed_at < now() - interval '${STALE_CLAIM}') ORDER BY id`,
    );
    await this.queueSends(rows.map((r) => Number(r.id)));
    if (rows.length) this.logger.log(`queued ${rows.length} unsent email(s) again`);
    return rows.length;
  }

  /**
   * Claims the row (only one worker can), sends it, marks it sent. An SMTP failure leaves it pending
   * with the error for the next attempt; `failed()` ends it when the attempts run out.
   */
  async send(outboxId: number): Promise<void> {
    const [row] = returned<{ id: string; recipient: string; cc: string[]; subject: string; html: string; text: string }>(
      await this.dataSource.query(
        `UPDATE outbox SET status = 'sending', claimed_at = now(), attempts = attempts + 1
          WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND claimed_at < now() - interval '${STALE_CLAIM}'))
        RETURNING id, recipient, cc, subject, html, text`,
        [outboxId],
      ),
    );
    if (!row) {
      const [current] = await this.dataSource.query(`SELECT status FROM outbox WHERE id = $1`, [outboxId]);
      // Claimed by a worker that may have died: retry (with backoff) until sent or the claim goes stale.
      if (current?.status === 'sending') throw new Error(`email ${outboxId} is being sent by another worker`);
      return; // sent or failed already
    }
    try {
      const attachments: { cid: string; filename: string; content_type: string; content: Buffer }[] = await this.dataSource.query(
        `SELECT cid, filename, content_type, content FROM outbox_attachments WHERE outbox_id = $1 ORDER BY id`, [outboxId],
      );
      const info = await this.transport.send({
        to: row.recipient, cc: row.cc, subject: row.subject, html: row.html, text: row.text,
        messageId: `<outbox-${row.id}@target-monitor>`,
        attachments: attachments.map((a) => ({ cid: a.cid, filename: a.filename, contentType: a.content_type, content: a.content })),
      });
      await this.dataSource.query(
        `UPDATE outbox SET status = 'sent', sent_at = now(), message_id = $2, last_error = NULL WHERE id = $1`,
        [outboxId, info.messageId],
      );
    } catch (error) {
      await this.dataSource.query(
        `UPDATE outbox SET status = 'pending', last_error = $2 WHERE id = $1 AND status = 'sending'`,
        [outboxId, (error as Error).message.slice(0, 1000)],
      );
      throw error;
    }
  }

  async failed(outboxId: number, error: string): Promise<void> {
    this.logger.error(`email ${outboxId} not delivered: ${error}`);
    await this.dataSource.query(
      `UPDATE outbox SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`,
      [outboxId, error.slice(0, 1000)],
    );
  }

  async list(q: { status?: string; recipient?: string; reason?: string; page: number; pageSize: number }): Promise<Page<NotificationJson>> {
    const params = [q.status ?? null, q.recipient ?? null, q.reason ?? null];
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR recipient = $2) AND ($3::text IS NULL OR reason = $3)`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, recipient, cc, reason, subject, status, attempts, last_error, message_id, created_at, sent_at
           FROM outbox WHERE ${where} ORDER BY id DESC LIMIT $4 OFFSET $5`,
        [...params, q.pageSize, (q.page - 1) * q.pageSize],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM outbox WHERE ${where}`, params),
    ]);
    return {
      items: rows.map((r: Record<string, unknown> & { created_at: Date; sent_at: Date | null }) => ({
        id: Number(r.id), recipient: r.recipient, cc: r.cc, reason: r.reason, subject: r.subject, status: r.status,
        attempts: r.attempts, lastError: r.last_error, messageId: r.message_id,
        createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null,
      }) as NotificationJson),
      total, page: q.page, pageSize: q.pageSize,
    };
  }
}
