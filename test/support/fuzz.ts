// API fuzzing, shared by `npm run fuzz` (bench/fuzz.ts, 10 000 requests) and test/e2e/fuzz.e2e.ts (~300):
// fast-check builds random and mutated requests to the write routes from valid ones; each is sent alone,
// with a fingerprint of the database before and after, so a rejected request (4xx) that changed anything
// and every 5xx are caught, with the request that did it.
import fc from 'fast-check';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type pg from 'pg';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { eventually, type TestApp } from './app.js';
import { createDepartment, createTarget, FLOW_TARGET } from './factories.js';

export interface FuzzRequest {
  /** which valid request it was made from, and how it was mutated */
  label: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  url: string;
  /** JSON body (sent as application/json) */
  body?: unknown;
  /** raw body with its content type */
  raw?: { type: string; data: string };
  /** multipart upload: the file part (field name, file name, content) and plain fields */
  multipart?: { field: string; fileName: string; content: Buffer; fields?: Record<string, string> } | null;
  /** send without credentials */
  anonymous?: boolean;
}

// ------------------------------------------------------------------------------------------------ data

/** Targets and departments `setUp` creates; valid bodies refer to them. */
const NEW_TARGET = {
  code: 'FUZZ-TARGET', name: '模糊测试指标', unit: '家', kind: 'level', comparator: '>=', department: 'ECON-INFO',
  supporting: ['SCI-TECH'], baseline: { period: '2023', value: 10 }, target: { period: '2025', value: 20 },
  milestones: [{ period: '2024', value: 15 }], category: '数字经济', notes: '备注', graceDays: 20,
  source: { document: '文件', quote: '到2025年达到20家', url: 'https://example.org/doc' },
};

interface Template { label: string; method: FuzzRequest['method']; url: string; body: unknown }

const TEMPLATES: Template[] = [
  { label: 'POST targets', method: 'post', url: '/api/v1/targets', body: NEW_TARGET },
  { label: 'PATCH target', method: 'patch', url: '/api/v1/targets/DT-ENTERPRISES', body: { category: '科技创新', notes: '更新', target: { period: '2025', value: 360 } } },
  { label: 'PUT figure', method: 'put', url: '/api/v1/targets/DT-ENTERPRISES/figures/2025Q1', body: { value: 270, note: '快报', status: 'preliminary', reason: null } },
  { label: 'PUT flow figure', method: 'put', url: '/api/v1/targets/NEV-OUTPUT/figures/2025Q2', body: { value: '812.5', basis: 'period', source: '统计局' } },
  {
    label: 'POST figures/batch', method: 'post', url: '/api/v1/figures/batch',
    body: { figures: [
      { target: 'DT-ENTERPRISES', period: '2025Q2', value: 275 },
      { target: 'NEV-OUTPUT', period: '2025Q1', value: 380, basis: 'period', note: '季报' },
    ] },
  },
  { label: 'POST departments', method: 'post', url: '/api/v1/departments', body: { code: 'FUZZ-DEPT', name: '模糊部门', emails: ['fuzz@example.org'] } },
  { label: 'POST users', method: 'post', url: '/api/v1/users', body: { email: 'fuzz.user@example.org', password: 'Fuzz-password-2025x', role: 'department', department: 'ECON-INFO' } },
  { label: 'POST documents/extract', method: 'post', url: '/api/v1/documents/extract', body: { text: '到2025年，将通过数字化改造企业350家以上。', title: '文件', url: null, documentYear: 2023 } },
  { label: 'POST auth/login', method: 'post', url: '/api/v1/auth/login', body: { email: 'nobody@example.org', password: 'wrong-password-123' } },
];

const CSV = '指标代码,期间,数值,口径,备注\nDT-ENTERPRISES,2025Q3,281,,快报\nNEV-OUTPUT,2025Q3,1200.5,当期,\n';

// ------------------------------------------------------------------------------------------------ arbitraries

