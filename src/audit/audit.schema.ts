import { z } from 'zod';

const instant = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((v) => new Date(v.length === 10 ? `${v}T00:00:00+08:00` : v));

export const auditQuerySchema = z.strictObject({
  entity: z.string().max(50).optional(),
  entityId: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  /** inclusive; a bare date is its start, China time */
  from: instant.optional(),
  /** exclusive; a bare date is its start, China time */
  to: instant.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.output<typeof auditQuerySchema>;
