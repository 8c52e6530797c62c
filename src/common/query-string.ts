import { parse } from 'node:querystring';

/** Query strings: an empty parameter is left out, so no filter ever matches ''; a repeated name is a list. */
export function parseQueryString(text: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of Object.entries(parse(text))) {
    const values = [value ?? []].flat().filter((v) => v.trim() !== '');
    if (values.length) query[name] = values.length === 1 && !Array.isArray(value) ? values[0] : values;
  }
  return query;
}

/** A URL with a query string; empty values are left out. */
export function href(path: string, query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
