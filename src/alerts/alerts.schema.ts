import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { emailAddress, instant } from '../common/values.js';
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

export const notificationsQuerySchema = z.strictObject({
  status: z.enum(['pending', 'sending', 'sent', 'failed']).optional(),
  recipient: z.string().max(200).optional(),
  reason: z.enum(['digest', 'reminder', 'binding_alert']).optional(),
  ...pageParams,
});
export type NotificationsQuery = z.output<typeof notificationsQuerySchema>;

export const previewQuerySchema = z.strictObject({ recipient: z.string().trim().toLowerCase().min(3).max(200) });

const recipientFields = {
  name: z.string().trim().max(100).nullable(),
  department: departmentCode.nullable(),
  subscriber: z.boolean(),
  language: z.enum(['zh-CN', 'en']),
  enabled: z.boolean(),
};
export const createRecipientSchema = z.strictObject({
  email: emailAddress,
  name: recipientFields.name.default(null),
  department: recipientFields.department.default(null),
  subscriber: recipientFields.subscriber.default(false),
  language: recipientFields.language.default('zh-CN'),
  enabled: recipientFields.enabled.default(true),
});
export type CreateRecipient = z.output<typeof createRecipientSchema>;
export const updateRecipientSchema = z.strictObject({
  name: recipientFields.name.optional(),
  department: recipientFields.department.optional(),
  subscriber: recipientFields.subscriber.optional(),
  language: recipientFields.language.optional(),
  enabled: recipientFields.enabled.optional(),
});
export type UpdateRecipient = z.output<typeof updateRecipientSchema>;
