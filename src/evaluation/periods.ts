import { DateTime } from 'luxon';

export type Frequency = 'quarterly' | 'monthly' | 'yearly';
export type PeriodKind = 'year' | 'quarter' | 'month';

/** index: 1 for a year, 1–4 for a quarter, 1–12 for a month. */
export interface ParsedPeriod {
  kind: PeriodKind;
  year: number;
  index: number;
}

/** Sub-period k of n within its year (quarter k of 4, month k of 12, year 1 of 1). */
export interface SubPeriod {
  year: number;
  k: number;
  n: number;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

const PATTERN = /^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$/;
const PER_YEAR: Record<PeriodKind, number> = { year: 1, quarter: 4, month: 12 };
const KIND_OF: Record<Frequency, PeriodKind> = { yearly: 'year', quarterly: 'quarter', monthly: 'month' };
const FREQUENCY_OF: Record<PeriodKind, Frequency> = { year: 'yearly', quarter: 'quarterly', month: 'monthly' };

// Evaluation parses the same few dozen period strings millions of times: memoised (frozen results).
const parsedCache = new Map<string, ParsedPeriod | null>();
const PARSED_CACHE_MAX = 50_000;

export function parsePeriod(s: string): ParsedPeriod | null {
  if (typeof s !== 'string') return null;
  let p = parsedCache.get(s);
  if (p === undefined) {
    p = parseUncached(s);
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.clear();
    parsedCache.set(s, p && Object.freeze(p));
  }
  return p;
}

function parseUncached(s: string): ParsedPeriod | null {
  const m = PATTERN.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (m[2]) return { kind: 'quarter', year, index: Number(m[2]) };
  if (m[3]) return { kind: 'month', year, index: Number(m[3]) };
  return { kind: 'year', year, index: 1 };
}

export function formatPeriod(p: ParsedPeriod): string {
  const n = PER_YEAR[p.kind];
  const valid =
    n !== undefined &&
    Number.isInteger(p.year) && p.year >= MIN_YEAR && p.year <= MAX_YEAR &&
    Number.isInteger(p.index) && p.index >= 1 && p.index <= n;
  if (!valid) throw new RangeError(`invalid period ${JSON.stringify(p)}`);
  if (p.kind === 'quarter') return `${p.year}Q${p.index}`;
  if (p.kind === 'month') return `${p.year}-${String(p.index).padStart(2, '0')}`;
  return String(p.year);
}

const QUARTER_ZH = ['一', '二', '三', '四'];

/** A period as Chinese text says it: 2025年三季度, 2025年7月, 2025年 (anything else as it is). */
export function periodZh(period: string): string {
  const p = parsePeriod(period);
  if (!p) return period;
  if (p.kind === 'quarter') return `${p.year}年${QUARTER_ZH[p.index - 1]}季度`;
  if (p.kind === 'month') return `${p.year}年${p.index}月`;
  return `${p.year}年`;
}

function requirePeriod(period: string): ParsedPeriod {
  const p = parsePeriod(period);
  if (!p) throw new RangeError(`invalid period "${period}"`);
  return p;
}

/** The period's end in fractional years: t(2023) = t(2023Q4) = t(2023-12) = 2024. */
export function periodT(period: string): number {
  return periodPosition(period).t;
}

/** A period's sub-period and its end on the year axis, t = year + k/n (periodT), from one parse. */
export function periodPosition(period: string): SubPeriod & { t: number } {
  const p = requirePeriod(period);
  const n = PER_YEAR[p.kind];
  return { year: p.year, k: p.index, n, t: p.year + p.index / n };
}

export function frequencyOf(period: string): Frequency {
  return FREQUENCY_OF[requirePeriod(period).kind];
}

export function periodFits(frequency: Frequency, period: string): boolean {
  return parsePeriod(period)?.kind === KIND_OF[frequency];
}

export function subPeriod(period: string): SubPeriod {
  const p = requirePeriod(period);
  return { year: p.year, k: p.index, n: PER_YEAR[p.kind] };
}

export function periodsPerYear(frequency: Frequency): number {
  return PER_YEAR[KIND_OF[frequency]];
}

export function periodOf(frequency: Frequency, year: number, k: number): string {
  return formatPeriod({ kind: KIND_OF[frequency], year, index: k });
}

export function nextPeriod(period: string): string {
  const p = requirePeriod(period);
  return p.index < PER_YEAR[p.kind]
    ? formatPeriod({ ...p, index: p.index + 1 })
    : formatPeriod({ ...p, year: p.year + 1, index: 1 });
}

export function previousPeriod(period: string): string {
  const p = requirePeriod(period);
  return p.index > 1
    ? formatPeriod({ ...p, index: p.index - 1 })
    : formatPeriod({ ...p, year: p.year - 1, index: PER_YEAR[p.kind] });
}

/** The last period of `frequency` whose end is at or before the end of `period`; null before 1900. */
export function periodAtOrBefore(frequency: Frequency, period: string): string | null {
  const { year, k, n } = subPeriod(period);
  const endMonth = year * 12 + k * (12 / n);
  const per = periodsPerYear(frequency);
  const count = Math.floor(endMonth / (12 / per)) - 1;
  const y = Math.floor(count / per);
  return y < MIN_YEAR ? null : periodOf(frequency, y, (count % per) + 1);
}


function endDateTime(period: string, tz: string): DateTime {
  const { year, k, n } = subPeriod(period);
  const lastMonth = k * (12 / n);
  const next = lastMonth === 12 ? { year: year + 1, month: 1 } : { year, month: lastMonth + 1 };
  const end = DateTime.fromObject({ ...next, day: 1 }, { zone: tz });
  if (!end.isValid) throw new RangeError(`invalid time zone "${tz}"`);
  return end;
}

/** 00:00 of the first day after the period, in time zone tz. */
export function periodEndInstant(period: string, tz: string): Date {
  return new Date(periodEndMillis(period, tz));
}

const endCacheByTz = new Map<string, Map<string, number>>();

/** periodEndInstant as epoch milliseconds, without building a key string or a Date. */
export function periodEndMillis(period: string, tz: string): number {
  let byPeriod = endCacheByTz.get(tz);
  if (!byPeriod) endCacheByTz.set(tz, (byPeriod = new Map()));
  let ms = byPeriod.get(period);
  if (ms === undefined) {
    ms = endDateTime(period, tz).toMillis();
    byPeriod.set(period, ms);
  }
  return ms;
}

/** Whether the period's end plus graceDays calendar days (in tz) is at or before instant. */
export function periodEndedBy(period: string, instant: Date, tz: string, graceDays = 0): boolean {
  const end = graceDays === 0
    ? periodEndInstant(period, tz).getTime()
    : endDateTime(period, tz).plus({ days: graceDays }).toMillis();
  return end <= instant.getTime();
}

/** The latest period whose end + graceDays is at or before `instant`; RangeError outside 1900–2200. */
export function latestPeriodEndedBy(frequency: Frequency, instant: Date, tz: string, graceDays = 0): string {
  const local = DateTime.fromJSDate(instant, { zone: tz }).minus({ days: graceDays });
  if (!local.isValid) throw new RangeError(`invalid instant or time zone "${tz}"`);
  const per = periodsPerYear(frequency);
  let p = periodOf(frequency, local.year, Math.ceil((local.month * per) / 12));
  // The period holding instant − grace has not ended yet; walk to the exact answer (DST may move a boundary).
  while (periodEndedBy(nextPeriod(p), instant, tz, graceDays)) p = nextPeriod(p);
  while (!periodEndedBy(p, instant, tz, graceDays)) p = previousPeriod(p);
  return p;
}

/**
 * The quarter a period closes in: the quarter itself, a month's quarter, a year's fourth quarter. A figure
 * of a period belongs to the quarterly report (通报) of this quarter, and is locked with it.
 */
export function closingQuarter(period: string): string {
  const p = parsePeriod(period);
  if (!p) throw new RangeError(`invalid period ${JSON.stringify(period)}`);
  const q = p.kind === 'quarter' ? p.index : p.kind === 'month' ? Math.ceil(p.index / 3) : 4;
  return `${p.year}Q${q}`;
}

/** The quarter an evaluation at `asOf` reports on: the latest quarter that has ended by then (in tz). */
export function reportingQuarter(asOf: Date, tz: string): string {
  return latestPeriodEndedBy('quarterly', asOf, tz);
}
