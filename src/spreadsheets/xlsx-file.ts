import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** An uploaded .xlsx's container: what the bytes really are, and a copy exceljs' loader can follow. */

const CANNOT = '无法读取 Excel 文件：';

export const XLSX_PROBLEMS = {
  text: '文件内容是文本（如 CSV），不是 .xlsx 格式：请把扩展名改为 .csv，或在 Excel 中另存为 .xlsx (the file is text, not an .xlsx workbook: name it .csv or save it as .xlsx)',
  notXlsx: '文件内容不是 .xlsx 格式（可能是改了扩展名的其他文件）(the file is not an .xlsx workbook)',
  pdf: '文件内容是 PDF，不是 .xlsx 格式，请上传 Excel 文件 (the file is a PDF, not an .xlsx workbook)',
  encrypted: `${CANNOT}文件已加密（设有打开密码），请在 Excel 中取消密码后重新保存再上传 (the file is encrypted: remove the password and save it again)`,
  xls: `${CANNOT}这是旧版 .xls 文件（扩展名被改成了 .xlsx），请在 Excel 中另存为 .xlsx (an old .xls file named .xlsx: save it as .xlsx)`,
  truncated: `${CANNOT}文件不完整（压缩包被截断，可能下载或复制未完成），请重新保存后上传 (the file is truncated)`,
  ods: `${CANNOT}这是 OpenDocument 表格（.ods），请在 WPS 或 LibreOffice 中另存为 .xlsx (an .ods spreadsheet named .xlsx: save it as .xlsx)`,
  numbers: `${CANNOT}这是 Apple Numbers 文件，请在 Numbers 中导出为 Excel (.xlsx) (a Numbers file: export it to Excel)`,
  word: `${CANNOT}这是 Word 文档，不是 Excel 工作簿 (a Word document, not a workbook)`,
  powerpoint: `${CANNOT}这是 PowerPoint 文件，不是 Excel 工作簿 (a PowerPoint file, not a workbook)`,
  noWorkbook: `${CANNOT}压缩包中没有 Excel 工作簿（xl/workbook.xml），不是 .xlsx 文件 (no workbook part: not an .xlsx file)`,
  noSheet: `${CANNOT}工作簿中没有工作表 (the workbook has no worksheet)`,
  xlsxNamedCsv: '这是 Excel 工作簿（.xlsx），文件名却是 .csv：请把扩展名改为 .xlsx 后上传 (an .xlsx workbook named .csv: name it .xlsx)',
  xlsNamedCsv: '这是旧版 Excel 文件（.xls），不是 CSV：请在 Excel 中另存为 .xlsx 或 CSV (an old .xls file, not a CSV: save it as .xlsx or CSV)',
} as const;

/** For a file named .csv that is not text: the workbook it is, if it is one. */
export function workbookNamedCsv(buffer: Buffer): string | null {
  if (buffer.subarray(0, 8).equals(OLE)) return buffer.includes(ENCRYPTED_PACKAGE) ? XLSX_PROBLEMS.encrypted : XLSX_PROBLEMS.xlsNamedCsv;
  return buffer.subarray(0, 2).toString('latin1') === 'PK' && !xlsxProblem(buffer) ? XLSX_PROBLEMS.xlsxNamedCsv : null;
}

/** The reason for a file exceljs could not load although its container looked right. */
export const corruptXlsx = (error: unknown) =>
  `${CANNOT}文件内容已损坏，请在 Excel 中打开并另存为 .xlsx 后重试 (the .xlsx file is corrupt: ${error instanceof Error ? error.message : String(error)})`;

const OLE = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le'); // a stream name in the OLE directory

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** the central directory record */
  central: Buffer;
}

/** The entries of a zip from its central directory; null when there is no end record (truncated) or it is ZIP64. */
export function zipEntries(buffer: Buffer): ZipEntry[] | null {
  let end = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i -= 1) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = buffer.readUInt16LE(end + 10);
  const offset = buffer.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) return null;
  const entries: ZipEntry[] = [];
  for (let p = offset, i = 0; i < count; i += 1) {
    if (p + 46 > end || buffer.readUInt32LE(p) !== 0x02014b50) return null;
    const length = 46 + buffer.readUInt16LE(p + 28) + buffer.readUInt16LE(p + 30) + buffer.readUInt16LE(p + 32);
    entries.push({
      name: buffer.toString('utf8', p + 46, p + 46 + buffer.readUInt16LE(p + 28)),
      flags: buffer.readUInt16LE(p + 8),
      method: buffer.readUInt16LE(p + 10),
      crc: buffer.readUInt32LE(p + 16),
      compressedSize: buffer.readUInt32LE(p + 20),
      size: buffer.readUInt32LE(p + 24),
      localOffset: buffer.readUInt32LE(p + 42),
      central: buffer.subarray(p, p + length),
    });
    p += length;
  }
  return entries;
}

