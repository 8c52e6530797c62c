import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { parseNumberInput } from '../common/number-input.js';
import { parsePeriod } from '../evaluation/periods.js';
import { TARGET_CODE, targetCode } from '../targets/target.schema.js';
import { unneutralise } from './cells.js';
import { corruptXlsx, withoutSheetExtras, workbookNamedCsv, xlsxProblem } from './xlsx-file.js';
import { readPeriodWording } from './period-wording.js';
import { unitInText } from './unit-conversion.js';
import { type Cell, readXlsxRows, TooManyRows, XlsxTooLarge, XlsxUnreadable } from './xlsx-reader.js';

/**
 * Reads a spreadsheet of figures (.xlsx or .csv) into rows with their spreadsheet row numbers and
 * per-row syntax errors. Pure: no database; whether a target exists or may be written is checked later.
 */

export type FigureField = 'target' | 'period' | 'value' | 'basis' | 'note';
/** The columns read: a figure's fields, and the target's name and the value's unit as the sheet gives them. */
export type SheetField = FigureField | 'name' | 'unit';

export interface RowError {
  field: SheetField;
  message: string;
}

/** One data row: valid fields normalised, a field with an error kept as written. */
export interface SheetRow {
  /** the row number the spreadsheet shows (1-based) */
  row: number;
  target: string | null;
  period: string | null;
  value: string | null;
  /** null when blank: the target's default applies (ytd) */
  basis: string | null;
  note: string | null;
  /** the target's name (or an alias) as written, when the sheet has a name column */
  name: string | null;
  /** the value's unit as written: the row's 单位 cell, else the sheet's 单位：… line; null when neither */
  unit: string | null;
  /** a period as the bureau words it (2025年1-9月): `period` is null until resolved against the target's frequency */
  periodText: string | null;
  errors: RowError[];
}

export interface ParsedSheet {
  format: 'xlsx' | 'csv';
  /** how a CSV was decoded; null for xlsx */
  encoding: TextEncoding | null;
  /** the worksheet read (xlsx) */
  sheet: string | null;
  headerRow: number;
  /** the unit a line above the header gives (单位：亿元), if any */
  unit: string | null;
  rows: SheetRow[];
}

/** The file as a whole cannot be read: wrong type, corrupt, no header, a required column missing, too big. */
export class SpreadsheetError extends Error {
  readonly path = 'file';
}

/** The file passes a size limit (unpacked size, cells): 413 rather than 422. */
export class SpreadsheetTooLarge extends SpreadsheetError {}

export const MAX_ROWS = 100_000;
export const MAX_NOTE = 2000;
/** The header is looked for in this many first non-blank rows (a note may stand above it). */
const HEADER_SEARCH_ROWS = 10;

export const COLUMN_LABELS: Record<FigureField, string> = {
  target: '指标代码', period: '期间', value: '数值', basis: '口径', note: '备注',
};
const LABELS: Record<SheetField, string> = { ...COLUMN_LABELS, name: '指标名称', unit: '单位' };
/** Required besides a column naming the target (指标代码 or 指标名称). */
const REQUIRED: SheetField[] = ['period', 'value'];

/** Header names per field, compared after `headerKey`. */
const ALIASES: Record<SheetField, string[]> = {
  target: ['指标代码', '代码', '指标编码', 'code', 'target', 'targetcode'],
  name: ['指标名称', '指标', '名称', '指标名', 'name', 'targetname'],
  unit: ['单位', '计量单位', 'unit'],
  period: ['期间', '报告期', '时期', 'period'],
  value: ['数值', '实际值', '值', 'value'],
  basis: ['口径', '统计口径', 'basis'],
  note: ['备注', '说明', 'note', 'notes'],
};
const FIELD_OF = new Map(Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [n, field as SheetField])));

/** `数值 (value)`, ` Value* `, `指标代码（必填）` → `数值`, `value`, `指标代码`. */
function headerKey(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s*\([^)]*\)\s*$/, '').replace(/[\s*_]/g, '').toLowerCase();
}


// Files → cells

