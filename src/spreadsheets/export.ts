import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { STATUS_COLOUR, statusLabel } from '../common/labels.js';
import { STATUSES, type Status } from '../evaluation/evaluation.types.js';
import { csvBuffer, neutralise, sheetName } from './cells.js';

/** Exports: the status report (a summary sheet and one sheet per department) and the figures list. */

// Status report

export interface StatusReportTarget {
  code: string;
  name: string;
  unit: string;
  targetValue: number | null;
  latestValue: number | null;
  latestPeriod: string | null;
  /** ratios: 0.4 = 40% */
  completion: number | null;
  elapsed: number | null;
  pace: number | null;
  gap: number | null;
  /** null: not evaluated yet */
  status: Status | null;
  early: boolean;
  overdue: boolean;
}

export interface StatusReportDepartment {
  code: string;
  name: string;
  targets: StatusReportTarget[];
}

export interface StatusReportModel {
  generatedAt: Date;
  /** time zone of the generation time shown (default Asia/Shanghai) */
  tz?: string;
  departments: StatusReportDepartment[];
}

export const OVERDUE_LABEL = '数据逾期';
export const NOT_EVALUATED_LABEL = '未评估';

export type StatusColour = 'red' | 'amber' | 'green' | 'grey' | 'none';

/** Fill and font of each colour (Excel's Bad / Neutral / Good cell styles, and grey). */
export const STATUS_FILLS: Record<Exclude<StatusColour, 'none'>, { fill: string; font: string }> = {
  red: { fill: 'FFFFC7CE', font: 'FF9C0006' },
  amber: { fill: 'FFFFEB9C', font: 'FF9C5700' },
  green: { fill: 'FFC6EFCE', font: 'FF006100' },
  grey: { fill: 'FFD9D9D9', font: 'FF404040' },
};

/** 红 lagging/deteriorating/missed, 黄 at risk, 绿 on track/ahead/achieved, 灰 data overdue (it overrides: the status rests on stale data). */
export function statusColour(status: Status | null, overdue: boolean): StatusColour {
  if (overdue) return 'grey';
  // A report cell with no data stays unfilled: grey there means overdue.
  return status === null || status === 'no_data' ? 'none' : STATUS_COLOUR[status];
}

export function statusText(t: Pick<StatusReportTarget, 'status' | 'early' | 'overdue'>): string {
  const label = t.status === null ? NOT_EVALUATED_LABEL : statusLabel(t.status, 'zh-CN', t.early);
  return t.overdue ? `${OVERDUE_LABEL}（${label}）` : label;
}

const TARGET_COLUMNS = [
  { header: '指标代码', width: 20 }, { header: '指标', width: 36 }, { header: '单位', width: 8 },
  { header: '目标值', width: 12 }, { header: '最新值', width: 12 }, { header: '完成率', width: 10 },
  { header: '序时进度', width: 10 }, { header: '进度', width: 8 }, { header: '差距', width: 12 }, { header: '状态', width: 22 },
];

const NUMBER_FORMAT = '#,##0.##';
const PERCENT_FORMAT = '0.0%';

function styleHeader(row: ExcelJS.Row): void {
  row.eachCell((cell) => {
    cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E79' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
}

const txt = (value: string | null | undefined) => (value === null || value === undefined ? null : neutralise(value));
const num = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? null : value);

function fillStatus(cell: ExcelJS.Cell, colour: StatusColour): void {
  if (colour === 'none') return;
  cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: STATUS_FILLS[colour].fill } };
  cell.font = { color: { argb: STATUS_FILLS[colour].font } };
}

export const SUMMARY_SHEET = '汇总';