/** An entry's data as stored (compressed), where the central directory says it is. */
export function zipEntryData(buffer: Buffer, entry: ZipEntry): Buffer {
  const start = entry.localOffset + 30 + buffer.readUInt16LE(entry.localOffset + 26) + buffer.readUInt16LE(entry.localOffset + 28);
  return buffer.subarray(start, start + entry.compressedSize);
}

/** A small part's text; at most 1 MB is inflated (a part that unpacks to more reads as empty). */
function entryText(buffer: Buffer, entry: ZipEntry): string {
  const raw = zipEntryData(buffer, entry);
  try {
    return (entry.method === 8 ? inflateRawSync(raw, { maxOutputLength: 1024 * 1024 }) : raw).toString('utf8');
  } catch {
    return '';
  }
}

/** Why the bytes cannot be an .xlsx workbook, or null when the container looks like one. */
export function xlsxProblem(buffer: Buffer): string | null {
  if (buffer.subarray(0, 8).equals(OLE)) return buffer.includes(ENCRYPTED_PACKAGE) ? XLSX_PROBLEMS.encrypted : XLSX_PROBLEMS.xls;
  if (buffer.subarray(0, 5).toString('latin1') === '%PDF-') return XLSX_PROBLEMS.pdf;
  if (buffer.subarray(0, 2).toString('latin1') !== 'PK') {
    const head = buffer.subarray(0, 4096);
    return head.includes(0) ? XLSX_PROBLEMS.notXlsx : XLSX_PROBLEMS.text;
  }
  const entries = zipEntries(buffer);
  if (!entries) return XLSX_PROBLEMS.truncated;
  const names = new Set(entries.map((e) => e.name));
  const mimetype = entries.find((e) => e.name === 'mimetype');
  if (mimetype && entryText(buffer, mimetype).startsWith('application/vnd.oasis.opendocument')) return XLSX_PROBLEMS.ods;
  if (names.has('Index.zip') || entries.some((e) => /^Index\/.+\.iwa$/.test(e.name))) return XLSX_PROBLEMS.numbers;
  if (names.has('word/document.xml')) return XLSX_PROBLEMS.word;
  if (names.has('ppt/presentation.xml')) return XLSX_PROBLEMS.powerpoint;
  if (!names.has('xl/workbook.xml')) return XLSX_PROBLEMS.noWorkbook;
  if (!entries.some((e) => /^xl\/worksheets\/[^/]+\.xml$/.test(e.name))) return XLSX_PROBLEMS.noSheet;
  return null;
}

const SHEET_RELS = /^xl\/worksheets\/_rels\/[^/]+\.xml\.rels$/;
const DROPPED_REL = /<Relationship\b[^>]*Type="[^"]*\/(comments|vmlDrawing)"[^>]*\/>/g;

/** The workbook without sheet comment/VML relationships, absolute targets made relative; null when not needed. */
export function withoutSheetExtras(buffer: Buffer): Buffer | null {
  const entries = zipEntries(buffer);
  if (!entries) return null;
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let changed = false;
  for (const entry of entries) {
    let data = zipEntryData(buffer, entry);
    const header = Buffer.from(entry.central);
    if (SHEET_RELS.test(entry.name)) {
      const rels = entryText(buffer, entry);
      const fixed = rels.replace(DROPPED_REL, '').replace(/Target="\/xl\//g, 'Target="../');
      if (fixed !== rels) {
        changed = true;
        const plain = Buffer.from(fixed, 'utf8');
        data = deflateRawSync(plain);
        header.writeUInt16LE(8, 10);
        header.writeUInt32LE(crc32(plain), 16);
        header.writeUInt32LE(data.length, 20);
        header.writeUInt32LE(plain.length, 24);
      }
    }
    header.writeUInt16LE(header.readUInt16LE(8) & ~0x0008, 8); // sizes are in the local header: no data descriptor
    header.writeUInt32LE(offset, 42);
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    header.copy(local, 4, 6, 28); // version needed, flags, method, time, date, crc, sizes
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, data);
    central.push(header);
    offset += 30 + name.length + data.length;
  }
  if (!changed) return null;
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
