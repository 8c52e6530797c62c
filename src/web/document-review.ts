import { z } from 'zod';
import type { FieldError } from '../common/domain-error.js';
import type { Candidate } from '../extraction/extract.js';
import { checked, escapeHtml, field, type FormBody, orNull } from './form-errors.js';

/** The document form. The text limit keeps a review page (text + rows, URL-encoded) under the 1 MB body limit. */
export const documentFormSchema = z.strictObject({
  title: z.string().trim().min(1, '请填写文件标题 (the document title is required)').max(500),
  url: z.url('链接格式不正确 (invalid URL)').max(2000).nullable(),
  documentYear: z.coerce.number().int().min(1949).max(2200).optional(),
  text: z.string().trim().min(1, '请粘贴文件正文 (paste the text)').max(60_000, '正文不得超过 60000 字 (at most 60,000 characters)'),
});
export type DocumentForm = z.output<typeof documentFormSchema>;

export interface DocumentFields { title: string; url: string; documentYear: string; text: string }

/** Line ends as a browser sends them from a textarea are CRLF; offsets are kept on LF text. */
export const documentFields = (body: FormBody | undefined): DocumentFields => ({
  title: field(body, 'title'), url: field(body, 'url').trim(), documentYear: field(body, 'documentYear').trim(),
  text: field(body, 'text').replace(/\r\n?/g, '\n'),
});

export const documentInput = (f: DocumentFields) => ({
  title: f.title, url: orNull(f.url), text: f.text, ...(f.documentYear && { documentYear: f.documentYear }),
});

/** One candidate as the review table shows it: every value a string, as typed. */
export interface ReviewRow {
  create: boolean;
  code: string;
  name: string;
  value: string;
  unit: string;
  comparator: string;
  kind: string;
  baselinePeriod: string;
  baselineValue: string;
  deadline: string;
  department: string;
  category: string;
  /** 约束性: ticked from an indicator table's 属性 column */
  binding: boolean;
  /** an actual stated beside the target (计划执行情况), recorded with it when the row is created */
  figurePeriod: string;
  figureValue: string;
  /** the indicator table's row number, '' for a sentence */
  tableRow: string;
  quote: string;
  notes: string;
  /** what the extractor said: shown, carried along, never stored */
  remarks: string;
  confidence: string;
  start: string;
  end: string;
}

const ROW_FIELDS = [
  'code', 'name', 'value', 'unit', 'comparator', 'kind', 'baselinePeriod', 'baselineValue', 'deadline', 'department',
  'category', 'quote', 'notes', 'remarks', 'confidence', 'start', 'end', 'figurePeriod', 'figureValue', 'tableRow',
] as const;

/** Inputs of row i, by the error path each answers to. */
export const rowFields = (rows: number): string[] =>
  ['title', 'url', 'rows', ...Array.from({ length: rows }, (_, i) => [`rows[${i}].create`, `rows[${i}].binding`, ...ROW_FIELDS.map((f) => `rows[${i}].${f}`)]).flat()];

/** Confident enough to be ticked for creation: a stated comparator or deadline, and a deadline to measure against. */
export const isConfident = (c: Candidate) => c.confidence >= 0.75 && c.deadline !== null;

// A yearly total (output, revenue, investment per year) is a flow; counts, shares and capacities are levels.
const FLOW = /(?:年|全年|年度)(?:产值|营收|营业收入|收入|销售额|投资|总额|增加值|税收|出口|进出口|交易额)|产值|营业收入|增加值|销售额|交易额/;
export const guessKind = (c: Candidate): 'level' | 'flow' => (FLOW.test(c.subject) && !/产能|覆盖率|占比|比重/.test(c.subject) ? 'flow' : 'level');

/** The department a 责任单位 cell names: same name, or one name containing the other (区科技局 ~ 科技局). */
export function matchDepartment(written: string | null | undefined, departments: readonly { code: string; name: string }[]): string {
  const w = (written ?? '').replace(/\s+/g, '');
  if (!w) return '';
  const exact = departments.find((d) => d.name === w || d.code === w);
  if (exact) return exact.code;
  const strip = (s: string) => s.replace(/^(?:区|市|县|省)/, '');
  const near = departments.filter((d) => strip(d.name).includes(strip(w)) || strip(w).includes(strip(d.name)));
  return near.length === 1 ? near[0].code : '';
}

