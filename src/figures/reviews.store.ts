import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sizedQuery } from '../database/prepared.store.js';
import type { Tx } from '../database/transactions.js';
import type { Basis } from '../evaluation/evaluation.types.js';
import { CURRENT_FROM_CHANGED } from './figures.store.js';
import type { SubmissionJson } from './review.types.js';

/** Which open submissions a listing shows. */
export interface SubmissionFilter {
  /** lead department's code */
  department?: string | null;
  period?: string | null;
  states?: ('pending' | 'returned')[] | null;
  /** only targets this department leads or supports (a department's own view) */
  scopeDepartmentId?: number | null;
  targetId?: number | null;
  /** only these submissions */
  ids?: number[] | null;
}

/** A submission as a review checks it under its lock. */
export interface LockedSubmission { id: number; target_id: number; code: string; period: string; state: string; submitted_by: string }

/** An approval: the submission, the revision it appended or found current, and whether it changed the figure. */
export interface ApprovedRow { id: number; target_id: number; code: string; period: string; revision_id: number; changed: boolean }

type Row = Record<string, unknown>;

const SUBMISSION_COLUMNS = `s.id, t.code AS target, t.name AS target_name, d.code AS department, d.name AS department_name, s.period,
  s.value::text AS value, s.basis, s.status, s.note, s.source, s.reason, s.confirmed_warning, s.state, s.submitted_by, s.submitted_at,
  s.reviewed_by, s.reviewed_at, s.review_reason, s.revision_id, f.value::text AS approved_value, f.basis AS approved_basis`;

const submissionJson = (r: Row): SubmissionJson => ({
  id: Number(r.id), target: r.target as string, targetName: r.target_name as string,
  department: r.department as string, departmentName: r.department_name as string, period: r.period as string,
  value: r.value as string, basis: r.basis as Basis, status: r.status as SubmissionJson['status'],
  note: r.note as string | null, source: r.source as string | null, reason: r.reason as string | null,
  confirmedWarning: r.confirmed_warning as string | null, state: r.state as SubmissionJson['state'],
  submittedBy: r.submitted_by as string, submittedAt: (r.submitted_at as Date).toISOString(),
  reviewedBy: r.reviewed_by as string | null, reviewedAt: r.reviewed_at ? (r.reviewed_at as Date).toISOString() : null,
  reviewReason: r.review_reason as string | null, revisionId: r.revision_id === null ? null : Number(r.revision_id),
  approved: r.approved_value === null ? null : { value: r.approved_value as string, basis: r.approved_basis as Basis },
});

