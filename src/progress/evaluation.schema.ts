import { z } from 'zod';
import { instant } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';
import { STATUSES } from '../evaluation/evaluation.types.js';

// A bare date means the end of that day, China time.
const asOf = instant('end');

export const asOfQuerySchema = z.strictObject({ asOf: asOf.optional() });
export type AsOfQuery = z.output<typeof asOfQuerySchema>;

export const createRunSchema = z.strictObject({ asOf: asOf.optional() });
export type CreateRun = z.output<typeof createRunSchema>;

export const latestQuerySchema = z.strictObject({
  status: z.enum(STATUSES as [string, ...string[]]).optional(),
  department: departmentCode.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});
export type LatestQuery = z.output<typeof latestQuerySchema>;

export const runListSchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export type RunListQuery = z.output<typeof runListSchema>;
