import type { TargetDefinition } from './evaluation.types.js';
import { PROJECTION_FIGURES } from './level.js';
import { latestPeriodEndedBy, periodAtOrBefore, periodOf, periodsPerYear, subPeriod, type Frequency } from './periods.js';

/**
 * Which of a target's figures evaluate() can depend on, so that a set-based read fetches only those
 * (DESIGN.md "Evaluation rules"; a chunk reading every figure spent ~2/3 of its time on rows no rule
 * looks at). Periods are compared as strings: within one frequency, whose periods all have the same
 * length, string order is time order (YYYY, YYYYQn, YYYY-MM).
 *
 * Of the figures known at asOf (recorded by then, of a period of the target's frequency that had
 * ended by then — what currentFigures() keeps), the read returns:
 *  - `latest`: the last `latest` figures with period ≤ `upTo` (the last period the verdict can use:
 *    the deadline for a level, the deadline year's last sub-period for a flow, and never a period not
 *    yet ended);
 *  - `first` (level targets without a baseline): also the first figure ≤ upTo, the implied baseline;
 *  - `beyondTo` (when the deadline comes before asOf's last ended period): also the first figure in
 *    (upTo, beyondTo] — none of the verdict's rules read it, but its existence settles `overdue`,
 *    whose due period is never after the deadline.
 *
 * Why that is enough:
 *  - level: the verdict uses the figures after the baseline up to the deadline — the latest and the
 *    PROJECTION_FIGURES before it (a suffix of those ≤ upTo) — and the baseline or, without one, the
 *    first figure. Overdue asks whether any figure lies at or after the due period (≤ deadline): the
 *    latest ≤ upTo, or any beyond it, answers that.
 *  - flow: YTD chains restart every year, so the verdict uses the year of the latest figure with a
 *    known YTD and, for a seasonal expectation, the year before. The last 2n + 1 figures (n sub-periods
 *    a year) hold every figure of the last two years that have any. A year read only in part (the
 *    earliest in a full read of `latest` rows) can give an unknown YTD where the complete year has one,
 *    never a different known one; `needsFullRead` sends exactly the targets whose verdict could then
 *    differ to a full read (rare: a flow whose last two years have no usable YTD).
 */
export interface FigureWindow {
  upTo: string;
  latest: number;
  first: boolean;
  beyondTo: string | null;
  /** length of the frequency's period strings (4, 6, 7): a cheap "fits the frequency" in SQL */
  periodLength: number;
}

const PERIOD_LENGTH: Record<Frequency, number> = { yearly: 4, quarterly: 6, monthly: 7 };

// A chunk shares a handful of (frequency, tz, asOf) keys; latestPeriodEndedBy costs a few µs of luxon.
const endedCache = new Map<string, string | null>();
const ENDED_CACHE_MAX = 1000;

function lastEnded(frequency: Frequency, asOf: Date, tz: string): string | null {
  const key = `${frequency}|${tz}|${asOf.getTime()}`;
  let hit = endedCache.get(key);
  if (hit === undefined) {
    try {
      hit = latestPeriodEndedBy(frequency, asOf, tz, 0);
    } catch {
      hit = null; // before 1900 or after 2200: no window, read everything
    }
    if (endedCache.size >= ENDED_CACHE_MAX) endedCache.clear();
    endedCache.set(key, hit);
  }
  return hit;
}

const minPeriod = (a: string, b: string) => (a < b ? a : b);

/** The window of figures evaluate(def, …, asOf) needs; null when it cannot be bounded (read them all). */
export function figureWindow(def: TargetDefinition, asOf: Date, tz: string): FigureWindow | null {
  const ended = lastEnded(def.frequency, asOf, tz);
  if (ended === null) return null;
  const deadline = def.kind === 'level'
    ? periodAtOrBefore(def.frequency, def.target.period)
    : periodOf(def.frequency, subPeriod(def.target.period).year, periodsPerYear(def.frequency));
  if (deadline === null) return null;
  const upTo = minPeriod(deadline, ended);
  return {
    upTo,
    latest: def.kind === 'level' ? PROJECTION_FIGURES : 2 * periodsPerYear(def.frequency) + 1,
    first: def.kind === 'level' && def.baseline === null,
    beyondTo: upTo < ended ? ended : null,
    periodLength: PERIOD_LENGTH[def.frequency],
  };
}

/**
 * After evaluating on a window's figures: whether the verdict might differ with all of them. Only a
 * flow whose `latest` rows were all taken (so earlier ones may exist) and whose verdict rests on the
 * earliest year read (in part) — no known YTD found, or the seasonal expectation's previous year not
 * after that year.
 * @param windowPeriods the periods read within the window (the `latest` part, not first/beyond)
 * @param latestPeriod the evaluation's latestPeriod
 */
export function needsFullRead(
  def: TargetDefinition,
  window: FigureWindow,
  windowPeriods: readonly string[],
  latestPeriod: string | null,
): boolean {
  if (def.kind === 'level' || windowPeriods.length < window.latest) return false;
  if (latestPeriod === null) return true;
  let earliest = windowPeriods[0]!;
  for (const p of windowPeriods) if (p < earliest) earliest = p;
  const earliestYear = subPeriod(earliest).year;
  const year = subPeriod(latestPeriod).year;
  return def.expectation === 'seasonal' && year - 1 <= earliestYear;
}
