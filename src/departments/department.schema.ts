import { z } from 'zod';

export const departmentCode = z.string().regex(/^[A-Z][A-Z0-9-]{1,39}$/, '代码须为大写字母开头的 2–40 位大写字母、数字或连字符 (code: ^[A-Z][A-Z0-9-]{1,39}$)');

export const createDepartmentSchema = z.strictObject({
  code: departmentCode,
  name: z.string().trim().min(1).max(100),
  emails: z.array(z.email()).max(50).default([]),
});
export type CreateDepartment = z.output<typeof createDepartmentSchema>;

/** PATCH: the name and the contact emails (the code is the department's identity). */
export const updateDepartmentSchema = createDepartmentSchema.pick({ name: true, emails: true }).partial();
export type UpdateDepartment = z.output<typeof updateDepartmentSchema>;
