import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { instant } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';
import { targetCode } from '../targets/target.schema.js';

export const createSilenceSchema = z
  .strictObject({
    target: targetCode.optional(),
    department: departmentCode.optional(),
    until: instant('end'), // a bare date silences through the end of that day
    reason: z.string().trim().min(1, '须说明原因 (a reason is required)').max(1000),
  })
  .refine((s) => (s.target === undefined) !== (s.department === undefined), {
    message: '须且只能指定 target 或 department 之一 (give either target or department)',
    path: ['target'],
  });
export type CreateSilence = z.output<typeof createSilenceSchema>;

export const alertsQuerySchema = z.strictObject({
  state: z.enum(['firing', 'resolved']).optional(),
  kind: z.enum(['lagging', 'at_risk', 'data_overdue']).optional(),
  department: departmentCode.optional(),
  ...pageParams,
});
export type AlertsQuery = z.output<typeof alertsQuerySchema>;
