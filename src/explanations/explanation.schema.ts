import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { departmentCode } from '../departments/department.schema.js';

/** The longest 原因分析 or 下步措施 taken (characters). */
export const EXPLANATION_MAX_CHARS = 4000;

/** A reporting quarter: 2026Q3. */
export const quarterString = z.string().regex(/^\d{4}Q[1-4]$/, '期间须为季度，如 2026Q3 (period must be a quarter, e.g. 2026Q3)');

const text = (zh: string, en: string) =>
  z.string({ error: `须填写${zh} (${en} is required)` }).trim()
    .min(1, `须填写${zh} (${en} is required)`)
    .max(EXPLANATION_MAX_CHARS, `${zh}不超过 ${EXPLANATION_MAX_CHARS} 字 (${en}: at most ${EXPLANATION_MAX_CHARS} characters)`);

/** PUT /targets/{code}/explanations/{period}: 原因分析 and 下步措施, both required. */
export const putExplanationSchema = z.strictObject({
  cause: text('原因分析', 'cause'),
  measures: text('下步措施', 'measures'),
});
export type PutExplanation = z.output<typeof putExplanationSchema>;

/** POST …/return: why it goes back. */
export const returnExplanationSchema = z.strictObject({
  reason: z.string({ error: '须说明退回原因 (a reason is required)' }).trim()
    .min(1, '须说明退回原因 (a reason is required)').max(1000, '退回原因不超过 1000 字 (reason: at most 1000 characters)'),
});
export type ReturnExplanation = z.output<typeof returnExplanationSchema>;

export const explanationStates = ['due', 'submitted', 'returned', 'accepted'] as const;

export const explanationsQuerySchema = z.strictObject({
  period: quarterString.optional(),
  state: z.enum(explanationStates).optional(),
  department: departmentCode.optional(),
  ...pageParams,
});
export type ExplanationsQuery = z.output<typeof explanationsQuerySchema>;
