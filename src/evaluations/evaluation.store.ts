import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import { evaluate } from '../evaluation/rules.js';
import type { Basis, EvaluationResult, FigureRevision, TargetDefinition } from '../evaluation/evaluation.types.js';
import { figureWindow, type FigureWindow, needsFullRead } from '../evaluation/window.js';
import { type DefinitionRow, definitionFromRow } from '../targets/target.mapper.js';
import type { Tx } from '../database/transactions.js';

export interface TargetEvaluation { targetId: number; result: EvaluationResult }

/** Which targets to evaluate: an id range (a run's chunk), one target, or some (a batch of re-evaluations). */
export type TargetSelection = { fromId: number; toId: number } | { targetId: number } | { targetIds: readonly number[] };

/** How a selection's figures are read: `window` (only what the rules can use) or `full`, its reference. */
export type FigureRead = 'window' | 'full';

/** The selection as the definitions query's parameters: ids from, to, and (for a list) the ids. */
const bounds = (s: TargetSelection): [number, number, readonly number[] | null] =>
  'targetIds' in s ? [Math.min(...s.targetIds), Math.max(...s.targetIds), s.targetIds]
    : 'targetId' in s ? [s.targetId, s.targetId, null] : [s.fromId, s.toId, null];

type FullRow = { target_id: number; period: string; value: string; basis: Basis; recorded_ms: number };

/** A figure of `w.id` as recorded by asOf (`period value basis`); revisions looked up only where changed since. */
const figuresOf = (conditions: string, order: 'ASC' | 'DESC', limit: string) => `
  SELECT f.period || ' ' || (CASE WHEN f.recorded_at <= $1 THEN f.value ELSE r.value END)::text
                  || ' ' || CASE WHEN f.recorded_at <= $1 THEN f.basis ELSE r.basis END AS x
    FROM figures f
    LEFT JOIN LATERAL (
      SELECT r.value, r.basis, r.recorded_at FROM figure_revisions r
       WHERE f.recorded_at > $1 AND r.target_id = f.target_id AND r.period = f.period AND r.recorded_at <= $1
       ORDER BY r.recorded_at DESC, r.id DESC LIMIT 1) r ON true
   WHERE f.target_id = w.id AND length(f.period) = w.len AND ${conditions}
     AND (f.recorded_at <= $1 OR r.recorded_at IS NOT NULL)
   ORDER BY f.period ${order} LIMIT ${limit}`;

/** One row per window target (`i`, from 1) with its figure texts, all by primary key: only what the rules need. */
export const WINDOW_SQL = `
  SELECT w.i,
         (SELECT string_agg(x.x, ',') FROM (${figuresOf('f.period <= w.up_to', 'DESC', 'w.k')}) x) AS latest,
         CASE WHEN w.first THEN (${figuresOf('f.period <= w.up_to', 'ASC', '1')}) END AS first,
         CASE WHEN w.beyond_to IS NOT NULL THEN (${figuresOf('f.period > w.up_to AND f.period <= w.beyond_to', 'ASC', '1')}) END AS beyond
    FROM unnest($2::int[], $3::int[], $4::text[], $5::int[], $6::bool[], $7::text[])
         WITH ORDINALITY AS w(id, len, up_to, k, first, beyond_to, i)`;

/** Every column as the text PostgreSQL sent (no type parsing): for the hot read, which parses its own. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

/** An array parameter as PostgreSQL's text literal, built here rather than by pg's per-element escaping. */
const intArray = (xs: readonly number[]): string => `{${xs.join(',')}}`;
/** Only for texts without commas, quotes, braces, backslashes or spaces (periods); null as NULL. */
const plainTextArray = (xs: readonly (string | null)[]): string => `{${xs.map((x) => x ?? 'NULL').join(',')}}`;

/** The figures of one of WINDOW_SQL's texts (`latest`, `first`, `beyond`), appended to `into` (their periods to `periods`). */
function parseFigures(text: string, recordedAt: Date, into: FigureRevision[], periods: string[] | null): void {
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf(',', at);
    if (end < 0) end = text.length;
    const space1 = text.indexOf(' ', at);
    const space2 = text.indexOf(' ', space1 + 1);
    if (space1 < 0 || space2 < 0 || space2 > end) throw new Error(`unreadable figure "${text.slice(at, end)}"`);
    const period = text.slice(at, space1);
    const b = text.charCodeAt(space2 + 1);
    const basis: Basis = b === 121 /* y */ ? 'ytd' : b === 112 /* p */ ? 'period' : (() => { throw new Error(`unknown basis in "${text.slice(at, end)}"`); })();
    into.push({ period, value: Number(text.slice(space1 + 1, space2)), basis, recordedAt });
    periods?.push(period);
    at = end + 1;
  }
}

