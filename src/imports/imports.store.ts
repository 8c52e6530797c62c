import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FieldError } from '../common/domain-error.js';
import type { Tx } from '../database/transactions.js';
import type { Frequency } from '../evaluation/periods.js';
import type { ImportResult, ImportStatus } from './import.types.js';

export interface ImportRecord {
  id: string;
  user_id: number | null;
  email: string;
  file_name: string;
  sha256: string;
  row_count: number;
  /** the rows as stored (jsonb text): parsed only when needed, spliced into responses as is */
  rows_json: string;
  errors: FieldError[];
  status: ImportStatus;
  created_at: Date;
  applied_at: Date | null;
  result: ImportResult | null;
}

/** An import without its rows and errors. */
export type ImportSummaryRecord = Omit<ImportRecord, 'rows_json' | 'errors'>;

/** What an import reads of a target to match and resolve its rows. */
export interface TargetInfo { id: number; code: string; name: string; unit: string; frequency: Frequency; aliases: string[] }

/** A new import as the preview keeps it. */
export interface NewImport {
  userId: number | null; email: string; fileName: string; sha256: string; rowCount: number;
  /** the rows as JSON text, stored as one jsonb document */
  rowsJson: string; errors: FieldError[]; status: ImportStatus;
}

const SUMMARY_COLUMNS = 'id, user_id, email, file_name, sha256, row_count, status, created_at, applied_at, result';
/** Rows with errors, counted from the stored errors rather than by opening every row. */
const INVALID_ROWS = `(SELECT count(DISTINCT split_part(e->>'path', '.', 1))::int FROM jsonb_array_elements(errors) e)`;

/** The spreadsheet imports (imports), and what they read of targets and figures. */
@Injectable()
export class ImportsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores an import; returns it without its rows (with its errors). */
  async insertImport(tx: Tx, i: NewImport): Promise<Omit<ImportRecord, 'rows_json'>> {
    // The rows go in as one jsonb document and are not sent back (RETURNING without them).
    const [saved]: Omit<ImportRecord, 'rows_json'>[] = await tx.query(
      `INSERT INTO imports (user_id, email, file_name, sha256, row_count, rows, errors, status)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8) RETURNING ${SUMMARY_COLUMNS}, errors`,
      [i.userId, i.email, i.fileName, i.sha256, i.rowCount, i.rowsJson, JSON.stringify(i.errors), i.status],
    );
    return saved;
  }

  /** Marks an import applied with its result unless it already is; returns it, or null when it was applied already. */
  async markApplied(tx: Tx, id: string, result: ImportResult): Promise<ImportSummaryRecord | null> {
    const claimed: ImportSummaryRecord[] = await tx.query(
      `WITH claimed AS (
             UPDATE imports SET status = 'applied', applied_at = now(), result = $2 WHERE id = $1 AND status <> 'applied'
             RETURNING ${SUMMARY_COLUMNS}
           ) SELECT * FROM claimed`, // a SELECT: TypeORM returns an UPDATE's rows as [rows, count]
      [id, JSON.stringify(result)],
    );
    return claimed[0] ?? null;
  }

  /** A page of imports (without rows), newest first, with error counts and the total. */
  async listImports(
    all: boolean, userId: number | null, email: string, limit: number, offset: number,
  ): Promise<{ records: (ImportSummaryRecord & { invalid: number })[]; total: number }> {
    const mine = `$1 OR user_id = $2 OR (user_id IS NULL AND $2::int IS NULL AND email = $3)`;
    const params = [all, userId, email];
    const [records, [{ total }]]: [(ImportSummaryRecord & { invalid: number })[], { total: number }[]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, user_id, email, file_name, sha256, row_count, status, created_at, applied_at, result,
                ${INVALID_ROWS} AS invalid
           FROM imports WHERE ${mine} ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`,
        [...params, limit, offset],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM imports WHERE ${mine}`, params),
    ]);
    return { records, total };
  }

  /** An import with its rows as one string, and its error-row count from the stored errors, or null. */
  async findById(id: string): Promise<(ImportRecord & { invalid: number }) | null> {
    const [record]: (ImportRecord & { invalid: number })[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, errors, rows::text AS rows_json,
              ${INVALID_ROWS} AS invalid
         FROM imports WHERE id = $1`,
      [id],
    );
    return record ?? null;
  }

  /** The active targets of these codes, or (`everyActive`) every active target. */
  async findActiveTargets(codes: string[], everyActive: boolean): Promise<TargetInfo[]> {
    return this.dataSource.query(
      `SELECT id, code, name, unit, frequency, aliases FROM targets
        WHERE archived_at IS NULL AND (code = ANY($1) OR $2)`,
      [codes, everyActive],
    );
  }

  /** The current figure values of these (target id, period) pairs (aligned arrays): `ord` is the pair's place, from 1. */
  async findCurrentValues(targetIds: number[], periods: string[]): Promise<{ ord: number; value: string }[]> {
    return this.dataSource.query(
      `SELECT i.ord::int AS ord, f.value::text AS value
         FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS i(target_id, period, ord)
         JOIN figures f ON f.target_id = i.target_id AND f.period = i.period`,
      [targetIds, periods],
    );
  }
}
