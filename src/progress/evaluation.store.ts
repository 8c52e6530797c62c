import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import { evaluate } from '../evaluation/rules.js';
import type { Basis, EvaluationResult, FigureRevision, TargetDefinition } from '../evaluation/evaluation.types.js';
import { figureWindow, type FigureWindow, needsFullRead } from '../evaluation/window.js';
import { type DefinitionRow, definitionFromRow } from '../targets/target.mapper.js';

export interface TargetEvaluation { targetId: number; result: EvaluationResult }

/** Which targets to evaluate: an id range (a run's chunk) or one target. */
export type TargetSelection = { fromId: number; toId: number } | { targetId: number };

/**
 * How a selection's figures are read: `window` (the default) only those the rules can use
 * (src/evaluation/window.ts), with a full read for the few targets where that might not be enough;
 * `full` every figure — the reference the window read is tested against.
 */
export type FigureRead = 'window' | 'full';

const range = (s: TargetSelection): [number, number] => ('targetId' in s ? [s.targetId, s.targetId] : [s.fromId, s.toId]);

type FigureRow = { target_id: number; part: 'w' | 'f' | 'b'; period: string; value: string; basis: Basis; recorded_ms: number };

/**
 * One figure of the target `w.id` as recorded by $1 (asOf), for `conditions` / `order` / `limit` on
 * the figures primary key (target_id, period): the current row when it is older than asOf, else the
 * latest revision recorded by then; a figure first recorded after asOf is no row. The revision lookup
 * runs only for figures changed since asOf (its one-time filter is false for the others).
 */
const figuresOf = (conditions: string, order: 'ASC' | 'DESC', limit: string) => `
  SELECT f.period,
         (CASE WHEN f.recorded_at <= $1 THEN f.value ELSE r.value END)::text AS value,
         CASE WHEN f.recorded_at <= $1 THEN f.basis ELSE r.basis END AS basis,
         (extract(epoch FROM CASE WHEN f.recorded_at <= $1 THEN f.recorded_at ELSE r.recorded_at END) * 1000)::float8 AS recorded_ms
    FROM figures f
    LEFT JOIN LATERAL (
      SELECT r.value, r.basis, r.recorded_at FROM figure_revisions r
       WHERE f.recorded_at > $1 AND r.target_id = f.target_id AND r.period = f.period AND r.recorded_at <= $1
       ORDER BY r.recorded_at DESC, r.id DESC LIMIT 1) r ON true
   WHERE f.target_id = w.id AND length(f.period) = w.len AND ${conditions}
     AND (f.recorded_at <= $1 OR r.recorded_at IS NOT NULL)
   ORDER BY f.period ${order} LIMIT ${limit}`;

/**
 * Per target of the window arrays: its latest `k` figures up to `up_to` (part w), the first one up to
 * `up_to` when `first` (part f), the first one in (up_to, beyond_to] when beyond_to is set (part b).
 * All through the primary key, a few rows a target: the database returns only what the rules need.
 */
export const WINDOW_SQL = `
  WITH w AS (SELECT * FROM unnest($2::int[], $3::int[], $4::text[], $5::int[], $6::bool[], $7::text[])
                        AS w(id, len, up_to, k, first, beyond_to))
  SELECT w.id AS target_id, 'w' AS part, x.* FROM w
   CROSS JOIN LATERAL (${figuresOf('f.period <= w.up_to', 'DESC', 'w.k')}) x
  UNION ALL
  SELECT w.id, 'f', x.* FROM w
   CROSS JOIN LATERAL (${figuresOf('f.period <= w.up_to', 'ASC', '1')}) x WHERE w.first
  UNION ALL
  SELECT w.id, 'b', x.* FROM w
   CROSS JOIN LATERAL (${figuresOf('f.period > w.up_to AND f.period <= w.beyond_to', 'ASC', '1')}) x
   WHERE w.beyond_to IS NOT NULL`;

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

