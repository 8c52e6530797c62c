import type { TargetDefinition } from './evaluation.types.js';
import { PROJECTION_FIGURES } from './level.js';
import { latestPeriodEndedBy, periodAtOrBefore, periodOf, periodsPerYear, subPeriod, type Frequency } from './periods.js';

/**
 * Which of a target's figures evaluate() can depend on, so a set-based read fetches only those (DESIGN.md
 * "Evaluation rules"): `latest` up to `upTo`, `first` (the implied baseline), and `beyondTo` (settles
 * `overdue` only). Within one frequency, string order of periods is time order. A flow's partly read
 * earliest year can only make a known YTD unknown; `needsFullRead` catches those targets.
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

// A chunk shares a handful of (frequency, tz, asOf) keys: memoised.
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
 * Whether the verdict might differ with all the figures (a flow resting on its partly read earliest year).
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
