import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SILENCED } from '../alerts/alerts.store.js';
import type { Frequency } from '../evaluation/evaluation.types.js';

/** An active, unsilenced target with the periods it has figures for. */
export interface ReminderTargetRow {
  id: number; code: string; name: string; frequency: Frequency; grace_days: number; baseline_period: string | null;
  target_period: string; department_id: number; supporting: number[]; periods: string[];
}

/** An explanation still owed (due, or returned for another go), with its target and lead department. */
export interface OwedExplanationRow {
  code: string; name: string; period: string; department_id: number; state: 'due' | 'returned'; due_at: Date;
  reviewed_at: Date | null; review_reason: string | null;
}

/** What the reminders read: targets and the periods of their figures; explanations still owed. */
@Injectable()
export class RemindersStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Active targets no silence covers, by code. */
  findUnsilencedTargets(): Promise<ReminderTargetRow[]> {
    return this.dataSource.query(
      `SELECT t.id, t.code, t.name, t.frequency, t.grace_days, t.baseline_period, t.target_period, t.department_id,
              (SELECT coalesce(array_agg(sd.department_id), '{}') FROM target_supporting_departments sd WHERE sd.target_id = t.id) AS supporting,
              (SELECT coalesce(array_agg(f.period::text), '{}') FROM figures f WHERE f.target_id = t.id) AS periods
         FROM targets t WHERE t.archived_at IS NULL AND NOT ${SILENCED} ORDER BY t.code`,
    );
  }

  /** Explanations due or returned, of active targets, in periods whose 通报 is not issued, by code. */
  findOwedExplanations(): Promise<OwedExplanationRow[]> {
    return this.dataSource.query(
      `SELECT t.code, t.name, x.period::text AS period, x.department_id, x.state, x.due_at, x.reviewed_at, x.review_reason
         FROM explanations x JOIN targets t ON t.id = x.target_id
        WHERE x.state IN ('due', 'returned') AND t.archived_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM period_locks l WHERE l.period = x.period)
        ORDER BY t.code, x.period`,
    );
  }
}
