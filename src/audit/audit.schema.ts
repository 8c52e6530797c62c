import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { instant } from '../common/values.js';


export const auditQuerySchema = z.strictObject({
  entity: z.string().max(50).optional(),
  entityId: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  /** inclusive; a bare date is its start, China time */
  from: instant('start').optional(),
  /** exclusive; a bare date is its start, China time */
  to: instant('start').optional(),
  ...pageParams,
});
export type AuditQuery = z.output<typeof auditQuerySchema>;
