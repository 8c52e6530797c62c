import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Status } from '../evaluation/evaluation.types.js';
import {
  FIGURE_EXPORT_HEADER, type FigureExportRow, figuresCsv, figuresXlsx, STATUS_FILLS, statusColour, type StatusReportTarget,
  statusReportXlsx, statusText,
} from './export.js';
import { parseFigureSheet } from './parse.js';

async function read(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

const fillOf = (cell: ExcelJS.Cell) => (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb ?? null;

function target(code: string, status: Status | null, extra: Partial<StatusReportTarget> = {}): StatusReportTarget {
  return {
    code, name: `指标 ${code}`, unit: '家', targetValue: 350, latestValue: 260, latestPeriod: '2024Q4', completion: 0.4,
    elapsed: 0.5, pace: 0.8, gap: 90, status, early: false, overdue: false, ...extra,
  };
}

describe('status colours', () => {
  const cases: [Status | null, boolean, string][] = [
    ['lagging', false, 'red'], ['deteriorating', false, 'red'], ['missed', false, 'red'], ['at_risk', false, 'amber'],
    ['on_track', false, 'green'], ['ahead', false, 'green'], ['achieved', false, 'green'], ['no_data', false, 'none'],
    [null, false, 'none'], ['lagging', true, 'grey'], ['on_track', true, 'grey'],
  ];
  for (const [status, overdue, colour] of cases) {
    it(`${status}${overdue ? ' + overdue' : ''} → ${colour}`, () => assert.equal(statusColour(status, overdue), colour));
  }

  it('labels statuses in Chinese, overdue first', () => {
    assert.deepEqual(
      [statusText({ status: 'lagging', early: false, overdue: false }), statusText({ status: 'achieved', early: true, overdue: false }),
        statusText({ status: 'at_risk', early: false, overdue: true }), statusText({ status: null, early: false, overdue: false })],
      ['滞后', '提前完成', '数据逾期（需加快）', '未评估'],
    );
  });
});

describe('statusReportXlsx', () => {
  const model = {
    generatedAt: new Date('2026-11-29T02:00:00Z'),
    departments: [
      {
        code: 'ECON-INFO', name: '区经济信息委', targets: [
          target('DT-ENTERPRISES', 'lagging'),
          target('NEV-OUTPUT', 'at_risk', { unit: '亿元', targetValue: 2000, latestValue: 820, completion: 0.41 }),
          target('=cmd', 'on_track', { name: '=HYPERLINK("http://evil")', unit: '@x' }),
          target('OVERDUE-1', 'lagging', { overdue: true }),
          target('NEW-1', null, { latestValue: null, completion: null, elapsed: null, pace: null, gap: null }),
        ],
      },
      { code: 'SCI-TECH', name: '区科技局/创新[中心]', targets: [target('TECH', 'achieved', { early: true })] },
      { code: 'SUMMARY', name: '汇总', targets: [target('S-1', 'missed')] },
    ],
  };

  it('has a summary sheet and one validly named sheet per department', async () => {
    const workbook = await read(await statusReportXlsx(model));
    assert.deepEqual(workbook.worksheets.map((w) => w.name), ['汇总', '区经济信息委', '区科技局_创新_中心_', '汇总 (2)']);
  });

  it('counts targets per status and per department in the summary', async () => {
    const summary = (await read(await statusReportXlsx(model))).getWorksheet('汇总')!;
    const rows = new Map<string, ExcelJS.CellValue[]>();
    summary.eachRow((row) => {
      const values = (row.values as ExcelJS.CellValue[]).slice(1);
      rows.set(String(values[0]), values);
    });
    assert.deepEqual(
      ['滞后', '需加快', '符合序时进度', '已完成', '未完成', '未评估', '数据逾期', '合计'].map((k) => rows.get(k)?.[1]),
      [2, 1, 1, 1, 1, 1, 1, 7],
    );
    const header = rows.get('部门代码')!;
    const econ = rows.get('ECON-INFO')!;
    assert.deepEqual([econ[1], econ[2]], ['区经济信息委', 5]);
    assert.equal(econ[header.indexOf('滞后')], 2);
    assert.equal(econ[header.indexOf('数据逾期')], 1);
    assert.equal(rows.get('SCI-TECH')![header.indexOf('已完成')], 1);
  });

  it('lists a department’s targets with numbers as numbers and the status cell filled in its colour', async () => {
    const sheet = (await read(await statusReportXlsx(model))).getWorksheet('区经济信息委')!;
    assert.deepEqual((sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1),
      ['指标代码', '指标', '单位', '目标值', '最新值', '完成率', '序时进度', '进度', '差距', '状态']);
    const row = (n: number) => (sheet.getRow(n).values as ExcelJS.CellValue[]).slice(1);
    assert.deepEqual(row(2), ['DT-ENTERPRISES', '指标 DT-ENTERPRISES', '家', 350, 260, 0.4, 0.5, 0.8, 90, '滞后']);
    assert.equal(sheet.getCell(2, 6).numFmt, '0.0%');
    assert.deepEqual(
      [2, 3, 4, 5, 6].map((r) => [sheet.getCell(r, 10).value, fillOf(sheet.getCell(r, 10))]),
      [['滞后', STATUS_FILLS.red.fill], ['需加快', STATUS_FILLS.amber.fill], ['符合序时进度', STATUS_FILLS.green.fill],
        ['数据逾期（滞后）', STATUS_FILLS.grey.fill], ['未评估', null]],
    );
    // Formula injection: text neutralised, stored as text (not as a formula).
    assert.deepEqual(row(4).slice(0, 3), ["'=cmd", '\'=HYPERLINK("http://evil")', "'@x"]);
    assert.equal(sheet.getCell(4, 1).type, ExcelJS.ValueType.String);
    assert.deepEqual([4, 5, 6, 7, 8, 9].map((c) => sheet.getCell(6, c).value), [350, null, null, null, null, null]);
  });
});

describe('figures exports', () => {
  const rows: FigureExportRow[] = [
    {
      target: 'NEV-OUTPUT', name: '智能网联新能源汽车年产值', department: '区经济信息委', period: '2025Q1', value: '380.5', basis: 'period',
      status: 'preliminary', note: '=cmd|\'/C calc\'!A0', source: '导入: a.csv', recordedAt: new Date('2025-04-10T02:03:04Z'), recordedBy: 'a@example.org',
    },
    {
      target: 'DEBT', name: '负债', department: '区财政局', period: '2025', value: '-12.000000000000000000001', basis: 'ytd',
      status: 'final', note: null, source: null, recordedAt: new Date('2026-01-05T00:00:00Z'), recordedBy: null,
    },
  ];

  it('writes xlsx with numbers as numbers and text neutralised', async () => {
    const sheet = (await read(await figuresXlsx(rows))).worksheets[0];
    assert.deepEqual((sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1), FIGURE_EXPORT_HEADER);
    assert.deepEqual((sheet.getRow(2).values as ExcelJS.CellValue[]).slice(1), [
      'NEV-OUTPUT', '2025Q1', 380.5, '当期', '\'=cmd|\'/C calc\'!A0', '智能网联新能源汽车年产值', '区经济信息委', '快报', '导入: a.csv',
      '2025-04-10 10:03:04', 'a@example.org',
    ]);
    assert.equal(sheet.getCell(3, 3).value, -12);
  });

  it('writes CSV as UTF-8 with BOM and CRLF, exact decimals, neutralised text', () => {
    const text = figuresCsv(rows).toString('utf8');
    assert.ok(text.startsWith('\uFEFF指标代码,期间,数值,口径,备注,'));
    const lines = text.slice(1).split('\r\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[3], '');
    assert.equal(lines[1], 'NEV-OUTPUT,2025Q1,380.5,当期,\'=cmd|\'/C calc\'!A0,智能网联新能源汽车年产值,区经济信息委,快报,导入: a.csv,2025-04-10 10:03:04,a@example.org');
    assert.equal(lines[2], 'DEBT,2025,-12.000000000000000000001,累计,,负债,区财政局,正式,,2026-01-05 08:00:00,');
  });

  it('exports files the import reads back as they were', async () => {
    for (const [name, buffer] of [['x.csv', figuresCsv(rows)], ['x.xlsx', await figuresXlsx(rows)]] as const) {
      const parsed = await parseFigureSheet(buffer, name);
      assert.deepEqual(parsed.rows.map((r) => [r.target, r.period, r.value, r.basis, r.note, r.errors]), [
        ['NEV-OUTPUT', '2025Q1', '380.5', 'period', '=cmd|\'/C calc\'!A0', []],
        ['DEBT', '2025', name.endsWith('csv') ? '-12.000000000000000000001' : '-12', 'ytd', null, []],
      ], name);
    }
  });
});
