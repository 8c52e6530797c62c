import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { evaluate } from '../evaluation/rules.js';
import type { Basis, EvaluationResult, FigureRevision } from '../evaluation/evaluation.types.js';
import { type DefinitionRow, definitionFromRow } from '../targets/target.mapper.js';

export interface TargetEvaluation { targetId: number; result: EvaluationResult }

/** Which targets to evaluate: an id range (a run's chunk) or one target. */
export type TargetSelection = { fromId: number; toId: number } | { targetId: number };

const range = (s: TargetSelection): [number, number] => ('targetId' in s ? [s.targetId, s.targetId] : [s.fromId, s.toId]);

/**
 * Load → evaluate() → persist, set-based: one query for the targets of a selection, one for all their
 * figures as of the moment, one statement for all the evaluations.
 */
@Injectable()
export class EvaluationStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async evaluate(selection: TargetSelection, asOf: Date, tz: string, includeArchived = false): Promise<TargetEvaluation[]> {
    const [fromId, toId] = range(selection);
    const [targets, figures] = await Promise.all([
      this.dataSource.query(
        `SELECT t.id, t.kind, t.comparator, t.method, t.frequency, t.expectation, t.baseline_period,
                t.baseline_value::text, t.target_period, t.target_value::text, t.grace_days,
                (SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text))
                   FROM milestones m WHERE m.target_id = t.id) AS milestones
         FROM targets t WHERE t.id BETWEEN $1 AND $2 AND ($3 OR t.archived_at IS NULL) ORDER BY t.id`,
        [fromId, toId, includeArchived],
      ) as Promise<(DefinitionRow & { id: number })[]>,
      this.figuresAsOf(fromId, toId, asOf),
    ]);
    return targets.map((t) => ({
      targetId: t.id,
      result: evaluate(definitionFromRow(t), figures.get(t.id) ?? [], asOf, { tz }),
    }));
  }

  /**
   * The figures of targets fromId..toId as recorded by `asOf`: the current row when it is older than
   * asOf, else the latest revision recorded by then (only figures changed since asOf touch the log).
   */
  private async figuresAsOf(fromId: number, toId: number, asOf: Date): Promise<Map<number, FigureRevision[]>> {
    // recorded_at as epoch ms: pg's timestamptz → Date parsing was ~0.3 µs × 100k rows a chunk plus garbage.
    const rows: { target_id: number; period: string; value: string; basis: Basis; recorded_ms: number }[] =
      await this.dataSource.query(
        `SELECT target_id, period, value, basis, (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms FROM figures
          WHERE target_id BETWEEN $1 AND $2 AND recorded_at <= $3
         UNION ALL
         (SELECT DISTINCT ON (r.target_id, r.period) r.target_id, r.period, r.value, r.basis,
                 (extract(epoch FROM r.recorded_at) * 1000)::float8
            FROM figures f JOIN figure_revisions r
              ON r.target_id = f.target_id AND r.period = f.period AND r.recorded_at <= $3
           WHERE f.target_id BETWEEN $1 AND $2 AND f.recorded_at > $3
           ORDER BY r.target_id, r.period, r.recorded_at DESC, r.id DESC)`,
        [fromId, toId, asOf],
      );
    const byTarget = new Map<number, FigureRevision[]>();
    for (const r of rows) {
      const list = byTarget.get(r.target_id) ?? [];
      list.push({ period: r.period, value: Number(r.value), basis: r.basis, recordedAt: new Date(r.recorded_ms) });
      byTarget.set(r.target_id, list);
    }
    return byTarget;
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
