import { z } from 'zod';

/** A reporting quarter: 2026Q3. */
export const quarterString = z.string().regex(/^\d{4}Q[1-4]$/, '季度格式应为 YYYYQn，如 2026Q3 (a quarter: YYYYQn, e.g. 2026Q3)');

export const draftReportSchema = z.strictObject({
  /** the reporting quarter the 通报 is drafted for, from the latest completed run reporting on it */
  period: quarterString,
});
export type DraftReport = z.output<typeof draftReportSchema>;

export const listReportsSchema = z.strictObject({ period: quarterString.optional() });
export type ListReports = z.output<typeof listReportsSchema>;

export const documentQuerySchema = z.strictObject({
  /** `true`: render the document again from the stored model (the same bytes as the stored one) */
  fresh: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type DocumentQuery = z.output<typeof documentQuerySchema>;
