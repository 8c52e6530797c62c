import { z } from 'zod';
import { newPassword as password } from '../auth/auth.schema.js';
import { emailAddress } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';

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
