import type { TargetDefinition, Thresholds } from './evaluation.types.js';
import type { Figure } from './figures.js';
import { periodOf, subPeriod } from './periods.js';
import { direction, noData, round, satisfies, statusFromPace, type Verdict } from './status.js';
import { yearToDate, ytdAt, type YearToDate } from './ytd.js';

/** The milestone for year Y, else T in the deadline year, else interpolated from the baseline year. */
export function yearTargetFor(def: TargetDefinition, year: number): number | null {
  const milestone = def.milestones.find((m) => m.period === periodOf('yearly', year, 1));
  if (milestone) return milestone.value;
  const deadlineYear = subPeriod(def.target.period).year;
  if (year === deadlineYear) return def.target.value;
  if (!def.baseline) return null;
  const baselineYear = subPeriod(def.baseline.period).year;
  if (!(baselineYear < year && year < deadlineYear)) return null;
  const share = (year - baselineYear) / (deadlineYear - baselineYear);
  const b = def.baseline.value;
  const T = def.target.value;
  return def.method === 'cagr' && b > 0 && T > 0 ? b * (T / b) ** share : b + (T - b) * share;
}

/** k/n, or last year's share by sub-period k when seasonal (falling back to k/n outside (0, 1]). */
function elapsedShare(def: TargetDefinition, ytd: YearToDate, year: number, k: number, n: number): number {
  const share = k / n;
  if (def.expectation !== 'seasonal') return share;
  const last = ytd.get(year - 1);
  if (!last || last.length !== n || last.some((v) => v === undefined)) return share;
  const total = last[n - 1]!;
  const seasonal = last[k - 1]! / total;
  return total > 0 && seasonal > 0 && seasonal <= 1 ? seasonal : share;
}

export function evaluateFlow(def: TargetDefinition, figures: readonly Figure[], thresholds: Thresholds): Verdict {
  const deadlineYear = subPeriod(def.target.period).year;
  const inTime = figures.filter((f) => f.year <= deadlineYear);
  const ytd = yearToDate(inTime);
  const latest = inTime.findLast((f) => ytdAt(ytd, f.year, f.k) !== undefined);
  if (!latest) return noData();
  const yearTarget = yearTargetFor(def, latest.year);
  if (yearTarget === null) return noData();

  const { year, k, n } = latest;
  const a = ytdAt(ytd, year, k)!;
  const d = direction(def.comparator);
  const e = elapsedShare(def, ytd, year, k, n);
  const closed = k === n;
  const met = satisfies(a, def.comparator, yearTarget);
  // A floor met early is done; a cap can only be judged once the year is closed.
  const achieved = d > 0 ? met : closed && met;
  const completion = yearTarget === 0 ? null : a / yearTarget;
  const rawPace = d > 0 ? (completion === null ? null : completion / e) : a > 0 ? (yearTarget * e) / a : null;
  const pace = round(rawPace);

  let status: Verdict['status'];
  if (achieved) status = 'achieved';
  else if (closed && year === deadlineYear) status = 'missed';
  else if (pace !== null) status = statusFromPace(pace, 'linear', thresholds);
  else if (d < 0) status = 'ahead'; // a cap with nothing (or less than nothing) used so far
  else status = a < 0 ? 'deteriorating' : 'lagging'; // a floor of 0 not yet met

  return {
    status,
    early: achieved && !closed,
    pace,
    paceMethod: pace === null ? null : 'linear',
    completion,
    elapsed: e,
    expected: yearTarget * e,
    gap: d * (yearTarget - a),
    lag: d * (yearTarget * e - a),
    projected: a / e,
    yearTarget,
    latestPeriod: latest.period,
    latestValue: a,
  };
}
