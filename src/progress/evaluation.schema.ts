import { z } from 'zod';
import { departmentCode } from '../departments/department.schema.js';
import { STATUSES } from '../evaluation/evaluation.types.js';

const instant = z.iso
  .datetime({ offset: true, message: '须为带时区的 ISO 8601 时间，如 2025-01-31T00:00:00+08:00 (ISO 8601 with offset)' })
  .or(z.iso.date({ message: '须为日期 YYYY-MM-DD 或 ISO 8601 时间 (date or date-time)' }))
  // A bare date means the end of that day, China time.
  .transform((v) => new Date(v.length === 10 ? `${v}T23:59:59.999+08:00` : v));

export const asOfQuerySchema = z.strictObject({ asOf: instant.optional() });
export type AsOfQuery = z.output<typeof asOfQuerySchema>;

export const createRunSchema = z.strictObject({ asOf: instant.optional() });
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
