/**
 * `npm run bench:ingest -- [--targets N] [--figures M] [--database-server URL] [--redis-url URL] [--keep-database]`
 *
 * Not a test. Bulk ingest through HTTP, parsing and validation included: seeds N targets (default 10 000,
 * quarterly) in a scratch database `tm_bench_ingest_<pid>`, starts the real app in this process on an
 * ephemeral port, signs in, then times
 *   1. POST /api/v1/figures/batch with M figures (default 100 000) in one request — the first write,
 *   2. the same request again (every figure unchanged: nothing written),
 *   3. a .csv import of M rows (new periods): upload (preview) + apply,
 *   4. an .xlsx import of M rows (new periods): upload (preview) + apply,
 * and prints rows/s for each with the load average, and the CPU seconds the app and the database's
 * PostgreSQL backends spent on the request (rows per CPU second: less moved by other engineers' load than
 * rows/s). Goal (issue 7): ≥ 50 000 rows/s. After each write it checks that the audit row names every
 * revision written (`revisionIds`), that every target has its re-evaluation request in PostgreSQL, and
 * waits until the background queueing has put them in Redis.
 * On stderr, where the server's time went (the figure writer's steps, the re-evaluation queueing).
 * The last line of stdout is JSON of the figures. The scratch database and the Redis keys under
 * `tmbench:ingest:<pid>` are removed at the end, also on failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { cpuSeconds, dropScratch, load, withAdmin } from './support.js';
import { createApp, prepare } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { FiguresService } from '../src/figures/figures.service.js';
import { ReevaluationService } from '../src/evaluations/reevaluation.service.js';
import { AuditService } from '../src/audit/audit.service.js';

const { values: opts } = parseArgs({
  options: {
    targets: { type: 'string', default: '10000' },
    figures: { type: 'string', default: '100000' },
    'database-server': { type: 'string', default: process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
    'keep-database': { type: 'boolean', default: false },
    skip: { type: 'string', default: '' }, // comma-separated phases to leave out: csv,xlsx
  },
  strict: true,
});

const TARGETS = Number(opts.targets);
const FIGURES = Number(opts.figures);
if (!Number.isInteger(TARGETS) || TARGETS < 1 || !Number.isInteger(FIGURES) || FIGURES < 1) {
  console.error('--targets and --figures must be positive integers');
  process.exit(2);
}
const SKIP = new Set(opts.skip!.split(',').filter(Boolean));
const SERVER = opts['database-server']!.replace(/\/+$/, '');
const DB_NAME = `tm_bench_ingest_${process.pid}`;
const DATABASE_URL = `${SERVER}/${DB_NAME}`;
const QUEUE_PREFIX = `tmbench:ingest:${process.pid}`;
const ADMIN = { email: 'bench@example.org', password: `${randomBytes(18).toString('base64url')}-Bench7` };
const PER_TARGET = Math.ceil(FIGURES / TARGETS);

const log = (message: string) => process.stderr.write(`[bench:ingest] ${message}\n`);
const seconds = (start: number) => (performance.now() - start) / 1000;

/** Quarter number q (0 = 2000Q1) → `2000Q1`. */
const quarter = (q: number) => `${2000 + Math.floor(q / 4)}Q${(q % 4) + 1}`;
const code = (i: number) => `BENCH-${String(i).padStart(7, '0')}`;

/** M figures over the N targets: each target gets periods from `firstQuarter` on, target-major. */
function figures(firstQuarter: number, salt: number): { target: string; period: string; value: number; basis?: 'ytd' | 'period'; note: string | null }[] {
  const out = [];
  for (let k = 0; k < FIGURES; k++) {
    const t = (k % TARGETS) + 1;
    const q = firstQuarter + Math.floor(k / TARGETS);
    out.push({ target: code(t), period: quarter(q), value: Math.round((100 + t % 50 + q * 1.5 + salt) * 100) / 100, note: k % 10 === 0 ? '统计快报' : null });
  }
  return out;
}

