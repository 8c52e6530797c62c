import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { createInflateRaw } from 'node:zlib';
import { corruptXlsx, type ZipEntry, XLSX_PROBLEMS, zipEntries, zipEntryData } from './xlsx-file.js';

/** The first visible sheet's cells, streamed from the zip and refused at the first limit passed (inflated size
 *  counted as it inflates, whatever the zip declares). Cells read as exceljs's loader reads them. */

const require = createRequire(import.meta.url);

interface SaxTag { name: string; attributes: Record<string, string> }
type SaxEvent = { eventType: 'opentag' | 'closetag'; value: SaxTag } | { eventType: 'text'; value: string };
interface Xform<T> { model: T; parseStream(chunks: AsyncIterable<string>): Promise<T> }

const parseSax: (chunks: AsyncIterable<string>) => AsyncIterable<SaxEvent[]> = require('exceljs/lib/utils/parse-sax.js');
const excel: { isDateFmt(format?: string): boolean; excelToDate(value: number, date1904?: boolean): Date; xmlDecode(text: string): string } =
  require('exceljs/lib/utils/utils.js');
const StylesXform: new () => Xform<unknown> & { getStyleModel(id: number): { numFmt?: string } | null } =
  require('exceljs/lib/xlsx/xform/style/styles-xform.js');
const WorkbookXform: new () => Xform<WorkbookModel> = require('exceljs/lib/xlsx/xform/book/workbook-xform.js');
const RelationshipsXform: new () => Xform<Relationship[]> = require('exceljs/lib/xlsx/xform/core/relationships-xform.js');

interface WorkbookModel {
  sheets?: { id: number; name: string; state?: string; rId: string }[];
  properties?: { date1904?: boolean };
}
interface Relationship { Id: string; Type?: string; Target: string }

export type Cell = string | number | Date | null;
export interface SheetRows { rows: { row: number; cells: Cell[] }[]; sheet: string }

export interface XlsxLimits {
  /** what the parts read may unpack to, in bytes */
  unpackedBytes: number;
  /** cells of the sheet read (filled or only formatted); also bounds its shared strings and other elements */
  cells: number;
  /** rows with a value (the row limit of an import plus its header and note rows) */
  rows: number;
}

/** The file is bigger than a limit allows: refused before it is read further (413). */
export class XlsxTooLarge extends Error {}
/** The file cannot be read (422); `message` is what the user is told. */
export class XlsxUnreadable extends Error {}
/** The sheet has more rows than `XlsxLimits.rows`: thrown at the first row past it (the caller words it). */
export class TooManyRows extends Error {}

const MB = 1024 * 1024;
const CHUNK = 256 * 1024;

/** Counts the bytes the parts unpack to against the limit. */
class Budget {
  private used = 0;
  constructor(private readonly limit: number, private readonly file: string) {}

  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) throw this.tooLarge();
  }

  /** Refuses before inflating when the sizes the zip declares already pass the limit. */
  declared(bytes: number): void {
    if (this.used + bytes > this.limit) throw this.tooLarge();
  }

  private tooLarge(): XlsxTooLarge {
    const mb = Math.round(this.limit / MB);
    return new XlsxTooLarge(`文件「${this.file}」解压后超过 ${mb} MB 的上限，无法读取：请删除无关的工作表、图片和格式，或分批导入 (the .xlsx file unpacks to more than ${mb} MB)`);
  }
}

/** A part's text, inflated chunk by chunk (UTF-8 decoded across chunk boundaries), each chunk counted first. */
async function* partText(buffer: Buffer, entry: ZipEntry, budget: Budget): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  const raw = zipEntryData(buffer, entry);
  if (entry.method === 0) {
    for (let at = 0; at < raw.length; at += CHUNK) {
      const chunk = raw.subarray(at, at + CHUNK);
      budget.take(chunk.length);
      yield decoder.decode(chunk, { stream: true });
    }
  } else if (entry.method === 8) {
    const inflate = createInflateRaw({ chunkSize: CHUNK });
    inflate.end(raw);
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) {
        budget.take(chunk.length);
        yield decoder.decode(chunk, { stream: true });
      }
    } finally {
      inflate.destroy();
    }
  } else {
    throw new XlsxUnreadable(corruptXlsx(new Error(`${entry.name}: compression method ${entry.method}`)));
  }
  yield decoder.decode();
}

/** Runs a part through an exceljs xform; a damaged part is the file's corruption, a limit passes through. */
async function readPart<T>(xform: Xform<T>, text: AsyncIterable<string>): Promise<T> {
  try {
    await xform.parseStream(text);
    return xform.model;
  } catch (error) {
    throw readError(error);
  }
}

const readError = (error: unknown) =>
  (error instanceof XlsxTooLarge || error instanceof XlsxUnreadable || error instanceof TooManyRows ? error : new XlsxUnreadable(corruptXlsx(error)));

