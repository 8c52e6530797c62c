/**
 * `npm run bench:evaluate -- --targets N [--workers K] [--runtime dist|swc] [--chunk-size S] [--curve]
 *    [--database-server URL] [--explain] [--pg-options='-c jit=off'] [--after-load SQL] [--keep-database]
 *    [--timeout SECONDS] [--cpu-prof DIR]`
 *
 * Not a test. Seeds N targets × 20 quarterly figures (2020Q1..2024Q4) in a scratch database
 * `tm_bench_<pid>`, times a full queued evaluation run (EvaluationRunsService.start → Bull fan-out →
 * chunk jobs → completed) done by K worker processes (APP_ROLE=worker; compiled JS from `npm run build`
 * by default, or SWC), then, on the same data, times one set-based SQL statement computing every
 * target's linear pace (the reference). The last line of stdout is one JSON object: {targets, figures,
 * workers, runtime, runSeconds, sqlSeconds, ratio, peakRssMb (the largest worker's), workerPeakRssMb
 * (each worker's VmHWM), targetsPerSecond, figuresPerSecond, loadAverage}. Progress goes to stderr.
 * Goals (issue 7): ratio ≤ 1.5 and peak RSS ≤ 512 MB per worker.
 *
 * --curve runs the bench once per size (10 000, 100 000, 1 000 000 targets; --sizes to choose), each in
 * a child process with its own scratch database, and prints a Markdown table of the results.
 * --workers 0 evaluates in this process instead (APP_ROLE=all under SWC), with the time per step below.
 *
 * The scratch database and the Redis keys under `tmbench:<pid>` are removed at the end, also on failure
 * or Ctrl-C. Worker processes are killed by their PID.
 *
 * Also on stderr, to find where the time goes: with --workers 0, the in-process worker's time per step
 * (its store methods and queries wrapped at run time, src/ untouched); CPU seconds of Postgres / this
 * process / the workers during the run, the wait for post-run jobs (alert reconciliation…), which is let
 * finish before the reference is timed on a quiet machine, and, for comparison, the reference statement
 * writing the rows a run writes (evaluations + latest_evaluations, rolled back).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createApp, prepare } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { EvaluationRunsService } from '../src/evaluations/evaluation-runs.service.js';
import { EvaluationStore } from '../src/evaluations/evaluation.store.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIGURES_PER_TARGET = 20;

// ---------------------------------------------------------------- options

const { values: opts } = parseArgs({
  options: {
    targets: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
    // 'dist': node dist/src/main.js (npm run build first; ~150 MB less than SWC); 'swc': the sources.
    runtime: { type: 'string', default: 'dist' },
    curve: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'chunk-size': { type: 'string', default: '5000' },
    'database-server': { type: 'string', default: process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
    'timeout': { type: 'string', default: '1800' },
    explain: { type: 'boolean', default: false },
    // Session settings for the app's connections (in-process and extra workers), as PGOPTIONS, which
    // node-postgres reads: e.g. --pg-options='-c jit=off -c random_page_cost=1.1' (with '=', as the
    // value starts with a dash). The bench's own connections (load, polling, reference) keep the server's.
    'pg-options': { type: 'string', default: '' },
    // SQL run on the loaded database before ANALYZE, to try a schema change without a migration:
    // e.g. --after-load 'CREATE INDEX ON figures (recorded_at)'.
    'after-load': { type: 'string', default: '' },
    // Debugging aid: leave the scratch database in place (Redis keys are still deleted).
    'keep-database': { type: 'boolean', default: false },
    // Writes a V8 CPU profile of each worker process into DIR (node --cpu-prof; written when it exits).
    'cpu-prof': { type: 'string', default: '' },
  },
  strict: true,
  allowPositionals: false,
});

const positiveInt = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
};

const TARGETS = positiveInt('targets', opts.targets);
const WORKERS = opts.workers === '0' ? 0 : positiveInt('workers', opts.workers);
const RUNTIME = opts.runtime!;
if (RUNTIME !== 'dist' && RUNTIME !== 'swc') {
  console.error(`--runtime must be dist or swc, got ${JSON.stringify(RUNTIME)}`);
  process.exit(2);
}
const DIST_MAIN = `${ROOT}dist/src/main.js`;
const CHUNK_SIZE = positiveInt('chunk-size', opts['chunk-size']);
const TIMEOUT_S = positiveInt('timeout', opts.timeout);
const SERVER = opts['database-server']!.replace(/\/+$/, '');
const REDIS_URL = opts['redis-url']!;
const DB_NAME = `tm_bench_${process.pid}`;
const DATABASE_URL = `${SERVER}/${DB_NAME}`;
const QUEUE_PREFIX = `tmbench:${process.pid}`;
const PG_OPTIONS = opts['pg-options']!.trim();
const AFTER_LOAD = opts['after-load']!.trim();
// Explicit, so that PGOPTIONS (set below for the app) never reaches the bench's own connections.
const OWN_OPTIONS = '-c application_name=tm-bench';
if (PG_OPTIONS) process.env.PGOPTIONS = PG_OPTIONS;
else delete process.env.PGOPTIONS;

// A closed stderr (e.g. piped into `head`) must not stop the clean-up.
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- scratch database and Redis keys

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, options: OWN_OPTIONS });
  client.on('error', (e) => log(`connection: ${e.message}`));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(DB_NAME)} WITH (FORCE)`));
}

async function deleteRedisKeys(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

// ---------------------------------------------------------------- data

/**
 * All in SQL (INSERT … SELECT generate_series), the fastest load here. Ids are 1..N. Mix, by id:
 *  - id % 10 = 0: flow (10%), yearly total T by 2026 from b in 2019; half of them with figures of
 *    basis 'period' (summed to YTD), every 4th with a 2024 milestone, every 5th 'seasonal',
 *    a third of them caps ('<=');
 *  - otherwise level, baseline 2019 → target 2026: id % 5 = 1 cagr, id % 7 = 3 '<=' (T below b),
 *    id % 13 = 5 '>', the rest linear '>='.
 * Each target's own speed factor f = −0.1 … 1.4 spreads statuses from deteriorating to achieved.
 * Figures were recorded 20 days after their period ended (all before the run's as-of, now), and are
 * stored in that order, quarter by quarter, as a real office enters them (not clustered by target).
 * Triggers (the period-fits check, one query per row) and FK checks are off for the load only
 * (session_replication_role = replica); the data satisfies them by construction. The indexes of the two
 * figure tables (but the revisions' serial key, which others reference) are dropped for the load and
 * built again after it from their own definitions (building
 * an index once is several times faster than maintaining it row by row), and the revisions are inserted
 * one quarter at a time (no sort of N × 20 rows): 1M targets load in a few minutes.
 */
