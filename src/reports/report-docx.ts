import { inflateRawSync } from 'node:zlib';
import {
  AlignmentType, BorderStyle, Document, Footer, Header, ImageRun, LineRuleType, PageNumber, Packer, Paragraph, Table, TableCell,
  TableLayoutType, TableRow, TextRun, VerticalAlignTable, WidthType,
} from 'docx';
import type { FlaggedTarget, ReportModel, TargetRow } from './report-model.js';

/**
 * The 季度通报 as a .docx, in the style of a government document (GB/T 9704): A4, title in 小标宋 (黑体
 * where it is missing), headings 一、 in 黑体 and （一） in 楷体, body in 仿宋 三号 (16 pt) on a 28-point
 * line, tables with borders, the page number as — 1 — in the footer. Pure and deterministic: the same
 * model gives the same bytes (the core properties carry the model's time, the zip entries a fixed one).
 */

const FANGSONG = '仿宋_GB2312';
const HEITI = '黑体';
const KAITI = '楷体_GB2312';
const TITLE_FONT = '方正小标宋简体';
const LATIN = 'Times New Roman';

/** half-points */
const SIZE = { title: 44, body: 32, table: 21, small: 24 } as const;
const LINE = 560; // 28 pt in twips

const fonts = (eastAsia: string) => ({ ascii: LATIN, hAnsi: LATIN, eastAsia, cs: LATIN });

const run = (text: string, font = FANGSONG, size: number = SIZE.body, bold = false) =>
  new TextRun({ text, font: fonts(font), size, bold });

const body = (text: string) =>
  new Paragraph({ children: [run(text)], indent: { firstLine: 640 }, spacing: { line: LINE, lineRule: LineRuleType.EXACT }, alignment: AlignmentType.LEFT });

const heading1 = (text: string) =>
  new Paragraph({ children: [run(text, HEITI)], indent: { firstLine: 640 }, spacing: { line: LINE, lineRule: LineRuleType.EXACT }, keepNext: true });

const heading2 = (text: string) =>
  new Paragraph({ children: [run(text, KAITI)], indent: { firstLine: 640 }, spacing: { line: LINE, lineRule: LineRuleType.EXACT }, keepNext: true });

