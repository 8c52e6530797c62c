import { type Frequency, MAX_YEAR, MIN_YEAR } from '../evaluation/periods.js';

/** Periods as the statistics bureau writes them, resolved against the target's frequency. Pure. */
export type PeriodWording =
  | { kind: 'year'; year: number }
  | { kind: 'quarter'; year: number; quarter: number }
  | { kind: 'month'; year: number; month: number }
  /** months from..to of the year: 1-9月 (a year-to-date figure), 7-9月 (one quarter's own figure) */
  | { kind: 'months'; year: number; from: number; to: number }
  | { kind: 'half'; year: number; half: 1 | 2 };

const DIGIT: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 1: 1, 2: 2, 3: 3, 4: 4 };
const RANGE = '[-~〜—–―－至到]';

const PATTERNS: [RegExp, (m: RegExpExecArray) => PeriodWording | null][] = [
  [/^(\d{4})(?:年|年度|年全年|年全年度|全年)$/, (m) => ({ kind: 'year', year: +m[1] })],
  [/^(\d{4})年?第?([一二三四1-4])季(?:度)?$/, (m) => ({ kind: 'quarter', year: +m[1], quarter: DIGIT[m[2]] })],
  [/^(\d{4})(?:年|-)?Q([1-4])$/, (m) => ({ kind: 'quarter', year: +m[1], quarter: +m[2] })],
  [/^(\d{4})年前([一二三四1-4])季度?(?:累计)?$/, (m) => ({ kind: 'months', year: +m[1], from: 1, to: DIGIT[m[2]] * 3 })],
  [/^(\d{4})年(\d{1,2})月份?$/, (m) => month(+m[1], +m[2])],
  [/^(\d{4})[/.](\d{1,2})$/, (m) => month(+m[1], +m[2])],
  [new RegExp(`^(\\d{4})年(\\d{1,2})月?${RANGE}(\\d{1,2})月份?(?:累计)?$`), (m) => months(+m[1], +m[2], +m[3])],
  [/^(\d{4})年?(上|下)半年(?:累计)?$/, (m) => ({ kind: 'half', year: +m[1], half: m[2] === '上' ? 1 : 2 })],
  [/^(\d{4})H([12])$/, (m) => ({ kind: 'half', year: +m[1], half: +m[2] as 1 | 2 })],
];

const month = (year: number, m: number): PeriodWording | null => (m >= 1 && m <= 12 ? { kind: 'month', year, month: m } : null);
const months = (year: number, from: number, to: number): PeriodWording | null => {
  if (from < 1 || to > 12 || from > to) return null;
  return from === to ? { kind: 'month', year, month: from } : { kind: 'months', year, from, to };
};

/** The text as compared: NFKC (full-width digits and signs), no whitespace, upper case. */
export const wordingKey = (text: string): string => text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();

/** A period wording, or null when the text is not one. */
export function readPeriodWording(text: string): PeriodWording | null {
  const key = wordingKey(text);
  for (const [pattern, read] of PATTERNS) {
    const m = pattern.exec(key);
    if (!m) continue;
    const w = read(m);
    return w && w.year >= MIN_YEAR && w.year <= MAX_YEAR ? w : null;
  }
  return null;
}

export const FREQUENCY_ZH: Record<Frequency, string> = { yearly: '年度', quarterly: '季度', monthly: '月度' };

export type ResolvedPeriod =
  /** basis: what the wording says of the figure (1-9月: year to date; 7-9月: the quarter's own), if anything */
  | { period: string; basis?: 'ytd' | 'period'; error?: undefined }
  | { error: string; period?: undefined };

const mm = (m: number) => String(m).padStart(2, '0');

/** The period a wording means for this frequency, or an error quoting it. */
export function resolvePeriodWording(w: PeriodWording, frequency: Frequency, text: string): ResolvedPeriod {
  const misfit = (why = '') => ({
    error: `期间「${text}」与指标的报送频率（${FREQUENCY_ZH[frequency]}）不符${why} (period "${text}" does not fit the ${frequency} target)`,
  });
  const { year } = w;
  switch (w.kind) {
    case 'year':
      if (frequency === 'yearly') return { period: String(year) };
      return { period: frequency === 'quarterly' ? `${year}Q4` : `${year}-12`, basis: 'ytd' };
    case 'quarter':
      return frequency === 'quarterly' ? { period: `${year}Q${w.quarter}` } : misfit();
    case 'month':
      return frequency === 'monthly' ? { period: `${year}-${mm(w.month)}` } : misfit('，请按指标频率填写期间');
    case 'half':
      if (w.half === 2) {
        return { error: `期间「${text}」为下半年（7-12月），既不是从1月起的累计，也不是单个季度，请按季度或全年填报 (the second half-year is neither year to date nor a quarter)` };
      }
      return resolveMonths(year, 1, 6, frequency, misfit);
    case 'months':
      if (w.from === 1) return resolveMonths(year, 1, w.to, frequency, misfit);
      if (w.from % 3 === 1 && w.to === w.from + 2) {
        return frequency === 'quarterly' ? { period: `${year}Q${(w.to / 3)}`, basis: 'period' } : misfit();
      }
      return { error: `期间「${text}」既不是从1月起的累计，也不是单个季度 (period "${text}" is neither year to date nor one quarter)` };
  }
}

function resolveMonths(year: number, _from: 1, to: number, frequency: Frequency, misfit: (why?: string) => { error: string }): ResolvedPeriod {
  if (frequency === 'monthly') return { period: `${year}-${mm(to)}`, basis: 'ytd' };
  if (frequency === 'quarterly') return to % 3 === 0 ? { period: `${year}Q${to / 3}`, basis: 'ytd' } : misfit('（累计截至季末月份才能对应季度）');
  return to === 12 ? { period: String(year), basis: 'ytd' } : misfit();
}
