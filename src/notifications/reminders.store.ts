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

/** What the reminders read: targets and the periods of their figures. */
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
}
