import type { Figure } from './figures.js';

/** Year-to-date values by year, indexed k − 1; undefined where unknown. */
export type YearToDate = Map<number, (number | undefined)[]>;

/** A 'ytd' figure is its own YTD; a 'period' figure adds to the previous sub-period's, so a gap leaves the
 *  YTD unknown until a 'ytd' figure restarts it. */
export function yearToDate(figures: readonly Figure[]): YearToDate {
  const byYear = new Map<number, Map<number, Figure>>();
  for (const f of figures) {
    const year = byYear.get(f.year) ?? new Map<number, Figure>();
    year.set(f.k, f);
    byYear.set(f.year, year);
  }
  const result: YearToDate = new Map();
  for (const [year, byK] of byYear) {
    const n = byK.values().next().value!.n;
    const ytd: (number | undefined)[] = [];
    for (let k = 1; k <= n; k++) {
      const f = byK.get(k);
      const before = k === 1 ? 0 : ytd[k - 2];
      if (!f) ytd.push(undefined);
      else if (f.basis === 'ytd') ytd.push(f.value);
      else ytd.push(before === undefined ? undefined : before + f.value);
    }
    result.set(year, ytd);
  }
  return result;
}

export function ytdAt(ytd: YearToDate, year: number, k: number): number | undefined {
  return ytd.get(year)?.[k - 1];
}