export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** UTF-16 with its BOM, else UTF-8 when valid, else GB18030 (as Excel saves CSV in China). */
export function decodeText(buffer: Buffer): { text: string; encoding: TextEncoding } {
  const bom = buffer.length >= 2 ? buffer.readUInt16BE(0) : 0;
  if (bom === 0xfffe || bom === 0xfeff) {
    const encoding = bom === 0xfffe ? 'utf-16le' : 'utf-16be';
    return { text: new TextDecoder(encoding).decode(buffer), encoding };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(buffer), encoding: 'gb18030' };
  }
}

function detectDelimiter(text: string): string {
  const head = text.slice(0, 4096).split(/\r\n|\n|\r/).slice(0, 5).join('\n');
  const count = (d: string) => head.split(d).length - 1;
  return [',', ';', '\t'].reduce((best, d) => (count(d) > count(best) ? d : best), ',');
}

/** Fast path for quote-free text with one kind of line end: csv-parse's records exactly, or null. */
function splitPlainCsv(text: string, delimiter: string): string[][] | null {
  if (text.includes('"')) return null;
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let lineEnd = '\n';
  if (body.includes('\r')) {
    lineEnd = '\r\n';
    // only CRLF: every CR is followed by LF and every LF preceded by CR
    const crlf = body.split('\r\n').length - 1;
    if (body.split('\r').length - 1 !== crlf || body.split('\n').length - 1 !== crlf) return null;
  }
  if (!body) return [];
  if (body.endsWith(lineEnd)) body = body.slice(0, -lineEnd.length);
  const lines = body.split(lineEnd);
  const records: string[][] = new Array(lines.length);
  for (let i = 0; i < lines.length; i += 1) records[i] = lines[i].split(delimiter);
  return records;
}

function csvRows(buffer: Buffer): { rows: { row: number; cells: Cell[] }[]; encoding: TextEncoding } {
  const { text, encoding } = decodeText(buffer);
  if (text.includes('\u0000')) throw new SpreadsheetError(workbookNamedCsv(buffer) ?? '文件不是文本格式的 CSV (not a text CSV file)');
  let records: string[][];
  try {
    const delimiter = detectDelimiter(text);
    records = splitPlainCsv(text, delimiter) ?? parseCsv(text, {
      delimiter, relax_column_count: true, skip_empty_lines: false, bom: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new SpreadsheetError(`CSV 格式有误${line ? `（第 ${line} 行附近）` : ''}，请检查引号 (malformed CSV: ${(error as Error).message})`);
  }
  return { rows: records.map((cells, i) => ({ row: i + 1, cells })), encoding };
}

function cellValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || value instanceof Date) return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) {
      const { formula, result } = value as { formula?: string; result?: ExcelJS.CellValue };
      // openpyxl and other scripts store formulas without a computed result: the formula is then the cell's text
      return result === undefined && formula ? `=${formula}` : cellValue(result ?? null);
    }
    if ('hyperlink' in value) return cellValue((value as { text: ExcelJS.CellValue }).text);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

