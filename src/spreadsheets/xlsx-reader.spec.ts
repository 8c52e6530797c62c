import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { bombXlsx, rowXml, sheetXlsx } from '../../test/support/xlsx-bomb.js';
import { DEFAULT_SHEET_LIMITS, loadedXlsxRows, parseFigureSheet, SpreadsheetError, SpreadsheetTooLarge, xlsxRows } from './parse.js';
import { zipEntries } from './xlsx-file.js';

/**
 * The streamed .xlsx reading of uploads (issue 15): zip bombs, too many cells or rows refused as soon as a
 * limit is passed, formulas read as their cached values, and never the whole workbook loaded.
 */

const MB = 1024 * 1024;

async function refusal(promise: Promise<unknown>): Promise<SpreadsheetError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof SpreadsheetError, `expected a SpreadsheetError, got ${String(error)}`);
  return error;
}

/** Counts exceljs's whole-workbook loads while `run` runs. */
async function workbookLoads(run: () => Promise<unknown>): Promise<number> {
  const XLSX = createRequire(import.meta.url)('exceljs/lib/xlsx/xlsx.js') as { prototype: { load: (...args: unknown[]) => unknown } };
  const load = XLSX.prototype.load;
  let loads = 0;
  XLSX.prototype.load = function counted(this: unknown, ...args: unknown[]) {
    loads += 1;
    return load.apply(this, args);
  };
  try {
    await run();
  } finally {
    XLSX.prototype.load = load;
  }
  return loads;
}

describe('xlsx limits while streaming', () => {
  it('a zip bomb declaring its size is refused before anything of it is inflated (413, naming the file and the limit)', async () => {
    const bomb = bombXlsx(128);
    assert.ok(bomb.length < 200 * 1024, `small on disk: ${bomb.length} bytes`);
    // its sheet's data overwritten: inflating it would fail as corrupt, so the refusal comes from the directory alone
    const sheet = zipEntries(bomb)!.find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
    const start = sheet.localOffset + 30 + bomb.readUInt16LE(sheet.localOffset + 26);
    bomb.fill(0xff, start, start + sheet.compressedSize);
    const error = await refusal(parseFigureSheet(bomb, '炸弹.xlsx'));
    assert.ok(error instanceof SpreadsheetTooLarge);
    assert.equal(error.message, '文件「炸弹.xlsx」解压后超过 100 MB 的上限，无法读取：请删除无关的工作表、图片和格式，或分批导入 (the .xlsx file unpacks to more than 100 MB)');
  });

  it('a zip bomb whose directory understates its size is refused as it inflates, at the limit', async () => {
    const bomb = bombXlsx(64, true);
    assert.ok(zipEntries(bomb)!.every((e) => e.size < MB), 'the directory says every part is small');
    const error = await refusal(parseFigureSheet(bomb, 'x.xlsx', { ...DEFAULT_SHEET_LIMITS, unpackedBytes: 8 * MB }));
    assert.ok(error instanceof SpreadsheetTooLarge);
    assert.match(error.message, /^文件「x\.xlsx」解压后超过 8 MB 的上限/);
    // the same file within a larger limit reads: only the limit refused it
    const { rows } = await parseFigureSheet(bomb, 'x.xlsx', { ...DEFAULT_SHEET_LIMITS, unpackedBytes: 80 * MB });
    assert.deepEqual(rows.map((r) => [r.target, r.value]), [['NEV-OUTPUT', '380']]);
  });

  it('a sheet with more cells than the limit is refused at the first cell past it', async () => {
    const file = sheetXlsx({ chunk: rowXml('A1', '2025', 1, 2, 3, 4, 5, 6, 7, 8), times: 2000, tail: '<row><c><v>1</v></c></broken>' });
    const error = await refusal(parseFigureSheet(file, '宽表.xlsx', { ...DEFAULT_SHEET_LIMITS, cells: 1000 }));
    assert.ok(error instanceof SpreadsheetTooLarge);
    assert.equal(error.message, '文件「宽表.xlsx」的工作表超过 1,000 个单元格的上限，请删除无关的行、列和格式，或分批导入 (more than 1000 cells)');
  });

  it('more rows than an import takes are refused at the first row past the limit, before the rest of the sheet (with a formula or not)', async () => {
    for (const head of [undefined, rowXml('指标代码', '期间', '数值')]) {
      // 110 000 data rows, then XML no reader can parse: refused for its rows, the damage never reached
      const file = sheetXlsx({ head, chunk: rowXml('A1', '2025', 1).repeat(1000), times: 110, tail: '<row><c><v>1</v></c></broken>' });
      const error = await refusal(parseFigureSheet(file, 'big.xlsx'));
      assert.ok(!(error instanceof SpreadsheetTooLarge));
      assert.equal(error.message, '数据行超过 100,000 行，请分批导入 (more than 100000 rows)');
    }
  });
});

describe('formulas in the streamed reading', () => {
  it('read as their cached results, typed as the whole-workbook loader types them, without loading the workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('数据');
    sheet.addRow(['指标代码', '期间', '数值', '备注', '其他']);
    sheet.addRow(['NEV-OUTPUT', '2025Q1', { formula: '300+80', result: 380 }, { formula: '"一季度"&"快报"', result: '一季度快报' }, { formula: 'TRUE()', result: true }]);
    sheet.addRow(['NEV-OUTPUT', { formula: 'DATE(2025,7,1)', result: new Date(Date.UTC(2025, 6, 1)) }, { formula: '1/0', result: { error: '#DIV/0!' } }, { formula: 'A1' }, null]);
    sheet.getCell('B3').numFmt = 'yyyy-mm';
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    let streamed: Awaited<ReturnType<typeof xlsxRows>> | undefined;
    assert.equal(await workbookLoads(async () => { streamed = await xlsxRows(buffer); }), 0, 'the workbook is never loaded whole');
    assert.deepEqual(streamed, await loadedXlsxRows(buffer));
    assert.deepEqual(streamed!.rows.slice(1).map((r) => r.cells), [
      ['NEV-OUTPUT', '2025Q1', 380, '一季度快报', 'TRUE'],
      ['NEV-OUTPUT', new Date(Date.UTC(2025, 6, 1)), '#DIV/0!', '=A1'],
    ]);
    const { rows } = await parseFigureSheet(buffer, 'f.xlsx');
    assert.deepEqual(rows.map((r) => [r.period, r.value, r.note]), [['2025Q1', '380', '一季度快报'], ['2025-07', '#DIV/0!', '=A1']]);
  });

  it('text in several chunks reads whole (a character split between two chunks is decoded once both are in)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('数据');
    const note = '注释'.repeat(150_000); // 900 KB of UTF-8: several chunks, some ending inside a character
    sheet.addRow(['指标代码', '期间', '数值', '备注']);
    sheet.addRow(['NEV-OUTPUT', '2025Q1', 1, note]);
    const { rows } = await xlsxRows(Buffer.from(await workbook.xlsx.writeBuffer()));
    assert.equal(rows[1].cells[3], note);
  });
});