const heading3 = (text: string) =>
  new Paragraph({ children: [run(text, FANGSONG, SIZE.body, true)], indent: { firstLine: 640 }, spacing: { line: LINE, lineRule: LineRuleType.EXACT }, keepNext: true });

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
/** 1 → 一, 12 → 十二, 20 → 二十 */
export function chineseNumeral(n: number): string {
  if (n <= 10) return NUMERALS[n - 1];
  if (n < 20) return `十${NUMERALS[n - 11]}`;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${NUMERALS[tens - 1]}十${ones ? NUMERALS[ones - 1] : ''}`;
}

const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const BORDERS = { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER, insideHorizontal: BORDER, insideVertical: BORDER };

/** the text width of the page in twips: A4 less the margins */
const TEXT_WIDTH = 11906 - 1588 - 1474;
const twips = (pct: number) => Math.round((pct * TEXT_WIDTH) / 100);

function cell(text: string, widthPct: number, header = false, align: (typeof AlignmentType)[keyof typeof AlignmentType] = AlignmentType.CENTER): TableCell {
  return new TableCell({
    width: { size: twips(widthPct), type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { top: 40, bottom: 40, left: 80, right: 80 },
    // A line break where the text has one: 350 / （2027）, so a value and its period do not break mid-number.
    children: [new Paragraph({
      alignment: align,
      children: text.split('\n').map((line, i) => new TextRun({ text: line, font: fonts(header ? HEITI : FANGSONG), size: SIZE.table, break: i ? 1 : undefined })),
    })],
  });
}

function table(headers: [string, number][], rows: string[][], leftColumns: number[] = [1]): Table {
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: headers.map(([, w]) => twips(w)),
    layout: TableLayoutType.FIXED,
    borders: BORDERS,
    rows: [
      new TableRow({ tableHeader: true, children: headers.map(([h, w]) => cell(h, w, true)) }),
      ...rows.map((r) => new TableRow({
        cantSplit: true,
        children: r.map((text, i) => cell(text, headers[i][1], false, leftColumns.includes(i) ? AlignmentType.LEFT : AlignmentType.CENTER)),
      })),
    ],
  });
}

const value = (v: string | null, unit: string) => (v === null ? '—' : `${v}${unit === '%' ? '%' : unit}`);
const pct = (v: string | null) => (v === null ? '—' : `${v}%`);

function departmentTable(rows: TargetRow[]): Table {
  return table(
    [['序号', 6], ['指标', 26], ['单位', 8], ['目标值\n（期限）', 16], ['最新数据\n（期间）', 18], ['完成率', 11], ['序时进度', 15]],
    rows.map((r, i) => [
      String(i + 1), r.name, r.unit || '—', `${r.targetValue}\n（${r.targetPeriod}）`,
      r.latestValue === null ? '暂无' : `${r.latestValue}\n（${r.latestPeriod}）`, pct(r.completion), r.statusText,
    ]),
  );
}

function flaggedParagraphs(f: FlaggedTarget, index: number): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [heading3(`${index}. ${f.name}（${f.departmentName}，${f.statusText}）`)];
  const pace = [
    `目标值${value(f.targetValue, f.unit)}（${f.targetPeriod}），最新数据${f.latestValue === null ? '暂无' : `${value(f.latestValue, f.unit)}（${f.latestPeriod}）`}`,
    `完成率${pct(f.completion)}`,
    f.expected !== null ? `按序时进度应达${value(f.expected, f.unit)}` : null,
    f.elapsed !== null ? `时间已过${pct(f.elapsed)}` : null,
    f.pace !== null ? `推进速度为序时进度的${pct(f.pace)}` : null,
  ].filter((s): s is string => s !== null);
  out.push(body(`${pace.join('，')}。`));
  if (f.figures.length) out.push(body(`各期数据：${f.figures.map((x) => `${x.period} ${value(x.value, f.unit)}`).join('；')}。`));
  if (f.chartPng) {
    out.push(new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new ImageRun({
        type: 'png', data: Buffer.from(f.chartPng, 'base64'), transformation: { width: 520, height: 260 },
        // An id of our own: docx's default comes from a counter shared by every document the process renders.
        altText: { id: String(index), name: `chart-${f.code}`, description: `${f.name}进度图` },
      })],
    }));
  }
  if (f.explanation) {
    out.push(body(`原因分析：${f.explanation.cause ?? ''}`));
    out.push(body(`下步措施：${f.explanation.measures ?? ''}`));
  } else {
    out.push(body('未提交情况说明。'));
  }
  return out;
}

const STATE_TEXT = { due: '待提交', returned: '已退回待修改', none: '未提交' } as const;

function sections(model: ReportModel): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [];
  let n = 0;
  const section = (title: string) => out.push(heading1(`${chineseNumeral(++n)}、${title}`));

  section('总体情况');
  out.push(body(`截至${model.asOf.slice(0, 10)}（评估时点），${model.overview}`));

  section('各责任单位指标进展');
  model.departments.forEach((d, i) => {
    out.push(heading2(`（${chineseNumeral(i + 1)}）${d.name}`));
    out.push(departmentTable(d.rows));
  });

  section('滞后指标及情况说明');
  if (!model.flagged.length) out.push(body('本季度无滞后、倒退、未完成或需加快的指标。'));
  model.flagged.forEach((f, i) => out.push(...flaggedParagraphs(f, i + 1)));

  section('未提交情况说明的指标');
  if (!model.missingExplanations.length) out.push(body('无。'));
  else {
    out.push(table(
      [['序号', 8], ['指标', 34], ['责任单位', 22], ['状态', 16], ['截止时间', 20]],
      model.missingExplanations.map((m, i) => [String(i + 1), m.name, m.departmentName, STATE_TEXT[m.state], m.dueAt ? m.dueAt.slice(0, 10) : '—']),
    ));
  }

  section('数据逾期未报的指标');
  if (!model.missingFigures.length) out.push(body('无。'));
  else {
    out.push(table(
      [['序号', 8], ['指标', 46], ['责任单位', 26], ['应报期间', 20]],
      model.missingFigures.map((m, i) => [String(i + 1), m.name, m.departmentName, m.duePeriod]),
    ));
  }

  if (model.revisions.length) {
    section('已发布数据修订');
    out.push(table(
      [['序号', 6], ['指标', 26], ['期间', 12], ['原数据', 12], ['修订后', 12], ['修订时间', 14], ['修订原因', 18]],
      model.revisions.map((r, i) => [
        String(i + 1), r.name, r.period, r.previous ?? '—', r.value, r.recordedAt.slice(0, 10), r.reason ?? '—',
      ]),
      [1, 6],
    ));
  }
  return out;
}

function coreXml(model: ReportModel): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const at = model.createdAt.replace(/\.\d{3}Z$/, 'Z');
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${esc(model.title)}</dc:title><dc:creator>target-monitor</dc:creator>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${at}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${at}</dcterms:modified></cp:coreProperties>`;
}

