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

/**
 * Warnings (not errors) about a value that is probably mistyped: more than 3× or less than ⅓ of the previous
 * period's, or a year-on-year change beyond ±100%. Like is compared with like: the same basis, and for
 * year-to-date flows no comparison across the turn of the year (Q4's total against Q1's is no jump).
 */
export function plausibilityWarnings(input: PlausibilityInput): string[] {
  const warnings: string[] = [];
  const value = new Decimal(input.value);
  const { previous, lastYear } = input;
  const sameYear = previous && parsePeriod(previous.period)!.year === parsePeriod(input.period)!.year;
  const comparablePrevious = previous && previous.basis === input.basis && (input.kind === 'level' || input.basis === 'period' || sameYear);
  if (comparablePrevious && previous.period !== lastYear?.period) {
    const before = new Decimal(previous.value);
    if (!before.isZero()) {
      const ratio = value.div(before);
      if (ratio.gt(JUMP_RATIO) || ratio.lt(new Decimal(1).div(JUMP_RATIO))) {
        warnings.push(
          `数值 ${input.value} 是上期（${periodZh(previous.period)}：${previous.value}）的 ${ratioText(ratio)} 倍，请核对 ` +
          `(${input.value} is ${ratioText(ratio)}× the previous period's ${previous.value})`,
        );
      }
    }
  }
  if (lastYear && lastYear.basis === input.basis) {
    const before = new Decimal(lastYear.value);
    if (!before.isZero()) {
      const change = value.minus(before).div(before.abs());
      if (change.abs().gt(YOY_LIMIT)) {
        const pct = `${change.gt(0) ? '+' : ''}${change.times(100).toDecimalPlaces(1).toString()}%`;
        warnings.push(
          `同比 ${pct}（去年同期 ${periodZh(lastYear.period)}：${lastYear.value}），超出 ±100%，请核对 ` +
          `(year on year ${pct} against ${lastYear.value}: beyond ±100%)`,
        );
      }
    }
  }
  return warnings;
}
