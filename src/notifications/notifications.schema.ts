import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { emailAddress } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';

export const notificationsQuerySchema = z.strictObject({
  status: z.enum(['pending', 'sending', 'sent', 'failed']).optional(),
  recipient: z.string().max(200).optional(),
  reason: z.enum(['digest', 'reminder', 'binding_alert', 'report']).optional(),
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
