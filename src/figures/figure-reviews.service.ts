import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor.js';
import { assertCan, can, forbidden } from '../access/permissions.js';
import { AuditService } from '../audit/audit.service.js';
import { conflict, type FieldError, invalid, notFound } from '../common/domain-error.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { closingQuarter } from '../evaluation/periods.js';
import { ReevaluationService } from '../evaluations/reevaluation.service.js';
import { FiguresService, lockBuckets, lockedReasonMessage } from './figures.service.js';
import { FiguresStore } from './figures.store.js';
import type { ApprovalJson, SubmissionJson } from './review.types.js';
import { type ApprovedRow, type LockedSubmission, ReviewsStore, type SubmissionFilter } from './reviews.store.js';

export type { ApprovalJson, SubmissionJson } from './review.types.js';

/** What the review queue lists. */
export interface ReviewQuery { department?: string | null; period?: string | null; state?: 'pending' | 'returned' | null }

const notPending = (s: { code: string; period: string; state: string }) =>
  s.state === 'returned'
    ? `${s.code} ${s.period} 的填报已退回，待责任单位重新提交 (the submission was returned; it awaits a resubmission)`
    : `${s.code} ${s.period} 的填报已审核 (the submission was already reviewed)`;

/**
 * The review (审核) of figures departments submit under FIGURE_REVIEW: a planner approves a submission (its
 * values become the figure's next revision, recorded by the submitter) or returns it with a reason.
 */
@Injectable()
export class FigureReviewsService {
  constructor(
    private readonly figures: FiguresService,
    private readonly figuresStore: FiguresStore,
    private readonly store: ReviewsStore,
    private readonly transactions: Transactions,
    private readonly reevaluation: ReevaluationService,
    private readonly audit: AuditService,
  ) {}

  /** Open submissions: a reviewer's of every department (or the one filtered), a department's of its own targets. */
  async list(actor: Actor, query: ReviewQuery): Promise<SubmissionJson[]> {
    const filter: SubmissionFilter = { department: query.department, period: query.period, states: query.state ? [query.state] : null };
    return this.store.listOpen({ ...filter, scopeDepartmentId: this.scope(actor) });
  }

  /** A target's open submissions, by period (the target page shows them beside its figures). */
  async openOfTarget(code: string): Promise<SubmissionJson[]> {
    return this.store.listOpen({ targetId: await this.figures.targetIdOf(code) });
  }

  /** Every department, by code (the queue's filter). */
  departments(): Promise<{ id: number; code: string; name: string }[]> {
    return this.figuresStore.listDepartments();
  }

  /** A figure's open submission (404 when none), as `list` shows it. */
  async open(actor: Actor, code: string, period: string): Promise<SubmissionJson> {
    const targetId = await this.figures.targetIdOf(code);
    const [open] = await this.store.listOpen({ targetId, period, scopeDepartmentId: this.scope(actor) });
    if (!open) throw notFound(`${code} ${period} 待审核的填报`);
    return open;
  }

  /** Approves a figure's pending submission; a published period's needs a `reason`. Returns the figure now current. */
  async approve(actor: Actor, code: string, period: string, reason: string | null) {
    assertCan(actor, 'figures.review');
    const targetId = await this.figures.targetIdOf(code);
    const targetIds = await this.transactions.run(async (tx) => {
      await this.figuresStore.lockBuckets(tx, lockBuckets([targetId]));
      const submission = await this.store.lockOpen(tx, targetId, period);
      if (!submission) throw notFound(`${code} ${period} 待审核的填报`);
      if (submission.state !== 'pending') throw conflict('state', notPending(submission));
      return this.approveLocked(tx, actor, [submission], reason, () => 'reason');
    });
    await this.reevaluation.requestSoon(targetIds);
    return this.figures.get(code, period);
  }

