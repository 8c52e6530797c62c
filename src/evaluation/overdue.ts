import type { TargetDefinition } from './evaluation.types.js';
import type { Figure } from './figures.js';
import { latestPeriodEndedBy, MIN_YEAR, periodAtOrBefore, periodEndedBy, periodOf, periodT } from './periods.js';

export interface Overdue {
  overdue: boolean;
  duePeriod: string | null;
}

/**
 * The period whose figure is due at `asOf` (the latest one closed graceDays ago, but never
 * past the deadline), and whether it and everything after it are still missing.
 */
export function overdueOf(def: TargetDefinition, figures: readonly Figure[], asOf: Date, tz: string): Overdue {
  const none: Overdue = { overdue: false, duePeriod: null };
  const { frequency, graceDays } = def;
  const deadline = periodAtOrBefore(frequency, def.target.period);
  if (!deadline || !periodEndedBy(periodOf(frequency, MIN_YEAR, 1), asOf, tz, graceDays)) return none;
  const due = periodEndedBy(deadline, asOf, tz, graceDays)
    ? deadline
    : latestPeriodEndedBy(frequency, asOf, tz, graceDays);
  const tDue = periodT(due);
  if (def.baseline && tDue <= periodT(def.baseline.period)) return none;
  return { overdue: !figures.some((f) => f.t >= tDue), duePeriod: due };
}