async function seed(client: pg.Client): Promise<{ figures: number }> {
  await client.query('BEGIN');
  await client.query(`SET LOCAL session_replication_role = replica`);
  await client.query(`
    INSERT INTO departments (code, name, emails)
    SELECT 'BENCH-D' || lpad(d::text, 2, '0'), '基准部门 ' || d, ARRAY['bench' || d || '@example.org']
      FROM generate_series(1, 20) d`);
  await client.query(
    `INSERT INTO targets (id, code, name, unit, kind, comparator, method, frequency, expectation, department_id,
                          baseline_period, baseline_value, target_period, target_value)
     SELECT i, 'BENCH-' || lpad(i::text, 7, '0'), '基准指标 ' || i,
            CASE WHEN flow THEN '亿元' ELSE '家' END,
            CASE WHEN flow THEN 'flow' ELSE 'level' END,
            CASE WHEN flow THEN (CASE WHEN i % 30 = 0 THEN '<=' ELSE '>=' END)
                 WHEN i % 7 = 3 THEN '<=' WHEN i % 13 = 5 THEN '>' ELSE '>=' END,
            CASE WHEN NOT flow AND i % 5 = 1 THEN 'cagr' ELSE 'linear' END,
            'quarterly',
            CASE WHEN flow AND i % 50 = 0 THEN 'seasonal' ELSE 'time' END,
            (SELECT min(id) FROM departments) + i % 20,
            '2019',
            CASE WHEN flow THEN 1000 + i % 500 ELSE 100 + i % 50 END,
            '2026',
            CASE WHEN flow THEN round((1000 + i % 500) * 1.5)
                 WHEN i % 7 = 3 THEN 100 + i % 50 - 50 - i % 37
                 ELSE 100 + i % 50 + 100 + i % 37 END
       FROM generate_series(1, $1::int) i, LATERAL (SELECT i % 10 = 0 AS flow) k`,
    [TARGETS],
  );
  await client.query(`SELECT setval(pg_get_serial_sequence('targets', 'id'), $1::int)`, [TARGETS]);
  // Flow year target of year Y: b + (T − b)·(Y − 2019)/7 (linear interpolation, DESIGN.md).
  await client.query(`
    INSERT INTO milestones (target_id, period, value)
    SELECT id, '2024', round((baseline_value + (target_value - baseline_value) * 5 / 7) * 1.1, 2)
      FROM targets WHERE kind = 'flow' AND id % 40 = 0`);
  const { rows: indexes } = await client.query(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def, NULL AS index_def
       FROM pg_constraint c WHERE c.conrelid = 'figures'::regclass AND c.contype IN ('p', 'u')
     UNION ALL
     SELECT i.indrelid::regclass::text, NULL, NULL, pg_get_indexdef(i.indexrelid)
       FROM pg_index i WHERE i.indrelid IN ('figures'::regclass, 'figure_revisions'::regclass)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
  for (const i of indexes) {
    await client.query(i.name ? `ALTER TABLE ${i.tbl} DROP CONSTRAINT ${i.name}`
      : `DROP INDEX ${/^CREATE (?:UNIQUE )?INDEX (\S+) /.exec(i.index_def)![1]}`);
  }
  for (let q = 0; q < FIGURES_PER_TARGET; q++) {
  await client.query(
    `INSERT INTO figure_revisions (target_id, period, value, basis, status, source, recorded_by, recorded_at)
     SELECT t.id, (2020 + q / 4) || 'Q' || (q % 4 + 1),
            round(CASE
              WHEN t.kind = 'level' THEN
                t.baseline_value + (t.target_value - t.baseline_value) * f * (q + 1) / 28 + ((t.id * 7 + q * 13) % 11 - 5) * 0.1
              WHEN t.id % 20 = 0 THEN -- flow, single-period figures
                (t.baseline_value + (t.target_value - t.baseline_value) * (q / 4 + 1) / 7) / 4 * f
              ELSE                  -- flow, year-to-date figures
                (t.baseline_value + (t.target_value - t.baseline_value) * (q / 4 + 1) / 7) * (q % 4 + 1) / 4 * f
            END, 2),
            CASE WHEN t.kind = 'flow' AND t.id % 20 = 0 THEN 'period' ELSE 'ytd' END,
            'final', 'bench', 'bench',
            timestamptz '2020-01-01 00:00:00+08' + make_interval(months => (q + 1) * 3, days => 20)
       FROM targets t
       CROSS JOIN LATERAL (SELECT CASE WHEN t.kind = 'flow' THEN 0.7 + (t.id / 10 % 7) * 0.1
                                       ELSE (t.id % 11) * 0.15 - 0.1 END AS f) s
       CROSS JOIN (SELECT $1::int AS q) q`, // as they arrive: quarter by quarter for all targets (a target's figures on 20 pages)
    [q],
  );
  }
  const { rowCount } = await client.query(`
    INSERT INTO figures (target_id, period, value, basis, status, note, source, revision_id, recorded_at)
    SELECT target_id, period, value, basis, status, note, source, id, recorded_at FROM figure_revisions`);
  await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
  for (const i of indexes) {
    await client.query(i.name ? `ALTER TABLE ${i.tbl} ADD CONSTRAINT ${i.name} ${i.def}` : i.index_def);
  }
  await client.query('COMMIT');
  if (AFTER_LOAD) {
    log(`after load: ${AFTER_LOAD}`);
    await client.query(AFTER_LOAD);
  }
  await client.query('VACUUM ANALYZE');
  await client.query('CHECKPOINT'); // the load's ~1 GB of WAL is not flushed during the timed run
  return { figures: rowCount ?? 0 };
}

// ---------------------------------------------------------------- the SQL reference

/**
 * One set-based statement: every active target's latest figure (LATERAL … ORDER BY period DESC LIMIT 1 on
 * the figures primary key), completion, elapsed share and pace, expected value, gap, lag and a status,
 * written into a temp table. Level targets follow DESIGN.md's linear rule (c = (a−b)/(T−b),
 * e = (t(L)−t0)/(tT−t0), ρ = c/e) also for cagr targets; flows get the comparable YTD / year-target rule
 * (year target from the milestone or interpolated, e = k/4, YTD summed for 'period' figures). It is a
 * reference for COST, not a second implementation of the rules: no cagr pace, no projection, no
 * seasonal expectation, no overdue, no as-of revision log (figures recorded after as-of are just
 * skipped; the bench has none).
 *
 * The `OFFSET 0` levels keep the planner from flattening the subqueries: flattened, every use of
 * `elapsed` (pace, four status branches, …) re-evaluates its tm_period_t() calls — ~35 calls a row, and
 * tm_period_t (STRICT with a CASE body, so never inlined) costs ~1.4 µs a call: 5.8 s instead of ~1 s at
 * 100k targets. Each t is computed once a row here.
 */
function referenceSql(asOf: Date): string {
  return `CREATE TEMP TABLE bench_reference AS ${referenceSelect(asOf)}`;
}

/**
 * For comparison only (stderr, not the JSON): the same computation writing what a run writes, one
 * evaluations row per target (its indexes and foreign keys) and the latest_evaluations upsert. Run in
 * a transaction that is rolled back. The gap between this and the temp-table reference is the cost of
 * the app's persistence, which no change to the Node side can remove.
 */
function sameWriteSql(asOf: Date, runId: string): string {
  const at = `timestamptz '${asOf.toISOString()}'`;
  return `
    WITH reference AS (${referenceSelect(asOf)}),
    inserted AS (
      INSERT INTO evaluations (run_id, target_id, as_of, status, pace, pace_method, completion, elapsed, expected,
                               gap, lag, latest_period, latest_value)
      SELECT '${runId}'::uuid, target_id, ${at}, status, pace, 'linear', completion, elapsed, expected,
             gap, lag, latest_period, latest_value FROM reference
      RETURNING id, target_id, as_of)
    INSERT INTO latest_evaluations (target_id, evaluation_id, as_of)
    SELECT target_id, id, as_of FROM inserted
    ON CONFLICT (target_id) DO UPDATE SET evaluation_id = EXCLUDED.evaluation_id, as_of = EXCLUDED.as_of
      WHERE latest_evaluations.as_of <= EXCLUDED.as_of`;
}

function referenceSelect(asOf: Date): string {
  const at = `timestamptz '${asOf.toISOString()}'`;
  return `
    SELECT target_id, latest_period, a AS latest_value, completion, elapsed, pace, expected,
           d * (goal - a) AS gap, d * (expected - a) AS lag,
           CASE
             WHEN latest_period IS NULL THEN 'no_data'
             WHEN (d > 0 AND a >= goal) OR (d < 0 AND a <= goal) THEN 'achieved'
             WHEN pace >= 1.05 THEN 'ahead'
             WHEN pace >= 0.95 THEN 'on_track'
             WHEN pace >= 0.85 THEN 'at_risk'
             WHEN pace >= 0 THEN 'lagging'
             ELSE 'deteriorating'
           END AS status
      FROM (
        SELECT *, completion / nullif(elapsed, 0) AS pace,
               CASE WHEN flow THEN goal * elapsed ELSE b + (goal - b) * least(elapsed, 1) END AS expected
          FROM (
            SELECT *,
                   CASE WHEN flow THEN a / nullif(goal, 0) WHEN goal = b THEN 0 ELSE (a - b) / (goal - b) END AS completion,
                   CASE WHEN flow THEN k / 4 ELSE (tl - t0) / (tt - t0) END AS elapsed
              FROM (
                SELECT t.id AS target_id, t.kind = 'flow' AS flow, l.period AS latest_period,
                       CASE WHEN t.comparator IN ('>=', '>') THEN 1 ELSE -1 END AS d,
                       t.baseline_value::float8 AS b,
                       tm_period_t(t.baseline_period) AS t0, tm_period_t(t.target_period) AS tt, tm_period_t(l.period) AS tl,
                       right(l.period, 1)::float8 AS k,
                       CASE WHEN t.kind = 'flow' AND l.basis = 'period' THEN y.ytd ELSE l.value END AS a,
                       CASE WHEN t.kind = 'level' THEN t.target_value::float8
                            ELSE coalesce(m.value, t.baseline_value + (t.target_value - t.baseline_value)
                                 * (left(l.period, 4)::int - left(t.baseline_period, 4)::int)
                                 / (left(t.target_period, 4)::int - left(t.baseline_period, 4)::int))::float8 END AS goal
                  FROM targets t
                  LEFT JOIN LATERAL (SELECT f.period, f.value::float8 AS value, f.basis FROM figures f
                                      WHERE f.target_id = t.id AND f.recorded_at <= ${at}
                                      ORDER BY f.period DESC LIMIT 1) l ON true
                  LEFT JOIN milestones m ON t.kind = 'flow' AND m.target_id = t.id AND m.period = left(l.period, 4)
                  LEFT JOIN LATERAL (SELECT sum(f.value)::float8 AS ytd FROM figures f
                                      WHERE t.kind = 'flow' AND l.basis = 'period' AND f.target_id = t.id
                                        AND f.period > left(l.period, 4) AND f.period <= l.period
                                        AND f.recorded_at <= ${at}) y ON true
                 WHERE t.archived_at IS NULL
                OFFSET 0) base
            OFFSET 0) shares
        OFFSET 0) paced`;
}

async function timeSameWrite(asOf: Date): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `${OWN_OPTIONS} -c jit=off` });
  client.on('error', (e) => log(`connection: ${e.message}`));
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows: [{ id }] } = await client.query(
      `INSERT INTO evaluation_runs (trigger, state, as_of) VALUES ('manual', 'running', $1) RETURNING id`, [asOf]);
    const start = performance.now();
    await client.query(sameWriteSql(asOf, id));
    return seconds(start);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

