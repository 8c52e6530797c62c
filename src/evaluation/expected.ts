import type { TargetDefinition } from './evaluation.types.js';
import type { Figure } from './figures.js';
import { evaluateFlow } from './flow.js';
import { evaluateLevel } from './level.js';
import { periodT, subPeriod } from './periods.js';
import { DEFAULT_THRESHOLDS } from './rules.js';

/** A figure the rules can take, for asking them what they expect at `period`. */
export function probe(period: string, value: number): Figure {
  return { period, t: periodT(period), ...subPeriod(period), value, basis: 'ytd' };
}

/** 应达值 at the end of `period` (DESIGN.md's expected path), or null where the rules expect nothing. */
export function expectedAt(def: TargetDefinition, figures: readonly Figure[], period: string): number | null {
  if (def.kind === 'flow') {
    const year = subPeriod(period).year;
    return evaluateFlow(def, [...figures.filter((x) => x.year === year - 1), probe(period, 0)], DEFAULT_THRESHOLDS).expected;
  }
  const tT = periodT(def.target.period);
  const t = periodT(period);
  const first = figures.find((x) => x.t <= tT);
  const base = def.baseline ? { t: periodT(def.baseline.period), value: def.baseline.value } : first && { t: first.t, value: first.value };
  if (!base || base.t >= tT || t < base.t || t > tT) return null;
  if (t === base.t) return base.value; // e = 0
  return evaluateLevel(def, [...(def.baseline ? [] : [first!]), probe(period, base.value)], DEFAULT_THRESHOLDS).expected;
}