function document(model: ReportModel): Document {
  const header = new Header({
    children: model.demo
      ? [new Paragraph({ alignment: AlignmentType.RIGHT, children: [run('示例（演示数据，非真实统计）', HEITI, SIZE.small)] })]
      : [new Paragraph({ children: [] })],
  });
  const footer = new Footer({
    children: [new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: fonts(FANGSONG), size: 28 })],
    })],
  });
  const title = [
    ...(model.demo ? [new Paragraph({ alignment: AlignmentType.CENTER, children: [run('示  例', HEITI, SIZE.body)] })] : []),
    // 渝北区目标进度季度通报 / （2026年第三季度）: the title in two lines, as a 通报's is.
    ...model.title.split(/(?=（)/).map((line, i, lines) => new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: i === 0 ? 240 : 0, after: i === lines.length - 1 ? 480 : 0, line: 700, lineRule: LineRuleType.EXACT },
      children: [run(line, TITLE_FONT, SIZE.title)],
    })),
  ];
  return new Document({
    title: model.title,
    creator: 'target-monitor',
    styles: { default: { document: { run: { font: fonts(FANGSONG), size: SIZE.body } } } },
    sections: [{
      properties: {
        page: {
          size: { width: 11906, height: 16838 },
          margin: { top: 2098, bottom: 1984, left: 1588, right: 1474, header: 851, footer: 992 },
          pageNumbers: { start: 1 },
        },
      },
      headers: { default: header },
      footers: { default: footer },
      children: [...title, ...sections(model)],
    }],
  });
}

/** The model as a .docx. */
export async function renderReportDocx(model: ReportModel): Promise<Buffer> {
  const packed = await Packer.toBuffer(document(model), false, [{ path: 'docProps/core.xml', data: coreXml(model) }]);
  return fixZipTimes(packed, new Date(model.createdAt));
}

/** DOS date and time fields (local header offset 10/12, central directory 12/14) from a UTC moment. */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/**
 * The zip writer stamps each entry with the time it ran; this sets every entry's time to `at` instead, in
 * the central directory and in each local header (the data and CRCs are untouched).
 */
export function fixZipTimes(zip: Buffer, at: Date): Buffer {
  const out = Buffer.from(zip);
  const { time, date } = dosDateTime(at);
  let end = -1;
  for (let i = out.length - 22; i >= Math.max(0, out.length - 22 - 0xffff); i--) {
    if (out.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error('not a zip file: no end of central directory');
  const count = out.readUInt16LE(end + 10);
  let p = out.readUInt32LE(end + 16);
  for (let k = 0; k < count; k++) {
    if (out.readUInt32LE(p) !== 0x02014b50) throw new Error('zip central directory is corrupt');
    out.writeUInt16LE(time, p + 12);
    out.writeUInt16LE(date, p + 14);
    const local = out.readUInt32LE(p + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error('zip local header is corrupt');
    out.writeUInt16LE(time, local + 10);
    out.writeUInt16LE(date, local + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}

/** The entries of a zip file (stored or deflated) by name: for tests and checks. */
export function unzipEntries(zip: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  let end = -1;
  for (let i = zip.length - 22; i >= 0; i--) if (zip.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  if (end < 0) throw new Error('not a zip file');
  let p = zip.readUInt32LE(end + 16);
  for (let k = zip.readUInt16LE(end + 10); k > 0; k--) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(p + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    entries.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return entries;
}
