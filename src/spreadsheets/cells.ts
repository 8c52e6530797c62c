/** Pure helpers shared by the spreadsheet import and exports. */

/**
 * A text cell starting with one of these runs as a formula in Excel, LibreOffice or Sheets (OWASP "CSV
 * injection"); the full-width forms too, which some CJK locales accept.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/**
 * A `;` or tab before a formula character: a reader splitting there starts a cell, and quoting the field
 * does not help, so that cell must be neutralised too.
 */
const SEPARATED_FORMULA = /([;\t])(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;
const SEPARATED_NEUTRALISED = /([;\t])'(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

/** Prefixes a single quote to text that a spreadsheet would read as a formula; other text is returned as is. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** For CSV: `neutralise`, and a single quote after every `;` or tab that a formula character follows. */
export function neutraliseSeparated(text: string): string {
  return neutralise(text).replace(SEPARATED_FORMULA, "$1'");
}

/** The inverse of `neutralise` and `neutraliseSeparated` for text read back from a file (so an exported note imports unchanged). */
export function unneutralise(text: string): string {
  const joined = text.replace(SEPARATED_NEUTRALISED, '$1');
  return joined.startsWith("'") && FORMULA_START.test(joined.slice(1)) ? joined.slice(1) : joined;
}

export const MAX_SHEET_NAME = 31;
const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\\u0000-\u001f]/g;

/** A valid Excel sheet name for `name`, made unique against `taken` (case-insensitively, as Excel does). */
export function sheetName(name: string, taken: Iterable<string> = [], fallback = 'Sheet'): string {
  let base = name.replace(SHEET_NAME_FORBIDDEN, '_').trim().replace(/^'+|'+$/g, '').trim();
  if (!base || base.toLowerCase() === 'history') base = base ? `${base}_` : fallback;
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  const fit = (text: string, suffix = '') => [...text].slice(0, MAX_SHEET_NAME - suffix.length).join('').trimEnd() + suffix;
  let candidate = fit(base);
  for (let n = 2; used.has(candidate.toLowerCase()); n += 1) candidate = fit(base, ` (${n})`);
  return candidate;
}

/** An exact decimal (PostgreSQL numeric text) written to CSV as the number it is. */
export interface DecimalCell { decimal: string }
export type CsvValue = string | number | DecimalCell | null | undefined;

/** Fields holding a separator some reader honours are quoted; `neutraliseSeparated` covers quote-blind readers. */
const CSV_NEEDS_QUOTES = /[",;\t\r\n]|^\s|\s$/;

/** One CSV field: numbers as they are, text neutralised and quoted when needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'object') return /^-?\d+(\.\d+)?$/.test(value.decimal) ? value.decimal : csvField(value.decimal);
  const text = neutraliseSeparated(value);
  return CSV_NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const UTF8_BOM = '\uFEFF';

/** CSV text as Excel opens it without asking: UTF-8 with a BOM, CRLF line ends. */
export function csvBuffer(rows: readonly (readonly CsvValue[])[]): Buffer {
  return Buffer.from(UTF8_BOM + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n', 'utf8');
}

/** `Content-Disposition: attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';
