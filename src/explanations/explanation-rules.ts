import type { Actor } from '../access/actor.js';
import type { ExplanationRow, ExplanationState, FlaggedStatus } from './explanations.store.js';

/** A 情况说明 as the API shows it. */
export interface ExplanationJson {
  target: string;
  targetName: string;
  /** the reporting quarter, e.g. 2026Q3 */
  period: string;
  /** the lead department's code */
  department: string;
  /** the status that made it owed */
  flaggedStatus: FlaggedStatus;
  dueAt: string;
  /** still owed (due or returned) after its due date */
  overdue: boolean;
  state: ExplanationState;
  /** 原因分析 */
  cause: string | null;
  /** 下步措施 */
  measures: string | null;
  submittedBy: string | null;
  submittedAt: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  /** why it was returned (退回原因) */
  reviewReason: string | null;
}

/** Owed and not (again) submitted: due, or returned for another go. */
export const isOpen = (state: ExplanationState): boolean => state === 'due' || state === 'returned';

export const isOverdue = (e: { state: ExplanationState; due_at: Date }, now: Date): boolean =>
  isOpen(e.state) && now.getTime() > e.due_at.getTime();

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function explanationJson(r: ExplanationRow, now: Date): ExplanationJson {
  return {
    target: r.code, targetName: r.target_name, period: r.period, department: r.department, flaggedStatus: r.flagged_status,
    dueAt: r.due_at.toISOString(), overdue: isOverdue(r, now), state: r.state, cause: r.cause, measures: r.measures,
    submittedBy: r.submitted_by, submittedAt: iso(r.submitted_at), reviewedBy: r.reviewed_by, reviewedAt: iso(r.reviewed_at),
    reviewReason: r.review_reason,
  };
}

/** Planners and admins review explanations (and may write any). */
export const reviewsExplanations = (actor: Actor): boolean => actor.role === 'admin' || actor.role === 'planner';

/** The lead department owes it; planners and admins may write it for them. */
export const maySubmit = (actor: Actor, departmentId: number): boolean =>
  reviewsExplanations(actor) || (actor.role === 'department' && actor.departmentId === departmentId);

/** The department whose explanations an actor may list: null for all (planners, admins, viewers). */
export const listScope = (actor: Actor): number | null | 'none' =>
  actor.role === 'department' ? (actor.departmentId ?? 'none') : null;

/** A text cut to `max` characters with an ellipsis, for digests and tables. */
export function truncate(s: string, max: number): string {
  const chars = [...s.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
