import { notFound } from '../../common/domain-error.js';

/** A query-string value as text, cut to `max`; '' when absent or repeated. */
export const queryText = (v: unknown, max = 200): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** A numeric id from the path; anything else is an unknown page. */
export const intId = (id: string): number => {
  if (!/^\d{1,9}$/.test(id)) throw notFound(id);
  return Number(id);
};