/** What an .xlsx file may unpack to and hold (IMPORT_MAX_UNPACKED_MB, IMPORT_MAX_CELLS). */
export interface SheetLimits {
  unpackedBytes: number;
  cells: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = { unpackedBytes: 100 * 1024 * 1024, cells: 2_000_000 };

/** Rows of a sheet past which the file is too big (a few blank or note rows besides the data). */
const ROW_LIMIT = MAX_ROWS + HEADER_SEARCH_ROWS + 1000;

/** The first visible sheet's cells, streamed and refused at the first limit passed. */
export async function xlsxRows(
  buffer: Buffer, fileName = 'upload.xlsx', limits: SheetLimits = DEFAULT_SHEET_LIMITS,
): Promise<{ rows: { row: number; cells: Cell[] }[]; sheet: string }> {
  const problem = xlsxProblem(buffer);
  if (problem) throw new SpreadsheetError(problem);
  try {
    return await readXlsxRows(buffer, fileName, { ...limits, rows: ROW_LIMIT });
  } catch (error) {
    if (error instanceof XlsxTooLarge) throw new SpreadsheetTooLarge(error.message);
    if (error instanceof XlsxUnreadable) throw new SpreadsheetError(error.message);
    if (error instanceof TooManyRows) throw tooMany();
    throw error;
  }
}

/** The same with exceljs loading the whole workbook: the specs' reference, never used on an upload. */
export async function loadedXlsxRows(buffer: Buffer): Promise<{ rows: { row: number; cells: Cell[] }[]; sheet: string }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (error) {
    // exceljs' loader fails on sheet relationships it cannot follow (comments as openpyxl writes them): once more without.
    const plain = withoutSheetExtras(buffer);
    if (!plain) throw new SpreadsheetError(corruptXlsx(error));
    await workbook.xlsx.load(plain as unknown as ArrayBuffer).catch((again: unknown) => {
      throw new SpreadsheetError(corruptXlsx(again));
    });
  }
  const sheet = workbook.worksheets.find((w) => w.state !== 'hidden' && w.state !== 'veryHidden') ?? workbook.worksheets[0];
  if (!sheet) throw new SpreadsheetError('Excel 文件中没有工作表 (the workbook has no sheet)');
  const rows: { row: number; cells: Cell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const values = row.values as ExcelJS.CellValue[]; // 1-based, index 0 unused
    rows.push({ row: number, cells: values.slice(1).map(cellValue) });
  });
  return { rows, sheet: sheet.name };
}

const tooMany = () => new SpreadsheetError(`数据行超过 ${MAX_ROWS.toLocaleString('en-US')} 行，请分批导入 (more than ${MAX_ROWS} rows)`);

// Cells → fields

const FIELDS = ['target', 'period', 'value', 'basis', 'note', 'name', 'unit'] as const;

/** `text(cell) === ''`, without building the text of numbers and dates. */
const isBlank = (cell: Cell | undefined): boolean =>
  cell === null || cell === undefined || (typeof cell === 'string' && (cell === '' || cell.trim() === ''));

const text = (cell: Cell): string => {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell).trim();
};

/** Printable ASCII without spaces: NFKC, trimming and removing whitespace leave such text as it is. */
const PLAIN_ASCII = /^[\x21-\x7e]+$/;

function parseTarget(cell: Cell): { value: string | null; error?: string } {
  // fast path: already a valid code (what targetCode accepts, unchanged by trim, NFKC and upper-casing)
  if (typeof cell === 'string' && TARGET_CODE.test(cell)) return { value: cell };
  const code = text(cell).normalize('NFKC').toUpperCase();
  if (!code) return { value: null, error: '缺少指标代码 (code is missing)' };
  const checked = targetCode.safeParse(code);
  return checked.success ? { value: code } : { value: code, error: checked.error.issues[0].message };
}

const PERIOD_HINT = '期间格式应为 2025Q3、2025年三季度、2025年1-9月、2025年9月、2025-07 或 2025 (period must be like 2025Q3, 2025年1-9月, 2025-07 or 2025)';

function parsePeriodCell(cell: Cell): { value: string | null; error?: string; wording?: string } {
  if (cell instanceof Date) {
    // Excel turns a typed "2025-07" into the date 2025-07-01: the month is meant.
    const ok = cell.getUTCDate() === 1 && cell.getUTCHours() === 0 && cell.getUTCMinutes() === 0;
    const month = `${cell.getUTCFullYear()}-${String(cell.getUTCMonth() + 1).padStart(2, '0')}`;
    return ok && parsePeriod(month) ? { value: month } : { value: text(cell), error: PERIOD_HINT };
  }
  const raw = text(cell);
  if (!raw) return { value: null, error: '缺少期间 (period is missing)' };
  const p = PLAIN_ASCII.test(raw) ? raw.toUpperCase() : raw.normalize('NFKC').toUpperCase().replace(/\s+/g, '');
  const month = /^(\d{4})(?:-|M)(\d{1,2})$/.exec(p);
  const period = month ? `${month[1]}-${month[2].padStart(2, '0')}` : p;
  if (parsePeriod(period)) return { value: period };
  // 2025年1-9月 and the like: resolved once the target (and its frequency) is known
  return readPeriodWording(raw) ? { value: null, wording: raw } : { value: raw, error: PERIOD_HINT };
}

