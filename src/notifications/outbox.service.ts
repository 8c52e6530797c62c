import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { Tx } from '../database/transactions.js';
import { jobIds, NOTIFICATIONS_QUEUE, NotificationJob, sendBackoff, type SendJobData } from '../jobs/jobs.constants.js';
import type { Page } from '../common/paging.js';
import { type MailAttachment, MailTransport } from './mail.transport.js';
import { OutboxStore } from './outbox.store.js';

export interface OutboxMessage {
  dedupeKey: string;
  recipient: string;
  cc?: string[];
  reason: 'digest' | 'reminder' | 'binding_alert' | 'report';
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

/** The outbox: an email is a keyed row before it is a job, so neither a Redis flush nor a crash loses one. */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly store: OutboxStore,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transport: MailTransport,
  ) {}

  /** Writes the messages and their attachments (a key seen before is skipped) and returns the ids of the new rows. */
  async add(tx: Tx, messages: OutboxMessage[]): Promise<number[]> {
    if (!messages.length) return [];
    return this.store.insertMessages(tx, messages);
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
    const ids = await this.store.findUnsentIds();
    await this.queueSends(ids);
    if (ids.length) this.logger.log(`queued ${ids.length} unsent email(s) again`);
    return ids.length;
  }

  /** Claims the row (only one worker can), sends it, marks it sent; an SMTP failure leaves it pending for a retry. */
  async send(outboxId: number): Promise<void> {
    const row = await this.store.claim(outboxId);
    if (!row) {
      // Claimed by a worker that may have died: retry (with backoff) until sent or the claim goes stale.
      if (await this.store.findStatus(outboxId) === 'sending') throw new Error(`email ${outboxId} is being sent by another worker`);
      return; // sent or failed already
    }
    try {
      const attachments = await this.store.findAttachments(outboxId);
      const info = await this.transport.send({
        to: row.recipient, cc: row.cc, subject: row.subject, html: row.html, text: row.text,
        messageId: `<outbox-${row.id}@target-monitor>`,
        attachments,
      });
      await this.store.markSent(outboxId, info.messageId);
    } catch (error) {
      await this.store.releaseClaim(outboxId, (error as Error).message.slice(0, 1000));
      throw error;
    }
  }

  async failed(outboxId: number, error: string): Promise<void> {
    this.logger.error(`email ${outboxId} not delivered: ${error}`);
    await this.store.markFailed(outboxId, error.slice(0, 1000));
  }

  async list(q: { status?: string; recipient?: string; reason?: string; page: number; pageSize: number }): Promise<Page<NotificationJson>> {
    const { rows, total } = await this.store.findPage(
      { status: q.status ?? null, recipient: q.recipient ?? null, reason: q.reason ?? null }, q.pageSize, (q.page - 1) * q.pageSize,
    );
    return {
      items: rows.map((r) => ({
        id: Number(r.id), recipient: r.recipient, cc: r.cc, reason: r.reason, subject: r.subject, status: r.status,
        attempts: r.attempts, lastError: r.last_error, messageId: r.message_id,
        createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null,
      }) as NotificationJson),
      total, page: q.page, pageSize: q.pageSize,
    };
  }
}