/** The status report: 汇总 and one sheet per department. Text is neutralised; numbers stay numbers. */
export async function statusReportXlsx(model: StatusReportModel): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'target-monitor';
  workbook.created = model.generatedAt;
  const generated = DateTime.fromJSDate(model.generatedAt, { zone: model.tz ?? 'Asia/Shanghai' }).toFormat('yyyy-MM-dd HH:mm');
  const summary = workbook.addWorksheet(SUMMARY_SHEET);
  const names = [SUMMARY_SHEET];

  const all = model.departments.flatMap((d) => d.targets);
  const keys: { label: string; colour: StatusColour; match: (t: StatusReportTarget) => boolean }[] = [
    ...STATUSES.map((s) => ({ label: statusLabel(s, 'zh-CN'), colour: statusColour(s, false), match: (t: StatusReportTarget) => t.status === s })),
    { label: NOT_EVALUATED_LABEL, colour: 'none' as const, match: (t: StatusReportTarget) => t.status === null },
  ];

  summary.getCell('A1').value = '目标进度汇总 (status report)';
  summary.getCell('A1').font = { bold: true, size: 14 };
  summary.getCell('A2').value = `生成时间 ${generated}；共 ${all.length} 项指标，${all.filter((t) => t.overdue).length} 项数据逾期`;

  summary.addRow([]);
  styleHeader(summary.addRow(['状态', '指标数']));
  for (const key of keys) {
    const row = summary.addRow([key.label, all.filter(key.match).length]);
    fillStatus(row.getCell(1), key.colour);
  }
  const overdueRow = summary.addRow([OVERDUE_LABEL, all.filter((t) => t.overdue).length]);
  fillStatus(overdueRow.getCell(1), 'grey');
  summary.addRow(['合计', all.length]).font = { bold: true };

  summary.addRow([]);
  const perDepartmentHeader = summary.addRow(['部门代码', '部门', '合计', ...keys.map((k) => k.label), OVERDUE_LABEL]);
  styleHeader(perDepartmentHeader);
  keys.forEach((key, i) => fillStatus(perDepartmentHeader.getCell(4 + i), key.colour));
  fillStatus(perDepartmentHeader.getCell(4 + keys.length), 'grey');
  for (const d of model.departments) {
    summary.addRow([txt(d.code), txt(d.name), d.targets.length, ...keys.map((k) => d.targets.filter(k.match).length),
      d.targets.filter((t) => t.overdue).length]);
  }
  summary.columns.forEach((column, i) => (column.width = i === 1 ? 20 : i === 0 ? 16 : 12));

  for (const department of model.departments) {
    const name = sheetName(department.name || department.code, names, department.code);
    names.push(name);
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = TARGET_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
    styleHeader(sheet.getRow(1));
    for (const t of department.targets) {
      const row = sheet.addRow([
        txt(t.code), txt(t.name), txt(t.unit), num(t.targetValue), num(t.latestValue), num(t.completion),
        num(t.elapsed), num(t.pace), num(t.gap), statusText(t),
      ]);
      for (const c of [4, 5, 9]) row.getCell(c).numFmt = NUMBER_FORMAT;
      for (const c of [6, 7]) row.getCell(c).numFmt = PERCENT_FORMAT;
      row.getCell(8).numFmt = '0.00';
      fillStatus(row.getCell(10), statusColour(t.status, t.overdue));
    }
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: TARGET_COLUMNS.length } };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// Figures

export interface FigureExportRow {
  target: string;
  name: string;
  department: string;
  period: string;
  /** the exact decimal as stored */
  value: string;
  basis: 'ytd' | 'period';
  status: 'preliminary' | 'final';
  note: string | null;
  source: string | null;
  recordedAt: Date;
  recordedBy: string | null;
}

/** The figures export's columns; the first five are the import's, so an export imports again as it is. */
export const FIGURE_EXPORT_HEADER = ['指标代码', '期间', '数值', '口径', '备注', '指标', '牵头部门', '数据状态', '来源', '录入时间', '录入人'];

const BASIS_LABEL = { ytd: '累计', period: '当期' } as const;
const FIGURE_STATUS_LABEL = { preliminary: '快报', final: '正式' } as const;

function figureCells<V>(r: FigureExportRow, tz: string, value: V): (string | V | null)[] {
  return [
    r.target, r.period, value, BASIS_LABEL[r.basis], r.note, r.name, r.department, FIGURE_STATUS_LABEL[r.status], r.source,
    DateTime.fromJSDate(r.recordedAt, { zone: tz }).toFormat('yyyy-MM-dd HH:mm:ss'), r.recordedBy,
  ];
}

/** Figures as .xlsx: values as numbers, every text cell neutralised. */
export async function figuresXlsx(rows: readonly FigureExportRow[], tz = 'Asia/Shanghai'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'target-monitor';
  const sheet = workbook.addWorksheet('实际值', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = FIGURE_EXPORT_HEADER.map((header, i) => ({ header, width: [20, 10, 14, 8, 30, 30, 14, 10, 24, 20, 24][i] }));
  styleHeader(sheet.getRow(1));
  sheet.getColumn(2).numFmt = '@';
  for (const r of rows) {
    const row = sheet.addRow(figureCells(r, tz, Number(r.value)).map((c) => (typeof c === 'string' ? neutralise(c) : c)));
    row.getCell(3).numFmt = NUMBER_FORMAT;
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Figures as CSV: UTF-8 with BOM, CRLF; values as exact decimals, text neutralised. */
export function figuresCsv(rows: readonly FigureExportRow[], tz = 'Asia/Shanghai'): Buffer {
  // The value is written as the exact decimal (never neutralised: it is a number, "-12.5" stays one).
  return csvBuffer([FIGURE_EXPORT_HEADER, ...rows.map((r) => figureCells(r, tz, { decimal: r.value }))]);
}
