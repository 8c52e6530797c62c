import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { periodString } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';

const reasonText = z.string().trim().max(2000);

/** POST …/approve: a reason only for a published (locked) period. */
export const approveFigureSchema = z.strictObject({ reason: reasonText.nullable().optional() });
export type ApproveFigure = z.output<typeof approveFigureSchema>;

/** POST …/return: why (required). */
export const returnFigureSchema = z.strictObject({ reason: reasonText.min(1, '退回须填写原因 (a return needs a reason)') });
export type ReturnFigure = z.output<typeof returnFigureSchema>;

/** POST /figure-reviews/approve: the submissions to approve, all or none. */
export const approveManySchema = z.strictObject({
  submissions: z.array(z.number().int().positive()).min(1).max(10_000),
  reason: reasonText.nullable().optional(),
});
export type ApproveMany = z.output<typeof approveManySchema>;

/** GET /figure-reviews: the open submissions, filtered. */
export const reviewQuerySchema = z.strictObject({
  ...pageParams,
  department: departmentCode.optional(),
  period: periodString.optional(),
  state: z.enum(['pending', 'returned']).optional(),
});
export type ReviewQueryInput = z.output<typeof reviewQuerySchema>;
