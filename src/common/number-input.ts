import { z } from 'zod';
import { InexactNumber, inexactNumberMessage } from './json-numbers.js';
import { checkDecimal, isDecimalError, MAX_DECIMAL_PLACES } from './values.js';

/** A number as a person typed, pasted or a sheet held it: the exact decimal, and whether it carried a trailing %. */
export type NumberInput = { ok: true; value: string; percent: boolean } | { ok: false; message: string };

const GROUPED = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
const PLAIN = /^(\d+(\.\d+)?|\.\d+)$/;

const quote = (raw: string) => `“${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}”`;

function refuse(raw: string, zh: string, en: string): NumberInput {
  return { ok: false, message: `${quote(raw)} ${zh} (${JSON.stringify(raw.slice(0, 40))} ${en})` };
}

/** The one number grammar of figures (API, entry page, imports): sign, decimals, thousands groups of three,
 *  NFKC, an optional trailing %. Anything else is refused with a message quoting the input. */
export function parseNumberInput(input: number | string): NumberInput {
  if (typeof input === 'number') {
    const checked = checkDecimal(input);
    return isDecimalError(checked) ? rangeError(String(input), checked) : { ok: true, value: checked, percent: false };
  }
  const raw = input.trim();
  let text = raw.normalize('NFKC').replace(/[\u2212\u2012\ufe63]/g, '-').trim();
  if (!text) return { ok: false, message: '数值为空 (value is empty)' };
  let percent = false;
  if (text.endsWith('%')) {
    percent = true;
    text = text.slice(0, -1).trimEnd();
  }
  let sign = '';
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text[0] === '-' ? '-' : '';
    text = text.slice(1);
  }
  if (/\s/.test(text)) {
    return refuse(raw, '含有空格或换行，不是一个数值；是否一次粘贴了多个单元格？', 'contains spaces or line breaks: several cells pasted?');
  }
  if (text.includes(',')) {
    if (!GROUPED.test(text)) return refuse(raw, '的千位分隔符须每三位一组，如 1,234.5', 'thousands separators go every three digits, as in 1,234.5');
    text = text.replace(/,/g, '');
  } else if (!PLAIN.test(text)) {
    if (/^\d*\.?\d+e[+-]?\d+$/i.test(text)) return refuse(raw, '是科学计数法，请填写完整数字', 'is in scientific notation: write the number out');
    return refuse(raw, '不是数值：只能含数字、正负号、小数点、千位分隔符，百分比指标可带 %', 'is not a number');
  }
  const checked = checkDecimal(sign + text);
  return isDecimalError(checked) ? rangeError(raw, checked) : { ok: true, value: checked, percent };
}

function rangeError(raw: string, error: 'not-finite' | 'too-large' | 'too-many-places'): NumberInput {
  if (error === 'too-large') return refuse(raw, '超出范围：绝对值不得超过一千万亿', 'is too large: at most 10^15');
  if (error === 'too-many-places') return refuse(raw, `的小数位数超过 ${MAX_DECIMAL_PLACES} 位`, `has more than ${MAX_DECIMAL_PLACES} decimal places`);
  return refuse(raw, '不是有限的数值', 'is not a finite number');
}

/** Units that count whole things: shown without decimals. */
const WHOLE_UNITS = new Set([
  '家', '个', '项', '人', '人次', '辆', '户', '件', '台', '套', '座', '所', '名', '位', '只', '艘', '架', '条', '处', '栋', '间',
  '张', '次', '款', '种', '部', '批', '棵', '株',
]);

export const isWholeUnit = (unit: string): boolean => WHOLE_UNITS.has(unit.normalize('NFKC').trim());

/** Counts, in whole things or in 万/亿 of them (万辆 may be 12.5): never negative. */
export const isCountUnit = (unit: string): boolean => isWholeUnit(unit) || isWholeUnit(unit.trim().replace(/^(万|亿|千|百)/, ''));

/** A unit that is a percentage (a trailing % in a value is taken for such targets only). */
export const isPercentUnit = (unit: string): boolean => unit.normalize('NFKC').trim() === '%';

const NUMBER_OR_TEXT = '须为数字或数字字符串 (must be a number or a decimal string)';
/** A JSON number the body parser found inexact (src/common/json-numbers.ts) is refused with its own reason. */
const numberOrText = (issue: { input?: unknown }) =>
  issue.input instanceof InexactNumber ? inexactNumberMessage(issue.input) : NUMBER_OR_TEXT;

/** A figure's value in the one grammar; `percent: true` only when the input had a trailing %. */
export const figureValue = z.union([z.number(), z.string()], { error: numberOrText }).transform((input, ctx) => {
  const parsed = parseNumberInput(input);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  return parsed;
});

/** A target's value (baseline, goal, milestone) in the one grammar, without a % sign (the unit says it). */
export const decimalValue = z.union([z.number(), z.string()], { error: numberOrText }).transform((input, ctx) => {
  const parsed = parseNumberInput(input);
  if (parsed.ok && !parsed.percent) return parsed.value;
  ctx.addIssue({
    code: 'custom',
    message: parsed.ok ? '目标值不带 %，单位写在“单位”中 (no % sign: the unit says it)' : parsed.message,
  });
  return z.NEVER;
});
