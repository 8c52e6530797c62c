import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { assertCan } from '../auth/permissions.js';
import { notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { type AlertView, loadAlerts, loadRecipients, type RecipientRow, roleOf } from './alert-rows.js';
import { type AlertRow, type RenderedEmail, renderDigest } from './email-templates.js';
import { type OutboxMessage, OutboxService } from './outbox.service.js';

interface Digest { recipient: RecipientRow; fresh: AlertView[]; ongoing: AlertView[]; resolved: AlertView[]; email: RenderedEmail }

/**
 * The weekly digest per recipient: alerts new since its last digest, still firing (repeated only once
 * ALERT_REPEAT_INTERVAL has passed since they were last sent), and resolved since — Alertmanager's
 * grouping and repeat interval, with the state in PostgreSQL.
 */
@Injectable()
export class DigestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /** Renders what the recipient's digest would be now, sending nothing. */
  async preview(actor: Actor, email: string, now = new Date()) {
    assertCan(actor, 'alerts.manage');
    const recipient = (await loadRecipients(this.dataSource)).find((r) => r.email === email);
    if (!recipient) throw notFound(`收件人 ${email}`, 'recipient');
    const digest = this.build(recipient, await loadAlerts(this.dataSource), now);
    return {
      recipient: email,
      counts: { fresh: digest.fresh.length, ongoing: digest.ongoing.length, resolved: digest.resolved.length },
      wouldSend: this.hasNews(digest),
      ...digest.email,
    };
  }

  /** Builds and sends every recipient's digest, exactly as the schedule does. */
  async run(actor: Actor | null, now = new Date()): Promise<{ recipients: number; emails: number }> {
    if (actor) assertCan(actor, 'alerts.manage');
    const { recipients, ids } = await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(7471103)'); // one digest at a time
      const alerts = await loadAlerts(m);
      const recipients = await loadRecipients(m);
      const digests = recipients.map((r) => this.build(r, alerts, now)).filter((d) => this.hasNews(d));
      const messages: OutboxMessage[] = digests.map((d) => ({
        dedupeKey: `digest:${d.recipient.id}:${d.recipient.last_digest_at?.toISOString() ?? 'first'}`,
        recipient: d.recipient.email, reason: 'digest', ...d.email,
      }));
      const notified = [...new Set(digests.flatMap((d) => [...d.fresh, ...d.ongoing].map((a) => a.id)))];
      await m.query(`UPDATE recipients SET last_digest_at = $2 WHERE id = ANY($1)`, [recipients.map((r) => r.id), now]);
      await m.query(`UPDATE alerts SET last_notified_at = $2 WHERE id = ANY($1)`, [notified, now]);
      await m.query(
        `INSERT INTO alert_events (alert_id, at, event) SELECT id, $2, 'notified' FROM unnest($1::int[]) AS id`, [notified, now],
      );
      if (actor) await this.audit.append(m, actor, { action: 'digest.run', entity: 'digest', after: { emails: messages.length } });
      return { recipients: recipients.length, ids: await this.outbox.add(m, messages) };
    });
    await this.outbox.queueSends(ids);
    return { recipients, emails: ids.length };
  }

  private hasNews(d: Digest): boolean {
    return d.fresh.length + d.ongoing.length + d.resolved.length > 0;
  }

  private build(recipient: RecipientRow, alerts: AlertView[], now: Date): Digest {
    const since = recipient.last_digest_at;
    // 5% slack: a schedule firing a little earlier than last week must not skip a week.
    const repeatBefore = new Date(now.getTime() - this.config.alertRepeatMs * 0.95);
    const mine = alerts.filter((a) => roleOf(recipient, a) !== null);
    const active = mine.filter((a) => a.state === 'firing' && !a.inhibited && !a.silenced);
    const fresh = active.filter((a) => !since || a.firingSince > since);
    const ongoing = active.filter((a) => since && a.firingSince <= since && (!a.lastNotifiedAt || a.lastNotifiedAt <= repeatBefore));
    const resolved = mine.filter((a) => a.state === 'resolved' && since && a.resolvedAt && a.resolvedAt > since && a.lastNotifiedAt);
    const rows = (list: AlertView[]): AlertRow[] => list.map((a) => ({ ...a.row, role: roleOf(recipient, a)! }));
    const email = renderDigest({
      lang: recipient.language, appUrl: this.config.appUrl, asOf: now, tz: this.config.scheduleTz,
      recipientName: recipient.name, fresh: rows(fresh), ongoing: rows(ongoing), resolved: rows(resolved),
    });
    return { recipient, fresh, ongoing, resolved, email };
  }
}
