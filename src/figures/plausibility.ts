import { Decimal } from 'decimal.js';
import type { Basis } from '../evaluation/evaluation.types.js';
import { MIN_YEAR, parsePeriod, periodZh, previousPeriod } from '../evaluation/periods.js';

/** Past this ratio to the previous period (or below its inverse) a value is worth a second look. */
export const JUMP_RATIO = 3;
/** Past this year-on-year change (±100%) too. */
export const YOY_LIMIT = 1;

export interface Comparable { period: string; value: string; basis: Basis }

export interface PlausibilityInput {
  kind: 'level' | 'flow';
  period: string;
  value: string;
  basis: Basis;
  /** the figure of the period before (as stored or written in the same batch), if any */
  previous: Comparable | null;
  /** the figure of the same period a year earlier, if any */
  lastYear: Comparable | null;
}

/** The periods a figure is compared with: the one before, the same one a year earlier (null before 1900). */
export function comparisonPeriods(period: string): { previous: string | null; lastYear: string | null } {
  const p = parsePeriod(period)!;
  if (p.year <= MIN_YEAR) return { previous: p.index > 1 ? previousPeriod(period) : null, lastYear: null };
  return { previous: previousPeriod(period), lastYear: `${p.year - 1}${period.slice(4)}` };
}

const ratioText = (r: Decimal) => r.toSignificantDigits(3).toString();

/** Warnings about a probably mistyped value, comparing like with like (same basis, no YTD across years). */
export function plausibilityWarnings(input: PlausibilityInput): string[] {
  const warnings: string[] = [];
  const { previous, lastYear } = input;
  // Numbers decide (a ratio needs no exact decimals); decimal.js words the warnings that are given.
  const value = Number(input.value);
  const sameYear = previous && parsePeriod(previous.period)!.year === parsePeriod(input.period)!.year;
  const comparablePrevious = previous && previous.basis === input.basis && (input.kind === 'level' || input.basis === 'period' || sameYear);
  if (comparablePrevious && previous.period !== lastYear?.period) {
    const before = Number(previous.value);
    const ratio = value / before;
    if (before !== 0 && (ratio > JUMP_RATIO || ratio < 1 / JUMP_RATIO)) {
      const exact = ratioText(new Decimal(input.value).div(previous.value));
      warnings.push(
        `数值 ${input.value} 是上期（${periodZh(previous.period)}：${previous.value}）的 ${exact} 倍，请核对 ` +
        `(${input.value} is ${exact}× the previous period's ${previous.value})`,
      );
    }
  }
  if (lastYear && lastYear.basis === input.basis) {
    const before = Number(lastYear.value);
    if (before !== 0 && Math.abs(value - before) / Math.abs(before) > YOY_LIMIT) {
      const change = new Decimal(input.value).minus(lastYear.value).div(new Decimal(lastYear.value).abs());
      const pct = `${change.gt(0) ? '+' : ''}${change.times(100).toDecimalPlaces(1).toString()}%`;
      warnings.push(
        `同比 ${pct}（去年同期 ${periodZh(lastYear.period)}：${lastYear.value}），超出 ±100%，请核对 ` +
        `(year on year ${pct} against ${lastYear.value}: beyond ±100%)`,
      );
    }
  }
  return warnings;
}