/** Every figure of the targets as recorded by $2: the current row, or for one changed since, its revision then. */
const FULL_SQL = `
  SELECT target_id, period, value::text, basis, (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms
    FROM figures WHERE target_id = ANY($1::int[]) AND recorded_at <= $2
  UNION ALL
  (SELECT DISTINCT ON (r.target_id, r.period) r.target_id, r.period, r.value::text, r.basis,
          (extract(epoch FROM r.recorded_at) * 1000)::float8
     FROM figures f JOIN figure_revisions r
       ON r.target_id = f.target_id AND r.period = f.period AND r.recorded_at <= $2
    WHERE f.target_id = ANY($1::int[]) AND f.recorded_at > $2
    ORDER BY r.target_id, r.period, r.recorded_at DESC, r.id DESC)`;

/** The columns a run's COPY writes, in order (evaluated_at: its default, clock_timestamp()). */
const COPY_COLUMNS = `run_id, target_id, as_of, status, early, pace, pace_method, completion, elapsed, expected, gap, lag,
  projected, year_target, latest_period, latest_value, overdue, due_period`;

/** A target's row of WINDOW_SQL: its texts of figures, null where none. */
export interface WindowRow { latest: string | null; first: string | null; beyond: string | null }

/** A window row's figures, each recordedAt asOf; parsed just before evaluation so they die young. */
export function windowFigures(row: WindowRow | undefined, asOf: Date): { revisions: FigureRevision[]; windowPeriods: string[] } {
  const revisions: FigureRevision[] = [];
  const windowPeriods: string[] = [];
  if (row?.latest != null) parseFigures(row.latest, asOf, revisions, windowPeriods);
  if (row?.first != null) parseFigures(row.first, asOf, revisions, null);
  if (row?.beyond != null) parseFigures(row.beyond, asOf, revisions, null);
  return { revisions, windowPeriods };
}

/** A number or null in COPY's text format. */
const num = (v: number | null): string => (v === null ? '\\N' : String(v));
/** A text or null: every text the rules produce is a status, method or period, nothing to escape. */
const txt = (v: string | null): string => (v === null ? '\\N' : v);

/** The COPY text of a run's evaluations, one line each, without an array or closure per row. */
function copyText(runId: string, evaluations: readonly TargetEvaluation[]): string {
  let asOf: Date | null = null;
  let asOfText = '';
  const lines: string[] = new Array(evaluations.length);
  for (let i = 0; i < evaluations.length; i++) {
    const { targetId, result: r } = evaluations[i]!;
    if (r.asOf !== asOf) {
      asOf = r.asOf;
      asOfText = asOf.toISOString();
    }
    lines[i] = `${runId}\t${targetId}\t${asOfText}\t${r.status}\t${r.early ? 't' : 'f'}\t${num(r.pace)}\t${txt(r.paceMethod)}\t` +
      `${num(r.completion)}\t${num(r.elapsed)}\t${num(r.expected)}\t${num(r.gap)}\t${num(r.lag)}\t${num(r.projected)}\t` +
      `${num(r.yearTarget)}\t${txt(r.latestPeriod)}\t${num(r.latestValue)}\t${r.overdue ? 't' : 'f'}\t${txt(r.duePeriod)}\n`;
  }
  return lines.join('');
}

type PgClient = pg.PoolClient;