async function timeReference(asOf: Date, settings: string): Promise<{ seconds: number; rows: number; cpu: number }> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `${OWN_OPTIONS} ${settings}` });
  client.on('error', (e) => log(`connection: ${e.message}`));
  await client.connect();
  try {
    const cpu = cpuSecondsOf({ comm: 'postgres' });
    const start = performance.now();
    const { rowCount } = await client.query(referenceSql(asOf));
    return { seconds: seconds(start), rows: rowCount ?? 0, cpu: cpuSecondsOf({ comm: 'postgres' }) - cpu };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- instrumentation of the in-process worker

interface Stat { n: number; ms: number; maxMs: number }
const stats = new Map<string, Stat>();
const samples = new Map<string, { sql: string; params: unknown[] }>();
let inFlight = 0;
let maxInFlight = 0;

function record(name: string, ms: number): void {
  const s = stats.get(name) ?? { n: 0, ms: 0, maxMs: 0 };
  s.n += 1;
  s.ms += ms;
  s.maxMs = Math.max(s.maxMs, ms);
  stats.set(name, s);
}

function wrap<T extends object>(target: T, method: string, name: string, onCall?: (args: unknown[]) => void): void {
  const original = (target as any)[method] as (...args: unknown[]) => Promise<unknown>;
  (target as any)[method] = async function (this: unknown, ...args: unknown[]) {
    onCall?.(args);
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      record(name, performance.now() - start);
    }
  };
}

