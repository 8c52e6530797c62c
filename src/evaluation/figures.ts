import type { Basis, FigureRevision } from './evaluation.types.js';
import { periodEndMillis, periodFits, periodPosition, type Frequency } from './periods.js';

/** The current value of one period as of a moment. */
export interface Figure {
  period: string;
  t: number;
  year: number;
  k: number;
  n: number;
  value: number;
  basis: Basis;
}

/** The figures known at `asOf`, the latest revision per period (ties: the later in the array), by period end. */
export function currentFigures(
  revisions: readonly FigureRevision[],
  asOf: Date,
  frequency: Frequency,
  tz: string,
): Figure[] {
  const cutoff = asOf.getTime();
  const current = new Map<string, FigureRevision>();
  for (const r of revisions) {
    if (r.recordedAt.getTime() > cutoff || !periodFits(frequency, r.period)) continue;
    if (periodEndMillis(r.period, tz) > cutoff) continue;
    const seen = current.get(r.period);
    if (!seen || r.recordedAt.getTime() >= seen.recordedAt.getTime()) current.set(r.period, r);
  }
  const figures: Figure[] = [];
  for (const r of current.values()) {
    const { t, year, k, n } = periodPosition(r.period);
    figures.push({ period: r.period, t, year, k, n, value: r.value, basis: r.basis });
  }
  return figures.sort((x, y) => x.t - y.t);
}
