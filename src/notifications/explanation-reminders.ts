import { DateTime } from 'luxon';
import type { ReminderOptions } from './reminders.js';

/**
 * The reminder phase of an explanation due at `due`, or null when it is not yet `daysBefore` days away:
 * 'before' until the due moment, then 'after-0', 'after-1'… one every `repeatDays` days (figure reminders' scheme).
 * Calendar days in tz.
 */
export function explanationPhase(due: Date, now: Date, options: ReminderOptions): string | null {
  const { tz, daysBefore, repeatDays } = options;
  if (!Number.isInteger(daysBefore) || daysBefore < 0) throw new RangeError(`daysBefore must be a whole number ≥ 0, got ${daysBefore}`);
  if (!Number.isInteger(repeatDays) || repeatDays < 1) throw new RangeError(`repeatDays must be a whole number ≥ 1, got ${repeatDays}`);
  const dueAt = DateTime.fromJSDate(due, { zone: tz });
  const local = DateTime.fromJSDate(now, { zone: tz });
  if (local < dueAt.minus({ days: daysBefore })) return null;
  return local < dueAt ? 'before' : `after-${Math.floor(local.diff(dueAt, 'days').days / repeatDays)}`;
}

/**
 * What makes an explanation's reminder go out once: its period and phase, and for a returned one the moment it
 * was returned (a return starts its reminders afresh).
 */
export function explanationReminderKey(
  x: { code: string; period: string; state: 'due' | 'returned'; reviewed_at: Date | null }, phase: string,
): string {
  const round = x.state === 'returned' ? `returned@${x.reviewed_at?.getTime() ?? 0}` : 'due';
  return `explanation:${x.code}:${x.period}:${round}:${phase}`;
}