/** `A12` → 1 (column numbers are 1-based); 0 when the reference is missing or malformed. */
export function columnOf(ref: string | undefined): number {
  if (!ref) return 0;
  let column = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const code = ref.charCodeAt(i);
    if (code < 65 || code > 90) break;
    column = column * 26 + code - 64;
  }
  return column;
}

/** A relationship's target as a zip entry name (relative to xl/, or absolute as openpyxl writes it). */
const partName = (target: string) => (target.startsWith('/') ? target.slice(1) : posix.normalize(`xl/${target}`));

/** The shared strings, each as its text (rich-text runs joined; phonetic guides left out). */
async function sharedStrings(text: AsyncIterable<string>, limit: number, file: string): Promise<string[]> {
  const strings: string[] = [];
  let current = '';
  let inText = false;
  let phonetic = 0;
  for await (const events of parseSax(text)) {
    for (const event of events) {
      if (event.eventType === 'text') {
        if (inText && !phonetic) current += event.value;
      } else if (event.eventType === 'opentag') {
        const { name } = event.value;
        if (name === 'si') {
          // a string no cell uses is still kept: no more strings than cells
          if (strings.length >= limit) throw tooManyCells(file, limit);
          current = '';
        }
        else if (name === 't') inText = true;
        else if (name === 'rPh') phonetic += 1;
      } else {
        const { name } = event.value;
        if (name === 'si') strings.push(current);
        else if (name === 't') inText = false;
        else if (name === 'rPh') phonetic -= 1;
      }
    }
  }
  return strings;
}

/** The entries the reader needs, by name (the central directory's: what the zip's local headers say is not trusted). */
function entriesOf(buffer: Buffer): Map<string, ZipEntry> {
  const entries = zipEntries(buffer);
  if (!entries) throw new XlsxUnreadable(XLSX_PROBLEMS.truncated);
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) if (!byName.has(entry.name)) byName.set(entry.name, entry);
  return byName;
}

/** The first visible sheet's rows with a value, as exceljs's loader reads them. */
export async function readXlsxRows(buffer: Buffer, file: string, limits: XlsxLimits): Promise<SheetRows> {
  const entries = entriesOf(buffer);
  const budget = new Budget(limits.unpackedBytes, file);
  const part = (name: string) => {
    const entry = entries.get(name);
    if (entry) budget.declared(entry.size);
    return entry;
  };
  const workbookEntry = part('xl/workbook.xml');
  if (!workbookEntry) throw new XlsxUnreadable(XLSX_PROBLEMS.noWorkbook);
  const workbook = await readPart(new WorkbookXform(), partText(buffer, workbookEntry, budget));
  const relsEntry = part('xl/_rels/workbook.xml.rels');
  const rels = relsEntry ? await readPart(new RelationshipsXform(), partText(buffer, relsEntry, budget)) : [];

  const target = (type: string, fallback: string) =>
    partName(rels.find((r) => r.Type?.endsWith(`/${type}`))?.Target ?? fallback.slice(3));
  const worksheets = (workbook.sheets ?? [])
    .map((sheet) => {
      const rel = rels.find((r) => r.Id === sheet.rId);
      const isSheet = rel && (rel.Type ? rel.Type.endsWith('/worksheet') : /worksheets\/[^/]+\.xml$/.test(rel.Target));
      return { ...sheet, entry: isSheet ? entries.get(partName(rel.Target)) : undefined };
    })
    .filter((sheet) => sheet.entry)
    .sort((a, b) => a.id - b.id);
  const chosen = worksheets.find((sh) => sh.state !== 'hidden' && sh.state !== 'veryHidden') ?? worksheets[0];
  if (!chosen) throw new XlsxUnreadable(XLSX_PROBLEMS.noSheet);

  // Everything still to read, as the zip declares it, must fit before anything more is inflated.
  const stringsEntry = entries.get(target('sharedStrings', 'xl/sharedStrings.xml'));
  const stylesEntry = entries.get(target('styles', 'xl/styles.xml'));
  budget.declared([stringsEntry, stylesEntry, chosen.entry].reduce((sum, e) => sum + (e?.size ?? 0), 0));

  let strings: string[] = [];
  if (stringsEntry) {
    try {
      strings = await sharedStrings(partText(buffer, stringsEntry, budget), limits.cells, file);
    } catch (error) {
      throw readError(error);
    }
  }
  const styles = new StylesXform();
  if (stylesEntry) await readPart(styles, partText(buffer, stylesEntry, budget));

  // whether a style's number format is a date's (no styles part: none is)
  const dateStyle = new Map<number, boolean>();
  const isDate = (style: number) => {
    if (!stylesEntry) return false;
    let date = dateStyle.get(style);
    if (date === undefined) dateStyle.set(style, (date = excel.isDateFmt(styles.getStyleModel(style)?.numFmt)));
    return date;
  };
  const date1904 = workbook.properties?.date1904 === true;
  try {
    return { rows: await sheetRows(partText(buffer, chosen.entry!, budget), strings, isDate, date1904, limits, file), sheet: chosen.name };
  } catch (error) {
    throw readError(error);
  }
}

