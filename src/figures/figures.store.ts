import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { preparedQuery, queryAs, sizedQuery } from '../database/prepared.store.js';
import type { Tx } from '../database/transactions.js';
import type { Basis } from '../evaluation/evaluation.types.js';
import type { FigureJson, FigureWrite, RevisionJson, WrittenBatch, WrittenRevision } from './figure.types.js';

/** What the checks of a write read of each target. */
export interface TargetOfWrite {
  id: number; code: string; kind: 'level' | 'flow'; unit: string; frequency: string; department_id: number; supporting: number[];
}

/** A stored current figure, by target id and period (numeric as text). */
export interface StoredFigure { target_id: number; period: string; value: string; basis: Basis; status: string; note: string | null; source: string | null }

/** What `submit` stored: the submissions inserted (ids as ascending closed ranges), their targets and periods. */
export interface SubmittedBatch { submitted: number; targetIds: number[]; periods: string[]; submissionIds: [number, number][] }

/** First key of the figure writers' two-key advisory locks (the single-key locks elsewhere are another key space). */
const FIGURE_LOCK_CLASS = 7_471_105;

/** From this many rows on, a write stages its rows with COPY instead of sending them as arrays. */
export const COPY_THRESHOLD = 2000;
/** Writes of up to this many rows pass them as a VALUES list and run as prepared statements (a PUT: one). */
const VALUES_MAX_ROWS = 10;
const INPUT_TABLE = 'tm_figure_input';

const COPY_SPECIAL = /[\\\t\n\r]/;
/** A value in COPY's text format: `\N` for null, backslash, tab, newline and carriage return escaped. */
const copyText = (v: string | null) =>
  v === null ? '\\N' : !COPY_SPECIAL.test(v) ? v
    : v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));

