import { DateTime } from 'luxon';
import type { Frequency } from '../evaluation/evaluation.types.js';
import {
  latestPeriodEndedBy,
  MIN_YEAR,
  parsePeriod,
  periodAtOrBefore,
  periodEndedBy,
  periodEndInstant,
  periodOf,
  periodT,
} from '../evaluation/periods.js';

export interface ReminderTarget {
  targetId: number;
  frequency: Frequency;
  graceDays: number;
  baselinePeriod: string | null;
  targetPeriod: string;
  periodsWithFigures: string[];
}

export interface ReminderOptions {
  tz: string;
  /** how many days before the due date the first ('before') reminder goes out; 0 = none */
  daysBefore: number;
  /** after the due date, a new phase every repeatDays days */
  repeatDays: number;
}

export interface Reminder {
  targetId: number;
  period: string;
  due: Date;
  /** 'before' | 'after-0' | 'after-1' … — with period, the key that makes each reminder go out once */
  phase: string;
}

/** The figure owed at `now` and the reminder phase, or null. Calendar days in tz, like the overdue rule's grace days. */
export function reminderFor(target: ReminderTarget, now: Date, options: ReminderOptions): Reminder | null {
  const { tz, daysBefore, repeatDays } = options;
  if (!Number.isInteger(daysBefore) || daysBefore < 0) throw new RangeError(`daysBefore must be a whole number ≥ 0, got ${daysBefore}`);
  if (!Number.isInteger(repeatDays) || repeatDays < 1) throw new RangeError(`repeatDays must be a whole number ≥ 1, got ${repeatDays}`);
  const { frequency } = target;

  const deadline = periodAtOrBefore(frequency, target.targetPeriod);
  if (!deadline || !periodEndedBy(periodOf(frequency, MIN_YEAR, 1), now, tz)) return null;
  const period = periodEndedBy(deadline, now, tz) ? deadline : latestPeriodEndedBy(frequency, now, tz);
  const t = periodT(period);
  if (target.baselinePeriod !== null && t <= periodT(target.baselinePeriod)) return null;
  // Like overdueOf: any figure ending at or after P (e.g. 2025-09 for 2025Q3) settles it.
  if (target.periodsWithFigures.some((p) => parsePeriod(p) !== null && periodT(p) >= t)) return null;

  const due = DateTime.fromJSDate(periodEndInstant(period, tz), { zone: tz }).plus({ days: target.graceDays });
  const local = DateTime.fromJSDate(now, { zone: tz });
  if (local < due.minus({ days: daysBefore })) return null;
  const phase = local < due ? 'before' : `after-${Math.floor(local.diff(due, 'days').days / repeatDays)}`;
  return { targetId: target.targetId, period, due: due.toJSDate(), phase };
}