/** Strings that have broken parsers and databases before. */
export const nastyString = fc.oneof(
  fc.constantFrom(
    '', ' ', 'NaN', 'Infinity', '-Infinity', '1e400', '1e-20000', '-0', '0x10', '1,234.5', '١٢٣', '１２３', '12家',
    '\u0000', 'a\u0000b', '\ud800', '\uffff', '\u202e', '%00', '%', '../../etc/passwd', "'; DROP TABLE targets; --",
    '<script>alert(1)</script>', '${7*7}', '{{7*7}}', 'null', 'true', '[]', '{}', '2025Q5', '2025-13', '0000', '9999Q4',
    'ECON-INFO', 'econ-info', 'A'.repeat(41), '长'.repeat(2001), 'x'.repeat(70_000), '\t\n\r', '😀'.repeat(50),
    'admin@example.org', 'javascript:alert(1)', 'http://', 'https://example.org/' + 'a'.repeat(3000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

export const nastyNumber = fc.oneof(
  fc.constantFrom(0, -0, 1e15, -1e15, 1e15 + 2, 1e16, -1e16, 1e308, Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 0.1 + 0.2, 5e-324, 1.5, 366, 367, -1),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, biased towards the nasty ones. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '__proto__': { admin: true } }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside a JSON value (objects and arrays), the root included as []. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (value && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  return here;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The value with `path` replaced (`replace`), removed (`remove`) or an unknown key added beside it (`add`). */
export function mutateAt(value: unknown, path: (string | number)[], op: 'replace' | 'remove' | 'add', replacement: unknown): unknown {
  if (!path.length) return op === 'replace' ? replacement : value;
  const root = clone(value) as Record<string | number, Json>;
  let parent: Record<string | number, Json> = root;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (op === 'replace') parent[last] = replacement as Json;
  else if (op === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (Array.isArray(parent)) parent.push(replacement as Json);
  else parent[`x${String(last)}_extra`] = replacement as Json;
  return root;
}

/** A JSON body mutation of a template: 1–3 field changes, or a wholly different body. */
function bodyMutation(t: Template): fc.Arbitrary<FuzzRequest> {
  const paths = pathsOf(t.body);
  const step = fc.tuple(fc.nat(), fc.constantFrom('replace', 'replace', 'remove', 'add') as fc.Arbitrary<'replace' | 'remove' | 'add'>, anyValue);
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(step, { minLength: 1, maxLength: 3 }).map((steps) => {
      let body = t.body;
      const done: string[] = [];
      for (const [n, op, replacement] of steps) {
        const current = pathsOf(body);
        const path = current.length > 1 ? current[1 + (n % (current.length - 1))] : paths[0];
        body = mutateAt(body, path, op, replacement);
        done.push(`${op} ${path.join('.') || '<root>'}`);
      }
      return { label: `${t.label}: ${done.join(', ')}`, method: t.method, url: t.url, body };
    }) },
    { weight: 1, arbitrary: anyValue.map((body) => ({ label: `${t.label}: body replaced`, method: t.method, url: t.url, body })) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('truncate', 'NaN', 'comma', 'garbage', 'form', 'text', 'empty')).map(([n, how]) => {
      const json = JSON.stringify(t.body);
      const raw: Record<string, { type: string; data: string }> = {
        truncate: { type: 'application/json', data: json.slice(0, n % json.length) },
        NaN: { type: 'application/json', data: json.replace(/:\s*(\d+(\.\d+)?)/, ': NaN') },
        comma: { type: 'application/json', data: json.replace(/}$/, ',}') },
        garbage: { type: 'application/json', data: `${json}\u0000${'{'.repeat(n % 50)}` },
        form: { type: 'application/x-www-form-urlencoded', data: 'code=X&name=Y' },
        text: { type: 'text/plain', data: json },
        empty: { type: 'application/json', data: '' },
      };
      return { label: `${t.label}: raw ${how}`, method: t.method, url: t.url, raw: raw[how] };
    }) },
  );
}

/** URL mutations: path segments replaced by nasty strings (URL-encoded). */
const urlMutation: fc.Arbitrary<FuzzRequest> = fc.tuple(
  fc.constantFrom(...TEMPLATES.filter((t) => /targets\//.test(t.url))), nastyString, fc.nat(),
).map(([t, text, n]) => {
  const segments = t.url.split('/');
  const i = 4 + (n % (segments.length - 4)); // after /api/v1/<resource>
  segments[i] = encodeURIComponent(Buffer.from(text).toString()) || '%20'; // (lone surrogates become U+FFFD)
  return { label: `${t.label}: URL segment ${i} replaced`, method: t.method, url: segments.join('/'), body: t.body };
});

/** Imports: a valid CSV mutated (bytes, lines, cells), other file types, broken multipart. */
const importMutation: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 }), fc.constantFrom('bench.csv', 'bench.xlsx', 'bench.txt', '', '../x.csv', '数据.csv')).map(([n, bytes, name]) => {
    const content = Buffer.from(CSV);
    const at = n % content.length;
    return {
      label: `POST imports: ${bytes.length} bytes spliced at ${at} (${name || 'no name'})`, method: 'post' as const, url: '/api/v1/imports',
      multipart: { field: 'file', fileName: name, content: Buffer.concat([content.subarray(0, at), Buffer.from(bytes), content.subarray(at)]) },
    };
  }),
  fc.tuple(fc.nat(), nastyString, fc.nat({ max: 4 })).map(([line, text, cell]) => {
    const rows = CSV.trimEnd().split('\n').map((r) => r.split(','));
    const r = rows[1 + (line % (rows.length - 1))];
    r[cell] = text.replace(/[\n,"]/g, ' ');
    return {
      label: `POST imports: cell ${cell} replaced`, method: 'post' as const, url: '/api/v1/imports',
      multipart: { field: 'file', fileName: 'fuzz.csv', content: Buffer.from(rows.map((x) => x.join(',')).join('\n')) },
    };
  }),
  fc.constantFrom(
    { label: 'POST imports: field not named file', multipart: { field: 'upload', fileName: 'a.csv', content: Buffer.from(CSV) } },
    { label: 'POST imports: empty file', multipart: { field: 'file', fileName: 'a.csv', content: Buffer.alloc(0) } },
    { label: 'POST imports: header only', multipart: { field: 'file', fileName: 'a.csv', content: Buffer.from('指标代码,期间,数值\n') } },
    { label: 'POST imports: not an xlsx', multipart: { field: 'file', fileName: 'a.xlsx', content: Buffer.from('PK\u0003\u0004 not really a zip') } },
    { label: 'POST imports: GBK bytes', multipart: { field: 'file', fileName: 'a.csv', content: Buffer.from([0xd6, 0xb8, 0xb1, 0xea, 0x2c, 0xff, 0xfe, 0x0a]) } },
    { label: 'POST imports: JSON instead of multipart', raw: { type: 'application/json', data: '{"file": "x"}' } },
    { label: 'POST imports: no body', multipart: null },
  ).map((r) => ({ method: 'post' as const, url: '/api/v1/imports', ...r })),
);

/** Unauthenticated, or with a garbage token. */
const authMutation: fc.Arbitrary<FuzzRequest> = fc.tuple(fc.constantFrom(...TEMPLATES), fc.boolean()).map(([t, anonymous]) => ({
  label: `${t.label}: ${anonymous ? 'no credentials' : 'valid body'}`, method: t.method, url: t.url, body: t.body, anonymous,
}));

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 14, arbitrary: fc.constantFrom(...TEMPLATES).chain(bodyMutation) },
  { weight: 2, arbitrary: urlMutation },
  { weight: 3, arbitrary: importMutation },
  { weight: 1, arbitrary: authMutation },
);

