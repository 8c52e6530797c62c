import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Basis, Status } from '../evaluation/evaluation.types.js';
import type { DefinitionRow } from '../targets/target.mapper.js';

/** A target's definition, names and its latest stored evaluation (nulls when none). */
export interface ChartTargetRow extends DefinitionRow {
  id: number;
  code: string;
  name: string;
  unit: string;
  status: Status | null;
  early: boolean | null;
  as_of: Date | null;
}

export interface RevisionRow { period: string; value: string; basis: Basis; recorded_at: Date }

/** What a target's chart reads. */
@Injectable()
export class ChartsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The target by code, archived or not. */
  async target(code: string): Promise<ChartTargetRow | undefined> {
    const [target]: ChartTargetRow[] = await this.dataSource.query(
      `SELECT t.id, t.code, t.name, t.unit, t.kind, t.comparator, t.method, t.frequency, t.expectation,
              t.baseline_period, t.baseline_value::text, t.target_period, t.target_value::text, t.grace_days,
              (SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text) ORDER BY m.period)
                 FROM milestones m WHERE m.target_id = t.id) AS milestones,
              e.status, e.early, e.as_of
         FROM targets t
         LEFT JOIN latest_evaluations l ON l.target_id = t.id
         LEFT JOIN evaluations e ON e.id = l.evaluation_id
        WHERE t.code = $1`,
      [code],
    );
    return target;
  }

  /** Every revision of the target's figures recorded by `asOf`, in the order they were recorded. */
  revisionsUpTo(targetId: number, asOf: Date): Promise<RevisionRow[]> {
    return this.dataSource.query(
      `SELECT period, value::text AS value, basis, recorded_at FROM figure_revisions
        WHERE target_id = $1 AND recorded_at <= $2 ORDER BY recorded_at, id`,
      [targetId, asOf],
    );
  }
}
