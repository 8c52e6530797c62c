import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { parsePeriod } from '../evaluation/periods.js';

export const MAX_ABS_VALUE = new Decimal('1e15');
export const MAX_DECIMAL_PLACES = 30;
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type DecimalError = 'not-finite' | 'too-large' | 'too-many-places';
type DecimalCheck = string | DecimalError;

/** The reference check: decimal.js on every input (slow). Also the fallback of `checkDecimal`. */
export function checkDecimalSlow(input: number | string): DecimalCheck {
  const text = typeof input === 'number' ? String(input) : input.trim();
  if (typeof input === 'number' ? !Number.isFinite(input) : !DECIMAL_TEXT.test(text)) return 'not-finite';
  const value = new Decimal(text);
  if (value.abs().greaterThan(MAX_ABS_VALUE)) return 'too-large';
  // Checked before toFixed(), which would otherwise spell out "1e-1000000000" digit by digit.
  if (value.decimalPlaces() > MAX_DECIMAL_PLACES) return 'too-many-places';
  return value.toFixed();
}

/** Plain decimals, the usual spelling (no exponent): sign, integer digits, fraction digits. */
const PLAIN_DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))$/;
const MAX_INTEGER_DIGITS = 16; // 1e15 = 1000000000000000

/** A value's normalised decimal string, or why it is refused; must agree with `checkDecimalSlow`. */
export function checkDecimal(input: number | string): DecimalCheck {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return 'not-finite';
    text = String(input);
  } else {
    text = input.trim();
  }
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) return checkDecimalSlow(input);
  let int = m[2] ?? '';
  let frac = m[3] ?? m[4] ?? '';
  let i = 0;
  while (i < int.length && int.charCodeAt(i) === 48) i++; // leading '0'
  if (i) int = int.slice(i);
  let j = frac.length;
  while (j > 0 && frac.charCodeAt(j - 1) === 48) j--; // trailing '0'
  if (j < frac.length) frac = frac.slice(0, j);
  if (int.length > MAX_INTEGER_DIGITS || (int.length === MAX_INTEGER_DIGITS && (int > '1000000000000000' || frac))) return 'too-large';
  if (frac.length > MAX_DECIMAL_PLACES) return 'too-many-places';
  if (!int && !frac) return '0';
  return `${m[1] === '-' ? '-' : ''}${int || '0'}${frac ? `.${frac}` : ''}`;
}

const DECIMAL_ERRORS: ReadonlySet<string> = new Set<DecimalError>(['not-finite', 'too-large', 'too-many-places']);

/** Whether `checkDecimal` refused the value (else it gave the normalised decimal string). */
export const isDecimalError = (checked: DecimalCheck): checked is DecimalError => DECIMAL_ERRORS.has(checked);

// abort: later refinements (deadline after baseline…) compute with the period and need it valid.
export const periodString = z.string().refine((p) => parsePeriod(p) !== null, {
  message: '期间格式应为 YYYY、YYYYQn 或 YYYY-MM (period must be YYYY, YYYYQn or YYYY-MM)',
  abort: true,
});

/** An ISO 8601 date-time with offset, or a bare date in China time at the day's start or end. */
export const instant = (bareDate: 'start' | 'end') =>
  z.iso
    .datetime({ offset: true, message: '须为带时区的 ISO 8601 时间，如 2025-01-31T00:00:00+08:00 (ISO 8601 with offset)' })
    .or(z.iso.date({ message: '须为日期 YYYY-MM-DD 或 ISO 8601 时间 (date or date-time)' }))
    .transform((v) => new Date(v.length === 10 ? `${v}${bareDate === 'start' ? 'T00:00:00+08:00' : 'T23:59:59.999+08:00'}` : v));

/** An email address, trimmed and lower-cased as accounts and recipients store it. */
export const emailAddress = z.string().trim().toLowerCase().pipe(z.email('邮箱格式不正确 (invalid email)').max(200));

export const isoOrNull = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;

/** A computed number as PostgreSQL's `numeric` text (no exponent, no trailing zeros). */
export const decimalText = (n: number | null): string | null => (n === null ? null : n === 0 ? '0' : new Decimal(n).toFixed());