/** `count` requests, the same for the same seed. */
export const fuzzRequests = (count: number, seed: number): FuzzRequest[] => fc.sample(fuzzRequest, { numRuns: count, seed });

// ------------------------------------------------------------------------------------------------ running

/**
 * Schedules that never fire during a fuzz run (29 February only), so that what the fingerprint sees
 * change was done by the request.
 */
export const QUIET_SCHEDULES = { EVALUATION_CRON: '0 3 29 2 *', DIGEST_CRON: '0 3 29 2 *', REMINDER_CRON: '0 3 29 2 *' };

/** Departments ECON-INFO, SCI-TECH; targets DT-ENTERPRISES (level) and NEV-OUTPUT (flow); one figure. */
export async function setUp(t: TestApp): Promise<void> {
  await createDepartment(t);
  await createDepartment(t, { code: 'SCI-TECH', name: '区科技局' });
  await createTarget(t);
  await createTarget(t, FLOW_TARGET);
  await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260, note: '快报' }).expect(200);
}

/**
 * Row count and hash of every table (api_tokens without last_used_at, which any authenticated request may
 * touch). The login bookkeeping a rejected login legitimately writes has keys of its own, so that only a
 * login may change them: login_failures, login_failure_windows, and the audit rows auth.login* with their
 * audit_chain links (`audit_log:login`, `audit_chain:login`).
 */
export const LOGIN_BOOKKEEPING = new Set(['login_failures', 'login_failure_windows', 'audit_log:login', 'audit_chain:login']);

export async function fingerprintQuery(db: pg.Pool): Promise<string> {
  const { rows } = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const LOGIN_AUDIT = `SELECT id FROM audit_log WHERE action LIKE 'auth.login%'`;
  const part = (key: string, table: string, where = '') => {
    const row = table === 'api_tokens' ? `(to_jsonb(x) - 'last_used_at')::text` : 'x::text';
    return `'${key}', (SELECT json_build_array(count(*), md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), ''))) FROM "${table}" x ${where})`;
  };
  const parts = rows.map((r: { tablename: string }) => r.tablename).flatMap((name) =>
    name === 'audit_log' ? [part(name, name, `WHERE action NOT LIKE 'auth.login%'`), part('audit_log:login', name, `WHERE action LIKE 'auth.login%'`)]
      : name === 'audit_chain' ? [part(name, name, `WHERE audit_id NOT IN (${LOGIN_AUDIT})`), part('audit_chain:login', name, `WHERE audit_id IN (${LOGIN_AUDIT})`)]
        : [part(name, name)]);
  return `SELECT json_build_object(${parts.join(', ')}) AS state`;
}