  /** Approves pending submissions by id, all or none (422 naming `submissions[i]` for one not pending). */
  async approveMany(actor: Actor, ids: number[], reason: string | null): Promise<ApprovalJson> {
    assertCan(actor, 'figures.review');
    const unique = [...new Set(ids)];
    const targetIds = await this.store.targetIdsOf(unique);
    let result: ApprovalJson = { approved: 0, written: 0 };
    const touched = await this.transactions.run(async (tx) => {
      await this.figuresStore.lockBuckets(tx, lockBuckets(targetIds));
      const found = new Map((await this.store.lockMany(tx, unique)).map((s) => [s.id, s]));
      const errors: FieldError[] = [];
      ids.forEach((id, i) => {
        const s = found.get(id);
        if (!s) errors.push({ path: `submissions[${i}]`, message: `填报 ${id} 不存在 (no such submission)` });
        else if (s.state !== 'pending') errors.push({ path: `submissions[${i}]`, message: notPending(s) });
      });
      if (errors.length) throw invalid(errors, `${errors.length} 项不能审核通过，未审核任何数据 (nothing was approved)`);
      const rows = await this.approveLocked(tx, actor, [...found.values()], reason, () => 'reason', (approved) => {
        result = { approved: approved.length, written: approved.filter((a) => a.changed).length };
      });
      return rows;
    });
    await this.reevaluation.requestSoon(touched);
    return result;
  }

  /** Returns a figure's pending submission with a reason (required): the department sees it and may resubmit. */
  async return(actor: Actor, code: string, period: string, reason: string | null): Promise<SubmissionJson> {
    assertCan(actor, 'figures.review');
    if (!reason?.trim()) throw invalid([{ path: 'reason', message: '退回须填写原因 (a return needs a reason)' }]);
    const targetId = await this.figures.targetIdOf(code);
    const id = await this.transactions.run(async (tx) => {
      const submission = await this.store.lockOpen(tx, targetId, period);
      if (!submission) throw notFound(`${code} ${period} 待审核的填报`);
      if (submission.state !== 'pending' || !(await this.store.markReturned(tx, submission.id, actor.email, reason.trim()))) {
        throw conflict('state', notPending(submission));
      }
      await this.audit.append(tx, actor, {
        action: 'figure.return', entity: 'figure', entityId: `${code}/${period}`, reason: reason.trim(),
        after: { submission: submission.id, submittedBy: submission.submitted_by },
      });
      return submission.id;
    });
    return (await this.store.find(undefined, id))!;
  }

  /**
   * Approves locked pending submissions: a published quarter's need a reason (422 at `reasonPath`); audits
   * figure.approve (one) or figures.approve (many) and records the re-evaluations. Returns the targets changed.
   */
  private async approveLocked(
    tx: Tx, actor: Actor, submissions: LockedSubmission[], reason: string | null, reasonPath: () => string,
    report?: (approved: ApprovedRow[]) => void,
  ): Promise<number[]> {
    const quarters = [...new Set(submissions.map((s) => closingQuarter(s.period)))];
    const published = (await this.store.lockedQuarters(tx, quarters)).sort();
    const given = reason?.trim() || null;
    if (published.length && !given) throw invalid([{ path: reasonPath(), message: lockedReasonMessage(published[0]) }]);
    const approved = await this.store.approve(tx, submissions.map((s) => s.id), actor.email, published.length ? given : null);
    report?.(approved);
    const changedTargets = [...new Set(approved.filter((a) => a.changed).map((a) => a.target_id))];
    const bySubmission = new Map(submissions.map((s) => [s.id, s]));
    if (approved.length === 1) {
      const a = approved[0];
      await this.audit.append(tx, actor, {
        action: 'figure.approve', entity: 'figure', entityId: `${a.code}/${a.period}`, reason: given,
        after: {
          submission: a.id, revision: a.revision_id, submittedBy: bySubmission.get(a.id)?.submitted_by ?? null, approvedBy: actor.email,
          ...(published.length && { revisesPublished: published[0] }),
        },
      });
    } else if (approved.length) {
      await this.audit.append(tx, actor, {
        action: 'figures.approve', entity: 'figure', entityId: null, reason: given,
        after: {
          approved: approved.length, written: approved.filter((a) => a.changed).length, approvedBy: actor.email,
          submissionIds: approved.map((a) => a.id), periods: [...new Set(approved.map((a) => a.period))].sort(),
          ...(published.length && { revisesPublished: published }),
        },
      });
    }
    await this.reevaluation.record(tx, changedTargets);
    return changedTargets;
  }

  /** The department a listing is limited to: none for reviewers, the actor's own for a department, else 403. */
  private scope(actor: Actor): number | null {
    if (can(actor, 'figures.review')) return null;
    if (actor.role === 'department' && actor.departmentId !== null) return actor.departmentId;
    throw forbidden('您的账号无权查看待审核的填报 (this account may not see submissions)');
  }
}