/** Load → evaluate() → persist, set-based: a query for targets, one for figures, one write for evaluations. */
@Injectable()
export class EvaluationStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * `within`: read in the caller's transaction, on its connection. A transaction that holds row locks must
   * read so: a read on another pooled connection could wait for a connection held by a writer that waits
   * for those locks (the pool deadlocks).
   */
  async evaluate(
    selection: TargetSelection, asOf: Date, tz: string, includeArchived = false, read: FigureRead = 'window', within?: Tx,
  ): Promise<TargetEvaluation[]> {
    const db = within ?? this.dataSource;
    const [fromId, toId, ids] = bounds(selection);
    if (ids && !ids.length) return [];
    // The range's milestones aggregated once and merge-joined, not a subquery per target.
    const rows: (DefinitionRow & { id: number })[] = ids
      ? await db.query(
        `SELECT t.id, t.kind, t.comparator, t.method, t.frequency, t.expectation, t.baseline_period,
                t.baseline_value::text, t.target_period, t.target_value::text, t.grace_days,
                (SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text)) FROM milestones m
                  WHERE m.target_id = t.id) AS milestones
         FROM targets t WHERE t.id = ANY($1::int[]) AND ($2 OR t.archived_at IS NULL) ORDER BY t.id`,
        [ids, includeArchived],
      )
      : await db.query(
        `SELECT t.id, t.kind, t.comparator, t.method, t.frequency, t.expectation, t.baseline_period,
                t.baseline_value::text, t.target_period, t.target_value::text, t.grace_days, m.milestones
         FROM targets t
         LEFT JOIN (SELECT m.target_id, json_agg(json_build_object('period', m.period, 'value', m.value::text)) AS milestones
                      FROM milestones m WHERE m.target_id BETWEEN $1 AND $2 GROUP BY m.target_id) m ON m.target_id = t.id
         WHERE t.id BETWEEN $1 AND $2 AND ($3 OR t.archived_at IS NULL) ORDER BY t.id`,
        [fromId, toId, includeArchived],
      );
    const targets = rows.map((r) => ({ id: r.id, def: definitionFromRow(r) }));
    if (read === 'full') {
      const figures = await this.figuresAsOf(targets.map((t) => t.id), asOf, within);
      return targets.map((t) => ({ targetId: t.id, result: evaluate(t.def, figures.get(t.id) ?? [], asOf, { tz }) }));
    }
    return this.evaluateWindowed(targets, asOf, tz, within);
  }

  /** The window read, then a full read (and a second evaluation) for the targets it might not serve. */
  private async evaluateWindowed(
    targets: { id: number; def: TargetDefinition }[], asOf: Date, tz: string, within?: Tx,
  ): Promise<TargetEvaluation[]> {
    const windows: (FigureWindow | null)[] = targets.map((t) => figureWindow(t.def, asOf, tz));
    const read = await this.figuresInWindows(targets.map((t) => t.id), windows, asOf, within);
    const results: (EvaluationResult | undefined)[] = new Array(targets.length);
    const again: number[] = [];
    for (let i = 0; i < targets.length; i++) {
      const w = windows[i];
      if (!w) {
        again.push(i);
        continue;
      }
      const { def } = targets[i]!;
      const figures = windowFigures(read[i], asOf);
      const result = evaluate(def, figures.revisions, asOf, { tz });
      if (needsFullRead(def, w, figures.windowPeriods, result.latestPeriod)) again.push(i);
      else results[i] = result;
    }
    if (again.length) {
      const full = await this.figuresAsOf(again.map((i) => targets[i]!.id), asOf, within);
      for (const i of again) results[i] = evaluate(targets[i]!.def, full.get(targets[i]!.id) ?? [], asOf, { tz });
    }
    return targets.map((t, i) => ({ targetId: t.id, result: results[i]! }));
  }

  /** Each window's row of WINDOW_SQL (undefined: no window), in the order of `windows`. */
  private async figuresInWindows(
    targetIds: readonly number[], windows: readonly (FigureWindow | null)[], asOf: Date, within?: Tx,
  ): Promise<(WindowRow | undefined)[]> {
    const read: (WindowRow | undefined)[] = new Array(windows.length);
    const ids: number[] = [];
    const at: number[] = [];
    const lengths: number[] = [];
    const upTo: string[] = [];
    const latest: number[] = [];
    const first: boolean[] = [];
    const beyondTo: (string | null)[] = [];
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      if (!w) continue;
      ids.push(targetIds[i]!);
      at.push(i);
      lengths.push(w.periodLength);
      upTo.push(w.upTo);
      latest.push(w.latest);
      first.push(w.first);
      beyondTo.push(w.beyondTo);
    }
    if (!ids.length) return read;
    // No JIT, backward index-only scans (SET LOCAL: to the end of the transaction); rows as arrays of raw
    // texts (no type parsing).
    const windowRead = async (client: PgClient) => {
      await client.query('SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1');
      const result = await client.query({
        text: WINDOW_SQL,
        values: [asOf, intArray(ids), intArray(lengths), plainTextArray(upTo), intArray(latest), `{${first.join(',')}}`, plainTextArray(beyondTo)],
        rowMode: 'array',
        types: RAW_TYPES,
      });
      return result.rows as [string, string | null, string | null, string | null][];
    };
    let rows: [string, string | null, string | null, string | null][];
    if (within) {
      rows = await windowRead((await within.queryRunner!.connect()) as PgClient);
    } else {
      const runner = this.dataSource.createQueryRunner();
      try {
        const client = (await runner.connect()) as PgClient;
        await client.query('BEGIN READ ONLY');
        try {
          rows = await windowRead(client);
        } finally {
          await client.query('COMMIT');
        }
      } finally {
        await runner.release();
      }
    }
    for (const [i, latest, first, beyond] of rows) read[at[Number(i) - 1]!] = { latest, first, beyond };
    return read;
  }

  /** Every figure of the targets as recorded by `asOf`. */
  private async figuresAsOf(ids: number[], asOf: Date, within?: Tx): Promise<Map<number, FigureRevision[]>> {
    const byTarget = new Map<number, FigureRevision[]>();
    if (!ids.length) return byTarget;
    // recorded_at as epoch ms: skips pg's timestamptz → Date parsing.
    const rows: FullRow[] = await (within ?? this.dataSource).query(FULL_SQL, [ids, asOf]);
    for (const r of rows) {
      const list = byTarget.get(r.target_id) ?? [];
      list.push({ period: r.period, value: Number(r.value), basis: r.basis, recordedAt: new Date(r.recorded_ms) });
      byTarget.set(r.target_id, list);
    }
    return byTarget;
  }

  /** A run's chunk by COPY; call in the transaction that claims the chunk, so a retry writes nothing. */
  async saveRun(manager: EntityManager, runId: string, evaluations: TargetEvaluation[]): Promise<number> {
    if (!evaluations.length) return 0;
    const runner = manager.queryRunner;
    if (!runner) throw new Error('saveRun needs a transaction');
    const client = await runner.connect();
    await pipeline(Readable.from([copyText(runId, evaluations)]), client.query(copyFrom(`COPY evaluations (${COPY_COLUMNS}) FROM STDIN`)));
    // No other chunk of the run overlaps this id range: its evaluations here are the ones just written.
    let fromId = evaluations[0]!.targetId;
    let toId = fromId;
    for (const { targetId } of evaluations) {
      if (targetId < fromId) fromId = targetId;
      else if (targetId > toId) toId = targetId;
    }
    await manager.query(
      `INSERT INTO latest_evaluations (target_id, evaluation_id, as_of)
       SELECT target_id, id, as_of FROM evaluations WHERE run_id = $1 AND target_id BETWEEN $2 AND $3
       ON CONFLICT (target_id) DO UPDATE SET evaluation_id = EXCLUDED.evaluation_id, as_of = EXCLUDED.as_of
         WHERE latest_evaluations.as_of <= EXCLUDED.as_of`,
      [runId, fromId, toId],
    );
    return evaluations.length;
  }

  /** Writes the evaluations in one statement; a run's rows are unique per target, so a retry adds nothing. */
  async save(manager: EntityManager, runId: string | null, evaluations: TargetEvaluation[]): Promise<number> {
    if (!evaluations.length) return 0;
    const column = <T>(pick: (r: EvaluationResult) => T) => evaluations.map((e) => pick(e.result));
    const [{ count }] = await manager.query(
      `WITH inserted AS (
         INSERT INTO evaluations (run_id, target_id, as_of, status, early, pace, pace_method, completion, elapsed,
           expected, gap, lag, projected, year_target, latest_period, latest_value, overdue, due_period)
         SELECT $1::uuid, * FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::bool[], $6::float8[], $7::text[],
           $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[],
           $15::text[], $16::numeric[], $17::bool[], $18::text[])
         ON CONFLICT (run_id, target_id) DO NOTHING
         RETURNING id, target_id, as_of
       ), latest AS (
         INSERT INTO latest_evaluations (target_id, evaluation_id, as_of)
         SELECT target_id, id, as_of FROM inserted
         ON CONFLICT (target_id) DO UPDATE SET evaluation_id = EXCLUDED.evaluation_id, as_of = EXCLUDED.as_of
           WHERE latest_evaluations.as_of <= EXCLUDED.as_of
       )
       SELECT count(*)::int AS count FROM inserted`,
      [
        runId,
        evaluations.map((e) => e.targetId),
        column((r) => r.asOf),
        column((r) => r.status),
        column((r) => r.early),
        column((r) => r.pace),
        column((r) => r.paceMethod),
        column((r) => r.completion),
        column((r) => r.elapsed),
        column((r) => r.expected),
        column((r) => r.gap),
        column((r) => r.lag),
        column((r) => r.projected),
        column((r) => r.yearTarget),
        column((r) => r.latestPeriod),
        column((r) => r.latestValue),
        column((r) => r.overdue),
        column((r) => r.duePeriod),
      ],
    );
    return count;
  }
}
