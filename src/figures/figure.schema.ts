import { z } from 'zod';
import { decimalValue, periodString } from '../common/values.js';
import { targetCode } from '../targets/target.schema.js';

const figureFields = {
  value: decimalValue,
  basis: z.enum(['ytd', 'period']).optional(),
  status: z.enum(['preliminary', 'final']).default('final'),
  note: z.string().trim().max(2000).nullable().default(null),
  source: z.string().trim().max(2000).nullable().default(null),
  reason: z.string().trim().max(2000).nullable().default(null),
};

export const putFigureSchema = z.strictObject(figureFields);
export type PutFigure = z.output<typeof putFigureSchema>;

export const batchFiguresSchema = z.strictObject({
  figures: z.array(z.strictObject({ target: targetCode, period: periodString, ...figureFields })).min(1).max(20_000),
});
export type BatchFigures = z.output<typeof batchFiguresSchema>;
