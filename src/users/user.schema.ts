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
  /** a new password ends the user's sessions and revokes its API tokens */
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

/** Re-entered on every operation that makes or lengthens a credential, whichever session asks. */
const currentPassword = z.string().min(1, '请输入当前密码 (your current password is required)').max(200);
/** Days until the token expires; API_TOKEN_DAYS when left out, and at most that many. */
const expiresInDays = z.number().int().min(1).max(3650).optional();

export const createTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  expiresInDays,
  password: currentPassword,
});
export type CreateToken = z.output<typeof createTokenSchema>;

export const changePasswordSchema = z.strictObject({ password: currentPassword, newPassword: password });
export type ChangePassword = z.output<typeof changePasswordSchema>;

export const renewTokenSchema = z.strictObject({ expiresInDays, password: currentPassword });
export type RenewToken = z.output<typeof renewTokenSchema>;
