// Bad input (the requirement): every rejected request gets application/problem+json
// (RFC 9457) with `errors: [{path, message}]` naming the offending field, the documented status
// (404 unknown target; 400 malformed; 422 invalid; 409 duplicate; 413 too large), and writes
// nothing. Plus twenty concurrent PUTs of one figure: no 5xx, every value kept as a revision.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { startApp, type TestApp } from '../support/app.js';
import { BATCH_BODY_LIMIT } from '../../src/figures/batch-limits.js';
import { createDepartment, createTarget, FLOW_TARGET, snapshot, WORKED_EXAMPLE } from '../support/factories.js';

type Method = 'put' | 'post' | 'patch';

interface Case {
  name: string;
  method: Method;
  url: string;
  /** a JSON body (sent as application/json); omitted: no body at all */
  body?: unknown;
  /** a raw body, sent verbatim as application/json (for malformed JSON and huge bodies) */
  raw?: string;
  /** a form-urlencoded body (the API takes JSON only) */
  form?: string;
  status: number;
  /** field paths the `errors` must name */
  paths: string[];
  /** batch only: the indices of exactly the rows `errors` must name (no good row may be blamed) */
  rows?: number[];
}

const FIGURE = '/api/v1/targets/DT-ENTERPRISES/figures/2025Q1';
const TARGETS = '/api/v1/targets';
const BATCH = '/api/v1/figures/batch';
const DEPARTMENTS = '/api/v1/departments';

/** A valid new target; each case breaks one thing of it. */
const NEW_TARGET = {
  code: 'NEW-TARGET',
  name: '新指标',
  unit: '家',
  kind: 'level',
  comparator: '>=',
  department: 'ECON-INFO',
  baseline: { period: '2023', value: 10 },
  target: { period: '2025', value: 20 },
};

const without = (object: Record<string, unknown>, key: string) => {
  const { [key]: _, ...rest } = object;
  return rest;
};

/** Good batch rows for targets created in `before` (none of these figures exists yet). */
const GOOD_ROWS = [
  { target: 'DT-ENTERPRISES', period: '2025Q1', value: 270 },
  { target: 'NEV-OUTPUT', period: '2025Q1', value: 380, basis: 'period' },
  { target: 'YEARLY-LEVEL', period: '2025', value: 30 },
  { target: 'MONTHLY-FLOW', period: '2025-01', value: 12.5 },
];

/** Raw JSON of about 1.1 MB. */
const OVER_1MB = 1_100_000;
const hugeFigure = JSON.stringify({ value: 1, note: 'x'.repeat(OVER_1MB) });
const hugeTarget = JSON.stringify({ ...NEW_TARGET, notes: '长'.repeat(OVER_1MB / 3 + 1000) });
const hugeBatch = (() => {
  // Valid rows (every month of 1900–2200 for the monthly target), about 1.1 MB in all.
  const figures = [];
  for (let year = 1900; year <= 2200; year++) {
    for (let month = 1; month <= 12; month++) {
      figures.push({ target: 'MONTHLY-FLOW', period: `${year}-${String(month).padStart(2, '0')}`, value: month, note: '大批量导入'.padEnd(85, '。') });
    }
  }
  const raw = JSON.stringify({ figures });
  assert.ok(Buffer.byteLength(raw) > 1024 * 1024 && Buffer.byteLength(raw) < 1.3 * 1024 * 1024, `batch body is ${Buffer.byteLength(raw)} bytes`);
  return raw;
})();

/** Raw JSON just over the batch route's own limit (32 MB; every other route takes 1 MB). */
const overBatchLimit = JSON.stringify({ figures: [GOOD_ROWS[0]], note: 'x'.repeat(BATCH_BODY_LIMIT) });

/** Values that must never be stored: not numbers, not finite, or |v| > 1e15. */
const BAD_VALUES: [string, unknown][] = [
  ['the string "NaN"', 'NaN'],
  ['the string "Infinity"', 'Infinity'],
  ['the string "-Infinity"', '-Infinity'],
  ['the string "abc"', 'abc'],
  ['an empty string', ''],
  ['a hexadecimal string', '0x10'],
  ['a number with a unit', '12家'],
  ['the string "1e16"', '1e16'],
  ['the string "1000000000000001" (> 1e15)', '1000000000000001'],
  ['the string "-1000000000000001"', '-1000000000000001'],
  ['the number 1e16', 1e16],
  ['the number -1e16', -1e16],
  ['the number 1000000000000001', 1000000000000001],
  ['true', true],
  ['false', false],
  ['null', null],
  ['an array', [1]],
  ['an object', { amount: 1 }],
];

