import { z } from 'zod';
import { pageParams, sortParam } from '../common/paging.js';
import { instant } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';
import { STATUSES } from '../evaluation/evaluation.types.js';

// A bare date means the end of that day, China time.
const asOf = instant('end');

export const asOfQuerySchema = z.strictObject({ asOf: asOf.optional() });
export type AsOfQuery = z.output<typeof asOfQuerySchema>;

export const createRunSchema = z.strictObject({ asOf: asOf.optional() });
export type CreateRun = z.output<typeof createRunSchema>;

export const LATEST_SORTS = ['code', 'name', 'department', 'status', 'completion', 'elapsed', 'pace', 'gap', 'latestValue'] as const;

export const latestQuerySchema = z.strictObject({
  status: z.enum(STATUSES as [string, ...string[]]).optional(),
  department: departmentCode.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** the dashboard's columns; status sorts worst first */
  sort: sortParam(LATEST_SORTS, 'code'),
  ...pageParams,
});
export type LatestQuery = z.output<typeof latestQuerySchema>;

