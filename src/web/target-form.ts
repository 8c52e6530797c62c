import type { FieldError } from '../common/domain-error.js';
import { splitAliases } from '../spreadsheets/names.js';
import type { TargetBody } from '../targets/target.schema.js';
import { checked, field, fields, type FormBody, orNull } from './form-errors.js';

/** Milestone rows the form offers; blank rows are ignored. */
export const MILESTONE_ROWS = 6;

const SCALARS = [
  'code', 'name', 'aliases', 'unit', 'kind', 'comparator', 'method', 'frequency', 'expectation', 'department', 'category',
  'baseline.period', 'baseline.value', 'target.period', 'target.value', 'graceDays',
  'source.document', 'source.quote', 'source.url', 'notes',
] as const;
const MILESTONE_FIELDS = Array.from({ length: MILESTONE_ROWS }, (_, i) => [`milestones[${i}].period`, `milestones[${i}].value`]).flat();

/** Every input of the target form, by the error path it answers to. */
export const targetFields = (milestoneRows: number): string[] => [
  ...SCALARS, 'binding', 'supporting',
  ...Array.from({ length: milestoneRows }, (_, i) => [`milestones[${i}].period`, `milestones[${i}].value`]).flat(),
];

/** What the form shows: the values as typed, named like the schema's error paths. */
export interface TargetForm {
  values: Record<string, string>;
  binding: boolean;
  supporting: string[];
}

export const EMPTY_TARGET_FORM: TargetForm = {
  values: {
    ...Object.fromEntries([...SCALARS, ...MILESTONE_FIELDS].map((k) => [k, ''])),
    method: 'linear', frequency: 'quarterly', expectation: 'time', graceDays: '20',
  },
  binding: false,
  supporting: [],
};

/** Milestone rows the form shows: at least MILESTONE_ROWS, and every row that has a value. */
export const milestoneRowCount = (form: TargetForm): number => {
  let n = MILESTONE_ROWS;
  while (form.values[`milestones[${n}].period`] !== undefined) n++;
  return n;
};

export function targetFormFromBody(body: FormBody | undefined): TargetForm {
  let rows = MILESTONE_ROWS;
  while (rows < 100 && body?.[`milestones[${rows}].period`] !== undefined) rows++;
  const milestoneFields = Array.from({ length: rows }, (_, i) => [`milestones[${i}].period`, `milestones[${i}].value`]).flat();
  return {
    values: Object.fromEntries([...SCALARS, ...milestoneFields].map((k) => [k, field(body, k)])),
    binding: checked(body, 'binding'),
    supporting: fields(body, 'supporting'),
  };
}

/** A stored target (exact decimal strings) as the edit form shows it. */
export function targetFormFromTarget(code: string, t: TargetBody): TargetForm {
  const values: Record<string, string> = { ...EMPTY_TARGET_FORM.values };
  Object.assign(values, {
    code, name: t.name, aliases: t.aliases.join('\n'), unit: t.unit, kind: t.kind, comparator: t.comparator, method: t.method, frequency: t.frequency,
    expectation: t.expectation, department: t.department, category: t.category ?? '',
    'baseline.period': t.baseline?.period ?? '', 'baseline.value': t.baseline ? String(t.baseline.value) : '',
    'target.period': t.target.period, 'target.value': String(t.target.value), graceDays: String(t.graceDays),
    'source.document': t.source?.document ?? '', 'source.quote': t.source?.quote ?? '', 'source.url': t.source?.url ?? '',
    notes: t.notes ?? '',
  });
  // More milestones than rows cannot be edited here without losing some; the form shows them all.
  t.milestones.forEach((m, i) => {
    values[`milestones[${i}].period`] = m.period;
    values[`milestones[${i}].value`] = String(m.value);
  });
  return { values, binding: t.binding, supporting: [...t.supporting] };
}

/** The form as createTargetSchema's input (numbers as strings, empty → null); `rows[k]` maps milestone errors back. */
export function targetInput(form: TargetForm, withCode: boolean): { input: Record<string, unknown>; rows: number[]; errors: FieldError[] } {
  const v = form.values;
  const errors: FieldError[] = [];
  const rows: number[] = [];
  const milestones: { period: string; value: string }[] = [];
  for (let i = 0; v[`milestones[${i}].period`] !== undefined; i++) {
    const period = v[`milestones[${i}].period`].trim();
    const value = v[`milestones[${i}].value`] ?? '';
    if (!period && !value.trim()) continue;
    rows.push(i);
    milestones.push({ period, value });
  }
  const baselinePeriod = v['baseline.period'].trim();
  const baselineValue = v['baseline.value'];
  const source = { document: orNull(v['source.document']), quote: orNull(v['source.quote']), url: orNull(v['source.url'].trim()) };
  const input: Record<string, unknown> = {
    ...(withCode && { code: v.code.trim() }),
    name: v.name,
    aliases: splitAliases(v.aliases ?? ''),
    unit: v.unit,
    kind: v.kind,
    comparator: v.comparator,
    method: v.method,
    frequency: v.frequency,
    expectation: v.expectation,
    binding: form.binding,
    department: v.department,
    supporting: form.supporting,
    category: orNull(v.category),
    baseline: baselinePeriod || baselineValue.trim() ? { period: baselinePeriod, value: baselineValue } : null,
    target: { period: v['target.period'].trim(), value: v['target.value'] },
    milestones,
    source: source.document === null && source.quote === null && source.url === null ? null : source,
    notes: orNull(v.notes),
  };
  const grace = v.graceDays.trim();
  if (/^\d{1,4}$/.test(grace)) input.graceDays = Number(grace);
  else if (grace !== '') errors.push({ path: 'graceDays', message: '须为 0–366 的整数 (a whole number of days, 0–366)' });
  return { input, rows, errors };
}

/** `milestones[k]…` of the parsed list → the form row it came from. */
export const milestoneRowPath = (path: string, rows: number[]): string =>
  path.replace(/^milestones\[(\d+)\]/, (all, k: string) => (rows[Number(k)] === undefined ? all : `milestones[${rows[Number(k)]}]`));

export const milestoneRowPaths = (errors: FieldError[], rows: number[]): FieldError[] =>
  errors.map((e) => ({ ...e, path: milestoneRowPath(e.path, rows) }));