const putCases: Case[] = [
  { name: 'unknown target', method: 'put', url: '/api/v1/targets/NO-SUCH-TARGET/figures/2025Q1', body: { value: 1 }, status: 404, paths: ['code'] },
  { name: 'malformed JSON (truncated)', method: 'put', url: FIGURE, raw: '{"value":', status: 400, paths: [''] },
  { name: 'malformed JSON (NaN literal)', method: 'put', url: FIGURE, raw: '{"value": NaN}', status: 400, paths: [''] },
  { name: 'malformed JSON (Infinity literal)', method: 'put', url: FIGURE, raw: '{"value": Infinity}', status: 400, paths: [''] },
  { name: 'malformed JSON (trailing comma)', method: 'put', url: FIGURE, raw: '{"value": 1,}', status: 400, paths: [''] },
  { name: 'malformed JSON (empty body)', method: 'put', url: FIGURE, raw: '', status: 400, paths: [''] },
  { name: 'a number literal that overflows to Infinity (1e400)', method: 'put', url: FIGURE, raw: '{"value": 1e400}', status: 422, paths: ['value'] },
  { name: 'body over 1 MB', method: 'put', url: FIGURE, raw: hugeFigure, status: 413, paths: [''] },
  { name: 'unknown field', method: 'put', url: FIGURE, body: { value: 1, colour: 'red' }, status: 422, paths: ['colour'] },
  { name: 'missing value', method: 'put', url: FIGURE, body: { note: '快报' }, status: 422, paths: ['value'] },
  { name: 'no body at all', method: 'put', url: FIGURE, status: 422, paths: ['value'] },
  { name: 'a JSON array instead of an object', method: 'put', url: FIGURE, body: [{ value: 1 }], status: 422, paths: [''] },
  ...BAD_VALUES.map(([name, value]): Case => ({ name: `value ${name}`, method: 'put', url: FIGURE, body: { value }, status: 422, paths: ['value'] })),
  { name: 'value that overwrites an existing figure with "NaN"', method: 'put', url: '/api/v1/targets/DT-ENTERPRISES/figures/2024Q4', body: { value: 'NaN' }, status: 422, paths: ['value'] },
  ...['2025Q5', '2025Q0', '2025-13', '2025-00', '2025-1', 'abc', '1899', '2201', '2025q1', '20251'].map((period): Case => ({
    name: `bad period ${period} in the URL`, method: 'put', url: `/api/v1/targets/DT-ENTERPRISES/figures/${period}`, body: { value: 1 }, status: 422, paths: ['period'],
  })),
  { name: 'monthly period for a quarterly target', method: 'put', url: '/api/v1/targets/DT-ENTERPRISES/figures/2025-03', body: { value: 1 }, status: 422, paths: ['period'] },
  { name: 'yearly period for a quarterly target', method: 'put', url: '/api/v1/targets/DT-ENTERPRISES/figures/2025', body: { value: 1 }, status: 422, paths: ['period'] },
  { name: 'quarterly period for a yearly target', method: 'put', url: '/api/v1/targets/YEARLY-LEVEL/figures/2025Q1', body: { value: 1 }, status: 422, paths: ['period'] },
  { name: 'monthly period for a yearly target', method: 'put', url: '/api/v1/targets/YEARLY-LEVEL/figures/2025-06', body: { value: 1 }, status: 422, paths: ['period'] },
  { name: 'quarterly period for a monthly target', method: 'put', url: '/api/v1/targets/MONTHLY-FLOW/figures/2025Q1', body: { value: 1 }, status: 422, paths: ['period'] },
  { name: 'yearly period for a monthly target', method: 'put', url: '/api/v1/targets/MONTHLY-FLOW/figures/2025', body: { value: 1 }, status: 422, paths: ['period'] },
  { name: 'basis "period" for a level target', method: 'put', url: FIGURE, body: { value: 1, basis: 'period' }, status: 422, paths: ['basis'] },
  { name: 'unknown basis', method: 'put', url: '/api/v1/targets/NEV-OUTPUT/figures/2025Q1', body: { value: 1, basis: 'monthly' }, status: 422, paths: ['basis'] },
  { name: 'unknown status', method: 'put', url: FIGURE, body: { value: 1, status: 'draft' }, status: 422, paths: ['status'] },
  { name: 'note not a string', method: 'put', url: FIGURE, body: { value: 1, note: 42 }, status: 422, paths: ['note'] },
  { name: 'note over 2000 characters', method: 'put', url: FIGURE, body: { value: 1, note: '注'.repeat(2001) }, status: 422, paths: ['note'] },
  { name: 'reason an array', method: 'put', url: FIGURE, body: { value: 1, reason: ['统计局核定'] }, status: 422, paths: ['reason'] },
  { name: 'several bad fields at once, each named', method: 'put', url: FIGURE, body: { value: 'abc', status: 'draft', extra: 1 }, status: 422, paths: ['value', 'status', 'extra'] },
];

