import { z } from 'zod';
import { emailAddress } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';
import { passwordWeakness } from '../auth/password.js';

const password = z.string().superRefine((p, ctx) => {
  const weakness = passwordWeakness(p);
  if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
});
const role = z.enum(['admin', 'planner', 'department', 'viewer']);

export const createUserSchema = z.strictObject({
  email: emailAddress,
  password,
  role,
  department: departmentCode.nullable().default(null),
});
export type CreateUser = z.output<typeof createUserSchema>;

export const updateUserSchema = z.strictObject({
  password: password.optional(),
  role: role.optional(),
  department: departmentCode.nullable().optional(),
  /** true ends the user's sessions and revokes its API tokens */
  disabled: z.boolean().optional(),
});
export type UpdateUser = z.output<typeof updateUserSchema>;

export const loginSchema = z.strictObject({ email: z.string().max(200), password: z.string().max(200) });
export type Login = z.output<typeof loginSchema>;

export const refreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(200) });
export type Refresh = z.output<typeof refreshSchema>;

export const createTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
});
export type CreateToken = z.output<typeof createTokenSchema>;