/** The value in the one number grammar (parseNumberInput); a trailing % is the value's unit. */
function parseValue(cell: Cell): { value: string | null; error?: string; unit?: string } {
  if (cell instanceof Date) return { value: text(cell), error: '数值不能是日期 (value must be a number, not a date)' };
  if (typeof cell === 'string' && isBlank(cell)) return { value: null, error: '缺少数值 (value is missing)' };
  const input = typeof cell === 'number' ? cell : text(cell);
  if (input === '') return { value: null, error: '缺少数值 (value is missing)' };
  const parsed = parseNumberInput(input);
  if (!parsed.ok) return { value: String(input), error: parsed.message };
  return parsed.percent ? { value: parsed.value, unit: '%' } : { value: parsed.value };
}

const BASES: Record<string, 'ytd' | 'period'> = {
  累计: 'ytd', 累计值: 'ytd', ytd: 'ytd', 当期: 'period', 当期值: 'period', period: 'period',
};

function parseBasis(cell: Cell): { value: string | null; error?: string } {
  const raw = text(cell);
  if (!raw) return { value: null };
  const basis = BASES[raw.normalize('NFKC').replace(/\s+/g, '').toLowerCase()];
  return basis ? { value: basis } : { value: raw, error: '口径须为 累计(ytd)、当期(period) 或留空 (basis must be 累计/ytd, 当期/period or blank)' };
}

function parseNote(cell: Cell): { value: string | null; error?: string } {
  const note = unneutralise(text(cell));
  if (!note) return { value: null };
  return note.length > MAX_NOTE
    ? { value: note.slice(0, 100), error: `备注不得超过 ${MAX_NOTE} 字 (note longer than ${MAX_NOTE} characters)` }
    : { value: note };
}

const MAX_NAME = 200;
const MAX_UNIT = 20;

function parseName(cell: Cell): { value: string | null; error?: string } {
  const name = text(cell);
  if (!name) return { value: null };
  return name.length > MAX_NAME ? { value: name.slice(0, 100), error: `指标名称不得超过 ${MAX_NAME} 字 (name longer than ${MAX_NAME} characters)` } : { value: name };
}

function parseUnit(cell: Cell): { value: string | null; error?: string } {
  const unit = text(cell);
  if (!unit) return { value: null };
  return unit.length > MAX_UNIT ? { value: unit.slice(0, MAX_UNIT), error: `单位不得超过 ${MAX_UNIT} 字 (unit longer than ${MAX_UNIT} characters)` } : { value: unit };
}

const PARSERS: Record<SheetField, (cell: Cell) => { value: string | null; error?: string; wording?: string; unit?: string }> = {
  target: parseTarget, period: parsePeriodCell, value: parseValue, basis: parseBasis, note: parseNote, name: parseName, unit: parseUnit,
};


function findHeader(rows: { row: number; cells: Cell[] }[]): { index: number; columns: Map<SheetField, number> } {
  const candidates = rows.slice(0, HEADER_SEARCH_ROWS);
  for (let index = 0; index < candidates.length; index += 1) {
    const columns = new Map<SheetField, number>();
    const duplicates: SheetField[] = [];
    candidates[index].cells.forEach((cell, column) => {
      const field = typeof cell === 'string' ? FIELD_OF.get(headerKey(cell)) : undefined;
      if (!field) return;
      if (columns.has(field)) duplicates.push(field);
      else columns.set(field, column);
    });
    if (!columns.size) continue;
    if (duplicates.length) {
      throw new SpreadsheetError(`表头第 ${candidates[index].row} 行中 ${duplicates.map((f) => LABELS[f]).join('、')} 列重复 (duplicate column: ${duplicates.join(', ')})`);
    }
    const missing: string[] = REQUIRED.filter((f) => !columns.has(f));
    if (!columns.has('target') && !columns.has('name')) missing.unshift('target');
    if (missing.length) {
      const label = (f: string) => (f === 'target' ? '指标代码（或指标名称）' : LABELS[f as SheetField]);
      throw new SpreadsheetError(`缺少必需的列：${missing.map(label).join('、')} (missing required column: ${missing.join(', ')})`);
    }
    return { index, columns };
  }
  throw new SpreadsheetError('未找到表头：第一行应为 指标代码（或指标名称）、期间、数值，可另有 单位、口径、备注 (no header row: expected 指标代码 or 指标名称, 期间, 数值)');
}