const targetCases: Case[] = [
  { name: 'malformed JSON', method: 'post', url: TARGETS, raw: '{"code": "NEW-TARGET", "name":', status: 400, paths: [''] },
  { name: 'malformed JSON (NaN literal)', method: 'post', url: TARGETS, raw: JSON.stringify(NEW_TARGET).replace('"value":20', '"value":NaN'), status: 400, paths: [''] },
  { name: 'body over 1 MB', method: 'post', url: TARGETS, raw: hugeTarget, status: 413, paths: [''] },
  { name: 'unknown field', method: 'post', url: TARGETS, body: { ...NEW_TARGET, colour: 'red' }, status: 422, paths: ['colour'] },
  { name: 'unknown nested field', method: 'post', url: TARGETS, body: { ...NEW_TARGET, target: { period: '2025', value: 20, unit: '家' } }, status: 422, paths: ['target.unit'] },
  { name: 'unknown field in source', method: 'post', url: TARGETS, body: { ...NEW_TARGET, source: { document: '文件', author: '某' } }, status: 422, paths: ['source.author'] },
  { name: 'javascript: URL as the source link', method: 'post', url: TARGETS, body: { ...NEW_TARGET, source: { document: '文件', url: 'javascript:alert(1)' } }, status: 422, paths: ['source.url'] },
  { name: 'form body to the JSON API', method: 'post', url: TARGETS, form: 'code=X', status: 415, paths: [''] },
  ...['code', 'name', 'unit', 'kind', 'comparator', 'department', 'target'].map((field): Case => ({
    name: `missing ${field}`, method: 'post', url: TARGETS, body: without(NEW_TARGET, field), status: 422, paths: [field],
  })),
  { name: 'missing target.value', method: 'post', url: TARGETS, body: { ...NEW_TARGET, target: { period: '2025' } }, status: 422, paths: ['target.value'] },
  { name: 'missing target.period', method: 'post', url: TARGETS, body: { ...NEW_TARGET, target: { value: 20 } }, status: 422, paths: ['target.period'] },
  { name: 'empty object: every required field named', method: 'post', url: TARGETS, body: {}, status: 422, paths: ['code', 'name', 'unit', 'kind', 'comparator', 'department', 'target'] },
  ...['2025Q5', '2025-13', 'abc', '25', ''].map((period): Case => ({
    name: `bad target period "${period}"`, method: 'post', url: TARGETS, body: { ...NEW_TARGET, target: { period, value: 20 } }, status: 422, paths: ['target.period'],
  })),
  { name: 'bad baseline period 2023Q5', method: 'post', url: TARGETS, body: { ...NEW_TARGET, baseline: { period: '2023Q5', value: 10 } }, status: 422, paths: ['baseline.period'] },
  { name: 'bad milestone period 2024-13', method: 'post', url: TARGETS, body: { ...NEW_TARGET, milestones: [{ period: '2024-13', value: 15 }] }, status: 422, paths: ['milestones[0].period'] },
  ...BAD_VALUES.map(([name, value]): Case => ({
    name: `target.value ${name}`, method: 'post', url: TARGETS, body: { ...NEW_TARGET, target: { period: '2025', value } }, status: 422, paths: ['target.value'],
  })),
  { name: 'baseline.value the number 1e16', method: 'post', url: TARGETS, body: { ...NEW_TARGET, baseline: { period: '2023', value: 1e16 } }, status: 422, paths: ['baseline.value'] },
  { name: 'milestone value "NaN"', method: 'post', url: TARGETS, body: { ...NEW_TARGET, milestones: [{ period: '2024', value: 15 }, { period: '2024Q2', value: 'NaN' }] }, status: 422, paths: ['milestones[1].value'] },
  { name: 'unknown kind', method: 'post', url: TARGETS, body: { ...NEW_TARGET, kind: 'stock' }, status: 422, paths: ['kind'] },
  { name: 'unknown comparator "=="', method: 'post', url: TARGETS, body: { ...NEW_TARGET, comparator: '==' }, status: 422, paths: ['comparator'] },
  { name: 'unknown comparator "=>"', method: 'post', url: TARGETS, body: { ...NEW_TARGET, comparator: '=>' }, status: 422, paths: ['comparator'] },
  { name: 'unknown method', method: 'post', url: TARGETS, body: { ...NEW_TARGET, method: 'exponential' }, status: 422, paths: ['method'] },
  { name: 'unknown frequency', method: 'post', url: TARGETS, body: { ...NEW_TARGET, frequency: 'weekly' }, status: 422, paths: ['frequency'] },
  { name: 'unknown expectation', method: 'post', url: TARGETS, body: { ...NEW_TARGET, expectation: 'random' }, status: 422, paths: ['expectation'] },
  { name: 'unknown department', method: 'post', url: TARGETS, body: { ...NEW_TARGET, department: 'NO-SUCH-DEPT' }, status: 422, paths: ['department'] },
  { name: 'unknown supporting department', method: 'post', url: TARGETS, body: { ...NEW_TARGET, supporting: ['SCI-TECH', 'NO-SUCH-DEPT'] }, status: 422, paths: ['supporting[1]'] },
  { name: 'department code in the wrong case', method: 'post', url: TARGETS, body: { ...NEW_TARGET, department: 'econ-info' }, status: 422, paths: ['department'] },
  { name: 'deadline equal to the baseline year', method: 'post', url: TARGETS, body: { ...NEW_TARGET, baseline: { period: '2025', value: 10 } }, status: 422, paths: ['target.period'] },
  { name: 'deadline before the baseline', method: 'post', url: TARGETS, body: { ...NEW_TARGET, baseline: { period: '2026', value: 10 } }, status: 422, paths: ['target.period'] },
  { name: 'deadline 2025 after baseline 2025Q4: the same moment', method: 'post', url: TARGETS, body: { ...NEW_TARGET, baseline: { period: '2025Q4', value: 10 } }, status: 422, paths: ['target.period'] },
  { name: 'deadline 2025Q4 after baseline 2025-12: the same moment', method: 'post', url: TARGETS, body: { ...NEW_TARGET, baseline: { period: '2025-12', value: 10 }, target: { period: '2025Q4', value: 20 } }, status: 422, paths: ['target.period'] },
  { name: 'milestone after the deadline', method: 'post', url: TARGETS, body: { ...NEW_TARGET, milestones: [{ period: '2026', value: 25 }] }, status: 422, paths: ['milestones[0].period'] },
  { name: 'duplicate code', method: 'post', url: TARGETS, body: { ...NEW_TARGET, code: 'DT-ENTERPRISES' }, status: 409, paths: ['code'] },
  { name: 'code in a bad format', method: 'post', url: TARGETS, body: { ...NEW_TARGET, code: 'new target' }, status: 422, paths: ['code'] },
  { name: 'binding not a boolean', method: 'post', url: TARGETS, body: { ...NEW_TARGET, binding: 'yes' }, status: 422, paths: ['binding'] },
  { name: 'graceDays not an integer', method: 'post', url: TARGETS, body: { ...NEW_TARGET, graceDays: 1.5 }, status: 422, paths: ['graceDays'] },
  { name: 'empty name', method: 'post', url: TARGETS, body: { ...NEW_TARGET, name: '  ' }, status: 422, paths: ['name'] },
];