/** Times, without touching src/, the parts of a chunk: its queries, the pure rules, the write. */
function instrument(app: NestFastifyApplication): void {
  const store = app.get(EvaluationStore);
  const runs = app.get(EvaluationRunsService);
  const dataSource = (store as any).dataSource as DataSource;
  wrap(store, 'evaluate', 'store.evaluate (reads + rules)');
  wrap(store, 'figuresAsOf', '  figuresAsOf (query + grouping)');
  wrap(store, 'save', 'store.save (one INSERT … unnest)');
  wrap(store, 'saveRun', 'store.saveRun (COPY + latest_evaluations)');
  wrap(store, 'figuresInWindows', '  figuresInWindows (window read + grouping)');
  const processChunk = runs.processChunk.bind(runs);
  (runs as any).processChunk = async (data: Parameters<EvaluationRunsService['processChunk']>[0]) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const start = performance.now();
    try {
      return await processChunk(data);
    } finally {
      inFlight -= 1;
      record('processChunk (whole chunk)', performance.now() - start);
    }
  };
  const query = dataSource.query.bind(dataSource);
  (dataSource as any).query = async (sql: string, params?: unknown[], runner?: unknown) => {
    const key = `  sql: ${sql.replace(/\s+/g, ' ').trim().slice(0, 60)}`;
    if (!samples.has(key)) samples.set(key, { sql, params: params ?? [] });
    const start = performance.now();
    try {
      return await query(sql, params, runner as any);
    } finally {
      record(key, performance.now() - start);
    }
  };
}