/** The unit a title or note line above the header gives (单位：亿元), if any. */
function unitAbove(rows: { cells: Cell[] }[]): string | null {
  for (const { cells } of rows) {
    for (const cell of cells) {
      const unit = typeof cell === 'string' ? unitInText(cell) : null;
      if (unit) return unit;
    }
  }
  return null;
}

/** The format a file name says, or a SpreadsheetError. */
export function formatOf(fileName: string): 'xlsx' | 'csv' {
  const ext = /\.([^./\\]+)$/.exec(fileName.trim())?.[1]?.toLowerCase();
  if (ext === 'xlsx' || ext === 'csv') return ext;
  throw new SpreadsheetError(
    ext === 'xls' ? '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx (old .xls is not supported: save as .xlsx)'
      : `只接受 .xlsx 或 .csv 文件${ext ? `，收到 .${ext}` : ''} (only .xlsx or .csv files)`,
  );
}

/** Reads the figures of an .xlsx or .csv file; SpreadsheetError when it cannot be read at all. */
export async function parseFigureSheet(buffer: Buffer, fileName: string, limits: SheetLimits = DEFAULT_SHEET_LIMITS): Promise<ParsedSheet> {
  const format = formatOf(fileName);
  if (!buffer.length) throw new SpreadsheetError('文件为空 (the file is empty)');
  let source: { rows: { row: number; cells: Cell[] }[]; encoding: TextEncoding | null; sheet: string | null };
  if (format === 'xlsx') {
    source = { ...(await xlsxRows(buffer, fileName, limits)), encoding: null };
  } else {
    source = { ...csvRows(buffer), sheet: null };
  }
  // The header is among the first non-blank rows; after it, rows blank in every column read are skipped.
  const nonBlank: { row: number; cells: Cell[] }[] = [];
  let next = 0;
  for (; next < source.rows.length && nonBlank.length < HEADER_SEARCH_ROWS; next += 1) {
    if (source.rows[next].cells.some((c) => !isBlank(c))) nonBlank.push(source.rows[next]);
  }
  const { index, columns } = findHeader(nonBlank);
  const data = [...nonBlank.slice(index + 1), ...source.rows.slice(next)];
  const read = FIELDS.map((field) => [field, columns.get(field) ?? -1] as const);
  const sheetUnit = unitAbove(nonBlank.slice(0, index));
  const byName = columns.has('name');
  const rows: SheetRow[] = [];
  for (const { row, cells } of data) {
    let blank = true;
    for (const [, column] of read) {
      if (column >= 0 && !isBlank(cells[column] ?? null)) {
        blank = false;
        break;
      }
    }
    if (blank) continue;
    if (rows.length >= MAX_ROWS) throw tooMany();
    const parsed: SheetRow = {
      row, target: null, period: null, value: null, basis: null, note: null, name: null, unit: null, periodText: null, errors: [],
    };
    let valueUnit: string | undefined;
    for (const [field, column] of read) {
      const { value, error, wording, unit } = PARSERS[field](column >= 0 ? cells[column] ?? null : null);
      parsed[field] = value;
      if (wording) parsed.periodText = wording;
      if (unit) valueUnit = unit;
      if (error) parsed.errors.push({ field, message: error });
    }
    parsed.unit ??= valueUnit ?? sheetUnit;
    // No code: the target is looked for by its name (or an alias) later.
    if (byName && parsed.target === null) {
      parsed.errors = parsed.errors.filter((e) => e.field !== 'target');
      if (parsed.name === null) {
        parsed.errors.unshift({ field: 'name', message: columns.has('target') ? '缺少指标代码或指标名称 (code or name is missing)' : '缺少指标名称 (name is missing)' });
      }
    }
    rows.push(parsed);
  }
  return { format, encoding: source.encoding, sheet: source.sheet, headerRow: nonBlank[index].row, unit: sheetUnit, rows };
}