const patchCases: Case[] = [
  { name: 'PATCH an unknown target', method: 'patch', url: '/api/v1/targets/NO-SUCH-TARGET', body: { category: '科技创新' }, status: 404, paths: [] },
  { name: 'PATCH with an unknown field', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { colour: 'red' }, status: 422, paths: ['colour'] },
  { name: 'PATCH the code', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { code: 'OTHER' }, status: 422, paths: ['code'] },
  { name: 'PATCH target.value "Infinity"', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { target: { period: '2025', value: 'Infinity' } }, status: 422, paths: ['target.value'] },
  { name: 'PATCH an unknown department', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { department: 'NO-SUCH-DEPT' }, status: 422, paths: ['department'] },
  { name: 'PATCH the baseline after the deadline', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { baseline: { period: '2025', value: 1 } }, status: 422, paths: ['target.period'] },
  { name: 'PATCH a bad target period', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { target: { period: '2025Q5', value: 350 } }, status: 422, paths: ['target.period'] },
  { name: 'PATCH an unknown kind', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { kind: 'stock' }, status: 422, paths: ['kind'] },
];

const departmentCases: Case[] = [
  { name: 'duplicate department code', method: 'post', url: DEPARTMENTS, body: { code: 'ECON-INFO', name: '另一个经济信息委' }, status: 409, paths: ['code'] },
  { name: 'department: malformed JSON', method: 'post', url: DEPARTMENTS, raw: '{"code": "X-DEPT"', status: 400, paths: [''] },
  { name: 'department: unknown field', method: 'post', url: DEPARTMENTS, body: { code: 'NEW-DEPT', name: '新部门', phone: '123' }, status: 422, paths: ['phone'] },
  { name: 'department: missing name', method: 'post', url: DEPARTMENTS, body: { code: 'NEW-DEPT' }, status: 422, paths: ['name'] },
  { name: 'department: bad email', method: 'post', url: DEPARTMENTS, body: { code: 'NEW-DEPT', name: '新部门', emails: ['a@example.org', 'not-an-email'] }, status: 422, paths: ['emails[1]'] },
];

