import type { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { figureValue, parseNumberInput } from '../common/number-input.js';
import { checkDecimal, isDecimalError, periodString } from '../common/values.js';
import { isCleanText, ZodPipe } from '../common/zod.pipe.js';
import { parsePeriod } from '../evaluation/periods.js';
import { TARGET_CODE, targetCode } from '../targets/target.schema.js';
import { BATCH_MAX_FIGURES } from './batch-limits.js';

const FIGURE_TEXT_MAX = 2000;
/** Free text of a figure (U+0000, control characters and lone surrogates are refused for every body by ZodPipe). */
const figureText = z.string().trim().max(FIGURE_TEXT_MAX).nullable().default(null);

/** The value's two outputs side by side in the figure: `value` (exact decimal) and `percent` (only when true). */
const flatten = <T extends { value: { value: string; percent: boolean } }>({ value, ...rest }: T) =>
  ({ ...rest, value: value.value, ...(value.percent ? { percent: true } : {}) }) as Omit<T, 'value'> & { value: string; percent?: boolean };

const figureFields = {
  value: figureValue,
  /** the writer confirms a value the plausibility check warns about (recorded with the revision) */
  confirm: z.boolean().optional(),
  basis: z.enum(['ytd', 'period']).optional(),
  status: z.enum(['preliminary', 'final']).default('final'),
  note: figureText,
  source: figureText,
  reason: figureText,
};

export const putFigureSchema = z.strictObject(figureFields).transform(flatten);
export type PutFigure = z.output<typeof putFigureSchema>;

export const batchFiguresSchema = z.strictObject({
  figures: z.array(z.strictObject({ target: targetCode, period: periodString, ...figureFields }).transform(flatten)).min(1).max(BATCH_MAX_FIGURES),
});
export type BatchFigures = z.output<typeof batchFiguresSchema>;
type BatchFigure = BatchFigures['figures'][number];

const FIGURE_KEYS = new Set(['target', 'period', 'value', 'basis', 'status', 'note', 'source', 'reason', 'confirm']);

/** A figure text as figureText gives it, or undefined when only zod can say (too long, not a string, no clean text). */
function text(v: unknown, multiline: boolean): string | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > FIGURE_TEXT_MAX || !isCleanText(v, multiline)) return undefined;
  return v.trim();
}

/**
 * `batchFiguresSchema` for a body it accepts, without zod: the same output. Returns null whenever zod
 * might answer otherwise, and the caller then runs zod for the errors; each check is the schema's own.
 */
export function parseBatchFast(body: unknown): BatchFigures | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'figures') return null;
  const input = (body as { figures: unknown }).figures;
  if (!Array.isArray(input) || input.length < 1 || input.length > BATCH_MAX_FIGURES) return null;
  const figures = new Array<BatchFigure>(input.length);
  for (let i = 0; i < input.length; i++) {
    const f = input[i] as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || Array.isArray(f) || Object.getPrototypeOf(f) !== Object.prototype) return null;
    for (const key in f) if (!FIGURE_KEYS.has(key) || !Object.hasOwn(f, key)) return null;
    const { target, period, value: rawValue, basis, status } = f;
    if (typeof target !== 'string' || !TARGET_CODE.test(target)) return null;
    if (typeof period !== 'string' || parsePeriod(period) === null) return null;
    let value: string;
    let percent = false;
    if (typeof rawValue === 'number') {
      const checked = checkDecimal(rawValue);
      if (isDecimalError(checked)) return null;
      value = checked;
    } else if (typeof rawValue === 'string') {
      const parsed = parseNumberInput(rawValue);
      if (!parsed.ok) return null;
      ({ value, percent } = parsed);
    } else return null;
    const confirm = f.confirm;
    if (confirm !== undefined && typeof confirm !== 'boolean') return null;
    if (basis !== undefined && basis !== 'ytd' && basis !== 'period') return null;
    if (status !== undefined && status !== 'final' && status !== 'preliminary') return null;
    const note = text(f.note, true);
    const source = text(f.source, false);
    const reason = text(f.reason, true);
    if (note === undefined || source === undefined || reason === undefined) return null;
    const figure: BatchFigure = { target, period, value, status: status ?? 'final', note, source, reason };
    if (basis !== undefined) figure.basis = basis;
    if (confirm !== undefined) figure.confirm = confirm;
    if (percent) figure.percent = true;
    figures[i] = figure;
  }
  return { figures };
}

/** The batch body: parseBatchFast, or ZodPipe for anything it leaves (every error as before). */
export class BatchFiguresPipe implements PipeTransform<unknown, BatchFigures> {
  private readonly zod = new ZodPipe(batchFiguresSchema);

  transform(value: unknown): BatchFigures {
    return parseBatchFast(value) ?? this.zod.transform(value);
  }
}
