import { z } from 'zod';
import { pageParams } from '../common/paging.js';
import { MAX_YEAR, MIN_YEAR } from '../evaluation/periods.js';

const QUARTER = '季度格式应为 YYYYQn，如 2026Q3 (a quarter: YYYYQn, e.g. 2026Q3)';

/** A reporting quarter: 2026Q3, of a year the periods support (its end and the next quarter's too). */
export const quarterString = z.string().regex(/^\d{4}Q[1-4]$/, QUARTER).refine((p) => {
  const year = Number(p.slice(0, 4));
  return year >= MIN_YEAR && year < MAX_YEAR;
}, `年份须在 ${MIN_YEAR}–${MAX_YEAR - 1} 之间 (a year from ${MIN_YEAR} to ${MAX_YEAR - 1})`);

export const draftReportSchema = z.strictObject({
  /** the reporting quarter the 通报 is drafted for, from the latest completed run reporting on it */
  period: quarterString,
});
export type DraftReport = z.output<typeof draftReportSchema>;

export const listReportsSchema = z.strictObject({ period: quarterString.optional(), ...pageParams });
export type ListReports = z.output<typeof listReportsSchema>;

export const documentQuerySchema = z.strictObject({
  /** `true`: render the document again from the stored model (the same bytes as the stored one) */
  fresh: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type DocumentQuery = z.output<typeof documentQuerySchema>;