/** The review of submitted figures (figure_submissions) and the locks of published periods (period_locks). */
@Injectable()
export class ReviewsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Of these quarters, those locked by an issued 通报. */
  async lockedQuarters(db: Tx = this.dataSource.manager, quarters: string[]): Promise<string[]> {
    if (!quarters.length) return [];
    const rows = await sizedQuery<{ period: string }>(db, quarters.length, `SELECT period FROM period_locks WHERE period = ANY($1::text[])`, [quarters]);
    return rows.map((r) => r.period);
  }

  /** Open submissions (pending or returned) by filter, by department, target and period. */
  async listOpen(filter: SubmissionFilter, db: Tx = this.dataSource.manager): Promise<SubmissionJson[]> {
    const rows: Row[] = await db.query(
      `SELECT ${SUBMISSION_COLUMNS}
         FROM figure_submissions s JOIN targets t ON t.id = s.target_id JOIN departments d ON d.id = t.department_id
         LEFT JOIN figures f ON f.target_id = s.target_id AND f.period = s.period
        WHERE s.state = ANY($1::text[])
          AND ($2::text IS NULL OR d.code = $2) AND ($3::text IS NULL OR s.period = $3)
          AND ($4::int IS NULL OR t.department_id = $4
               OR EXISTS (SELECT 1 FROM target_supporting_departments x WHERE x.target_id = t.id AND x.department_id = $4))
          AND ($5::int IS NULL OR s.target_id = $5) AND ($6::bigint[] IS NULL OR s.id = ANY($6::bigint[]))
        ORDER BY d.code, t.code, tm_period_t(s.period), s.period`,
      [filter.states?.length ? filter.states : ['pending', 'returned'], filter.department ?? null, filter.period ?? null,
        filter.scopeDepartmentId ?? null, filter.targetId ?? null, filter.ids ?? null],
    );
    return rows.map(submissionJson);
  }

  /** A submission by id (any state), or null. */
  async find(db: Tx = this.dataSource.manager, id: number): Promise<SubmissionJson | null> {
    const [row]: Row[] = await db.query(
      `SELECT ${SUBMISSION_COLUMNS}
         FROM figure_submissions s JOIN targets t ON t.id = s.target_id JOIN departments d ON d.id = t.department_id
         LEFT JOIN figures f ON f.target_id = s.target_id AND f.period = s.period WHERE s.id = $1`,
      [id],
    );
    return row ? submissionJson(row) : null;
  }

  /** The open submission of a figure, locked for its review (FOR UPDATE), or null. */
  async lockOpen(tx: Tx, targetId: number, period: string): Promise<LockedSubmission | null> {
    const [row]: LockedSubmission[] = await tx.query(
      `SELECT s.id::int, s.target_id, t.code, s.period, s.state, s.submitted_by FROM figure_submissions s JOIN targets t ON t.id = s.target_id
        WHERE s.target_id = $1 AND s.period = $2 AND s.state IN ('pending', 'returned') FOR UPDATE OF s`,
      [targetId, period],
    );
    return row ?? null;
  }

  /** These submissions, locked (FOR UPDATE), those that exist. */
  async lockMany(tx: Tx, ids: number[]): Promise<LockedSubmission[]> {
    return tx.query(
      `SELECT s.id::int, s.target_id, t.code, s.period, s.state, s.submitted_by FROM figure_submissions s JOIN targets t ON t.id = s.target_id
        WHERE s.id = ANY($1::bigint[]) ORDER BY s.id FOR UPDATE OF s`,
      [ids],
    );
  }

  /** The target ids of these submissions (to take the figure writers' locks before locking the rows). */
  async targetIdsOf(ids: number[]): Promise<number[]> {
    const rows: { target_id: number }[] = await this.dataSource.query(
      `SELECT DISTINCT target_id FROM figure_submissions WHERE id = ANY($1::bigint[])`, [ids]);
    return rows.map((r) => r.target_id);
  }

  /**
   * Approves pending submissions in one statement: each appends its values as a revision recorded by its
   * submitter (unless the figure already has them) and becomes the current figure; the submission is marked
   * approved with the revision. `reason` (a published period's) replaces the submitter's reason on the revision.
   */
  async approve(tx: Tx, ids: number[], reviewer: string, reason: string | null): Promise<ApprovedRow[]> {
    return tx.query(
      `WITH s AS (
         SELECT * FROM figure_submissions WHERE id = ANY($1::bigint[]) AND state = 'pending'
       ), changed AS (
         INSERT INTO figure_revisions (target_id, period, value, basis, status, note, source, reason, confirmed_warning, recorded_by)
         SELECT s.target_id, s.period, s.value, s.basis, s.status, s.note, s.source, coalesce($3, s.reason), s.confirmed_warning, s.submitted_by
           FROM s LEFT JOIN figures f ON f.target_id = s.target_id AND f.period = s.period
          WHERE f.target_id IS NULL
             OR (f.value, f.basis, f.status, f.note, f.source) IS DISTINCT FROM (s.value, s.basis, s.status, s.note, s.source)
          ORDER BY s.id
         RETURNING id, target_id, period, value, basis, status, note, source, recorded_at
       ), current AS (${CURRENT_FROM_CHANGED}
       ), approved AS (
         UPDATE figure_submissions x SET state = 'approved', reviewed_by = $2, reviewed_at = clock_timestamp(),
                revision_id = coalesce(c.id, f.revision_id)
           FROM s LEFT JOIN changed c ON c.target_id = s.target_id AND c.period = s.period
                  LEFT JOIN figures f ON f.target_id = s.target_id AND f.period = s.period
          WHERE x.id = s.id
         RETURNING x.id, x.target_id, x.period, x.revision_id, c.id IS NOT NULL AS changed
       )
       SELECT a.id::int, a.target_id, t.code, a.period, a.revision_id::int, a.changed
         FROM approved a JOIN targets t ON t.id = a.target_id ORDER BY a.id`,
      [ids, reviewer, reason],
    );
  }

  /** Returns a pending submission with the reviewer's reason; false when it was not pending. */
  async markReturned(tx: Tx, id: number, reviewer: string, reason: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `UPDATE figure_submissions SET state = 'returned', reviewed_by = $2, reviewed_at = clock_timestamp(), review_reason = $3
        WHERE id = $1 AND state = 'pending' RETURNING id`,
      [id, reviewer, reason],
    );
    return rows.length > 0;
  }
}
