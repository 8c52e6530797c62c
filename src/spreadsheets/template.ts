import ExcelJS from 'exceljs';
import { csvBuffer } from './cells.js';
import { COLUMN_LABELS, type FigureField } from './parse.js';

/** The import template; column help as validation messages, since openpyxl's comments break exceljs. */

const FIELDS: FigureField[] = ['target', 'period', 'value', 'basis', 'note'];

export const TEMPLATE_NOTE =
  '填写说明：每行一个实际值。指标代码如 NEV-OUTPUT；期间如 2025Q3（季度）、2025（年度）、2025-07（月度），须与指标的报送频率一致；' +
  '数值为数字（可含千分位逗号，如 1,234.5）；口径填 累计 或 当期，存量指标留空；备注可空。第 3 行是示例，导入前请删除。' +
  ' (One figure per row; period like 2025Q3, 2025 or 2025-07; basis 累计/ytd, 当期/period or blank; delete the example row.)';

export const TEMPLATE_EXAMPLE = ['EXAMPLE-CODE', '2025Q3', 1234.5, '累计', '示例行，导入前请删除 (example row)'] as const;

/** Input messages (Excel allows 255 characters). */
export const COLUMN_NOTES: Record<FigureField, string> = {
  target: '必填。指标的代码，如 NEV-OUTPUT (required: the target code)',
  period: '必填。2025Q3、2025 或 2025-07 (required: quarter, year or month)',
  value: '必填。数字，如 1234.5 (required: a number)',
  basis: '选填。累计 或 当期；存量指标留空 (optional: 累计/ytd or 当期/period)',
  note: '选填。备注 (optional note)',
};

const WIDTHS: Record<FigureField, number> = { target: 22, period: 12, value: 16, basis: 10, note: 40 };

export const TEMPLATE_HEADER = FIELDS.map((f) => COLUMN_LABELS[f]);

/** The template as .xlsx (styled header, widths, a note row, 口径 as a drop-down) or .csv (UTF-8 with BOM). */
export async function figureTemplate(format: 'xlsx' | 'csv'): Promise<Buffer> {
  if (format === 'csv') return csvBuffer([[TEMPLATE_NOTE], TEMPLATE_HEADER, [...TEMPLATE_EXAMPLE]]);

  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'target-monitor';
  const sheet = workbook.addWorksheet('实际值', { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.columns = FIELDS.map((f) => ({ key: f, width: WIDTHS[f] }));
  // Code and period as text, so Excel does not turn 2025-07 into a date.
  sheet.getColumn(1).numFmt = '@';
  sheet.getColumn(2).numFmt = '@';

  sheet.mergeCells(1, 1, 1, FIELDS.length);
  const note = sheet.getCell(1, 1);
  note.value = TEMPLATE_NOTE;
  note.alignment = { wrapText: true, vertical: 'top' };
  note.font = { color: { argb: 'FF595959' }, size: 10 };
  sheet.getRow(1).height = 60;

  const header = sheet.getRow(2);
  header.values = TEMPLATE_HEADER;
  header.eachCell((cell) => {
    cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E79' } };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF000000' } } };
  });
  header.height = 20;

  sheet.getRow(3).values = [...TEMPLATE_EXAMPLE];
  sheet.getRow(3).font = { italic: true, color: { argb: 'FF7F7F7F' } };
  // (worksheet.dataValidations is missing from exceljs' typings; it takes a range.)
  const validations = (sheet as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  FIELDS.forEach((field, i) => {
    const column = String.fromCharCode(65 + i);
    const prompt = { showInputMessage: true, promptTitle: COLUMN_LABELS[field], prompt: COLUMN_NOTES[field] };
    validations.add(`${column}3:${column}100002`, field === 'basis'
      ? { type: 'list', allowBlank: true, formulae: ['"累计,当期"'], showErrorMessage: true, errorTitle: '口径', error: '请选择 累计 或 当期，或留空', ...prompt }
      : { type: 'any', allowBlank: true, ...prompt } as unknown as ExcelJS.DataValidation);
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
