import { Decimal } from 'decimal.js';
import { checkDecimal, isDecimalError } from '../common/values.js';

/** A sheet's units against a target's: the same, or one of a power-of-ten family, converted exactly. Pure. */

/** Each family: unit → how many base units it is. */
const FAMILIES: Record<string, string>[] = [
  { 元: '1', 千元: '1e3', 万元: '1e4', 百万元: '1e6', 亿元: '1e8' },
  { 辆: '1', 万辆: '1e4' },
  { 个: '1', 万个: '1e4' },
  { 人: '1', 万人: '1e4' },
  { 人次: '1', 万人次: '1e4' },
  { 家: '1', 万家: '1e4' },
  { 户: '1', 万户: '1e4' },
  { 吨: '1', 万吨: '1e4' },
  { 千瓦时: '1', 万千瓦时: '1e4', 亿千瓦时: '1e8' },
  { '‰': '1', '%': '10' },
];
/** Enough significant digits for any value the app stores (≤ 1e15, 30 decimals) times 1e8. */
const Exact = Decimal.clone({ precision: 80 });

const FACTOR = new Map<string, { family: number; factor: string }>(
  FAMILIES.flatMap((units, family) => Object.entries(units).map(([unit, factor]) => [unit, { family, factor }])),
);

/** A unit as compared: NFKC (％ → %), no whitespace, no brackets around it (（亿元） → 亿元). */
export const unitKey = (unit: string): string =>
  unit.normalize('NFKC').replace(/\s+/g, '').replace(/^[([【]+|[)\]】]+$/g, '');

export type UnitCheck =
  | { value: string; converted: boolean; error?: undefined }
  | { error: string; value?: undefined; converted?: undefined };

/** `value` in `from` as a value in `to`, or an error quoting both units. */
export function convertUnit(value: string, from: string, to: string): UnitCheck {
  const a = unitKey(from);
  const b = unitKey(to);
  if (a === b) return { value, converted: false };
  const fa = FACTOR.get(a);
  const fb = FACTOR.get(b);
  if (!fa || !fb || fa.family !== fb.family) {
    return { error: `单位 ${from} 与指标单位 ${to} 不符 (unit ${from} does not match the target's unit ${to})` };
  }
  const converted = new Exact(value).times(fa.factor).div(fb.factor).toFixed();
  const checked = checkDecimal(converted);
  if (isDecimalError(checked)) {
    return { error: `${value} ${from} 换算为 ${to} 后超出范围或精度 (the value converted to ${to} is out of range)` };
  }
  return { value: checked, converted: true };
}

/** 12000 → "12 000", 1.25 → "1.25": digits grouped by three with a thin space, as the preview shows them. */
export function groupDigits(value: string): string {
  const [int, frac] = value.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
  return frac ? `${grouped}.${frac}` : grouped;
}

/** The unit a title or note says: "单位：亿元", "（单位: 万辆）". */
export function unitInText(text: string): string | null {
  const m = /单位\s*[:：]\s*([^\s,，;；)）\]】]+)/.exec(text.normalize('NFKC'));
  return m ? m[1] : null;
}
