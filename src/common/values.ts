import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { parsePeriod } from '../evaluation/periods.js';

export const MAX_ABS_VALUE = new Decimal('1e15');
export const MAX_DECIMAL_PLACES = 30;
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A figure or target value: a JSON number or a decimal string, finite, |v| ≤ 1e15.
 * Normalised once, here at the edge, to the decimal string PostgreSQL `numeric` stores.
 */
export const decimalValue = z
  .union([z.number(), z.string()], { error: '须为数字或数字字符串 (must be a number or a decimal string)' })
  .transform((input, ctx) => {
    const text = typeof input === 'number' ? String(input) : input.trim();
    if (typeof input === 'number' ? !Number.isFinite(input) : !DECIMAL_TEXT.test(text)) {
      ctx.addIssue({ code: 'custom', message: '须为有限的数字 (must be a finite number)' });
      return z.NEVER;
    }
    const value = new Decimal(text);
    if (value.abs().greaterThan(MAX_ABS_VALUE)) {
      ctx.addIssue({ code: 'custom', message: '绝对值不得超过 1e15 (|value| must be ≤ 1e15)' });
      return z.NEVER;
    }
    // Checked before toFixed(), which would otherwise spell out "1e-1000000000" digit by digit.
    if (value.decimalPlaces() > MAX_DECIMAL_PLACES) {
      ctx.addIssue({ code: 'custom', message: `小数位数不得超过 ${MAX_DECIMAL_PLACES} 位 (at most ${MAX_DECIMAL_PLACES} decimal places)` });
      return z.NEVER;
    }
    return value.toFixed();
  });

// abort: later refinements (deadline after baseline…) compute with the period and need it valid.
export const periodString = z.string().refine((p) => parsePeriod(p) !== null, {
  message: '期间格式应为 YYYY、YYYYQn 或 YYYY-MM (period must be YYYY, YYYYQn or YYYY-MM)',
  abort: true,
});

/**
 * A moment: an ISO 8601 date-time with offset, or a bare date taken in China time at the day's start
 * (`from` of a range) or its end (as-of, silences until).
 */
export const instant = (bareDate: 'start' | 'end') =>
  z.iso
    .datetime({ offset: true, message: '须为带时区的 ISO 8601 时间，如 2025-01-31T00:00:00+08:00 (ISO 8601 with offset)' })
    .or(z.iso.date({ message: '须为日期 YYYY-MM-DD 或 ISO 8601 时间 (date or date-time)' }))
    .transform((v) => new Date(v.length === 10 ? `${v}${bareDate === 'start' ? 'T00:00:00+08:00' : 'T23:59:59.999+08:00'}` : v));

/** An email address, trimmed and lower-cased as accounts and recipients store it. */
export const emailAddress = z.string().trim().toLowerCase().pipe(z.email('邮箱格式不正确 (invalid email)').max(200));

export const isoOrNull = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;

/** numeric (string) from PostgreSQL → JSON number. */
export const toNumber = (value: string | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);
