import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { parseFigureSheet } from './parse.js';
import { COLUMN_NOTES, figureTemplate, TEMPLATE_HEADER } from './template.js';
import { zipEntries } from './xlsx-file.js';

describe('figureTemplate', () => {
  it('xlsx: a note, the styled header with widths, one example row the parser reads', async () => {
    const buffer = await figureTemplate('xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    assert.match(String(sheet.getCell('A1').value), /^填写说明/);
    assert.deepEqual((sheet.getRow(2).values as ExcelJS.CellValue[]).slice(1), ['指标代码', '期间', '数值', '口径', '备注']);
    assert.equal(sheet.getCell('A2').font.bold, true);
    assert.equal((sheet.getCell('A2').fill as ExcelJS.FillPattern).fgColor?.argb, 'FF1F4E79');
    assert.ok((sheet.getColumn(5).width ?? 0) >= 30);
    assert.equal(sheet.getColumn(2).numFmt, '@', 'periods as text, so 2025-07 stays a month');
    const parsed = await parseFigureSheet(buffer, 'template.xlsx');
    assert.deepEqual(parsed.rows.map((r) => [r.row, r.target, r.period, r.value, r.basis, r.errors]),
      [[3, 'EXAMPLE-CODE', '2025Q3', '1234.5', 'ytd', []]]);
  });

  it('xlsx: no cell comments (openpyxl re-saves them so exceljs cannot load the file); the help of each column is an input message', async () => {
    const buffer = await figureTemplate('xlsx');
    assert.deepEqual(zipEntries(buffer)!.map((e) => e.name).filter((n) => /comment|\.vml$/i.test(n)), []);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    assert.deepEqual(['A', 'B', 'C', 'D', 'E'].map((c) => sheet.getCell(`${c}50`).dataValidation?.prompt), Object.values(COLUMN_NOTES));
    assert.deepEqual(sheet.getCell('D50').dataValidation.formulae, ['"累计,当期"']);
  });

  it('csv: UTF-8 with BOM and CRLF, the same columns and example', async () => {
    const buffer = await figureTemplate('csv');
    assert.deepEqual([...buffer.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = buffer.toString('utf8').slice(1).split('\r\n');
    assert.equal(lines[1], TEMPLATE_HEADER.join(','));
    const parsed = await parseFigureSheet(buffer, 'template.csv');
    assert.deepEqual(parsed.rows.map((r) => [r.row, r.target, r.period, r.value, r.basis, r.errors]),
      [[3, 'EXAMPLE-CODE', '2025Q3', '1234.5', 'ytd', []]]);
  });
});
