import { z } from 'zod';
import { periodString } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const applyQuerySchema = z.strictObject({
  /** write the rows without errors and list the others as skipped (default: any error writes nothing) */
  skipInvalid: flag.optional(),
  /** write the values the plausibility check warns about (the revisions record the confirmed warning) */
  confirmWarnings: flag.optional(),
});
export type ApplyQuery = z.output<typeof applyQuerySchema>;

export const uploadQuerySchema = applyQuerySchema.extend({
  /** preview and, when there is no error (or with skipInvalid), apply at once */
  apply: flag.optional(),
});
export type UploadQuery = z.output<typeof uploadQuerySchema>;


export const statusExportQuerySchema = z.strictObject({ department: departmentCode.optional() });
export type StatusExportQuery = z.output<typeof statusExportQuerySchema>;

export const figuresExportQuerySchema = z.strictObject({
  department: departmentCode.optional(),
  from: periodString.optional(),
  to: periodString.optional(),
});
export type FiguresExportQuery = z.output<typeof figuresExportQuerySchema>;