/** The rows of a write, COPYed into a transaction's temporary table, in order (`ord`). */
async function copyInput(
  manager: Tx, figures: readonly FigureWrite[], targetIds: readonly number[], bases: readonly Basis[], confirmed: readonly (string | null)[],
): Promise<void> {
  await manager.query(
    `CREATE TEMPORARY TABLE ${INPUT_TABLE} (target_id int, period text, value numeric, basis text, status text,
       note text, source text, reason text, confirmed_warning text, ord int) ON COMMIT DROP`,
  );
  const client = (await manager.queryRunner!.connect()) as pg.PoolClient;
  function* lines() {
    const CHUNK = 2000;
    for (let start = 0; start < figures.length; start += CHUNK) {
      let text = '';
      for (let i = start; i < Math.min(start + CHUNK, figures.length); i++) {
        const f = figures[i];
        // the period passed resolve's periodFits (digits, Q, -): nothing to escape
        text += `${targetIds[i]}\t${f.period}\t${copyText(f.value)}\t${bases[i]}\t${copyText(f.status)}\t` +
          `${copyText(f.note)}\t${copyText(f.source)}\t${copyText(f.reason)}\t${copyText(confirmed[i])}\t${i}\n`;
      }
      yield text;
    }
  }
  await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY ${INPUT_TABLE} FROM STDIN`)));
  await manager.query(`ANALYZE ${INPUT_TABLE}`);
}

/**
 * A CTE body: the revisions a statement appended (CTE `changed`) become the current figures. Shared by a
 * write and a review's approval, which append revisions the same way.
 */
export const CURRENT_FROM_CHANGED = `
             INSERT INTO figures (target_id, period, value, basis, status, note, source, revision_id, recorded_at)
             SELECT target_id, period, value, basis, status, note, source, id, recorded_at FROM changed
             ON CONFLICT (target_id, period) DO UPDATE SET value = EXCLUDED.value, basis = EXCLUDED.basis,
               status = EXCLUDED.status, note = EXCLUDED.note, source = EXCLUDED.source,
               revision_id = EXCLUDED.revision_id, recorded_at = EXCLUDED.recorded_at`;

const FIGURE_COLUMNS = `t.code AS target, f.period, f.value::text, f.basis, f.status, f.note, f.source`;
/** A current figure's revision number: its revision's place among the figure's revisions (by id). */
const REVISION_NUMBER = `(SELECT count(*) FROM figure_revisions r
  WHERE r.target_id = f.target_id AND r.period = f.period AND r.id <= f.revision_id)::int AS revision`;

type Row = Record<string, unknown> & { value: string; recorded_at: Date };

const figureJson = (r: Row): FigureJson => ({
  target: r.target as string,
  period: r.period as string,
  value: r.value,
  basis: r.basis as Basis,
  status: r.status as FigureJson['status'],
  note: r.note as string | null,
  source: r.source as string | null,
  revision: r.revision as number,
  recordedAt: r.recorded_at.toISOString(),
});

/** The rows a target's entry-sheet line is made of (see FiguresService.entryRows). */
export interface EntrySheetRecord {
  code: string; name: string; unit: string; kind: 'level' | 'flow'; department: string; department_name: string;
  department_id: number; supporting: number[];
  comparator: string; method: string; frequency: string; expectation: string; baseline_period: string; baseline_value: string;
  target_period: string; target_value: string; grace_days: number;
  milestones: { period: string; value: string }[] | null;
  figures: { period: string; value: string; basis: Basis }[] | null;
  c_value: string | null; c_basis: Basis | null; c_note: string | null; c_by: string | null; c_at: Date | null;
  p_value: string | null; p_basis: Basis | null; y_value: string | null; y_basis: Basis | null;
  e_status: string | null; e_period: string | null; e_pending: boolean;
  /** the figure's open submission (FIGURE_REVIEW): pending or returned, with the reviewer's reason */
  s_value: string | null; s_basis: Basis | null; s_state: 'pending' | 'returned' | null; s_reason: string | null;
  s_by: string | null; s_at: Date | null;
}

/** The figures and their revisions (figures, figure_revisions), and what a write reads of its targets. */
@Injectable()
export class FiguresStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A target's id by code (archived or not), or null. */
  async findTargetId(code: string): Promise<number | null> {
    const [row] = await preparedQuery<{ id: number }>(this.dataSource, `SELECT id FROM targets WHERE code = $1`, [code]);
    return row ? row.id : null;
  }

  /** A target's current figures, in period order. */
  async listCurrent(targetId: number): Promise<FigureJson[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${FIGURE_COLUMNS}, ${REVISION_NUMBER}, f.recorded_at FROM figures f JOIN targets t ON t.id = f.target_id
       WHERE f.target_id = $1 ORDER BY tm_period_t(f.period), f.period`,
      [targetId],
    );
    return rows.map(figureJson);
  }

  /** A target's current figure of a period, or null. */
  async findCurrent(db: Tx = this.dataSource.manager, targetId: number, period: string): Promise<FigureJson | null> {
    const [row] = await preparedQuery<Row>(db,
      `SELECT ${FIGURE_COLUMNS}, ${REVISION_NUMBER}, f.recorded_at FROM figures f JOIN targets t ON t.id = f.target_id
       WHERE f.target_id = $1 AND f.period = $2`,
      [targetId, period],
    );
    return row ? figureJson(row) : null;
  }

  /** Every revision of a target's figure of a period, oldest first (empty: none). */
  async listRevisions(targetId: number, period: string): Promise<RevisionJson[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${FIGURE_COLUMNS}, f.id, (row_number() OVER (ORDER BY f.id))::int AS revision, f.reason, f.confirmed_warning,
              f.recorded_by, f.recorded_at FROM figure_revisions f
       JOIN targets t ON t.id = f.target_id WHERE f.target_id = $1 AND f.period = $2 ORDER BY f.recorded_at, f.id`,
      [targetId, period],
    );
    return rows.map((r) => {
      return {
        ...figureJson(r), id: Number(r.id), reason: r.reason as string | null, recordedBy: r.recorded_by as string | null,
        confirmedWarning: r.confirmed_warning as string | null,
      };
    });
  }

  /** The revision `upTo` of a figure and the one before it (if any), newest first. */
  async findRevisionAndPrevious(tx: Tx, targetId: number, period: string, upTo: number): Promise<WrittenRevision[]> {
    return preparedQuery(tx,
      `SELECT id, value::text, basis, status, note, source FROM figure_revisions
          WHERE target_id = $1 AND period = $2 AND id <= $3 ORDER BY id DESC LIMIT 2`,
      [targetId, period, upTo],
    );
  }

  /** The active targets of these codes, with their lead and supporting departments. */
  async findTargetsOfWrite(db: Tx = this.dataSource.manager, codes: string[]): Promise<TargetOfWrite[]> {
    return sizedQuery(db, codes.length,
      `SELECT t.id, t.code, t.kind, t.unit, t.frequency, t.department_id,
              array_remove(array_agg(s.department_id), NULL) AS supporting
         FROM targets t LEFT JOIN target_supporting_departments s ON s.target_id = t.id
        WHERE t.code = ANY($1) AND t.archived_at IS NULL GROUP BY t.id`,
      [codes],
    );
  }

  /** The current figures of these (target id, period) pairs (aligned arrays), those that exist, in one query. */
  async findFigures(db: Tx = this.dataSource.manager, targetIds: number[], periods: string[]): Promise<StoredFigure[]> {
    const columns = 'SELECT f.target_id, f.period, f.value::text AS value, f.basis, f.status, f.note, f.source FROM figures f';
    if (targetIds.length <= VALUES_MAX_ROWS) {
      // a VALUES list: a generic plan knows how many pairs it joins (of unnest, it would guess)
      const pairs = targetIds.map((_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::text)`).join(', ');
      return preparedQuery(db, `${columns} JOIN (VALUES ${pairs}) AS w(target_id, period) ON f.target_id = w.target_id AND f.period = w.period`,
        targetIds.flatMap((id, i) => [id, periods[i]]));
    }
    return db.query(
      `${columns} JOIN unnest($1::int[], $2::text[]) AS w(target_id, period) ON f.target_id = w.target_id AND f.period = w.period`,
      [targetIds, periods],
    );
  }

  /** Locks these buckets until the transaction ends, in ascending order so two writers cannot deadlock. */
  async lockBuckets(tx: Tx, buckets: number[]): Promise<void> {
    await preparedQuery(tx,
      `SELECT pg_advisory_xact_lock(${FIGURE_LOCK_CLASS}, b) FROM (SELECT b FROM unnest($1::int[]) AS x(b) ORDER BY b) buckets`,
      [buckets],
    );
  }

  /** One statement appends revisions and updates current figures; rows via unnest, or COPY from COPY_THRESHOLD. */
  async insertRevisions(
    tx: Tx, recordedBy: string, figures: readonly FigureWrite[], targetIds: number[], bases: Basis[], confirmed: (string | null)[],
  ): Promise<WrittenBatch> {
    const manager = tx;
    const { input, params, prepared } = await this.input(tx, recordedBy, figures, targetIds, bases, confirmed);
    // revision_ids as ranges (gaps when a concurrent writer took ids between). reason: the common one, if any.
    // DISTINCT subqueries: hashed, where aggregates with DISTINCT sort.
    // a larger input is planned for its size per call (a generic plan would guess its rows)
    const [summary] =
      await queryAs<{ written: number; target_ids: number[]; periods: string[]; revision_ids: [number, number][]; reason: string | null }>(prepared, manager,
          `WITH input AS (${input}), changed AS (
             INSERT INTO figure_revisions (target_id, period, value, basis, status, note, source, reason, confirmed_warning, recorded_by)
             SELECT i.target_id, i.period, i.value, i.basis, i.status, i.note, i.source, i.reason, i.confirmed_warning, $1
             FROM input i LEFT JOIN figures f ON f.target_id = i.target_id AND f.period = i.period
             WHERE f.target_id IS NULL
                OR (f.value, f.basis, f.status, f.note, f.source) IS DISTINCT FROM (i.value, i.basis, i.status, i.note, i.source)
             ORDER BY i.ord
             RETURNING id, target_id, period, value, basis, status, note, source, reason, recorded_at
           ), current AS (${CURRENT_FROM_CHANGED}
           )
           SELECT count(*)::int AS written,
                  (SELECT coalesce(array_agg(target_id), '{}') FROM (SELECT DISTINCT target_id FROM changed) d) AS target_ids,
                  (SELECT coalesce(array_agg(period ORDER BY period), '{}') FROM (SELECT DISTINCT period::text FROM changed) d) AS periods,
                  (SELECT CASE WHEN count(*) = 1 THEN min(reason) END FROM (SELECT DISTINCT reason FROM changed) d) AS reason,
                  CASE WHEN count(*) = 0 THEN '[]'
                       WHEN max(c.id) - min(c.id) + 1 = count(*) THEN json_build_array(json_build_array(min(c.id), max(c.id)))
                       ELSE (SELECT json_agg(json_build_array(lo, hi) ORDER BY lo)
                               FROM (SELECT min(id) AS lo, max(id) AS hi
                                       FROM (SELECT id, id - row_number() OVER (ORDER BY id) AS island FROM changed) s GROUP BY island) r)
                  END AS revision_ids
             FROM changed c`,
          params,
        );
    return {
      written: summary.written, targetIds: summary.target_ids, periods: summary.periods,
      revisionIds: summary.revision_ids, reason: summary.written ? summary.reason : null, submitted: 0, published: [],
    };
  }

  /**
   * A write's rows as a query (`input`) and its parameters ($1 is `first`): up to VALUES_MAX_ROWS a VALUES
   * list of parameters (`prepared`: a generic plan of it knows how many rows it joins, where one of unnest
   * would guess), else unnest of arrays, or COPY from COPY_THRESHOLD.
   */
  private async input(
    tx: Tx, first: unknown, figures: readonly FigureWrite[], targetIds: readonly number[], bases: readonly Basis[], confirmed: readonly (string | null)[],
  ): Promise<{ input: string; params: unknown[]; prepared: boolean }> {
    if (figures.length <= VALUES_MAX_ROWS) {
      const params: unknown[] = [first];
      const rows = figures.map((f, i) => {
        const at = params.length + 1;
        params.push(targetIds[i], f.period, f.value, bases[i], f.status, f.note, f.source, f.reason, confirmed[i]);
        return `($${at}::int, $${at + 1}::text, $${at + 2}::numeric, $${at + 3}::text, $${at + 4}::text, $${at + 5}::text, ` +
          `$${at + 6}::text, $${at + 7}::text, $${at + 8}::text, ${i + 1}::bigint)`;
      });
      return {
        input: `SELECT * FROM (VALUES ${rows.join(', ')}) AS i(target_id, period, value, basis, status, note, source, reason, confirmed_warning, ord)`,
        params, prepared: true,
      };
    }
    if (figures.length >= COPY_THRESHOLD) {
      // Sorts and hashes of 100 000 rows in memory rather than on disk (4 MB by default).
      await tx.query(`SET LOCAL work_mem = '64MB'`);
      await copyInput(tx, figures, targetIds, bases, confirmed);
      return { input: `SELECT * FROM ${INPUT_TABLE}`, params: [first], prepared: false };
    }
    return {
      input: `SELECT * FROM unnest($2::int[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                   WITH ORDINALITY AS i(target_id, period, value, basis, status, note, source, reason, confirmed_warning, ord)`,
      params: [
        first, targetIds, figures.map((f) => f.period), figures.map((f) => f.value), bases,
        figures.map((f) => f.status), figures.map((f) => f.note), figures.map((f) => f.source), figures.map((f) => f.reason), confirmed,
      ],
      prepared: false,
    };
  }

  /**
   * Stores a department's rows as pending submissions (FIGURE_REVIEW), in two set-based statements: the
   * open submissions the rows replace become superseded, then the rows are inserted. A row equal to the
   * figure's pending submission, or (none open) to its approved figure, is unchanged; a returned one is
   * always resubmitted.
   */
  async submit(
    tx: Tx, submittedBy: string, figures: readonly FigureWrite[], targetIds: number[], bases: Basis[], confirmed: (string | null)[],
  ): Promise<SubmittedBatch> {
    const { input, params } = await this.input(tx, submittedBy, figures, targetIds, bases, confirmed);
    const [chosen]: { ords: number[] }[] = await tx.query(
      `WITH input AS (${input}), chosen AS (
         SELECT i.ord, o.id AS open_id, $1::text AS submitted_by FROM input i
           LEFT JOIN figure_submissions o ON o.target_id = i.target_id AND o.period = i.period AND o.state IN ('pending', 'returned')
           LEFT JOIN figures f ON f.target_id = i.target_id AND f.period = i.period
          WHERE CASE WHEN o.id IS NOT NULL
                     THEN o.state = 'returned'
                       OR (o.value, o.basis, o.status, o.note, o.source) IS DISTINCT FROM (i.value, i.basis, i.status, i.note, i.source)
                     ELSE f.target_id IS NULL
                       OR (f.value, f.basis, f.status, f.note, f.source) IS DISTINCT FROM (i.value, i.basis, i.status, i.note, i.source)
                END
       ), superseded AS (
         UPDATE figure_submissions s SET state = 'superseded' FROM chosen c WHERE s.id = c.open_id RETURNING s.id
       )
       SELECT coalesce(array_agg(ord), '{}') AS ords, (SELECT count(*) FROM superseded) AS superseded FROM chosen`,
      params,
    );
    const ords = chosen.ords.map(Number);
    if (!ords.length) return { submitted: 0, targetIds: [], periods: [], submissionIds: [] };
    const [summary]: { submitted: number; target_ids: number[]; periods: string[]; submission_ids: [number, number][] }[] = await tx.query(
      `WITH input AS (${input}), inserted AS (
         INSERT INTO figure_submissions (target_id, period, value, basis, status, note, source, reason, confirmed_warning, submitted_by)
         SELECT i.target_id, i.period, i.value, i.basis, i.status, i.note, i.source, i.reason, i.confirmed_warning, $1
           FROM input i JOIN unnest($${params.length + 1}::int[]) AS c(ord) ON c.ord = i.ord
          ORDER BY i.ord
         RETURNING id, target_id, period
       )
       SELECT count(*)::int AS submitted,
              (SELECT coalesce(array_agg(target_id), '{}') FROM (SELECT DISTINCT target_id FROM inserted) d) AS target_ids,
              (SELECT coalesce(array_agg(period ORDER BY period), '{}') FROM (SELECT DISTINCT period::text FROM inserted) d) AS periods,
              (SELECT coalesce(json_agg(json_build_array(lo, hi) ORDER BY lo), '[]')
                 FROM (SELECT min(id) AS lo, max(id) AS hi
                         FROM (SELECT id, id - row_number() OVER (ORDER BY id) AS island FROM inserted) s GROUP BY island) r) AS submission_ids
         FROM inserted`,
      [...params, ords],
    );
    return { submitted: summary.submitted, targetIds: summary.target_ids, periods: summary.periods, submissionIds: summary.submission_ids };
  }

  /** Every department, by code (the entry sheet's picker). */
  async listDepartments(): Promise<{ id: number; code: string; name: string }[]> {
    return this.dataSource.query(`SELECT id, code, name FROM departments ORDER BY code`);
  }

  /** The entry sheet's rows: active targets of a frequency with their nearby figures and latest evaluation. */
  async listEntrySheet(
    period: string, previous: string, lastYear: string | null, frequency: string, departmentId: number | null,
  ): Promise<EntrySheetRecord[]> {
    // The target's definition and figures (a sheet has tens of targets) for its 应达值, the latest evaluation for its status.
    return this.dataSource.query(
      `SELECT t.code, t.name, t.unit, t.kind, d.code AS department, d.name AS department_name, t.department_id,
              array(SELECT s.department_id FROM target_supporting_departments s WHERE s.target_id = t.id) AS supporting,
              t.comparator, t.method, t.frequency, t.expectation, t.baseline_period, t.baseline_value::text,
              t.target_period, t.target_value::text, t.grace_days,
              (SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text)) FROM milestones m WHERE m.target_id = t.id) AS milestones,
              (SELECT json_agg(json_build_object('period', f.period, 'value', f.value::text, 'basis', f.basis))
                 FROM figures f WHERE f.target_id = t.id AND f.period <> $1) AS figures,
              c.value::text AS c_value, c.basis AS c_basis, c.note AS c_note, r.recorded_by AS c_by, c.recorded_at AS c_at,
              p.value::text AS p_value, p.basis AS p_basis, y.value::text AS y_value, y.basis AS y_basis,
              e.status AS e_status, e.latest_period AS e_period, (c.recorded_at IS NOT NULL AND (e.id IS NULL OR l.as_of < c.recorded_at)) AS e_pending,
              s.value::text AS s_value, s.basis AS s_basis, s.state AS s_state, s.review_reason AS s_reason, s.submitted_by AS s_by, s.submitted_at AS s_at
         FROM targets t JOIN departments d ON d.id = t.department_id
         LEFT JOIN figure_submissions s ON s.target_id = t.id AND s.period = $1 AND s.state IN ('pending', 'returned')
         LEFT JOIN figures c ON c.target_id = t.id AND c.period = $1
         LEFT JOIN figure_revisions r ON r.id = c.revision_id
         LEFT JOIN figures p ON p.target_id = t.id AND p.period = $2
         LEFT JOIN figures y ON y.target_id = t.id AND y.period = $3
         LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id
        WHERE t.archived_at IS NULL AND t.frequency = $4
          AND ($5::int IS NULL OR t.department_id = $5
               OR EXISTS (SELECT 1 FROM target_supporting_departments s WHERE s.target_id = t.id AND s.department_id = $5))
        ORDER BY d.code, t.code`,
      [period, previous, lastYear, frequency, departmentId],
    );
  }
}