const batchCases: Case[] = [
  { name: 'batch: malformed JSON', method: 'post', url: BATCH, raw: '{"figures": [{"target": "DT-ENTERPRISES", "period": "2025Q1", "value": 1}', status: 400, paths: [''] },
  { name: 'batch: NaN literal', method: 'post', url: BATCH, raw: '{"figures": [{"target": "DT-ENTERPRISES", "period": "2025Q1", "value": NaN}]}', status: 400, paths: [''] },
  { name: 'batch: body over its 32 MB limit', method: 'post', url: BATCH, raw: overBatchLimit, status: 413, paths: [''] },
  { name: 'batch: missing figures', method: 'post', url: BATCH, body: {}, status: 422, paths: ['figures'] },
  { name: 'batch: empty figures', method: 'post', url: BATCH, body: { figures: [] }, status: 422, paths: ['figures'] },
  { name: 'batch: figures not an array', method: 'post', url: BATCH, body: { figures: { target: 'DT-ENTERPRISES', period: '2025Q1', value: 1 } }, status: 422, paths: ['figures'] },
  { name: 'batch: unknown top-level field', method: 'post', url: BATCH, body: { figures: GOOD_ROWS, dryRun: true }, status: 422, paths: ['dryRun'] },
  {
    name: 'batch: one bad value among good rows', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { ...GOOD_ROWS[1], value: 'NaN' }, GOOD_ROWS[2], GOOD_ROWS[3]] },
    status: 422, paths: ['figures[1].value'], rows: [1],
  },
  {
    name: 'batch: two bad rows at different indices', method: 'post', url: BATCH,
    body: { figures: [{ ...GOOD_ROWS[0], period: '2025Q5' }, GOOD_ROWS[1], GOOD_ROWS[2], { ...GOOD_ROWS[3], value: 1e16 }] },
    status: 422, paths: ['figures[0].period', 'figures[3].value'], rows: [0, 3],
  },
  ...BAD_VALUES.map(([name, value]): Case => ({
    name: `batch: value ${name} in row 2`, method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], GOOD_ROWS[1], { ...GOOD_ROWS[2], value }] }, status: 422, paths: ['figures[2].value'], rows: [2],
  })),
  ...['2025Q5', '2025-13', 'abc'].map((period): Case => ({
    name: `batch: bad period ${period} in row 1`, method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { ...GOOD_ROWS[1], period }, GOOD_ROWS[2]] }, status: 422, paths: ['figures[1].period'], rows: [1],
  })),
  {
    name: 'batch: an unknown target code', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { ...GOOD_ROWS[1], target: 'NO-SUCH-TARGET' }, GOOD_ROWS[2]] },
    status: 422, paths: ['figures[1].target'], rows: [1],
  },
  {
    name: 'batch: a single row with an unknown target code', method: 'post', url: BATCH,
    body: { figures: [{ target: 'NO-SUCH-TARGET', period: '2025Q1', value: 1 }] },
    status: 422, paths: ['figures[0].target'], rows: [0],
  },
  {
    name: 'batch: a target code in a bad format', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { ...GOOD_ROWS[1], target: 'nev-output' }] },
    status: 422, paths: ['figures[1].target'], rows: [1],
  },
  {
    name: 'batch: a duplicate (target, period) pair', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], GOOD_ROWS[1], { ...GOOD_ROWS[0], value: 271 }, GOOD_ROWS[3]] },
    status: 422, paths: ['figures[2].period'], rows: [2],
  },
  {
    name: 'batch: a period that does not fit the frequency', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { target: 'YEARLY-LEVEL', period: '2025Q1', value: 30 }, { target: 'MONTHLY-FLOW', period: '2025Q1', value: 1 }] },
    status: 422, paths: ['figures[1].period', 'figures[2].period'], rows: [1, 2],
  },
  {
    name: 'batch: basis "period" for a level target', method: 'post', url: BATCH,
    body: { figures: [{ ...GOOD_ROWS[0], basis: 'period' }, GOOD_ROWS[1]] },
    status: 422, paths: ['figures[0].basis'], rows: [0],
  },
  {
    name: 'batch: errors found against the database, at several rows', method: 'post', url: BATCH,
    body: { figures: [{ ...GOOD_ROWS[0], target: 'NO-SUCH-TARGET' }, GOOD_ROWS[1], GOOD_ROWS[2], { ...GOOD_ROWS[3], period: '2025Q1' }, { ...GOOD_ROWS[0], basis: 'period' }] },
    status: 422, paths: ['figures[0].target', 'figures[3].period', 'figures[4].basis'], rows: [0, 3, 4],
  },
  {
    name: 'batch: a row with an unknown field', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { ...GOOD_ROWS[1], colour: 'red' }] }, status: 422, paths: ['figures[1].colour'], rows: [1],
  },
  {
    name: 'batch: a row missing its target and value', method: 'post', url: BATCH,
    body: { figures: [GOOD_ROWS[0], { period: '2025Q2' }] }, status: 422, paths: ['figures[1].target', 'figures[1].value'], rows: [1],
  },
  {
    name: 'batch: unknown enum values', method: 'post', url: BATCH,
    body: { figures: [{ ...GOOD_ROWS[0], status: 'draft' }, GOOD_ROWS[1], { ...GOOD_ROWS[3], basis: 'annual' }] },
    status: 422, paths: ['figures[0].status', 'figures[2].basis'], rows: [0, 2],
  },
  {
    name: 'batch: a correction of an existing figure next to a bad row', method: 'post', url: BATCH,
    body: { figures: [{ target: 'DT-ENTERPRISES', period: '2024Q4', value: 999, reason: '更正' }, { ...GOOD_ROWS[1], value: 'Infinity' }] },
    status: 422, paths: ['figures[1].value'], rows: [1],
  },
];

