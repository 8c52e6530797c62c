import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import { loadedXlsxRows, parseFigureSheet, SpreadsheetError, xlsxRows } from './parse.js';
import { withoutSheetExtras, XLSX_PROBLEMS, xlsxProblem, zipEntries } from './xlsx-file.js';

/**
 * Files as other programs write them (test/fixtures/imports: LibreOffice, openpyxl, xlsx-populate,
 * write-excel-file; see its README), and the reason given for each kind of file that cannot be read.
 */

const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/imports/${path}`, import.meta.url));

const FILLED = [
  ['NEV-OUTPUT', '2025Q1', '380', 'period', '一季度快报'],
  ['NEV-OUTPUT', '2025Q2', '1234.5', 'ytd', '上半年累计'],
  ['DT-ENTERPRISES', '2024Q4', '260', null, '快报'],
];

async function rowsOf(path: string) {
  const parsed = await parseFigureSheet(fixture(path), path.replace(/^.*\//, ''));
  return parsed.rows.map((r) => [r.row, r.target, r.period, r.value, r.basis, r.note, r.errors.map((e) => e.field)]);
}

const numbered = (first: number) => FILLED.map((r, i) => [first + i, ...r, []]);

async function fileError(buffer: Buffer, name = 'figures.xlsx'): Promise<string> {
  const error = await parseFigureSheet(buffer, name).then(() => null, (e: unknown) => e);
  assert.ok(error instanceof SpreadsheetError, `expected a SpreadsheetError, got ${String(error)}`);
  return error.message;
}

/** A zip of stored (uncompressed) entries. */
function storedZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    local.copy(central, 6, 4, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('files written by other programs (test/fixtures/imports/ok)', () => {
  const cases: [string, unknown[][]][] = [
    ['ok/libreoffice-filled.xlsx', numbered(3)], // the template filled in Calc, 数值 of row 4 a formula
    ['ok/libreoffice-utf8.csv', numbered(3)],
    ['ok/libreoffice-gb18030.csv', numbered(3)],
    ['ok/openpyxl-filled-template.xlsx', numbered(3)],
    ['ok/openpyxl-comments.xlsx', numbered(2)],
    ['ok/openpyxl-formulas-recalculated-by-libreoffice.xlsx',
      numbered(2).map((r, i) => (i === 0 ? [...r.slice(0, 5), '一季度 = 三个月之和', []] : r))],
    ['ok/xlsx-populate-filled-template.xlsx', numbered(3)],
    ['ok/write-excel-file.xlsx', numbered(2)],
  ];
  for (const [path, expected] of cases) {
    it(`reads ${path}`, async () => {
      assert.deepEqual(await rowsOf(path), expected);
    });
  }

  it('reads the old template (cell comments) re-saved untouched by openpyxl — it said 文件可能已损坏', async () => {
    const buffer = fixture('ok/openpyxl-resaved-old-template.xlsx');
    assert.ok(zipEntries(buffer)!.some((e) => e.name === 'xl/comments/comment1.xml'), 'openpyxl\'s comment layout');
    const plain = new ExcelJS.Workbook();
    await assert.rejects(plain.xlsx.load(buffer as unknown as ArrayBuffer), /comments/, 'exceljs alone cannot load it');
    assert.deepEqual(await rowsOf('ok/openpyxl-resaved-old-template.xlsx'),
      [[3, 'EXAMPLE-CODE', '2025Q3', '1234.5', 'ytd', '示例行，导入前请删除 (example row)', []]]);
  });

  it('a formula openpyxl stored without a computed result is refused as the formula text, not read as blank', async () => {
    const parsed = await parseFigureSheet(fixture('ok/openpyxl-formulas.xlsx'), 'formulas.xlsx');
    assert.deepEqual(parsed.rows.map((r) => [r.row, r.value, r.errors.map((e) => e.field)]),
      [[2, '=SUM(F2:H2)', ['value']], [3, '=C2+854.5', ['value']], [4, '260', []]]);
    assert.match(parsed.rows[0].errors[0].message, /=SUM\(F2:H2\)/);
  });

  it('streamed and fully loaded, every .xlsx fixture reads the same', async () => {
    for (const path of [...cases.map(([p]) => p), 'ok/openpyxl-resaved-old-template.xlsx', 'ok/openpyxl-formulas.xlsx']) {
      if (!path.endsWith('.xlsx')) continue;
      // (the full loader repeats a merged cell's value in each cell of the merge: the template's note row)
      const data = async (streaming: boolean) => {
        const { rows, sheet } = await (streaming ? xlsxRows(fixture(path)) : loadedXlsxRows(fixture(path)));
        return { rows: rows.filter((r) => !String(r.cells[0]).startsWith('填写说明')), sheet };
      };
      assert.deepEqual(await data(true), await data(false), path);
    }
  });

  it('withoutSheetExtras drops only the comment relationships and leaves a zip exceljs loads', async () => {
    const buffer = fixture('ok/openpyxl-comments.xlsx');
    const plain = withoutSheetExtras(buffer)!;
    assert.deepEqual(zipEntries(plain)!.map((e) => e.name), zipEntries(buffer)!.map((e) => e.name));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(plain as unknown as ArrayBuffer);
    assert.equal(workbook.worksheets[0].getCell('A2').value, 'NEV-OUTPUT');
    assert.equal(withoutSheetExtras(fixture('ok/write-excel-file.xlsx')), null, 'nothing to drop: no copy');
  });
});

describe('files that cannot be read get their real reason (test/fixtures/imports/not-ok and built here)', () => {
  const ole = Buffer.from('d0cf11e0a1b11ae1', 'hex');
  const cases: { name: string; file: () => Buffer | Promise<Buffer>; reason: string }[] = [
    { name: 'truncated download', file: () => fixture('not-ok/truncated.xlsx'), reason: XLSX_PROBLEMS.truncated },
    { name: 'an old .xls renamed .xlsx (LibreOffice, MS Excel 97)', file: () => fixture('not-ok/xls-renamed.xlsx'), reason: XLSX_PROBLEMS.xls },
    { name: 'an .ods renamed .xlsx', file: () => fixture('not-ok/ods-renamed.xlsx'), reason: XLSX_PROBLEMS.ods },
    {
      name: 'an encrypted workbook (OLE with an EncryptedPackage stream)',
      file: () => Buffer.concat([ole, Buffer.alloc(504), Buffer.from('EncryptionInfo\0EncryptedPackage', 'utf16le'), Buffer.alloc(512)]),
      reason: XLSX_PROBLEMS.encrypted,
    },
    { name: 'CSV text named .xlsx', file: () => Buffer.from('指标代码,期间,数值\r\nNEV-OUTPUT,2025Q1,380\r\n'), reason: XLSX_PROBLEMS.text },
    { name: 'a PDF named .xlsx', file: () => Buffer.from('%PDF-1.7\n%\xe2\xe3\n1 0 obj', 'latin1'), reason: XLSX_PROBLEMS.pdf },
    { name: 'a PNG named .xlsx', file: () => Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), reason: XLSX_PROBLEMS.notXlsx },
    { name: 'a Numbers file', file: () => storedZip({ 'Index/Document.iwa': 'x', 'Metadata/Properties.plist': 'x' }), reason: XLSX_PROBLEMS.numbers },
    { name: 'a Word document', file: () => storedZip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' }), reason: XLSX_PROBLEMS.word },
    { name: 'a PowerPoint file', file: () => storedZip({ 'ppt/presentation.xml': '<p/>' }), reason: XLSX_PROBLEMS.powerpoint },
    { name: 'a zip of other files', file: () => storedZip({ 'readme.txt': 'hello' }), reason: XLSX_PROBLEMS.noWorkbook },
    { name: 'a workbook without a worksheet', file: () => storedZip({ 'xl/workbook.xml': '<workbook/>' }), reason: XLSX_PROBLEMS.noSheet },
  ];
  for (const { name, file, reason } of cases) {
    it(name, async () => {
      const buffer = await file();
      assert.equal(xlsxProblem(buffer), reason);
      assert.equal(await fileError(buffer), reason);
    });
  }

  it('a workbook whose sheet data is damaged: 文件内容已损坏 with what exceljs said', async () => {
    const buffer = Buffer.from(fixture('ok/write-excel-file.xlsx'));
    const sheet = zipEntries(buffer)!.find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
    const start = sheet.localOffset + 30 + buffer.readUInt16LE(sheet.localOffset + 26) + buffer.readUInt16LE(sheet.localOffset + 28);
    buffer.fill(0xff, start, start + Math.min(64, sheet.compressedSize));
    assert.equal(xlsxProblem(buffer), null, 'the container is fine');
    assert.match(await fileError(buffer), /^无法读取 Excel 文件：文件内容已损坏，请在 Excel 中打开并另存为 \.xlsx 后重试 \(the \.xlsx file is corrupt: .+\)$/);
  });

  it('a workbook named .csv is told apart from a text file with NUL bytes', async () => {
    assert.equal(await fileError(fixture('ok/libreoffice-filled.xlsx'), 'figures.csv'), XLSX_PROBLEMS.xlsxNamedCsv);
    assert.equal(await fileError(fixture('not-ok/xls-renamed.xlsx'), 'figures.csv'), XLSX_PROBLEMS.xlsNamedCsv);
    assert.equal(await fileError(Buffer.from('指标代码,期间\0数值\n'), 'figures.csv'), '文件不是文本格式的 CSV (not a text CSV file)');
  });

  it('the template filled with its example row deleted has no data rows (the import says 文件中没有数据行)', async () => {
    const parsed = await parseFigureSheet(fixture('not-ok/no-data-rows.xlsx'), 'x.xlsx');
    assert.deepEqual([parsed.headerRow, parsed.rows], [2, []]);
  });
});
