import { z } from 'zod';
import { passwordWeakness } from './password.js';

/** A password a user may choose: long enough and not a common one (users/ checks new accounts with it too). */
export const newPassword = z.string().superRefine((p, ctx) => {
  const weakness = passwordWeakness(p);
  if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
});

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

export const changePasswordSchema = z.strictObject({ password: currentPassword, newPassword });
export type ChangePassword = z.output<typeof changePasswordSchema>;

export const renewTokenSchema = z.strictObject({ expiresInDays, password: currentPassword });
export type RenewToken = z.output<typeof renewTokenSchema>;
