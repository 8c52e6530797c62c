import type { WriteResult } from '../figures/figure.types.js';
import type { RowError } from '../spreadsheets/parse.js';

export type ImportStatus = 'preview' | 'applied' | 'rejected';

/** A row an apply with `skipInvalid` left out, with why. */
export interface SkippedRow { row: number; errors: RowError[] }

/** The apply's counts, and the rows it skipped. */
export interface ImportResult extends WriteResult {
  skipped?: SkippedRow[];
}
