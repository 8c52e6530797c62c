/** Numbers as Chinese policy text writes them, with 万/亿 multiplied in or split off into the unit. */

const DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const MAGNITUDES: Readonly<Record<string, number>> = { 万: 1e4, 亿: 1e8, 万亿: 1e12 };

/** Characters a Chinese numeral is made of (without 点). */
export const CHINESE_NUMERAL_CHARS = '零〇一二两三四五六七八九十百千万亿';

/** A Chinese numeral run as it may appear in text: starts with a digit or 十, optional 点 decimals. */
export const CHINESE_NUMERAL_RUN = /[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:点[零〇一二三四五六七八九]+[万亿]*)?/gu;

/** An Arabic number: 350, 2,000 (groups of exactly three), 120.8. Not part of 5G, PM2.5 or a longer digit run. */
export const ARABIC_NUMBER = /(?<![\d.,A-Za-z])(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?(?![\d]|[A-Za-z])/g;

/** Full-width digits, point and comma to ASCII (one UTF-16 unit each, so offsets do not move). */
export function toHalfWidthDigits(s: string): string {
  return s.replace(/[\uFF10-\uFF19\uFF0E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** '350' → 350, '2,000' → 2000, '１２０．８' → 120.8; null when not a plain Arabic number. */
export function parseArabic(s: string): number | null {
  const t = toHalfWidthDigits(s.trim());
  if (!/^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/.test(t)) return null;
  return Number(t.replace(/,/g, ''));
}

/** A Chinese integer numeral (三百五十 → 350, 二〇二五 → 2025); malformed runs (十四五) → null. */
export function parseChineseInteger(s: string): number | null {
  if (!s) return null;
  const chars = [...s];
  if (chars.every((c) => c in DIGITS)) {
    if (chars.length === 1) return DIGITS[chars[0]];
    // digit by digit only for years (二〇二五, 二零二四); 三四 is “three or four”, 两 never spells digits
    if (chars.includes('两') || chars.length !== 4) return null;
    return Number(chars.map((c) => DIGITS[c]).join(''));
  }
  let total = 0; // value of the completed 万/亿 groups
  let section = 0; // value below the current 万/亿 group
  let digit: number | null = null; // a digit waiting for its unit
  let lastSmall = Infinity; // small units must decrease within a section
  let lastBig = Infinity;
  let afterZero = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c in DIGITS) {
      const d = DIGITS[c];
      if (d === 0) {
        if (digit !== null) return null;
        afterZero = true;
        continue;
      }
      if (digit !== null) return null; // two digits in a row: 十四五, 一二
      digit = d;
    } else if (c in SMALL_UNITS) {
      const u = SMALL_UNITS[c];
      if (u >= lastSmall) return null;
      if (digit === null) {
        if (c !== '十') return null; // 百/千 need a digit; a bare 十 means 一十 (十二, 一百十)
        digit = 1;
      }
      section += digit * u;
      digit = null;
      lastSmall = u;
      afterZero = false;
    } else if (c === '万' || c === '亿') {
      const u = MAGNITUDES[c];
      const group = section + (digit ?? 0);
      if (c === '亿') {
        const value = total + group;
        if (value === 0) return null;
        total = value * u;
      } else {
        if (group === 0) {
          // 万亿 reaches here as 万 then 亿 only when a group precedes 万
          return null;
        }
        if (u >= lastBig && lastBig !== 1e8) return null;
        total += group * u;
      }
      lastBig = u;
      section = 0;
      digit = null;
      lastSmall = Infinity;
      afterZero = false;
    } else {
      return null;
    }
  }
  return total + section + (digit ?? 0);
}

/** Any numeral, Arabic or Chinese, with 点 decimals and a trailing magnitude multiplied in ('1.2万' → 12000). */
export function parseNumeral(s: string): number | null {
  const t = toHalfWidthDigits(s.trim()).replace(/\s+/g, '');
  if (!t) return null;
  const mag = /(万亿|亿|万)$/.exec(t);
  const head = mag ? t.slice(0, -mag[1].length) : t;
  const factor = mag ? MAGNITUDES[mag[1]] : 1;
  if (head === '') return null;
  const arabic = parseArabic(head);
  if (arabic !== null) return round(arabic * factor);
  const point = head.indexOf('点');
  if (point >= 0) {
    const int = parseChineseInteger(head.slice(0, point));
    const decimals = [...head.slice(point + 1)];
    if (int === null || decimals.length === 0 || !decimals.every((c) => c in DIGITS && c !== '两')) return null;
    return round(Number(`${int}.${decimals.map((c) => DIGITS[c]).join('')}`) * factor);
  }
  // a Chinese integer carries its own magnitudes (三亿五千万)
  return parseChineseInteger(t);
}

/** Splits a trailing magnitude off a Chinese numeral ('三百五十万' → '三百五十' + '万') when the head is valid. */
export function splitChineseMagnitude(run: string): { numeral: string; magnitude: string } {
  const m = /(万亿|亿|万)$/.exec(run);
  if (m) {
    const head = run.slice(0, -m[1].length);
    if (head && parseNumeral(head) !== null) return { numeral: head, magnitude: m[1] };
  }
  return { numeral: run, magnitude: '' };
}

/** Round away binary noise (0.1 + 0.2) while keeping every digit a document can state. */
export function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** A share written in words, as a percentage: 百分之八十五 → 85, 三分之一 → 33.333333333, 两成 → 20. */
export interface ShareFigure {
  index: number;
  length: number;
  /** in % */
  value: number;
  /** as written, for the candidate's note */
  written: string;
}

const NUM = '(?:\\d+(?:\\.\\d+)?|[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)';
const SHARE = new RegExp(
  `百分之(${NUM})|(${NUM})分之(${NUM})|(?<![\\d零〇一二两三四五六七八九十])([一二两三四五六七八九]|\\d)成(?:(\\d|[一二三四五六七八九]))?(?![为了本果立员功就都效绩长交品型熟不])`,
  'g',
);

/** Shares written in words: 百分之八十五, 三分之一, 两成 (2 成 = 20%), 三成五 (35%). */
export function scanShares(s: string): ShareFigure[] {
  const out: ShareFigure[] = [];
  for (const m of s.matchAll(SHARE)) {
    let value: number | null = null;
    if (m[1] !== undefined) value = parseNumeral(m[1]);
    else if (m[2] !== undefined) {
      const den = parseNumeral(m[2]);
      const num = parseNumeral(m[3]);
      value = den && num !== null && num <= den ? round((num / den) * 100) : null;
    } else {
      const tens = parseNumeral(m[4]);
      const ones = m[5] !== undefined ? parseNumeral(m[5]) : 0;
      value = tens !== null && ones !== null ? tens * 10 + ones : null;
    }
    if (value !== null) out.push({ index: m.index!, length: m[0].length, value, written: m[0] });
  }
  return out;
}