async function seed(db: pg.Client): Promise<void> {
  await db.query(`
    INSERT INTO departments (code, name) SELECT 'BENCH-D' || lpad(d::text, 2, '0'), '基准部门 ' || d FROM generate_series(1, 20) d`);
  await db.query(
    `INSERT INTO targets (code, name, unit, kind, comparator, frequency, department_id, baseline_period, baseline_value, target_period, target_value)
     SELECT 'BENCH-' || lpad(i::text, 7, '0'), '基准指标 ' || i, '家', 'level', '>=', 'quarterly',
            (SELECT min(id) FROM departments) + i % 20, '1999', 100, '2100', 1000
       FROM generate_series(1, $1::int) i`,
    [TARGETS],
  );
  await db.query('ANALYZE');
}

interface Timed { status: number; body: any; seconds: number; cpu: number; appCpu: number; dbCpu: number }

/** CPU seconds of a PostgreSQL backend (on this machine), 0 once it has ended. */
function processCpu(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0; // the backend ended
  }
}

let dbPids: () => Promise<number[]> = async () => [];

/**
 * One request, timed: wall seconds, and the CPU seconds spent on it by this process (the app and, a little,
 * the client) and by the scratch database's PostgreSQL backends — less moved by other load than the wall
 * time: on an idle machine the request would take about that long (the work is mostly sequential).
 */
async function timed(url: string, init: RequestInit): Promise<Timed> {
  const pids = await dbPids();
  const db0 = new Map(pids.map((pid) => [pid, processCpu(pid)]));
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const s = seconds(start);
  const cpu = process.cpuUsage(cpu0);
  // backends that ended meanwhile are left out (their last seconds uncounted)
  const db = pids.reduce((sum, pid) => {
    const now = processCpu(pid);
    return now ? sum + now - db0.get(pid)! : sum;
  }, 0);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  const app = (cpu.user + cpu.system) / 1e6;
  return { status: res.status, body, seconds: s, cpu: app + db, appCpu: app, dbCpu: db };
}

/** Time spent in the writer's steps and the re-evaluation queueing (wrapped at run time, src/ untouched). */
const spent = new Map<string, number>();
function instrument(app: NestFastifyApplication): void {
  const wrap = (object: any, method: string, label: string) => {
    const original = object[method].bind(object);
    object[method] = async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await original(...args);
      } finally {
        spent.set(label, (spent.get(label) ?? 0) + seconds(start));
      }
    };
  };
  const figuresService = app.get(FiguresService);
  wrap(figuresService, 'writeAll', 'FiguresService.writeAll (checks + transaction + re-evaluation)');
  wrap(figuresService, 'check', 'FiguresService.check (import preview)');
  wrap(app.get(ReevaluationService), 'request', 'ReevaluationService.request (after commit; in the background from 1 000 targets)');
  if (typeof (app.get(ReevaluationService) as any).record === 'function') wrap(app.get(ReevaluationService), 'record', 'ReevaluationService.record (in the transaction)');
  wrap(app.get(AuditService), 'append', 'AuditService.append (the audit row)');
}
function breakdown(): string {
  const text = [...spent].map(([k, v]) => `${k} ${v.toFixed(2)} s`).join('; ');
  spent.clear();
  return text || '—';
}

/**
 * After a write: its audit row names exactly the revisions it appended (revisionIds), every target has its
 * re-evaluation request in PostgreSQL, and the background queueing put a job in Redis for each (waited
 * for, so it does not run into the next phase; how long it took after the response goes to stderr).
 */