/** Job counts of both queues, repeatable schedules among them. */
async function queueCounts(t: TestApp): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of [EVALUATION_QUEUE, NOTIFICATIONS_QUEUE]) {
    const queue = t.app.get<Queue>(getQueueToken(name));
    out[`queue:${name}`] = { ...(await queue.getJobCounts()), repeatable: (await queue.getRepeatableJobs()).length };
  }
  return out;
}

/**
 * Until nothing is queued, running or waiting in PostgreSQL for a queue: the background work of an
 * accepted request done (delayed jobs other than the repeatable schedules count as queued).
 */
async function settle(t: TestApp): Promise<void> {
  await eventually(async () => {
    for (const name of [EVALUATION_QUEUE, NOTIFICATIONS_QUEUE]) {
      const queue = t.app.get<Queue>(getQueueToken(name));
      const counts = await queue.getJobCounts();
      if (counts.waiting || counts.active) return undefined;
      if ((await queue.getDelayed()).some((j) => !String(j.id).startsWith('repeat:'))) return undefined;
    }
    const { rows: [r] } = await t.db.query(`SELECT count(*)::int AS n FROM reevaluation_requests`);
    return r.n === 0 ? true : undefined;
  }, 30_000, 'the queues at rest');
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  byTemplate: Record<string, Record<string, number>>;
  /** 5xx responses */
  serverErrors: { request: string; status: number; body: string }[];
  /** rejected requests (4xx) after which the database differed */
  writesOnReject: { request: string; status: number; changed: string[] }[];
  /** 4xx answers that are not application/problem+json with the HTTP status in the body */
  notProblems: { request: string; status: number; type: string; body: string }[];
}

const describe = (r: FuzzRequest) => {
  const body = r.body !== undefined ? JSON.stringify(r.body) : r.raw ? `${r.raw.type} ${JSON.stringify(r.raw.data)}` : r.multipart ? `multipart ${r.multipart.field}=${r.multipart.fileName} (${r.multipart.content.length} bytes)` : '';
  return `${r.method.toUpperCase()} ${r.url} [${r.label}] ${body.slice(0, 300)}`;
};

function isProblem(status: number, type: string, text: string): boolean {
  if (!/^application\/problem\+json/.test(type)) return false;
  try {
    const body = JSON.parse(text) as { status?: unknown; title?: unknown; detail?: unknown; errors?: unknown };
    return body.status === status && typeof body.title === 'string' && typeof body.detail === 'string' && Array.isArray(body.errors);
  } catch {
    return false;
  }
}

/** Sends the requests one at a time, each between two fingerprints of the database. */
export async function runFuzz(t: TestApp, requests: FuzzRequest[], onProgress?: (done: number, report: FuzzReport) => void): Promise<FuzzReport> {
  const report: FuzzReport = { sent: 0, byStatus: {}, byTemplate: {}, serverErrors: [], writesOnReject: [], notProblems: [] };
  const query = await fingerprintQuery(t.db);
  const state = async () => ({ ...(await t.db.query(query)).rows[0].state, ...(await queueCounts(t)) }) as Record<string, unknown>;
  await settle(t);
  let before = await state();
  for (const r of requests) {
    let req = r.anonymous ? t.anonymous()[r.method](r.url) : t.http()[r.method](r.url);
    if (r.raw) req = req.set('content-type', r.raw.type).send(r.raw.data);
    else if (r.multipart) {
      for (const [k, v] of Object.entries(r.multipart.fields ?? {})) req = req.field(k, v);
      req = req.attach(r.multipart.field, r.multipart.content, r.multipart.fileName || 'file');
    } else if (r.body !== undefined) req = req.set('content-type', 'application/json').send(JSON.stringify(r.body));
    let status: number;
    let text: string;
    let type = '';
    try {
      const res = await req;
      status = res.status;
      text = res.text ?? '';
      type = String(res.headers['content-type'] ?? '');
    } catch (error) {
      status = 599; // the connection failed: as bad as a 5xx
      text = String((error as Error).message);
    }
    report.sent += 1;
    report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
    const template = r.label.split(':')[0];
    report.byTemplate[template] ??= {};
    report.byTemplate[template][status] = (report.byTemplate[template][status] ?? 0) + 1;
    if (status >= 500) report.serverErrors.push({ request: describe(r), status, body: text.slice(0, 300) });
    if (status >= 400 && status < 500 && !isProblem(status, type, text)) report.notProblems.push({ request: describe(r), status, type, body: text.slice(0, 200) });
    if (status < 400) await settle(t);
    const after = await state();
    if (status >= 400 && status < 500) {
      const login = /\/auth\/login\b/.test(r.url);
      const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]))
        .filter((k) => !(login && LOGIN_BOOKKEEPING.has(k)));
      if (changed.length) report.writesOnReject.push({ request: describe(r), status, changed });
    }
    before = after;
    onProgress?.(report.sent, report);
  }
  return report;
}