// ---------------------------------------------------------------- extra worker processes

interface Worker { child: ChildProcess; pid: number; exited: boolean }
const workers: Worker[] = [];

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    APP_ROLE: 'worker',
    LOG_LEVEL: 'log', // the "worker started" line is how we know it is ready
    DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX,
    SEED: 'false',
    EVALUATION_CHUNK_SIZE: String(CHUNK_SIZE),
  };
}

function startWorker(index: number): Promise<Worker> {
  const profile = opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opts['cpu-prof']}`] : [];
  const args = [...profile, ...(RUNTIME === 'dist' ? [DIST_MAIN] : ['--import', '@swc-node/register/esm-register', 'src/main.ts'])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: Worker = { child, pid: child.pid!, exited: false };
  workers.push(worker);
  child.on('exit', () => { worker.exited = true; });
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-4000); };
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${index} not ready after 60 s:\n${tail}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (tail.includes('worker started')) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume(); // keep draining, unread
        resolve(worker);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${index} exited (${code}) before it was ready:\n${tail}`));
    });
  });
}

/** VmRSS (resident set now) of a live process, in MB. */
function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** VmHWM (peak resident set) of a live process, in MB. */
function peakRssOf(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function stopWorkers(): Promise<number[]> {
  const peaks: number[] = [];
  for (const w of workers) {
    const peak = peakRssOf(w.pid);
    if (peak !== null) peaks.push(peak);
    if (w.exited) continue;
    try {
      process.kill(w.pid, 'SIGTERM');
    } catch { /* gone */ }
  }
  for (const w of workers) {
    const deadline = Date.now() + 5000;
    while (!w.exited && Date.now() < deadline) await sleep(50);
    if (!w.exited) {
      try {
        process.kill(w.pid, 'SIGKILL');
      } catch { /* gone */ }
    }
  }
  workers.length = 0;
  return peaks;
}

// ---------------------------------------------------------------- CPU accounting (local servers only)

const CLOCK_TICK = 100; // USER_HZ on Linux

/** utime + stime in seconds of the processes whose command name is `comm` (e.g. postgres), or of pids. */
function cpuSecondsOf(select: { comm?: string; pids?: number[] }): number {
  let ticks = 0;
  let pids: number[];
  try {
    pids = select.pids ?? readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return NaN;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (select.comm && stat.slice(stat.indexOf('(') + 1, close) !== select.comm) continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime + stime (fields 14, 15 of stat); with cutime + cstime (16, 17) for Postgres: the postmaster
      // reaps backends and parallel workers that exited meanwhile, and their CPU counts there.
      ticks += Number(fields[11]) + Number(fields[12]);
      if (select.comm) ticks += Number(fields[13]) + Number(fields[14]);
    } catch { /* exited */ }
  }
  return ticks / CLOCK_TICK;
}

/** CPU seconds used so far by Postgres (all its processes on this machine), this process and the workers. */
function cpuSnapshot(): { postgres: number; bench: number; workers: number } {
  const own = process.cpuUsage();
  return {
    postgres: cpuSecondsOf({ comm: 'postgres' }),
    bench: (own.user + own.system) / 1e6,
    workers: workers.length ? cpuSecondsOf({ pids: workers.map((w) => w.pid) }) : 0,
  };
}

// ---------------------------------------------------------------- main

let app: NestFastifyApplication | null = null;

async function closeApp(): Promise<void> {
  if (!app) return;
  const closing = performance.now();
  const closed = app;
  app = null;
  await closed.close().catch((e: Error) => log(`app.close: ${e.message}`));
  log(`app closed in ${seconds(closing).toFixed(2)} s`);
}

/**
 * Waits until no Bull queue under the prefix has a job waiting or active (repeatable jobs wait in
 * `delayed` and do not count). Read from Redis directly, so it knows no queue names.
 */
