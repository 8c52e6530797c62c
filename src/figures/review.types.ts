import type { Basis } from '../evaluation/evaluation.types.js';
import type { FigureJson } from './figure.types.js';

/** A figure a department submitted for review (FIGURE_REVIEW): it counts once a planner approves it. */
export interface SubmissionJson extends Pick<FigureJson, 'target' | 'period' | 'value' | 'basis' | 'status' | 'note' | 'source'> {
  id: number;
  targetName: string;
  /** the target's lead department (code and name) */
  department: string;
  departmentName: string;
  /** the submitter's reason for a correction */
  reason: string | null;
  confirmedWarning: string | null;
  /** pending (待审核), returned (退回修改), approved, or superseded by a later submission */
  state: 'pending' | 'returned' | 'approved' | 'superseded';
  submittedBy: string;
  submittedAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  /** why it was returned */
  reviewReason: string | null;
  /** the revision its approval appended (or found current) */
  revisionId: number | null;
  /** the figure as approved now, beside the submitted one */
  approved: { value: string; basis: Basis } | null;
}

/** What a bulk approval did. */
export interface ApprovalJson {
  /** submissions approved */
  approved: number;
  /** revisions appended (an approved value equal to the current figure appends none) */
  written: number;
}
