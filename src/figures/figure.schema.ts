import { z } from 'zod';
import { decimalValue, periodString } from '../common/values.js';
import { targetCode } from '../targets/target.schema.js';
import { BATCH_MAX_FIGURES } from './batch-limits.js';

/** Free text of a figure (U+0000 is refused for every body by ZodPipe). */
const figureText = z.string().trim().max(2000).nullable().default(null);

const figureFields = {
  value: decimalValue,
  basis: z.enum(['ytd', 'period']).optional(),
  status: z.enum(['preliminary', 'final']).default('final'),
  note: figureText,
  source: figureText,
  reason: figureText,
};

export const putFigureSchema = z.strictObject(figureFields);
export type PutFigure = z.output<typeof putFigureSchema>;

export const batchFiguresSchema = z.strictObject({
  figures: z.array(z.strictObject({ target: targetCode, period: periodString, ...figureFields })).min(1).max(BATCH_MAX_FIGURES),
});
export type BatchFigures = z.output<typeof batchFiguresSchema>;