async function waitForQuietQueues(): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + TIMEOUT_S * 1000;
    let lastReport = Date.now();
    for (;;) {
      checkInterrupted();
      const queues = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${QUEUE_PREFIX}:*:id`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) queues.add(k.slice(QUEUE_PREFIX.length + 1, -':id'.length));
      } while (cursor !== '0');
      let busy = 0;
      const report: string[] = [];
      for (const q of queues) {
        const waiting = await redis.lrange(`${QUEUE_PREFIX}:${q}:wait`, 0, -1);
        const active = await redis.lrange(`${QUEUE_PREFIX}:${q}:active`, 0, -1);
        busy += waiting.length + active.length;
        if (waiting.length + active.length) {
          const names = new Map<string, number>();
          for (const id of [...active, ...waiting].slice(0, 200)) {
            const name = (await redis.hget(`${QUEUE_PREFIX}:${q}:${id}`, 'name')) ?? '?';
            names.set(name, (names.get(name) ?? 0) + 1);
          }
          report.push(`${q}: ${active.length} active, ${waiting.length} waiting (${[...names].map(([n, c]) => `${n}×${c}`).join(' ')})`);
        }
      }
      if (!busy) return;
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        log(`  post-run jobs: ${report.join('; ')}`);
      }
      if (Date.now() > deadline) throw new Error(`queues still busy after ${TIMEOUT_S} s`);
      await sleep(200);
    }
  } finally {
    redis.disconnect();
  }
}
let cleaned: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    await closeApp();
    await stopWorkers().catch((e: Error) => log(`stopping workers: ${e.message}`));
    if (opts['keep-database']) log(`kept database ${DB_NAME} (--keep-database): drop it yourself`);
    else await dropDatabase().then(() => log(`dropped ${DB_NAME}`), (e: Error) => log(`DROP DATABASE ${DB_NAME} failed: ${e.message}`));
    await deleteRedisKeys().then((n) => log(`deleted ${n} Redis keys ${QUEUE_PREFIX}:*`), (e: Error) => log(`Redis cleanup failed: ${e.message}`));
  })();
  return cleaned;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let interrupted = false;

/** Stops main() at its next step once a signal arrived: cleanup() is already running. */
function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

function onSignal(signal: NodeJS.Signals): void {
  interrupted = true;
  if (cleaned) return; // already cleaning up (a second Ctrl-C, or a signal re-sent)
  log(`${signal}: cleaning up`);
  void cleanup().finally(() => process.exit(130));
}
for (const signal of SIGNALS) process.on(signal, onSignal);

/**
 * The app's enableShutdownHooks() adds its own SIGINT/SIGTERM listeners, which close the app and then
 * re-send the signal to this process, killing it before the database is dropped. The bench owns its
 * signals: it closes the app itself, in cleanup().
 */
function ownSignals(): void {
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (listener !== onSignal) process.removeListener(signal, listener as (...args: unknown[]) => void);
    }
  }
}

// Last resort: never leave a worker process behind, whatever ends this one.
process.on('exit', () => {
  for (const w of workers) {
    if (!w.exited) {
      try {
        process.kill(w.pid, 'SIGKILL');
      } catch { /* gone */ }
    }
  }
});

async function main(): Promise<number> {
  if (WORKERS && RUNTIME === 'dist' && !existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run \`npm run build\` first, or pass --runtime swc`);
  log(`targets=${TARGETS} workers=${WORKERS}${WORKERS ? ` (${RUNTIME})` : ' (in-process)'} chunk-size=${CHUNK_SIZE} database=${DB_NAME} prefix=${QUEUE_PREFIX}` +
    (PG_OPTIONS ? ` app PGOPTIONS="${PG_OPTIONS}"` : ''));
  await withAdmin((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(DB_NAME)} ENCODING 'UTF8' TEMPLATE template0`));
  const env = {
    ...process.env,
    // With worker processes this process only queues the run (no processor); with --workers 0 it does the work.
    APP_ROLE: WORKERS ? 'api' : 'all',
    LOG_LEVEL: 'warn',
    DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX,
    SEED: 'false',
    EVALUATION_CHUNK_SIZE: String(CHUNK_SIZE),
    // The scratch database's first admin (ensureAdmin): chosen here, so no generated password is printed.
    ADMIN_EMAIL: 'bench@example.org',
    ADMIN_PASSWORD: `${randomBytes(18).toString('base64url')}-Bench7`,
  };
  const config = loadConfig(env);

  // Migrate (the app's own prepare: migrations, no seed) before loading.
  let start = performance.now();
  await prepare(config);
  log(`migrated in ${seconds(start).toFixed(2)} s`);

  const db = new pg.Client({ connectionString: DATABASE_URL, options: OWN_OPTIONS });
  db.on('error', (e) => log(`connection: ${e.message}`));
  await db.connect();
  try {
    start = performance.now();
    const { figures } = await seed(db);
    log(`seeded ${TARGETS} targets, ${figures} figures (+ revisions), analysed, in ${seconds(start).toFixed(2)} s`);

    start = performance.now();
    app = await createApp(config);
    ownSignals();
    if (!WORKERS) instrument(app);
    if (PG_OPTIONS) {
      const names = [...PG_OPTIONS.matchAll(/-c\s*([a-z_.]+)=/g)].map((m) => m[1]);
      const appDataSource = (app.get(EvaluationStore) as any).dataSource as DataSource;
      const [row] = await appDataSource.query(`SELECT ${names.map((_, i) => `current_setting($${i + 1}) AS s${i}`).join(', ')}`, names);
      log(`app session settings: ${names.map((n, i) => `${n}=${row[`s${i}`]}`).join(' ')}`);
    }
    log(`app started (role ${env.APP_ROLE}) in ${seconds(start).toFixed(2)} s; RSS now ${mb(process.memoryUsage().rss)} MB, ` +
      `peak so far ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
    if (WORKERS) {
      start = performance.now();
      const ready = await Promise.all(Array.from({ length: WORKERS }, (_, i) => startWorker(i + 1)));
      log(`${ready.length} worker process(es) ready (${RUNTIME}; pids ${ready.map((w) => w.pid).join(', ')}) in ` +
        `${seconds(start).toFixed(2)} s; idle RSS ${ready.map((w) => (rssOf(w.pid) ?? 0).toFixed(0)).join(', ')} MB`);
    }

    // ---- the queued run
    const runs = app.get(EvaluationRunsService);
    const loadBefore = loadavg();
    log(`load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (${availableParallelism()} CPUs)`);
    const cpuBefore = cpuSnapshot();
    const startedAt = Date.now();
    const { id } = await runs.start(null, 'manual'); // no actor: the system, like the cron
    log(`run ${id} queued`);
    let run: { state: string; chunks_total: number | null; chunks_done: number; started_at: Date | null; finished_at: Date | null; error: string | null; as_of: Date };
    let lastReport = 0;
    for (;;) {
      [run] = (await db.query(
        `SELECT r.state, r.chunks_total, (SELECT count(*)::int FROM evaluation_run_chunks c WHERE c.run_id = r.id) AS chunks_done,
                r.started_at, r.finished_at, r.error, r.as_of FROM evaluation_runs r WHERE r.id = $1`, [id])).rows;
      if (run.state === 'completed' || run.state === 'failed') break;
      checkInterrupted();
      if (Date.now() - startedAt > TIMEOUT_S * 1000) throw new Error(`run not finished after ${TIMEOUT_S} s (state ${run.state})`);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        log(`  ${run.state}: ${run.chunks_done}/${run.chunks_total ?? '?'} chunks`);
      }
      await sleep(25);
    }
    // Peak RSS of the run, sampled at once: post-run jobs (alert reconciliation…) start right after.
    const runPeaks = { own: process.resourceUsage().maxRSS / 1024, workers: workers.map((w) => peakRssOf(w.pid) ?? 0) };
    if (run.state === 'failed') throw new Error(`run failed: ${run.error}`);
    const runSeconds = (run.finished_at!.getTime() - startedAt) / 1000;
    const fanOutDelay = run.started_at ? (run.started_at.getTime() - startedAt) / 1000 : NaN;
    const cpuAfter = cpuSnapshot();
    log(`run completed: ${runSeconds.toFixed(2)} s (fan-out job picked up after ${fanOutDelay.toFixed(2)} s)`);
    log(`CPU during the run (s): postgres ${(cpuAfter.postgres - cpuBefore.postgres).toFixed(2)}, ` +
      `in-process app ${(cpuAfter.bench - cpuBefore.bench).toFixed(2)}` +
      (workers.length ? `, extra workers ${(cpuAfter.workers - cpuBefore.workers).toFixed(2)}` : '') +
      ` (postgres counted only when the server runs on this machine)`);

    // ---- where the time went
    const { rows: chunkTimes } = await db.query(
      `SELECT chunk, targets, finished_at FROM evaluation_run_chunks WHERE run_id = $1 ORDER BY finished_at`, [id]);
    if (chunkTimes.length) {
      const first = (chunkTimes[0].finished_at.getTime() - startedAt) / 1000;
      log(`chunks: ${chunkTimes.length}, first finished at ${first.toFixed(2)} s, last at ` +
        `${((chunkTimes.at(-1).finished_at.getTime() - startedAt) / 1000).toFixed(2)} s; in-process chunk concurrency max ${maxInFlight}`);
    }
    log('in-process worker, summed times (ms; concurrent chunks overlap):');
    for (const [name, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
      log(`  ${name.padEnd(75)} n=${String(s.n).padStart(5)} total=${s.ms.toFixed(0).padStart(7)} avg=${(s.ms / s.n).toFixed(1).padStart(7)} max=${s.maxMs.toFixed(0).padStart(6)}`);
    }

    // ---- verify
    const { rows: [{ n: evaluated }] } = await db.query(`SELECT count(*)::int AS n FROM evaluations WHERE run_id = $1`, [id]);
    const { rows: statuses } = await db.query(
      `SELECT status, count(*)::int AS n FROM evaluations WHERE run_id = $1 GROUP BY status ORDER BY status`, [id]);
    log(`statuses: ${statuses.map((s) => `${s.status}=${s.n}`).join(' ')}`);

    // ---- quiet machine for the reference: let post-run jobs finish, then stop the app and the workers
    const quiet = performance.now();
    await waitForQuietQueues();
    log(`queues quiet ${seconds(quiet).toFixed(2)} s after the run (post-run jobs, e.g. alert reconciliation)`);
    const afterPeaks = { own: process.resourceUsage().maxRSS / 1024, workers: workers.map((w) => peakRssOf(w.pid) ?? 0) };
    await closeApp();
    await stopWorkers();
    const mbList = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    log(`peak RSS (VmHWM) during the run: this process ${runPeaks.own.toFixed(0)} MB` +
      (runPeaks.workers.length ? `, workers ${mbList(runPeaks.workers)} MB` : '') +
      `; including post-run jobs: ${afterPeaks.own.toFixed(0)} MB` +
      (afterPeaks.workers.length ? `, ${mbList(afterPeaks.workers)} MB` : ''));
    // The bar is per worker: the worker processes', or with --workers 0 this process's (which did the work).
    const workerPeaks = WORKERS ? runPeaks.workers : [runPeaks.own];
    const peakRssMb = Math.max(...workerPeaks);

    // ---- the SQL reference on the same data, same as-of
    const asOf: Date = run.as_of;
    checkInterrupted();
    const reference = await timeReference(asOf, '');
    log(`SQL reference (server settings): ${reference.seconds.toFixed(2)} s, ${reference.rows} rows; ` +
      `postgres CPU ${reference.cpu.toFixed(2)} s`);
    const noJit = await timeReference(asOf, '-c jit=off');
    log(`SQL reference (jit=off):         ${noJit.seconds.toFixed(2)} s; postgres CPU ${noJit.cpu.toFixed(2)} s`);
    // The reference is the faster of the two: the bar the queued run is held to.
    const sqlSeconds = Math.min(reference.seconds, noJit.seconds);
    const sameWrite = await timeSameWrite(asOf);
    log(`for comparison, the same statement writing the app's rows (evaluations + latest_evaluations, rolled back): ` +
      `${sameWrite.toFixed(2)} s — run / that = ${(runSeconds / sameWrite).toFixed(2)}`);

    if (opts.explain) await explainSamples(db);


    const result = {
      targets: TARGETS,
      figures: figures,
      workers: WORKERS,
      runtime: WORKERS ? RUNTIME : 'in-process',
      runSeconds: r2(runSeconds),
      sqlSeconds: r2(sqlSeconds),
      ratio: r2(runSeconds / sqlSeconds),
      peakRssMb: r2(peakRssMb),
      workerPeakRssMb: workerPeaks.map((x) => Math.round(x)),
      targetsPerSecond: Math.round(TARGETS / runSeconds),
      figuresPerSecond: Math.round(figures / runSeconds),
      loadAverage: r2(loadBefore[0]!),
    };
    let code = 0;
    if (evaluated !== TARGETS) {
      log(`WARNING: the run wrote ${evaluated} evaluations for ${TARGETS} targets`);
      code = 1;
    }
    if (reference.rows !== TARGETS) {
      log(`WARNING: the SQL reference computed ${reference.rows} rows for ${TARGETS} targets`);
      code = 1;
    }
    await db.end();
    await cleanup();
    checkInterrupted();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return code;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each read statement the in-process worker ran, with its first parameters. */
async function explainSamples(db: pg.Client): Promise<void> {
  for (const [name, { sql, params }] of samples) {
    if (!/^\s*(\(\s*)?SELECT/i.test(sql)) continue;
    try {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params as unknown[]);
      log(`EXPLAIN ${name.trim()}\n${rows.map((r) => `      ${r['QUERY PLAN']}`).join('\n')}`);
    } catch (e) {
      log(`EXPLAIN ${name.trim()}: ${(e as Error).message}`);
    }
  }
}

/**
 * --curve: this bench once per size, each in a child process (its own scratch database, memory and
 * clean-up), then a Markdown table of their JSON lines on stdout.
 */
async function curve(): Promise<number> {
  const sizes = opts.sizes!.split(',').map((x) => positiveInt('sizes', x.trim()));
  const passOn: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i]!;
    if (a === '--curve') continue;
    if (/^--(targets|sizes)(=|$)/.test(a)) {
      if (!a.includes('=')) i++;
      continue;
    }
    passOn.push(a);
  }
  const results: Record<string, any>[] = [];
  for (const n of sizes) {
    checkInterrupted();
    log(`curve: ${n} targets`);
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...passOn, '--targets', String(n)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    const last = out.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !last.startsWith('{')) {
      log(`curve: ${n} targets failed (exit ${code})`);
      results.push({ targets: n, failed: true });
      continue;
    }
    results.push(JSON.parse(last));
  }
  const lines = [
    '| targets | figures | workers | run | SQL reference | ratio | peak RSS per worker | targets/s | figures/s | load avg |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => r.failed ? `| ${r.targets.toLocaleString('en')} | failed | | | | | | | | |`
      : `| ${r.targets.toLocaleString('en')} | ${r.figures.toLocaleString('en')} | ${r.workers} (${r.runtime}) | ${r.runSeconds.toFixed(2)} s | ` +
        `${r.sqlSeconds.toFixed(2)} s | ${r.ratio.toFixed(2)} | ${r.workerPeakRssMb.join(' / ')} MB | ${r.targetsPerSecond.toLocaleString('en')} | ` +
        `${r.figuresPerSecond.toLocaleString('en')} | ${r.loadAverage.toFixed(2)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return results.some((r) => r.failed) ? 1 : 0;
}

(opts.curve ? curve() : main()).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    if (!interrupted) log(`FAILED: ${(error as Error)?.stack ?? error}`);
    await cleanup();
    process.exit(interrupted ? 130 : 1);
  },
);
