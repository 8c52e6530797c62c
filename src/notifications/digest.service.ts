import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { ChartsService } from '../charts/charts.service.js';
import { notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AlertsStore, type AlertView } from '../alerts/alerts.store.js';
import type { AlertKind } from '../alerts/alert-rules.js';
import { Transactions } from '../database/transactions.js';
import { DigestStore } from './digest.store.js';
import { type RecipientRow, roleOf } from './recipients.js';
import { RecipientsStore } from './recipients.store.js';
import { type AlertRow, type DigestExplanation, type RenderedEmail, renderDigest } from './email-templates.js';
import type { MailAttachment } from './mail.transport.js';
import { type OutboxMessage, OutboxService } from './outbox.service.js';
import { Clock } from '../common/clock.js';

interface Digest {
  recipient: RecipientRow; fresh: AlertView[]; ongoing: AlertView[]; resolved: AlertView[]; email: RenderedEmail;
  attachments: MailAttachment[];
}

/** The flagged targets (status lagging, deteriorating or missed: a firing `lagging` alert) get a chart in the digest. */
export const CHARTED_KINDS: readonly AlertKind[] = ['lagging'];
/** The digest's charts: small, no title (the row above names the target). */
export const DIGEST_CHART = { width: 480, height: 200 };

/** PNGs of one digest run by `${code}|${language}`: each rendered once, shared by every recipient. */
type ChartCache = Map<string, Buffer>;
const chartKey = (code: string, language: RecipientRow['language']) => `${code}|${language}`;
/** Target codes are ^[A-Z][A-Z0-9-]+$, fit for a Content-ID and a file name as they are. */
const chartCid = (code: string) => `chart-${code}@target-monitor`;

/** The weekly digest per recipient: Alertmanager's grouping and repeat interval, state in PostgreSQL. */
/** A recipient's digest as it would be sent now: what is new, ongoing and resolved, and the email itself. */
export interface DigestPreviewJson extends RenderedEmail {
  recipient: string;
  counts: { fresh: number; ongoing: number; resolved: number };
  /** false when nothing changed since the last digest: the schedule would send nothing */
  wouldSend: boolean;
}

/** What a digest run queued: recipients considered and emails written to the outbox. */
export interface DigestRunJson { recipients: number; emails: number }

