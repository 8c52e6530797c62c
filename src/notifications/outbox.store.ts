import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { returned } from '../database/rows.js';
import type { Tx } from '../database/transactions.js';
import type { MailAttachment } from './mail.transport.js';

/** An email as the outbox stores it, before it has an id. */
export interface OutboxRowInput {
  dedupeKey: string; recipient: string; cc?: string[]; reason: string; subject: string; html: string; text: string;
  attachments?: MailAttachment[];
}

/** A claimed row: what the transport needs to send it. */
export interface ClaimedEmail { id: string; recipient: string; cc: string[]; subject: string; html: string; text: string }

export interface OutboxListRow {
  id: string; recipient: string; cc: string[]; reason: string; subject: string; status: string; attempts: number;
  last_error: string | null; message_id: string | null; created_at: Date; sent_at: Date | null;
}

/** A claim older than this is taken to belong to a worker that died mid-send. */
const STALE_CLAIM = '2 minutes';

/** The outbox and outbox_attachments tables. */
@Injectable()
export class OutboxStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts the messages (a key seen before is skipped) and the new rows' attachments; returns the new rows' ids. */
  async insertMessages(tx: Tx, messages: OutboxRowInput[]): Promise<number[]> {
    const rows: { id: string; dedupe_key: string }[] = await tx.query(
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
      await tx.query(
        `INSERT INTO outbox_attachments (outbox_id, cid, filename, content_type, content)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[])`,
        [files.map((f) => f.id), files.map((f) => f.cid), files.map((f) => f.filename), files.map((f) => f.contentType), files.map((f) => f.content)],
      );
    }
    return rows.map((r) => Number(r.id));
  }

  /** Rows pending, or claimed so long ago that their worker is taken to have died. */
  async findUnsentIds(): Promise<number[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM outbox WHERE status = 'pending' OR (status = 'sending' AND claimed_at < now() - interval '${STALE_CLAIM}') ORDER BY id`,
    );
    return rows.map((r) => Number(r.id));
  }

  /** Claims the row for sending (only one worker can); undefined when it is not pending or freshly claimed. */
  async claim(outboxId: number): Promise<ClaimedEmail | undefined> {
    const [row] = returned<ClaimedEmail>(
      await this.dataSource.query(
        `UPDATE outbox SET status = 'sending', claimed_at = now(), attempts = attempts + 1
          WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND claimed_at < now() - interval '${STALE_CLAIM}'))
        RETURNING id, recipient, cc, subject, html, text`,
        [outboxId],
      ),
    );
    return row;
  }

  async findStatus(outboxId: number): Promise<string | undefined> {
    const [current] = await this.dataSource.query(`SELECT status FROM outbox WHERE id = $1`, [outboxId]);
    return current?.status;
  }

  async findAttachments(outboxId: number): Promise<MailAttachment[]> {
    const attachments: { cid: string | null; filename: string; content_type: string; content: Buffer }[] = await this.dataSource.query(
      `SELECT cid, filename, content_type, content FROM outbox_attachments WHERE outbox_id = $1 ORDER BY id`, [outboxId],
    );
    return attachments.map((a) => ({ cid: a.cid, filename: a.filename, contentType: a.content_type, content: a.content }));
  }

  async markSent(outboxId: number, messageId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'sent', sent_at = now(), message_id = $2, last_error = NULL WHERE id = $1`,
      [outboxId, messageId],
    );
  }

  /** Hands a claimed row back for the next attempt, with the error. */
  async releaseClaim(outboxId: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'pending', last_error = $2 WHERE id = $1 AND status = 'sending'`,
      [outboxId, error],
    );
  }

  async markFailed(outboxId: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`,
      [outboxId, error],
    );
  }

  /** A page of rows, newest first, filtered by status, recipient and reason (null: any), and how many match. */
  async findPage(
    filter: { status: string | null; recipient: string | null; reason: string | null }, limit: number, offset: number,
  ): Promise<{ rows: OutboxListRow[]; total: number }> {
    const params = [filter.status, filter.recipient, filter.reason];
    const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR recipient = $2) AND ($3::text IS NULL OR reason = $3)`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, recipient, cc, reason, subject, status, attempts, last_error, message_id, created_at, sent_at
           FROM outbox WHERE ${where} ORDER BY id DESC LIMIT $4 OFFSET $5`,
        [...params, limit, offset],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM outbox WHERE ${where}`, params),
    ]);
    return { rows, total };
  }
}
