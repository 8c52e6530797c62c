import type { Method, TargetDefinition, Thresholds } from './evaluation.types.js';
import type { Figure } from './figures.js';
import { periodT } from './periods.js';
import { projectAt } from './projection.js';
import { direction, noData, round, satisfies, statusFromPace, type Verdict } from './status.js';

/** How many of the latest figures after the baseline the projection line is fitted through. */
export const PROJECTION_FIGURES = 8;
/** CAGR cannot start from or reach 0, so 0 counts as this (Open SDG convention). */
const CAGR_ZERO = 0.001;

interface Pace {
  value: number;
  method: Method;
}

const cagr = (v1: number, v0: number, years: number): number => (v1 / v0) ** (1 / years) - 1;
const nonZero = (x: number): number => (x === 0 ? CAGR_ZERO : x);
const sameSign = (x: number, y: number): boolean => x < 0 === y < 0;

interface Path {
  b: number;
  t0: number;
  target: number;
  tT: number;
}

function levelPace(method: Method, d: 1 | -1, a: number, tL: number, path: Path, linear: number): Pace {
  const { b, t0, target, tT } = path;
  if (method === 'cagr' && target !== b && sameSign(a, b) && sameSign(target, b)) {
    const b0 = nonZero(b);
    const needed = Math.abs(cagr(nonZero(target), b0, tT - t0));
    if (needed > 0) {
      const s = b < 0 ? -1 : 1;
      return { value: round((s * d * cagr(nonZero(a), b0, tL - t0)) / needed), method: 'cagr' };
    }
  }
  return { value: round(linear), method: 'linear' };
}

function expectedLevel(method: Method, path: Path, e: number): number {
  const { b, target } = path;
  const share = Math.min(e, 1);
  return method === 'cagr' && b > 0 && target > 0 ? b * (target / b) ** share : b + (target - b) * share;
}

export function evaluateLevel(def: TargetDefinition, figures: readonly Figure[], thresholds: Thresholds): Verdict {
  const tT = periodT(def.target.period);
  // The verdict is made on figures up to the deadline; later ones cannot change it.
  const inTime = figures.filter((f) => f.t <= tT);
  const base = def.baseline
    ? { t: periodT(def.baseline.period), value: def.baseline.value }
    : inTime[0] && { t: inTime[0].t, value: inTime[0].value };
  if (!base || tT <= base.t) return noData();
  const after = inTime.filter((f) => f.t > base.t);
  const latest = after.at(-1);
  if (!latest) return noData();

  const path: Path = { b: base.value, t0: base.t, target: def.target.value, tT };
  const a = latest.value;
  const d = direction(def.comparator);
  const achieved = satisfies(a, def.comparator, path.target);
  const completion = path.target === path.b ? (achieved ? 1 : 0) : (a - path.b) / (path.target - path.b);
  const elapsed = (latest.t - path.t0) / (tT - path.t0);
  const pace = levelPace(def.method, d, a, latest.t, path, completion / elapsed);
  const expected = expectedLevel(def.method, path, elapsed);
  const points = [{ t: path.t0, value: path.b }, ...after.slice(-PROJECTION_FIGURES)];

  return {
    status: achieved ? 'achieved' : latest.t >= tT ? 'missed' : statusFromPace(pace.value, pace.method, thresholds),
    early: achieved && latest.t < tT,
    pace: pace.value,
    paceMethod: pace.method,
    completion,
    elapsed,
    expected,
    gap: d * (path.target - a),
    lag: d * (expected - a),
    projected: projectAt(points, tT),
    yearTarget: null,
    latestPeriod: latest.period,
    latestValue: a,
  };
}