@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);

  constructor(
    private readonly store: DigestStore,
    private readonly alerts: AlertsStore,
    private readonly recipientsStore: RecipientsStore,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly charts: ChartsService,
    private readonly clock: Clock,
  ) {}

  /** Renders what the recipient's digest would be now, sending nothing. */
  async preview(actor: Actor, email: string, now = this.clock.now()): Promise<DigestPreviewJson> {
    assertCan(actor, 'alerts.manage');
    const recipient = (await this.recipientsStore.findEnabled()).find((r) => r.email === email);
    if (!recipient) throw notFound(`收件人 ${email}`, 'recipient');
    const digest = this.build(recipient, await this.alerts.findAll(), now, undefined, await this.store.latestExplanations());
    return {
      recipient: email,
      counts: { fresh: digest.fresh.length, ongoing: digest.ongoing.length, resolved: digest.resolved.length },
      wouldSend: this.hasNews(digest),
      ...digest.email,
    };
  }

  /** Sends every recipient's digest; charts are rendered before the transaction that writes the outbox. */
  async run(actor: Actor | null, now = this.clock.now()): Promise<DigestRunJson> {
    if (actor) assertCan(actor, 'alerts.manage');
    const charts = await this.renderCharts(now);
    const { recipients, ids } = await this.transactions.run(async (m) => {
      await this.store.lockRun(m); // one digest at a time
      const alerts = await this.alerts.findAll(m);
      const recipients = await this.recipientsStore.findEnabled(m);
      const explanations = await this.store.latestExplanations(m);
      // A target flagged since the charts were rendered goes without one.
      const digests = recipients.map((r) => this.build(r, alerts, now, charts, explanations)).filter((d) => this.hasNews(d));
      const messages: OutboxMessage[] = digests.map((d) => ({
        dedupeKey: `digest:${d.recipient.id}:${d.recipient.last_digest_at?.toISOString() ?? 'first'}`,
        recipient: d.recipient.email, reason: 'digest', ...d.email, attachments: d.attachments,
      }));
      const notified = [...new Set(digests.flatMap((d) => [...d.fresh, ...d.ongoing].map((a) => a.id)))];
      await this.recipientsStore.markDigested(m, recipients.map((r) => r.id), now);
      await this.alerts.markNotified(m, notified, now);
      if (actor) await this.audit.append(m, actor, { action: 'digest.run', entity: 'digest', after: { emails: messages.length } });
      return { recipients: recipients.length, ids: await this.outbox.add(m, messages) };
    });
    await this.outbox.queueSends(ids);
    return { recipients, emails: ids.length };
  }

  private hasNews(d: Digest): boolean {
    return d.fresh.length + d.ongoing.length + d.resolved.length > 0;
  }

  /** Each flagged target's chart once per language; a failing chart is logged and left out of the email. */
  private async renderCharts(now: Date): Promise<ChartCache> {
    const [alerts, recipients] = await Promise.all([this.alerts.findAll(), this.recipientsStore.findEnabled()]);
    const wanted = new Map<string, Set<RecipientRow['language']>>();
    for (const recipient of recipients) {
      const digest = this.build(recipient, alerts, now);
      for (const a of [...digest.fresh, ...digest.ongoing]) {
        if (!CHARTED_KINDS.includes(a.kind)) continue;
        const languages = wanted.get(a.row.code) ?? new Set();
        wanted.set(a.row.code, languages.add(recipient.language));
      }
    }
    const cache: ChartCache = new Map();
    for (const [code, languages] of wanted) {
      try {
        const model = await this.charts.modelForTarget(code);
        for (const language of languages) {
          const lang = language === 'en' ? 'en' : 'zh';
          cache.set(chartKey(code, language), await this.charts.png(model, { ...DIGEST_CHART, lang, title: '' }));
        }
      } catch (error) {
        this.logger.warn(`digest: no chart for target ${code}, the email goes without it: ${(error as Error).message}`);
      }
    }
    return cache;
  }

  /** `explanations`: each flagged target's 情况说明 (by code), shown under its firing rows. */
  private build(recipient: RecipientRow, alerts: AlertView[], now: Date, charts?: ChartCache, explanations?: Map<string, DigestExplanation>): Digest {
    const since = recipient.last_digest_at;
    // 5% slack: a schedule firing a little earlier than last week must not skip a week.
    const repeatBefore = new Date(now.getTime() - this.config.alertRepeatMs * 0.95);
    const mine = alerts.filter((a) => roleOf(recipient, a) !== null);
    const active = mine.filter((a) => a.state === 'firing' && !a.inhibited && !a.silenced);
    const fresh = active.filter((a) => !since || a.firingSince > since);
    const ongoing = active.filter((a) => since && a.firingSince <= since && (!a.lastNotifiedAt || a.lastNotifiedAt <= repeatBefore));
    const resolved = mine.filter((a) => a.state === 'resolved' && since && a.resolvedAt && a.resolvedAt > since && a.lastNotifiedAt);
    const attachments = new Map<string, MailAttachment>();
    const chartOf = (a: AlertView) => {
      const png = CHARTED_KINDS.includes(a.kind) ? charts?.get(chartKey(a.row.code, recipient.language)) : undefined;
      if (!png) return null;
      const cid = chartCid(a.row.code);
      attachments.set(cid, { cid, filename: `${a.row.code}.png`, contentType: 'image/png', content: png });
      return { cid, ...DIGEST_CHART };
    };
    const rows = (list: AlertView[], firing: boolean): AlertRow[] =>
      list.map((a) => ({
        ...a.row, role: roleOf(recipient, a)!, chart: firing ? chartOf(a) : null,
        explanation: firing && a.kind !== 'data_overdue' ? explanations?.get(a.row.code) ?? null : null,
      }));
    const email = renderDigest({
      lang: recipient.language, appUrl: this.config.appUrl, asOf: now, tz: this.config.scheduleTz,
      recipientName: recipient.name, fresh: rows(fresh, true), ongoing: rows(ongoing, true), resolved: rows(resolved, false),
    });
    return { recipient, fresh, ongoing, resolved, email, attachments: [...attachments.values()] };
  }
}
