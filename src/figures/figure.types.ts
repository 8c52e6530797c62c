import type { Basis } from '../evaluation/evaluation.types.js';

/** The shapes a figure write and read pass between the API, the service and the store. */

/** One figure to write, already validated field by field. */
export interface FigureWrite {
  target: string;
  period: string;
  value: string;
  basis?: Basis;
  status: 'preliminary' | 'final';
  note: string | null;
  source: string | null;
  reason: string | null;
  /** the input carried a trailing % (allowed on % targets only) */
  percent?: boolean;
  /** the writer confirmed a value the plausibility check warns about */
  confirm?: boolean;
}

export interface WriteResult {
  received: number;
  written: number;
  unchanged: number;
  /** rows stored as submissions awaiting review (FIGURE_REVIEW, a department's write); absent when none */
  submitted?: number;
}

export interface FigureJson {
  target: string;
  period: string;
  /** the exact decimal as stored (PostgreSQL numeric's text, as the CSV export writes it) */
  value: string;
  basis: Basis;
  status: 'preliminary' | 'final';
  note: string | null;
  source: string | null;
  /** which of the figure's revisions this is: 1, 2, 3… in the order they were written */
  revision: number;
  recordedAt: string;
}

export interface RevisionJson extends FigureJson {
  /** the revision's row id (the audit trail's `revisionIds` name revisions by it) */
  id: number;
  reason: string | null;
  recordedBy: string | null;
  /** the plausibility warnings the writer confirmed, or null */
  confirmedWarning: string | null;
}

/** A revision a write appended (numeric as text). */
export interface WrittenRevision {
  id: string; target_id: number; code: string; period: string; value: string;
  basis: Basis; status: string; note: string | null; source: string | null; reason: string | null;
}

/**
 * What a write appended, summed up in SQL from the rows it wrote (100 000 revisions need not travel to
 * the app and back into the audit row): the revisions themselves, append-only with recorded_by, reason and
 * recorded_at, are the detail, found by `revisionIds`.
 */
export interface WrittenBatch {
  /** revisions appended (0: nothing changed) */
  written: number;
  /** the distinct targets whose figures changed */
  targetIds: number[];
  /** the distinct periods written, sorted */
  periods: string[];
  /** the ids of the revisions appended, as ascending closed ranges [first, last] (usually one) */
  revisionIds: [number, number][];
  /** the reason every revision gave, when they all gave the same one */
  reason: string | null;
  /** rows stored as submissions awaiting review instead (then `written` is 0) */
  submitted: number;
  /** the locked quarters (issued 通报) whose published figures this write revised */
  published: string[];
}