const tooManyCells = (file: string, limit: number) =>
  new XlsxTooLarge(`文件「${file}」的工作表超过 ${limit.toLocaleString('en-US')} 个单元格的上限，请删除无关的行、列和格式，或分批导入 (more than ${limit} cells)`);

/** Rows a worksheet can have (Excel's 1 048 576): more row elements are no sheet a program wrote. */
const SHEET_ROWS = 1_048_576;
/** XML elements per cell a sheet may hold on average (c, v or f, is and t…): what else it holds costs time too. */
const ELEMENTS_PER_CELL = 4;

async function sheetRows(
  text: AsyncIterable<string>, strings: string[], isDate: (style: number) => boolean, date1904: boolean, limits: XlsxLimits, file: string,
): Promise<{ row: number; cells: Cell[] }[]> {
  const rows: { row: number; cells: Cell[] }[] = [];
  // every element counts (formatted-only cells, rows…), so parsing time is bounded as well as memory
  let cellElements = 0;
  let rowElements = 0;
  let elements = 0;
  const maxElements = limits.cells * ELEMENTS_PER_CELL;
  let inData = false;
  let rowNumber = 0;
  let cells: Cell[] | null = null;
  let any = false;
  let column = 0;
  // the cell being read
  let type: string | undefined;
  let style = 0;
  let formula: string | null = null;
  let value: string | null = null;
  let inline: string | null = null;
  let collecting: 'f' | 'v' | 't' | null = null;
  let phonetic = 0;

  const number = (text: string): number | Date => {
    const n = parseFloat(text);
    return isDate(style) ? excel.excelToDate(n, date1904) : n;
  };
  const cached = (): Cell => {
    if (formula !== null) {
      // openpyxl and other scripts store formulas without a cached result: the formula is then the text
      if (!value) return formula ? `=${formula}` : null;
      if (type === 'str') return excel.xmlDecode(value);
      if (type === 'b') return parseInt(value, 10) !== 0 ? 'TRUE' : 'FALSE';
      if (type === 'e') return value;
      return number(value);
    }
    if (type === 'inlineStr') return inline === null ? null : excel.xmlDecode(inline);
    if (value === null) return null;
    switch (type) {
      case 's': return strings[parseInt(value, 10)] ?? null;
      case 'str': return excel.xmlDecode(value);
      case 'e': return value;
      case 'b': return parseInt(value, 10) !== 0 ? 'TRUE' : 'FALSE';
      default: return number(value);
    }
  };

  for await (const events of parseSax(text)) {
    for (const event of events) {
      if (event.eventType === 'text') {
        if (collecting === 'f') formula += event.value;
        else if (collecting === 'v') value += event.value;
        else if (collecting === 't' && !phonetic) inline += event.value;
        continue;
      }
      const { name, attributes } = event.value;
      if (event.eventType === 'opentag') {
        if (++elements > maxElements) throw tooManyCells(file, limits.cells);
        switch (name) {
          case 'sheetData': inData = true; break;
          case 'row':
            if (!inData) break;
            if (++rowElements > SHEET_ROWS) {
              throw new XlsxTooLarge(`文件「${file}」的工作表超过 Excel 的 ${SHEET_ROWS.toLocaleString('en-US')} 行上限，无法读取 (more rows than a worksheet can have)`);
            }
            rowNumber = attributes.r ? parseInt(attributes.r, 10) : rowNumber + 1;
            cells = [];
            any = false;
            column = 0;
            break;
          case 'c':
            if (!cells) break;
            if (++cellElements > limits.cells) throw tooManyCells(file, limits.cells);
            column = columnOf(attributes.r) || column + 1;
            type = attributes.t;
            style = parseInt(attributes.s ?? '0', 10) || 0;
            formula = value = inline = null;
            break;
          case 'f': if (cells) { formula = ''; collecting = 'f'; } break;
          case 'v': if (cells) { value = ''; collecting = 'v'; } break;
          case 'is': if (cells) inline = ''; break;
          case 't': if (inline !== null) collecting = 't'; break;
          case 'rPh': phonetic += 1; break;
          default: break;
        }
      } else {
        switch (name) {
          case 'f': case 'v': case 't': collecting = null; break;
          case 'rPh': phonetic -= 1; break;
          case 'c': {
            if (!cells) break;
            const cell = cached();
            if (cell === null) break;
            cells[column - 1] = cell;
            any = true;
            break;
          }
          case 'row':
            if (!cells) break;
            if (any) {
              if (rows.length >= limits.rows) throw new TooManyRows();
              rows.push({ row: rowNumber, cells });
            }
            cells = null;
            break;
          case 'sheetData': inData = false; break;
          default: break;
        }
      }
    }
  }
  return rows;
}
