import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { decodeText, MAX_ROWS, parseFigureSheet, type SheetRow, SpreadsheetError, loadedXlsxRows, xlsxRows } from './parse.js';

const csv = (text: string, encoding: 'utf8' | 'bom' = 'utf8') =>
  Buffer.from((encoding === 'bom' ? '\uFEFF' : '') + text, 'utf8');

async function xlsx(rows: ExcelJS.CellValue[][], configure?: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('数据');
  rows.forEach((row) => sheet.addRow(row));
  configure?.(sheet);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The row without its number and with errors as `field: message-start`. */
const fields = (r: SheetRow) => ({ target: r.target, period: r.period, value: r.value, basis: r.basis, note: r.note });
const errorFields = (r: SheetRow) => r.errors.map((e) => e.field);

async function fileError(buffer: Buffer, name: string): Promise<string> {
  const error = await parseFigureSheet(buffer, name).then(() => null, (e: unknown) => e);
  assert.ok(error instanceof SpreadsheetError, `expected a SpreadsheetError, got ${String(error)}`);
  assert.equal(error.path, 'file');
  return error.message;
}

describe('parseFigureSheet: csv', () => {
  it('reads UTF-8, UTF-8 with BOM and GBK (as Excel saves it) alike', async () => {
    const text = '指标代码,期间,数值,口径,备注\r\nNEV-OUTPUT,2025Q1,380,当期,一季度快报\r\nNEV-OUTPUT,2025Q2,"1,234.5",累计,上半年累计\r\n';
    const gbk = readFileSync(new URL('../../test/fixtures/imports/figures-gbk.csv', import.meta.url));
    assert.equal(gbk.subarray(0, 2).toString('hex'), 'd6b8', 'the fixture holds GBK bytes (指 = D6 B8)');
    const expected = [
      { target: 'NEV-OUTPUT', period: '2025Q1', value: '380', basis: 'period', note: '一季度快报' },
      { target: 'NEV-OUTPUT', period: '2025Q2', value: '1234.5', basis: 'ytd', note: '上半年累计' },
    ];
    for (const [label, buffer, encoding] of [
      ['utf-8', csv(text), 'utf-8'], ['utf-8 bom', csv(text, 'bom'), 'utf-8'], ['gbk', gbk, 'gb18030'],
    ] as const) {
      const parsed = await parseFigureSheet(buffer, 'figures.csv');
      assert.equal(parsed.encoding, encoding, label);
      assert.deepEqual(parsed.rows.map(fields), expected, label);
      assert.deepEqual(parsed.rows.map((r) => [r.row, r.errors]), [[2, []], [3, []]], label);
    }
  });

  it("reads Excel's Unicode text (UTF-16 with a byte-order mark, tab-separated)", async () => {
    const text = '指标代码\t期间\t数值\t口径\t备注\r\nNEV-OUTPUT\t2025年一季度\t380\t当期\t一季度快报\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le.subarray(0)).swap16();
    for (const [buffer, encoding] of [[le, 'utf-16le'], [be, 'utf-16be']] as const) {
      const parsed = await parseFigureSheet(buffer, 'figures.csv');
      assert.equal(parsed.encoding, encoding);
      assert.deepEqual(parsed.rows.map((r) => [r.target, r.periodText ?? r.period, r.value, r.basis, r.note]),
        [['NEV-OUTPUT', '2025年一季度', '380', 'period', '一季度快报']]);
    }
  });

  it('decodes GBK only when the bytes are not UTF-8', () => {
    assert.deepEqual(decodeText(Buffer.from('期间', 'utf8')), { text: '期间', encoding: 'utf-8' });
    assert.deepEqual(decodeText(Buffer.from([0xc6, 0xda, 0xbc, 0xe4])), { text: '期间', encoding: 'gb18030' });
  });

  it('takes English headers in any order, ignores extra columns and skips blank rows', async () => {
    const parsed = await parseFigureSheet(csv(
      'Note,extra,Value,Period,Code\n' +
      '季度,x,12.5,2025q3,dt-enterprises\n' +
      ',,,,\n' +
      '\n' +
      ',ignored,,,\n' +
      ',,7,2025,TECH\n'), 'f.CSV');
    assert.deepEqual(parsed.rows.map((r) => ({ row: r.row, ...fields(r) })), [
      { row: 2, target: 'DT-ENTERPRISES', period: '2025Q3', value: '12.5', basis: null, note: '季度' },
      { row: 6, target: 'TECH', period: '2025', value: '7', basis: null, note: null },
    ]);
    assert.ok(parsed.rows.every((r) => r.errors.length === 0));
  });

  it('finds the header below a note, and reads semicolon- and tab-separated files', async () => {
    const withNote = await parseFigureSheet(csv('"说明：每行一个实际值, 期间如 2025Q3"\n\n指标代码,期间,数值\nA1,2025,1\n'), 'x.csv');
    assert.deepEqual([withNote.headerRow, withNote.rows.map((r) => r.row)], [3, [4]]);
    for (const sep of [';', '\t']) {
      const parsed = await parseFigureSheet(csv(['指标代码', '期间', '数值'].join(sep) + '\n' + ['AB', '2025-07', '3'].join(sep) + '\n'), 'x.csv');
      assert.deepEqual(parsed.rows.map(fields), [{ target: 'AB', period: '2025-07', value: '3', basis: null, note: null }], JSON.stringify(sep));
    }
  });

  const cases: { name: string; cells: string; expect: Partial<SheetRow>; errors: string[]; message?: RegExp }[] = [
    { name: 'a valid row', cells: 'NEV-OUTPUT,2025Q3,2000,累计,', expect: { value: '2000', basis: 'ytd' }, errors: [] },
    { name: 'missing code', cells: ',2025Q3,1,,', expect: { target: null }, errors: ['target'], message: /缺少指标代码/ },
    { name: 'code not a code', cells: '数字化,2025Q3,1,,', expect: { target: '数字化' }, errors: ['target'], message: /指标代码须为/ },
    { name: 'half-year period: resolved with the target', cells: 'A1,2025H1,1,,', expect: { period: null, periodText: '2025H1' }, errors: [] },
    { name: 'period 2025年1—9月', cells: 'A1,2025年1—9月,1,,', expect: { period: null, periodText: '2025年1—9月' }, errors: [] },
    { name: 'period 2025年三季度', cells: 'A1,2025年三季度,1,,', expect: { period: null, periodText: '2025年三季度' }, errors: [] },
    { name: 'period 2025Q3 is no wording', cells: 'A1,2025q3,1,,', expect: { period: '2025Q3', periodText: null }, errors: [] },
    { name: 'period 2025M07', cells: 'A1,2025M07,1,,', expect: { period: '2025-07' }, errors: [] },
    { name: 'period 2025-7', cells: 'A1,2025-7,1,,', expect: { period: '2025-07' }, errors: [] },
    { name: 'period month 13', cells: 'A1,2025-13,1,,', expect: { period: '2025-13' }, errors: ['period'], message: /2025Q3、2025年三季度、2025年1-9月/ },
    { name: 'period text', cells: 'A1,三季度,1,,', expect: {}, errors: ['period'] },
    { name: 'missing period', cells: 'A1,,1,,', expect: {}, errors: ['period'], message: /缺少期间/ },
    { name: 'grouped value', cells: 'A1,2025,"1,234,567.25",,', expect: { value: '1234567.25' }, errors: [] },
    { name: 'negative value', cells: 'A1,2025,-3.5,,', expect: { value: '-3.5' }, errors: [] },
    { name: 'badly grouped value', cells: 'A1,2025,"12,34",,', expect: { value: '12,34' }, errors: ['value'], message: /“12,34” 的千位分隔符须每三位一组/ },
    { name: 'text value', cells: 'A1,2025,约三百,,', expect: { value: '约三百' }, errors: ['value'], message: /“约三百” 不是数值/ },
    { name: 'percent value: its unit is %', cells: 'A1,2025,12%,,', expect: { value: '12', unit: '%' }, errors: [] },
    { name: 'exponent', cells: 'A1,2025,3e2,,', expect: { value: '3e2' }, errors: ['value'], message: /科学计数法/ },
    { name: 'three pasted cells', cells: 'A1,2025,23 318.5 86,,', expect: { value: '23 318.5 86' }, errors: ['value'], message: /粘贴了多个单元格/ },
    { name: 'full-width digits', cells: 'A1,2025,８２０,,', expect: { value: '820' }, errors: [] },
    { name: 'huge value', cells: 'A1,2025,10000000000000000,,', expect: {}, errors: ['value'], message: /一千万亿/ },
    { name: 'missing value', cells: 'A1,2025,,,', expect: { value: null }, errors: ['value'], message: /缺少数值/ },
    { name: 'basis 当期', cells: 'A1,2025,1,当期,', expect: { basis: 'period' }, errors: [] },
    { name: 'basis YTD', cells: 'A1,2025,1,YTD,', expect: { basis: 'ytd' }, errors: [] },
    { name: 'basis unknown', cells: 'A1,2025,1,年度,', expect: { basis: '年度' }, errors: ['basis'], message: /口径须为/ },
    { name: 'note neutralised on export comes back as typed', cells: "A1,2025,1,,'=1+1", expect: { note: '=1+1' }, errors: [] },
    { name: 'several errors in one row', cells: ',2025Q5,abc,x,', expect: {}, errors: ['target', 'period', 'value', 'basis'] },
  ];
  for (const c of cases) {
    it(`row check: ${c.name}`, async () => {
      const [row] = (await parseFigureSheet(csv(`指标代码,期间,数值,口径,备注\n${c.cells}\n`), 'x.csv')).rows;
      assert.equal(row.row, 2);
      assert.deepEqual(errorFields(row), c.errors);
      for (const [key, value] of Object.entries(c.expect)) assert.equal(row[key as keyof typeof c.expect], value, key);
      if (c.message) assert.match(row.errors[0].message, c.message);
    });
  }

  it('rejects a note over 2000 characters', async () => {
    const [row] = (await parseFigureSheet(csv(`指标代码,期间,数值,备注\nA1,2025,1,${'注'.repeat(2001)}\n`), 'x.csv')).rows;
    assert.deepEqual(errorFields(row), ['note']);
  });

  const unreadable: { name: string; file: () => Buffer | Promise<Buffer>; fileName: string; message: RegExp }[] = [
    { name: 'a .txt file', file: () => csv('指标代码,期间,数值\n'), fileName: 'figures.txt', message: /只接受 \.xlsx 或 \.csv/ },
    { name: 'no extension', file: () => csv('指标代码,期间,数值\n'), fileName: 'figures', message: /只接受/ },
    { name: 'an old .xls file', file: () => csv('x'), fileName: 'old.xls', message: /\.xls/ },
    { name: 'an empty file', file: () => Buffer.alloc(0), fileName: 'x.csv', message: /文件为空/ },
    { name: 'no header', file: () => csv('A1,2025,1\nA2,2025,2\n'), fileName: 'x.csv', message: /未找到表头/ },
    { name: 'a missing required column', file: () => csv('指标代码,期间,备注\nA1,2025,x\n'), fileName: 'x.csv', message: /缺少必需的列：数值/ },
    { name: 'a duplicate column', file: () => csv('指标代码,期间,数值,value\nA1,2025,1,2\n'), fileName: 'x.csv', message: /数值 列重复/ },
    { name: 'an unclosed quote', file: () => csv('指标代码,期间,数值\nA1,"2025,1\n'), fileName: 'x.csv', message: /CSV 格式有误/ },
    { name: 'binary bytes named .csv', file: () => Buffer.from([0, 1, 2, 0xff, 0xfe, 0]), fileName: 'x.csv', message: /不是文本格式/ },
    { name: 'text named .xlsx', file: () => csv('指标代码,期间,数值\n'), fileName: 'x.xlsx', message: /不是 \.xlsx 格式/ },
    { name: 'a corrupt xlsx (truncated zip)', file: async () => (await xlsx([['指标代码', '期间', '数值']])).subarray(0, 200), fileName: 'x.xlsx', message: /无法读取 Excel 文件/ },
    {
      name: `more than ${MAX_ROWS} rows`, fileName: 'big.csv', message: /超过 100,000 行/,
      file: () => csv('指标代码,期间,数值\n' + 'A1,2025,1\n'.repeat(MAX_ROWS + 1)),
    },
  ];
  for (const c of unreadable) {
    it(`refuses ${c.name} with a clear message`, async () => {
      assert.match(await fileError(await c.file(), c.fileName), c.message);
    });
  }

  it(`accepts exactly ${MAX_ROWS} rows`, async () => {
    const parsed = await parseFigureSheet(csv('指标代码,期间,数值\n' + 'A1,2025,1\n'.repeat(MAX_ROWS)), 'big.csv');
    assert.equal(parsed.rows.length, MAX_ROWS);
  });
});

describe('parseFigureSheet: xlsx', () => {
  it('reads numbers, dates, formulas and rich text from cells', async () => {
    const buffer = await xlsx([
      ['数值 (value)', '期间', '指标代码', '口径', '备注'],
      [1234.5, '2025Q3', 'NEV-OUTPUT', '累计', '三季度'],
      [{ formula: 'A2*2', result: 2469 } as ExcelJS.CellValue, 2025, 'A1', null, { richText: [{ text: '富' }, { text: '文本' }] }],
      [7, new Date(Date.UTC(2025, 6, 1)), 'M1', '当期', null], // Excel's reading of a typed "2025-07"
      [null, null, null, null, null],
      ['三百', new Date(Date.UTC(2025, 6, 15)), 'M1', null, null],
    ]);
    const parsed = await parseFigureSheet(buffer, '数据.xlsx');
    assert.deepEqual([parsed.format, parsed.sheet, parsed.encoding], ['xlsx', '数据', null]);
    assert.deepEqual(parsed.rows.map((r) => ({ row: r.row, ...fields(r), errors: errorFields(r) })), [
      { row: 2, target: 'NEV-OUTPUT', period: '2025Q3', value: '1234.5', basis: 'ytd', note: '三季度', errors: [] },
      { row: 3, target: 'A1', period: '2025', value: '2469', basis: null, note: '富文本', errors: [] },
      { row: 4, target: 'M1', period: '2025-07', value: '7', basis: 'period', note: null, errors: [] },
      { row: 6, target: 'M1', period: '2025-07-15', value: '三百', basis: null, note: null, errors: ['period', 'value'] },
    ]);
  });

  it('reads the same cells streamed as with the whole workbook loaded (dates, rich text, links, booleans, sheets)', async () => {
    const workbook = new ExcelJS.Workbook();
    const hidden = workbook.addWorksheet('hidden');
    hidden.state = 'hidden';
    hidden.addRow(['指标代码', '期间', '数值']);
    hidden.addRow(['HIDDEN', '2024Q4', 1]);
    const sheet = workbook.addWorksheet('可见');
    [
      ['说明：示例'],
      [],
      ['Code', 'Period', 'Value', 'Basis', 'Note'],
      ['DT-ENTERPRISES', new Date(Date.UTC(2025, 6, 1)), 260.25, '累计', { richText: [{ text: '富' }, { text: '文本' }] }],
      ['NEV-OUTPUT', '2025Q1', true, null, { text: '链接', hyperlink: 'https://example.org' }],
      [null, null, null, null, null],
      ['M1', new Date(Date.UTC(2025, 6, 15)), '1,234.5', '当期', '=cmd'],
    ].forEach((r) => sheet.addRow(r as ExcelJS.CellValue[]));
    sheet.getCell('B4').numFmt = 'yyyy-mm';
    workbook.addWorksheet('third').addRow(['x']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const streamed = await xlsxRows(buffer);
    assert.deepEqual(streamed, await loadedXlsxRows(buffer));
    assert.equal(streamed.sheet, '可见');
    assert.equal(streamed.rows.length, 5);
  });

  it('round-trips a workbook written by exceljs, reading the first visible sheet', async () => {
    const workbook = new ExcelJS.Workbook();
    const hidden = workbook.addWorksheet('hidden');
    hidden.state = 'hidden';
    hidden.addRow(['指标代码', '期间', '数值']);
    hidden.addRow(['HIDDEN', '2024Q4', 1]);
    const sheet = workbook.addWorksheet('visible');
    [['说明：示例'], ['Code', 'Period', 'Value'], ['DT-ENTERPRISES', '2024Q4', 260]].forEach((r) => sheet.addRow(r));
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const parsed = await parseFigureSheet(buffer, 'x.xlsx');
    assert.deepEqual([parsed.headerRow, parsed.rows.map(fields)],
      [2, [{ target: 'DT-ENTERPRISES', period: '2024Q4', value: '260', basis: null, note: null }]]);
  });
});
