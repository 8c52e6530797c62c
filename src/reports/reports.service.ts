import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { AuditService } from '../audit/audit.service.js';
import { ChartsService } from '../charts/charts.service.js';
import { Clock } from '../common/clock.js';
import { offsetOf, type Page } from '../common/paging.js';
import { conflict, invalid, notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import { closingQuarter, nextPeriod, periodEndInstant } from '../evaluation/periods.js';
import { escapeHtml } from '../notifications/email-templates.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { renderReportDocx } from './report-docx.js';
import { buildReportModel, FLAGGED, type PublishedRevision, type ReportCounts, type ReportModel } from './report-model.js';
import { type ReportRow, ReportStore } from './report.store.js';
import type { ListReports } from './report.schema.js';

export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The charts in the 通报: as the emails draw them, a little larger, no title (the heading names the target). */
export const REPORT_CHART = { width: 640, height: 320, title: '' };

/** A 季度通报 as the API shows it (its document at `document`). */
export interface ReportJson {
  id: number;
  /** the reporting quarter, e.g. 2026Q3 */
  period: string;
  /** the evaluation run it was drafted from */
  runId: string | null;
  state: 'draft' | 'issued';
  title: string;
  /** drawn from demonstration figures (示例数据) */
  demo: boolean;
  /** 共N项指标，达到或快于序时进度X项，占Y%；… */
  overview: string;
  counts: ReportCounts;
  /** SHA-256 of the .docx, hex */
  sha256: string;
  /** bytes of the .docx */
  size: number;
  /** the report's issue locked its period */
  locked: boolean;
  createdBy: string;
  createdAt: string;
  issuedBy: string | null;
  issuedAt: string | null;
  /** path of the .docx */
  document: string;
}


const toJson = (r: ReportRow): ReportJson => ({
  id: Number(r.id), period: r.period, runId: r.run_id, state: r.state, title: r.title, demo: r.demo, overview: r.overview,
  counts: r.counts as ReportCounts, sha256: r.sha256.toString('hex'), size: Number(r.size), locked: r.locked,
  createdBy: r.created_by, createdAt: r.created_at.toISOString(), issuedBy: r.issued_by, issuedAt: r.issued_at?.toISOString() ?? null,
  document: `/api/v1/reports/${r.id}/document`,
});

/** 渝北区目标进度季度通报（2026年第三季度）.docx */
export const reportFileName = (model: Pick<ReportModel, 'title' | 'demo'>) => `${model.title}${model.demo ? '（示例）' : ''}.docx`;

/** The quarterly 通报: drafted from a run's data, stored with its model, issued to the leaders (locking the quarter). */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);

  constructor(
    private readonly store: ReportStore,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly charts: ChartsService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The model of the quarter's report from its latest completed run; 422 naming `period` when there is none. */
  async model(period: string, createdAt: Date): Promise<ReportModel> {
    const tz = this.config.scheduleTz;
    const run = await this.store.latestRun(periodEndInstant(period, tz), periodEndInstant(nextPeriod(period), tz));
    if (!run) {
      throw invalid([{ path: 'period', message: `该季度尚无已完成的评估 (no completed evaluation run reports on ${period})` }],
        `该季度尚无已完成的评估 (no completed evaluation run reports on ${period})`);
    }
    const [evaluations, explanations, demo, revisions] = await Promise.all([
      this.store.evaluations(run.id), this.store.explanations(period), this.store.demo(run.id), this.publishedRevisions(createdAt),
    ]);
    const flagged = evaluations.filter((e) => FLAGGED.includes(e.status)).map((e) => e.code);
    const figures = await this.store.figuresAsOf(flagged, run.as_of);
    const charts = new Map<string, string>();
    for (const code of flagged) {
      try {
        const chart = await this.charts.modelForTarget(code, { asOf: run.as_of });
        charts.set(code, (await this.charts.png(chart, REPORT_CHART)).toString('base64'));
      } catch (error) {
        this.logger.warn(`report ${period}: no chart for target ${code}: ${(error as Error).message}`);
      }
    }
    return buildReportModel({ period, runId: run.id, asOf: run.as_of, createdAt, demo, evaluations, explanations, figures, charts, revisions });
  }

  /** Revisions of figures whose quarter was locked, recorded after the lock (已发布数据修订). */
  private async publishedRevisions(until: Date): Promise<PublishedRevision[]> {
    const locks = new Map((await this.store.locks()).map((l) => [l.period, l.locked_at]));
    if (!locks.size) return [];
    const since = new Date(Math.min(...[...locks.values()].map((d) => d.getTime())));
    return (await this.store.revisionsSince(since, until))
      .filter((r) => {
        const lockedAt = locks.get(closingQuarter(r.period));
        return lockedAt !== undefined && r.recorded_at > lockedAt;
      })
      .map((r) => ({
        code: r.code, name: r.name, period: r.period, previous: r.previous, value: r.value,
        recordedAt: r.recorded_at.toISOString(), recordedBy: r.recorded_by, reason: r.reason,
      }));
  }

  /** Drafts the quarter's 通报: model, .docx and its SHA-256 stored; audited `report.draft`. */
  async draft(actor: Actor, period: string): Promise<ReportJson> {
    assertCan(actor, 'reports.write');
    const createdAt = this.clock.now();
    const model = await this.model(period, createdAt);
    const document = await renderReportDocx(model);
    const sha256 = createHash('sha256').update(document).digest();
    const id = await this.transactions.run(async (tx) => {
      const id = await this.store.insert(tx, { period, runId: model.runId, model, document, sha256, createdBy: actor.email, createdAt });
      await this.audit.append(tx, actor, {
        action: 'report.draft', entity: 'report', entityId: id,
        after: { period, runId: model.runId, sha256: sha256.toString('hex'), overview: model.overview },
      });
      return id;
    });
    return this.get(Number(id));
  }

  async get(id: number): Promise<ReportJson> {
    const row = await this.store.find(id);
    if (!row) throw notFound(`通报 ${id}`, 'id');
    return toJson(row);
  }

  /** Newest first, a page at a time. */
  async list(q: ListReports): Promise<Page<ReportJson>> {
    const { rows, total } = await this.store.list(q.period ?? null, q.pageSize, offsetOf(q));
    return { items: rows.map(toJson), page: q.page, pageSize: q.pageSize, total };
  }

  /** The stored .docx, or (`fresh`) the document rendered again from the stored model. */
  async document(id: number, fresh = false): Promise<{ fileName: string; body: Buffer }> {
    const row = await this.store.document(id);
    if (!row) throw notFound(`通报 ${id}`, 'id');
    const model = row.model as ReportModel;
    return { fileName: reportFileName(model), body: fresh ? await renderReportDocx(model) : row.document };
  }

  /**
   * Issues the draft: the quarter is locked (period_locks), the .docx goes to the leaders (enabled subscribers)
   * through the outbox; audited `report.issue`. 409 when issued already or the quarter is locked by another report.
   */
  async issue(actor: Actor, id: number): Promise<ReportJson> {
    assertCan(actor, 'reports.write');
    const stored = await this.store.document(id);
    if (!stored) throw notFound(`通报 ${id}`, 'id');
    const model = stored.model as ReportModel;
    const now = this.clock.now();
    const outboxIds = await this.transactions.run(async (tx) => {
      const report = await this.store.lockReport(tx, id);
      if (!report) throw notFound(`通报 ${id}`, 'id');
      if (report.state === 'issued') throw conflict('state', `通报 ${id} 已签发 (report ${id} was issued already)`);
      if (!(await this.store.insertLock(tx, report.period, id, actor.email))) {
        const lock = (await this.store.locks(tx)).find((l) => l.period === report.period);
        throw conflict('period', `${report.period} 已由通报 ${lock?.report_id ?? ''} 签发锁定 (the quarter is locked by report ${lock?.report_id ?? ''})`);
      }
      await this.store.markIssued(tx, id, actor.email, now);
      const recipients = await this.store.subscribers(tx);
      const email = reportEmail(model, this.config.appUrl);
      const ids = await this.outbox.add(tx, recipients.map((recipient) => ({
        dedupeKey: `report:${id}:${recipient}`, recipient, reason: 'report' as const, ...email,
        attachments: [{ cid: null, filename: reportFileName(model), contentType: DOCX_TYPE, content: stored.document }],
      })));
      await this.audit.append(tx, actor, {
        action: 'report.issue', entity: 'report', entityId: String(id),
        before: { state: 'draft' }, after: { state: 'issued', period: report.period, locked: true, emails: recipients.length },
      });
      return ids;
    });
    await this.outbox.queueSends(outboxIds);
    return this.get(id);
  }
}

/** The leaders' email: the overview in words, the .docx attached. */
export function reportEmail(model: ReportModel, appUrl: string): { subject: string; html: string; text: string } {
  const subject = `${model.demo ? '【示例】' : ''}${model.title}`;
  const lines = [
    `${model.title}已签发，全文见附件。`,
    model.overview,
    `滞后等需关注指标${model.flagged.length}项，未提交情况说明${model.missingExplanations.length}项，数据逾期未报${model.missingFigures.length}项。`,
    `查看：${appUrl}/reports`,
  ];
  const html = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>` +
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') + '</body></html>';
  return { subject, html, text: `${lines.join('\n\n')}\n` };
}
