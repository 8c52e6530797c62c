import { z } from 'zod';

/** What every collection GET of the API answers: one page of items, and how many there are in all. */
export interface Page<T> {
  items: T[];
  /** 1-based */
  page: number;
  pageSize: number;
  /** items in the whole collection (with the filters given) */
  total: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

/** `page` and `pageSize`, validated alike on every collection (spread into a collection's query schema). */
export const pageParams = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
};

/** The query of a collection without filters of its own. */
export const pageQuerySchema = z.strictObject(pageParams);
export type PageQuery = z.output<typeof pageQuerySchema>;

export const offsetOf = (q: PageQuery): number => (q.page - 1) * q.pageSize;

/** A page of a short list read whole (departments, users, a figure's revisions…). */
export function pageOf<T>(all: readonly T[], q: PageQuery): Page<T> {
  const from = offsetOf(q);
  return { items: all.slice(from, from + q.pageSize), page: q.page, pageSize: q.pageSize, total: all.length };
}

/** `sort` of a collection: one of `fields`, `-` before it for descending. */
export function sortParam<F extends string>(fields: readonly [F, ...F[]], fallback: F) {
  const values = fields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];
  return z.enum(values, { error: `排序字段须为 ${fields.join('、')} 之一，前加 - 为降序 (sort: one of ${fields.join(', ')}, - for descending)` })
    .default(fallback)
    .transform((v) => ({ field: (v.startsWith('-') ? v.slice(1) : v) as F, descending: v.startsWith('-') }));
}
