import type { TargetDefinition } from './evaluation.types.js';
import type { Figure } from './figures.js';
import { latestPeriodEndedBy, MIN_YEAR, periodAtOrBefore, periodEndedBy, periodOf, periodT } from './periods.js';

export interface Overdue {
  overdue: boolean;
  duePeriod: string | null;
}

/** Memoised: the due period depends only on (frequency, graceDays, deadline, tz, asOf), not on the figures. */
const dueCache = new Map<string, { due: string; tDue: number } | null>();
const DUE_CACHE_MAX = 10_000;

function dueOf(def: TargetDefinition, asOf: Date, tz: string): { due: string; tDue: number } | null {
  const { frequency, graceDays } = def;
  const key = `${frequency}|${graceDays}|${def.target.period}|${tz}|${asOf.getTime()}`;
  let hit = dueCache.get(key);
  if (hit !== undefined) return hit;
  const deadline = periodAtOrBefore(frequency, def.target.period);
  if (!deadline || !periodEndedBy(periodOf(frequency, MIN_YEAR, 1), asOf, tz, graceDays)) hit = null;
  else {
    const due = periodEndedBy(deadline, asOf, tz, graceDays) ? deadline : latestPeriodEndedBy(frequency, asOf, tz, graceDays);
    hit = { due, tDue: periodT(due) };
  }
  if (dueCache.size >= DUE_CACHE_MAX) dueCache.clear();
  dueCache.set(key, hit);
  return hit;
}

/** The period whose figure is due at `asOf` (never past the deadline), and whether it is still missing. */
export function overdueOf(def: TargetDefinition, figures: readonly Figure[], asOf: Date, tz: string): Overdue {
  const none: Overdue = { overdue: false, duePeriod: null };
  const due = dueOf(def, asOf, tz);
  if (!due) return none;
  if (def.baseline && due.tDue <= periodT(def.baseline.period)) return none;
  return { overdue: !figures.some((f) => f.t >= due.tDue), duePeriod: due.due };
}