/** A value in COPY's text format. Every text the rules produce is a status, method or period: nothing to escape. */
const cell = (v: string | number | boolean | null): string => (v === null ? '\\N' : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v));

/**
 * Load → evaluate() → persist, set-based: one query for the targets of a selection, one for the figures
 * the rules need as of the moment, one COPY (a run's chunk) or one statement for all the evaluations.
 */
@Injectable()
export class EvaluationStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async evaluate(
    selection: TargetSelection, asOf: Date, tz: string, includeArchived = false, read: FigureRead = 'window',
  ): Promise<TargetEvaluation[]> {
    const [fromId, toId] = range(selection);
    const rows: (DefinitionRow & { id: number })[] = await this.dataSource.query(
      `SELECT t.id, t.kind, t.comparator, t.method, t.frequency, t.expectation, t.baseline_period,
              t.baseline_value::text, t.target_period, t.target_value::text, t.grace_days,
              (SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text))
                 FROM milestones m WHERE m.target_id = t.id) AS milestones
       FROM targets t WHERE t.id BETWEEN $1 AND $2 AND ($3 OR t.archived_at IS NULL) ORDER BY t.id`,
      [fromId, toId, includeArchived],
    );
    const targets = rows.map((r) => ({ id: r.id, def: definitionFromRow(r) }));
    if (read === 'full') {
      const figures = await this.figuresAsOf(targets.map((t) => t.id), asOf);
      return targets.map((t) => ({ targetId: t.id, result: evaluate(t.def, figures.get(t.id) ?? [], asOf, { tz }) }));
    }
    return this.evaluateWindowed(targets, asOf, tz);
  }

  /** The window read, then a full read (and a second evaluation) for the targets it might not serve. */
  private async evaluateWindowed(targets: { id: number; def: TargetDefinition }[], asOf: Date, tz: string): Promise<TargetEvaluation[]> {
    const windows = new Map<number, FigureWindow>();
    const unbounded: number[] = [];
    for (const t of targets) {
      const w = figureWindow(t.def, asOf, tz);
      if (w) windows.set(t.id, w);
      else unbounded.push(t.id);
    }
    const read = await this.figuresInWindows(windows, asOf);
    const results = new Map<number, EvaluationResult>();
    const again: number[] = [...unbounded];
    for (const t of targets) {
      const w = windows.get(t.id);
      if (!w) continue;
      const figures = read.get(t.id);
      const result = evaluate(t.def, figures?.revisions ?? [], asOf, { tz });
      if (needsFullRead(t.def, w, figures?.windowPeriods ?? [], result.latestPeriod)) again.push(t.id);
      else results.set(t.id, result);
    }
    if (again.length) {
      const full = await this.figuresAsOf(again, asOf);
      const byId = new Map(targets.map((t) => [t.id, t.def]));
      for (const id of again) results.set(id, evaluate(byId.get(id)!, full.get(id) ?? [], asOf, { tz }));
    }
    return targets.map((t) => ({ targetId: t.id, result: results.get(t.id)! }));
  }

  private async figuresInWindows(
    windows: Map<number, FigureWindow>, asOf: Date,
  ): Promise<Map<number, { revisions: FigureRevision[]; windowPeriods: string[] }>> {
    const byTarget = new Map<number, { revisions: FigureRevision[]; windowPeriods: string[] }>();
    if (!windows.size) return byTarget;
    const ids: number[] = [];
    const lengths: number[] = [];
    const upTo: string[] = [];
    const latest: number[] = [];
    const first: boolean[] = [];
    const beyondTo: (string | null)[] = [];
    for (const [id, w] of windows) {
      ids.push(id);
      lengths.push(w.periodLength);
      upTo.push(w.upTo);
      latest.push(w.latest);
      first.push(w.first);
      beyondTo.push(w.beyondTo);
    }
    // Planner settings for this statement only: JIT compiles ~0.1 s a chunk for a statement that runs in
    // a few hundred ms, and the backward index-only scans are the plan (not bitmap scans of the table).
    // Rows as arrays: ~40 000 a chunk, no object per row.
    const runner = this.dataSource.createQueryRunner();
    let rows: [number, FigureRow['part'], string, string, Basis, number][];
    try {
      const client = await runner.connect();
      await client.query('BEGIN READ ONLY');
      try {
        await client.query('SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1');
        ({ rows } = await client.query({ text: WINDOW_SQL, values: [asOf, ids, lengths, upTo, latest, first, beyondTo], rowMode: 'array' }));
      } finally {
        await client.query('COMMIT');
      }
    } finally {
      await runner.release();
    }
    for (const [targetId, part, period, value, basis, recordedMs] of rows) {
      let entry = byTarget.get(targetId);
      if (!entry) byTarget.set(targetId, (entry = { revisions: [], windowPeriods: [] }));
      entry.revisions.push({ period, value: Number(value), basis, recordedAt: new Date(recordedMs) });
      if (part === 'w') entry.windowPeriods.push(period);
    }
    return byTarget;
  }

  /**
   * Every figure of the targets as recorded by `asOf`: the current row when it is older than asOf, else
   * the latest revision recorded by then.
   */
  private async figuresAsOf(ids: number[], asOf: Date): Promise<Map<number, FigureRevision[]>> {
    const byTarget = new Map<number, FigureRevision[]>();
    if (!ids.length) return byTarget;
    // recorded_at as epoch ms: pg's timestamptz → Date parsing was ~0.3 µs × 100k rows a chunk plus garbage.
    const rows: Omit<FigureRow, 'part'>[] = await this.dataSource.query(FULL_SQL, [ids, asOf]);
    for (const r of rows) {
      const list = byTarget.get(r.target_id) ?? [];
      list.push({ period: r.period, value: Number(r.value), basis: r.basis, recordedAt: new Date(r.recorded_ms) });
      byTarget.set(r.target_id, list);
    }
    return byTarget;
  }

  /**
   * A run's chunk: COPY of its evaluations, then each becomes its target's latest unless a newer as-of
   * evaluation is already there. Call in the transaction that claims the chunk (evaluation_run_chunks):
   * a retried chunk finds it claimed and writes nothing, and (run_id, target_id) is unique besides.
   */
  async saveRun(manager: EntityManager, runId: string, evaluations: TargetEvaluation[]): Promise<number> {
    if (!evaluations.length) return 0;
    const lines: string[] = [];
    for (const { targetId, result: r } of evaluations) {
      lines.push([
        runId, targetId, r.asOf.toISOString(), r.status, r.early, r.pace, r.paceMethod, r.completion, r.elapsed, r.expected,
        r.gap, r.lag, r.projected, r.yearTarget, r.latestPeriod, r.latestValue, r.overdue, r.duePeriod,
      ].map(cell).join('\t'));
    }
    const runner = manager.queryRunner;
    if (!runner) throw new Error('saveRun needs a transaction');
    const client = await runner.connect();
    await pipeline(Readable.from([`${lines.join('\n')}\n`]), client.query(copyFrom(`COPY evaluations (${COPY_COLUMNS}) FROM STDIN`)));
    await manager.query(
      `INSERT INTO latest_evaluations (target_id, evaluation_id, as_of)
       SELECT target_id, id, as_of FROM evaluations WHERE run_id = $1 AND target_id = ANY($2::int[])
       ON CONFLICT (target_id) DO UPDATE SET evaluation_id = EXCLUDED.evaluation_id, as_of = EXCLUDED.as_of
         WHERE latest_evaluations.as_of <= EXCLUDED.as_of`,
      [runId, evaluations.map((e) => e.targetId)],
    );
    return evaluations.length;
  }

  /**
   * Writes the evaluations in one statement and makes each the target's latest unless a newer as-of
   * evaluation is already there. A run's rows are unique per target, so a retried chunk adds nothing.
   */
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