export function reviewRows(candidates: Candidate[], codes: string[], departments: readonly { code: string; name: string }[] = []): ReviewRow[] {
  return candidates.map((c, i) => ({
    create: isConfident(c),
    code: codes[i],
    name: c.subject,
    value: String(c.value),
    unit: c.unit,
    comparator: c.comparator,
    kind: guessKind(c),
    // a relative target (较2020年增长30%) names its base period; its base value is the planner's to fill
    baselinePeriod: c.baseline?.period ?? c.basePeriod ?? '',
    baselineValue: c.baseline ? String(c.baseline.value) : '',
    deadline: c.deadline ?? '',
    department: matchDepartment(c.department, departments),
    category: '',
    binding: c.binding === true,
    figurePeriod: c.figures?.[0]?.period ?? '',
    figureValue: c.figures?.[0] ? String(c.figures[0].value) : '',
    tableRow: c.table ? String(c.table.row) : '',
    quote: c.quote,
    notes: c.notes.join('；'),
    remarks: c.notes.join('\n'),
    confidence: String(c.confidence),
    start: String(c.start),
    end: String(c.end),
  }));
}

export function rowsFromBody(body: FormBody | undefined): ReviewRow[] {
  let n = 0;
  while (n < 500 && body?.[`rows[${n}].quote`] !== undefined) n++;
  return Array.from({ length: n }, (_, i) => {
    const row = Object.fromEntries(ROW_FIELDS.map((f) => [f, field(body, `rows[${i}].${f}`)])) as Omit<ReviewRow, 'create' | 'binding'>;
    return { ...row, create: checked(body, `rows[${i}].create`), binding: checked(body, `rows[${i}].binding`) };
  });
}

/** A ticked row in the shape of createTargetSchema, its source the document and the row's quote. */
export function rowInput(row: ReviewRow, doc: { title: string; url: string | null }): Record<string, unknown> {
  const baselinePeriod = row.baselinePeriod.trim();
  const baselineValue = row.baselineValue.trim();
  return {
    code: row.code.trim(),
    name: row.name,
    unit: row.unit,
    kind: row.kind,
    comparator: row.comparator,
    department: row.department,
    category: orNull(row.category),
    binding: row.binding,
    // a yearly actual comes with a yearly plan (计划执行情况)
    ...(/^\d{4}$/.test(row.figurePeriod.trim()) && row.figureValue.trim() && { frequency: 'yearly' }),
    baseline: baselinePeriod || baselineValue ? { period: baselinePeriod, value: baselineValue } : null,
    target: { period: row.deadline.trim(), value: row.value },
    source: { document: doc.title.trim(), quote: row.quote, url: doc.url },
    notes: orNull(row.notes),
  };
}

/** The schema's paths for a row → the row's inputs. */
export function rowErrorPath(i: number, path: string): string {
  const map: Record<string, string> = {
    'target.period': 'deadline', 'target.value': 'value', 'baseline.period': 'baselinePeriod', 'baseline.value': 'baselineValue',
    target: 'deadline', baseline: 'baselinePeriod', 'source.quote': 'quote',
  };
  if (path === 'source.document') return 'title';
  if (path === 'source.url') return 'url';
  const [head] = path.split(/[.[]/);
  return `rows[${i}].${map[path] ?? (head === 'supporting' ? 'department' : head)}`;
}

export const rowErrors = (i: number, errors: FieldError[]): FieldError[] => errors.map((e) => ({ ...e, path: rowErrorPath(i, e.path) }));

/** A ticked row's actual in the shape of one figure of batchFiguresSchema, or null when the row has none. */
export function rowFigure(row: ReviewRow, doc: { title: string }): Record<string, unknown> | null {
  const period = row.figurePeriod.trim();
  const value = row.figureValue.trim();
  if (!period && !value) return null;
  return { target: row.code.trim(), period, value, status: 'preliminary', source: orNull(doc.title.trim()) };
}

/** The text as escaped HTML with each quote marked; overlapping quotes are clipped so marks never nest. */
export function highlight(text: string, spans: { n: number; start: number; end: number; tableRow?: boolean }[]): string {
  const valid = spans
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.end <= text.length && s.start < s.end)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let html = '';
  let at = 0;
  for (const s of valid) {
    const start = Math.max(s.start, at);
    const end = Math.max(s.end, start);
    html += escapeHtml(text.slice(at, start));
    html += `<mark class="cand${s.tableRow ? ' table-row' : ''}" id="c-${s.n}">${escapeHtml(text.slice(start, end))}</mark><sup><a href="#row-${s.n}">${s.n}</a></sup>`;
    at = end;
  }
  return html + escapeHtml(text.slice(at));
}