describe('bad input: problem+json, the right status and field paths, nothing written', () => {
  let t: TestApp;

  /** Row counts and hashes (snapshot) plus the content of every figure, revision and department. */
  async function state(): Promise<Record<string, unknown>> {
    const { rows } = await t.db.query(`
      SELECT (SELECT md5(coalesce(string_agg(f::text, ',' ORDER BY target_id, period), '')) FROM figures f) AS figures_hash,
             (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM figure_revisions r) AS revisions_hash,
             (SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY target_id, period), '')) FROM milestones m) AS milestones_hash,
             (SELECT md5(coalesce(string_agg(d::text, ',' ORDER BY id), '')) FROM departments d) AS departments_hash`);
    return { ...(await snapshot(t)), ...rows[0] };
  }

  function send(c: Pick<Case, 'method' | 'url' | 'body' | 'raw' | 'form'>) {
    const req = t.http()[c.method](c.url);
    if (c.raw !== undefined) return req.set('content-type', 'application/json').send(c.raw);
    if (c.form !== undefined) return req.set('content-type', 'application/x-www-form-urlencoded').send(c.form);
    if (c.body !== undefined) return req.send(c.body as object);
    return req;
  }

  /** RFC 9457 problem with `errors: [{path, message}]` naming `paths`. */
  function assertProblem(res: Response, status: number, paths: string[]): { path: string; message: string }[] {
    const shown = `${res.status} ${res.headers['content-type']} ${res.text?.slice(0, 500)}`;
    assert.equal(res.status, status, shown);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, shown);
    const body = JSON.parse(res.text);
    assert.equal(typeof body.type, 'string', shown);
    assert.ok(body.type.length > 0, shown);
    assert.equal(typeof body.title, 'string', shown);
    assert.ok(body.title.length > 0, shown);
    assert.equal(body.status, status, shown);
    assert.equal(typeof body.detail, 'string', shown);
    assert.ok(body.detail.length > 0, shown);
    assert.ok(Array.isArray(body.errors), shown);
    for (const error of body.errors) {
      assert.equal(typeof error.path, 'string', shown);
      assert.equal(typeof error.message, 'string', shown);
      assert.ok(error.message.length > 0, shown);
    }
    const got = body.errors.map((e: { path: string }) => e.path);
    for (const path of paths) assert.ok(got.includes(path), `errors should name "${path}", got ${JSON.stringify(got)}: ${shown}`);
    // No stack traces or SQL leak into the problem.
    assert.doesNotMatch(res.text, /QueryFailedError|    at |SELECT |INSERT /, shown);
    return body.errors;
  }

  before(async () => {
    t = await startApp('bad_input');
    await createDepartment(t);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局' });
    await createTarget(t);
    await createTarget(t, FLOW_TARGET);
    await createTarget(t, {
      code: 'YEARLY-LEVEL', name: '年度存量指标', frequency: 'yearly',
      baseline: { period: '2023', value: 10 }, target: { period: '2027', value: 50 },
    });
    await createTarget(t, {
      ...FLOW_TARGET, code: 'MONTHLY-FLOW', name: '月度流量指标', frequency: 'monthly', milestones: [],
    });
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260, note: '快报' }).expect(200);
    await t.http().put('/api/v1/targets/NEV-OUTPUT/figures/2024Q4').send({ value: 1500 }).expect(200);
  });
  after(() => t?.close());

  for (const [group, cases] of [
    ['PUT figure', putCases], ['POST target', targetCases], ['PATCH target', patchCases],
    ['POST department', departmentCases], ['POST batch', batchCases],
  ] as const) {
    describe(group, () => {
      for (const c of cases) {
        it(`${c.method.toUpperCase()} ${c.name} → ${c.status}`, async () => {
          const before = await state();
          const res = await send(c);
          const errors = assertProblem(res, c.status, c.paths);
          if (c.rows) {
            const blamed = new Set(errors.map((e) => /^figures\[(\d+)\]/.exec(e.path)?.[1]).map(Number));
            assert.deepEqual([...blamed].sort((a, b) => a - b), c.rows, `rows blamed: ${JSON.stringify(errors)}`);
          }
          assert.deepEqual(await state(), before, 'a rejected request must write nothing');
        });
      }
    });
  }

  it('the figures and targets are as they were set up, after all the rejected requests', async () => {
    const figures = await t.http().get('/api/v1/targets/DT-ENTERPRISES/figures').expect(200);
    assert.deepEqual(figures.body.items.map((f: { period: string; value: string }) => [f.period, f.value]), [['2024Q4', '260']]);
    const revisions = await t.http().get('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4/revisions').expect(200);
    assert.equal(revisions.body.total, 1);
    const targets = await t.http().get('/api/v1/targets').expect(200);
    assert.deepEqual(targets.body.items.map((x: { code: string }) => x.code).sort(),
      ['DT-ENTERPRISES', 'MONTHLY-FLOW', 'NEV-OUTPUT', 'YEARLY-LEVEL']);
    const target = await t.http().get('/api/v1/targets/DT-ENTERPRISES').expect(200);
    assert.deepEqual([target.body.baseline, target.body.target, target.body.department],
      [{ period: '2023', value: '200' }, { period: '2025', value: '350' }, 'ECON-INFO']);
  });

  it('takes a batch body over 1 MB (3 612 rows; the batch route takes up to 32 MB) and names the limit in a 413', async () => {
    const res = await send({ method: 'post', url: BATCH, raw: hugeBatch });
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(res.body, { received: 3612, written: 3612, unchanged: 0 });
    const again = await send({ method: 'post', url: BATCH, raw: hugeBatch });
    assert.deepEqual(again.body, { received: 3612, written: 0, unchanged: 3612 });
    const tooBig = await send({ method: 'post', url: BATCH, raw: overBatchLimit });
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.body.detail, /32 MB/);
    const figure = await send({ method: 'put', url: FIGURE, raw: hugeFigure });
    assert.match(figure.body.detail, /1 MB/);
  });

  it('accepts values of exactly ±1e15 (the limit is inclusive), as numbers and decimal strings', async () => {
    const url = '/api/v1/targets/YEARLY-LEVEL/figures';
    // Not a count (a count cannot be negative), and such jumps from year to year need a confirmation.
    await t.http().patch('/api/v1/targets/YEARLY-LEVEL').send({ unit: '亿元' }).expect(200);
    for (const [period, value, expected] of [
      ['2024', 1e15, '1000000000000000'], ['2025', '-1000000000000000', '-1000000000000000'], ['2026', '1000000000000000', '1000000000000000'],
      ['2027', ' 12.50 ', '12.5'],
    ] as const) {
      const res = await t.http().put(`${url}/${period}`).send({ value, confirm: true });
      assert.equal(res.status, 200, `${JSON.stringify(value)}: ${res.status} ${res.text}`);
      assert.equal(res.body.value, expected);
    }
  });

  it('a value with more decimal places than PostgreSQL numeric holds is a 422 at its path, not a 500', async () => {
    // Finite and within ±1e15, yet 20 000 digits after the point (numeric keeps at most 16 383);
    // and one whose digits, spelled out, would exhaust the server's memory.
    for (const tiny of ['1e-20000', '1e-1000000000', '0.0000000000000000000000000000001']) for (const [c, path] of [
      [{ method: 'put', url: '/api/v1/targets/YEARLY-LEVEL/figures/2028', body: { value: tiny } }, 'value'],
      [{ method: 'post', url: TARGETS, body: { ...NEW_TARGET, target: { period: '2025', value: tiny } } }, 'target.value'],
      [{ method: 'post', url: BATCH, body: { figures: [GOOD_ROWS[0], { ...GOOD_ROWS[2], value: tiny }] } }, 'figures[1].value'],
    ] as const) {
      const before = await state();
      const res = await send(c);
      assert.ok(res.status < 500, `${c.method} ${c.url}: no 5xx, got ${res.status} ${res.text.slice(0, 300)}`);
      assertProblem(res, 422, [path]);
      assert.deepEqual(await state(), before);
    }
  });

  it('stores SQL- and script-like text verbatim and returns it unchanged', async () => {
    const sql = `'; DROP TABLE targets; --`;
    const script = '<script>alert(1)</script>';
    const department = await t.http().post(DEPARTMENTS).send({ code: 'ODD-NAMES', name: sql }).expect(201);
    assert.equal(department.body.name, sql);
    const created = await t.http().post(TARGETS).send({
      ...NEW_TARGET, code: 'ODD-TEXT', name: script, unit: `"家"`, department: 'ODD-NAMES', category: sql, notes: `${sql}\n${script}`,
      source: { document: sql, quote: script, url: null },
    }).expect(201);
    const read = await t.http().get('/api/v1/targets/ODD-TEXT').expect(200);
    for (const body of [created.body, read.body]) {
      assert.deepEqual([body.name, body.unit, body.category, body.notes, body.source, body.departmentName],
        [script, `"家"`, sql, `${sql}\n${script}`, { document: sql, quote: script, url: null }, sql]);
    }
    await t.http().put('/api/v1/targets/ODD-TEXT/figures/2024Q4').send({ value: 12, note: sql, source: script, reason: sql }).expect(200);
    const figure = await t.http().get('/api/v1/targets/ODD-TEXT/figures/2024Q4').expect(200);
    assert.deepEqual([figure.body.note, figure.body.source], [sql, script]);
    const [revision] = (await t.http().get('/api/v1/targets/ODD-TEXT/figures/2024Q4/revisions').expect(200)).body.items;
    assert.deepEqual([revision.note, revision.source, revision.reason], [sql, script, sql]);
    const search = await t.http().get(`/api/v1/targets?q=${encodeURIComponent(script)}`).expect(200);
    assert.deepEqual(search.body.items.map((x: { code: string }) => x.code), ['ODD-TEXT']);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM targets`);
    assert.equal(rows[0].n, 5, 'the targets table is still there, with every target');
  });

  it('concurrent creation of one department code: one 201, the rest 409, no 5xx', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      t.http().post(DEPARTMENTS).send({ code: 'RACE-DEPT', name: `部门 ${i}` })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)], JSON.stringify(results.map((r) => [r.status, r.text.slice(0, 200)])));
    for (const res of results.filter((r) => r.status === 409)) assertProblem(res, 409, ['code']);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM departments WHERE code = 'RACE-DEPT'`);
    assert.equal(rows[0].n, 1);
  });

  it('concurrent creation of one target code: one 201, the rest 409, no 5xx', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      t.http().post(TARGETS).send({ ...NEW_TARGET, code: 'RACE-TARGET', name: `指标 ${i}`, supporting: ['SCI-TECH'], milestones: [{ period: '2024', value: 15 }] })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)], JSON.stringify(results.map((r) => [r.status, r.text.slice(0, 200)])));
    for (const res of results.filter((r) => r.status === 409)) assertProblem(res, 409, ['code']);
    const { rows } = await t.db.query(`
      SELECT (SELECT count(*) FROM targets WHERE code = 'RACE-TARGET')::int AS targets,
             (SELECT count(*) FROM milestones m JOIN targets t ON t.id = m.target_id WHERE t.code = 'RACE-TARGET')::int AS milestones`);
    assert.deepEqual(rows[0], { targets: 1, milestones: 1 });
  });

  it('twenty concurrent PUTs of different values to one figure: no 5xx, every value a revision, the last one current', async () => {
    const url = '/api/v1/targets/NEV-OUTPUT/figures/2025Q3';
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    const results = await Promise.all(values.map((value) => t.http().put(url).send({ value, basis: 'ytd', note: `并发 ${value}` })));
    assert.deepEqual(results.map((r) => r.status), values.map(() => 200),
      JSON.stringify(results.filter((r) => r.status !== 200).map((r) => [r.status, r.text.slice(0, 200)])));
    results.forEach((r, i) => assert.equal(r.body.target, 'NEV-OUTPUT', `response ${i}`));

    const revisions = (await t.http().get(`${url}/revisions`).expect(200)).body.items as { id: number; revision: number; value: string; note: string; recordedAt: string }[];
    assert.equal(revisions.length, 20);
    assert.deepEqual(revisions.map((r) => Number(r.value)).sort((a, b) => a - b), values);
    for (const r of revisions) assert.equal(r.note, `并发 ${r.value}`);
    const latest = [...revisions].sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt) || a.id - b.id).at(-1)!;
    // The revision written last also has the highest id: recording times follow the order of writing.
    assert.equal(latest.id, Math.max(...revisions.map((r) => r.id)));
    // The figure's own revision numbers: 1 … 20, the last one written the 20th.
    assert.deepEqual(revisions.map((r) => r.revision).sort((a, b) => a - b), values);
    assert.equal(latest.revision, 20);

    const current = await t.http().get(url).expect(200);
    assert.equal(current.body.value, latest.value);
    assert.equal(current.body.revision, latest.revision);
    assert.equal(current.body.recordedAt, latest.recordedAt);
    const list = await t.http().get('/api/v1/targets/NEV-OUTPUT/figures').expect(200);
    assert.deepEqual(list.body.items.filter((f: { period: string }) => f.period === '2025Q3').map((f: { value: string }) => f.value), [latest.value]);
  });
});