async function checkWritten(db: pg.Client, action: string, figures: number): Promise<void> {
  const start = performance.now();
  const { rows: [audit] } = await db.query(
    `SELECT a.after, CASE WHEN a.after ? 'revisionIds'
                          THEN (SELECT count(*)::int FROM figure_revisions r, jsonb_array_elements(a.after->'revisionIds') x
                                 WHERE r.id BETWEEN (x->>0)::bigint AND (x->>1)::bigint)
                          ELSE jsonb_array_length(a.after->'revisions') -- the listing of before issue 7's FastIngest
                     END AS revisions
       FROM audit_log a WHERE action = $1 ORDER BY id DESC LIMIT 1`, [action]);
  if (audit?.after.written !== figures || audit.revisions !== figures) {
    throw new Error(`${action}: the audit row names ${audit?.revisions} revisions, ${figures} written: ${JSON.stringify(audit?.after).slice(0, 300)}`);
  }
  const { rows: [requests] } = await db.query(`SELECT count(*)::int AS n FROM reevaluation_requests`);
  if (requests.n !== Math.min(TARGETS, figures)) throw new Error(`${requests.n} re-evaluation requests, expected ${Math.min(TARGETS, figures)}`);
  const queue = (app!.get(ReevaluationService) as unknown as { queue: { getJobCounts(): Promise<Record<string, number>> } }).queue;
  let jobs = 0;
  while (performance.now() - start < 30_000) {
    const counts = await queue.getJobCounts();
    jobs = counts.waiting + counts.delayed + counts.active;
    if (jobs >= requests.n) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  log(`${action}: audit row names all ${figures} revisions; ${requests.n} re-evaluation requests, ${jobs} queued ${seconds(start).toFixed(2)} s after the response`);
}

let app: NestFastifyApplication | undefined;
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await app?.close().catch((e) => log(`close: ${(e as Error).message}`));
  await dropScratch(SERVER, opts['keep-database'] ? null : DB_NAME, opts['redis-url']!, QUEUE_PREFIX);
  if (opts['keep-database']) log(`kept database ${DB_NAME}`);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

interface Result { phase: string; rows: number; seconds: number; rowsPerSecond: number; cpuSeconds: number; rowsPerCpuSecond: number; written: number; load: string; detail: string }
const results: Result[] = [];
function record(phase: string, rows: number, s: number, cpu: number, written: number, detail: string): void {
  const r = {
    phase, rows, seconds: Number(s.toFixed(2)), rowsPerSecond: Math.round(rows / s), cpuSeconds: Number(cpu.toFixed(2)),
    rowsPerCpuSecond: Math.round(rows / cpu), written, load: load(), detail,
  };
  results.push(r);
  log(`${phase}: ${rows} rows in ${s.toFixed(2)} s = ${r.rowsPerSecond} rows/s; CPU ${cpu.toFixed(2)} s (app + PostgreSQL) = ${r.rowsPerCpuSecond} rows/CPU-s (written ${written}; load ${r.load}) ${detail}`);
}

async function upload(base: string, token: string, name: string, type: string, file: Buffer): Promise<{ preview: Timed; apply: Timed }> {
  const form = new FormData();
  form.append('file', new Blob([file], { type }), name);
  const preview = await timed(`${base}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (preview.status !== 201 || preview.body.status !== 'preview') {
    throw new Error(`${name} preview: ${preview.status} ${JSON.stringify(preview.body).slice(0, 500)}`);
  }
  const apply = await timed(`${base}/api/v1/imports/${preview.body.id}/apply`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (apply.status !== 200) throw new Error(`${name} apply: ${apply.status} ${JSON.stringify(apply.body).slice(0, 500)}`);
  return { preview, apply };
}

async function main(): Promise<void> {
  log(`targets=${TARGETS} figures=${FIGURES} (${PER_TARGET} per target) database=${DB_NAME}; ${availableParallelism()} CPUs, load ${load()}`);
  await withAdmin(SERVER, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(DB_NAME)} ENCODING 'UTF8' TEMPLATE template0`));
  const config = loadConfig({
    DATABASE_URL, REDIS_URL: opts['redis-url']!, QUEUE_PREFIX, SEED: 'false', LOG_LEVEL: 'error',
    ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, APP_ROLE: 'api',
  });
  await prepare(config);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const { rows: [{ pid: ownPid }] } = await db.query('SELECT pg_backend_pid() AS pid');
  dbPids = async () => (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`, [DB_NAME, ownPid])).rows.map((r) => r.pid);
  try {
    let start = performance.now();
    await seed(db);
    log(`seeded ${TARGETS} targets in ${seconds(start).toFixed(2)} s`);
    app = await createApp(config);
    instrument(app);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;
    const login = await timed(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
    });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.accessToken as string;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    // ---- 1 + 2: the batch, first write and the same again
    const body = JSON.stringify({ figures: figures(0, 0) });
    log(`batch body: ${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MB`);
    for (const phase of ['batch: first write', 'batch: re-post (all unchanged)']) {
      const res = await timed(`${base}/api/v1/figures/batch`, { method: 'POST', headers, body });
      if (res.status !== 200) throw new Error(`${phase}: ${res.status} ${JSON.stringify(res.body).slice(0, 1000)}`);
      record(phase, FIGURES, res.seconds, res.cpu, res.body.written, `(CPU: app ${res.appCpu.toFixed(2)} s, PostgreSQL ${res.dbCpu.toFixed(2)} s) ${breakdown()}`);
    }
    const { rows: [count] } = await db.query(`SELECT count(*)::int AS figures, (SELECT count(*)::int FROM figure_revisions) AS revisions FROM figures`);
    if (count.figures !== FIGURES || count.revisions !== FIGURES) throw new Error(`expected ${FIGURES} figures and revisions, got ${JSON.stringify(count)}`);
    await checkWritten(db, 'figures.batch', FIGURES);

    // ---- 3: .csv import, new periods
    if (!SKIP.has('csv')) {
      const rows = figures(PER_TARGET, 1);
      const csv = Buffer.from('指标代码,期间,数值,口径,备注\n' + rows.map((f) => `${f.target},${f.period},${f.value},,${f.note ?? ''}`).join('\n') + '\n');
      const { preview, apply } = await upload(base, token, 'bench.csv', 'text/csv', csv);
      await checkWritten(db, 'figures.import', FIGURES);
      const detail = breakdown();
      record('csv import: preview', FIGURES, preview.seconds, preview.cpu, 0, '');
      record('csv import: apply', FIGURES, apply.seconds, apply.cpu, apply.body.result.written, '');
      record('csv import: preview + apply', FIGURES, preview.seconds + apply.seconds, preview.cpu + apply.cpu, apply.body.result.written,
        `(${(csv.length / 1024 / 1024).toFixed(1)} MB) ${detail}`);
    }

    // ---- 4: .xlsx import, newer periods
    if (!SKIP.has('xlsx')) {
      start = performance.now();
      const rows = figures(2 * PER_TARGET, 2);
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('实际值');
      sheet.addRow(['指标代码', '期间', '数值', '口径', '备注']);
      for (const f of rows) sheet.addRow([f.target, f.period, f.value, null, f.note]);
      const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
      log(`xlsx of ${FIGURES} rows built in ${seconds(start).toFixed(1)} s (${(xlsx.length / 1024 / 1024).toFixed(1)} MB)`);
      const { preview, apply } = await upload(base, token, 'bench.xlsx',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', xlsx);
      await checkWritten(db, 'figures.import', FIGURES);
      const detail = breakdown();
      record('xlsx import: preview', FIGURES, preview.seconds, preview.cpu, 0, '');
      record('xlsx import: apply', FIGURES, apply.seconds, apply.cpu, apply.body.result.written, '');
      record('xlsx import: preview + apply', FIGURES, preview.seconds + apply.seconds, preview.cpu + apply.cpu, apply.body.result.written, detail);
    }
  } finally {
    await db.end();
  }

  console.log('\n| phase | rows | seconds | rows/s | CPU s (app + PostgreSQL) | rows/CPU-s | written | load (1/5/15 min) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    console.log(`| ${r.phase} | ${r.rows} | ${r.seconds.toFixed(2)} | ${r.rowsPerSecond} | ${r.cpuSeconds.toFixed(2)} | ${r.rowsPerCpuSecond} | ${r.written} | ${r.load} |`);
  }
  console.log(JSON.stringify({ targets: TARGETS, figures: FIGURES, results: results.map(({ detail: _, ...r }) => r) }));
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (error) => {
    log(`failed: ${(error as Error).stack ?? error}`);
    await cleanup().catch((e) => log(`cleanup: ${(e as Error).message}`));
    process.exit(1);
  });
