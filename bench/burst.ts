/**
 * `npm run bench:burst -- [--targets N] [--writes W] [--mode batch|put] [--batch B] [--connections C]
 *                         [--auto-explain MS] [--database-server URL] [--redis-url URL]`
 *
 * Not a test (issue 18). A burst of W figure writes (10 000 by default) on an installation of N targets
 * (1 000 000 by default): how long until every written target's evaluation and alert state are current,
 * and whether the work done follows the targets written or the installation.
 *
 * Seeds N quarterly targets with three quarters of figures (2025Q4–2026Q2) in a scratch database
 * `tm_bench_burst_<pid>`, evaluates them all once through a queued run (their alerts fire), then writes the
 * 2026Q3 figure of W distinct targets spread over the installation, through the HTTP API of the real app
 * (APP_ROLE=all: the same process re-evaluates): `batch` posts B rows per POST /figures/batch (default 500)
 * on C connections (default 4); `put` sends one PUT per figure on C connections (default 20).
 * Prints
 *   - written: the writes acknowledged (s from the first write),
 *   - evaluated: every written target has an evaluation made after its write and no request left,
 *   - current: that, and no reconcile job waiting (alert state follows the evaluations),
 *   - work: rows the database read and wrote meanwhile (pg_stat_user_tables deltas), per target written,
 *     and the evaluations made (should be W, not N).
 * The last line of stdout is one JSON object. Nothing is asserted. The scratch database and the Redis
 * keys under `tmbench:<pid>` are removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getQueueToken } from '@nestjs/bull';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bull';
import pg from 'pg';
import { createApp, prepare } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { EvaluationRunsService } from '../src/evaluations/evaluation-runs.service.js';
import { NOTIFICATIONS_QUEUE } from '../src/jobs/jobs.constants.js';
import { dropScratch, json, load, withAdmin } from './support.js';

const { values: opts } = parseArgs({
  options: {
    targets: { type: 'string', default: '1000000' },
    writes: { type: 'string', default: '10000' },
    mode: { type: 'string', default: 'batch' },
    batch: { type: 'string', default: '500' },
    connections: { type: 'string' },
    // logs the plan of every app statement slower than this many ms to the server's log (auto_explain)
    'auto-explain': { type: 'string' },
    'database-server': { type: 'string', default: process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
  },
});
const TARGETS = Number(opts.targets);
const WRITES = Math.min(Number(opts.writes), TARGETS);
const MODE = opts.mode === 'put' ? 'put' : 'batch';
const BATCH = Number(opts.batch);
const CONNECTIONS = Number(opts.connections ?? (MODE === 'put' ? 20 : 4));
const SERVER = opts['database-server']!;
const DB_NAME = `tm_bench_burst_${process.pid}`;
const DATABASE_URL = `${SERVER.replace(/\/$/, '')}/${DB_NAME}`;
const PREFIX = `tmbench:${process.pid}`;
const PERIOD = '2026Q3';
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (from: number) => Math.round((performance.now() - from) / 10) / 100;

/** N level targets 2019 → 2027, figures 2025Q4–2026Q2 spread so that statuses range from behind to ahead. */
async function seed(db: pg.Client): Promise<void> {
  await db.query('BEGIN');
  await db.query(`SET LOCAL session_replication_role = replica`);
  await db.query(`INSERT INTO departments (code, name, emails)
    SELECT 'BENCH-D' || lpad(d::text, 2, '0'), '基准部门 ' || d, '{}' FROM generate_series(1, 20) d`);
  await db.query(
    `INSERT INTO targets (id, code, name, unit, kind, comparator, method, frequency, expectation, department_id,
                          baseline_period, baseline_value, target_period, target_value)
     SELECT i, 'BENCH-' || lpad(i::text, 7, '0'), '基准指标 ' || i, '家', 'level', '>=', 'linear', 'quarterly', 'time',
            (SELECT min(id) FROM departments) + i % 20, '2019', 100, '2027', 200
       FROM generate_series(1, $1::int) i`,
    [TARGETS],
  );
  await db.query(`SELECT setval(pg_get_serial_sequence('targets', 'id'), $1::int)`, [TARGETS]);
  for (const [q, period] of ['2025Q4', '2026Q1', '2026Q2'].entries()) {
    await db.query(
      `INSERT INTO figure_revisions (target_id, period, value, basis, status, source, recorded_by, recorded_at)
       SELECT i, $2, round(100 + (i % 11) * 10 * (28 + $3::int) / 32.0, 2), 'ytd', 'final', 'bench', 'bench',
              now() - interval '30 days' + make_interval(days => $3::int)
         FROM generate_series(1, $1::int) i`,
      [TARGETS, period, q],
    );
  }
  await db.query(`INSERT INTO figures (target_id, period, value, basis, status, note, source, revision_id, recorded_at)
    SELECT DISTINCT ON (target_id, period) target_id, period, value, basis, status, note, source, id, recorded_at
      FROM figure_revisions ORDER BY target_id, period, id DESC`);
  await db.query('COMMIT');
  await db.query('VACUUM ANALYZE');
}

type Stats = Map<string, { read: number; written: number }>;

/** Rows read (sequentially and through indexes) and written per table since the server started. */
async function tableStats(db: pg.Client): Promise<Stats> {
  await db.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await db.query(
    `SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS read,
            n_tup_ins + n_tup_upd + n_tup_del AS written FROM pg_stat_user_tables`);
  return new Map(rows.map((r) => [r.relname as string, { read: Number(r.read), written: Number(r.written) }]));
}

function delta(before: Stats, after: Stats) {
  const tables: Record<string, { read: number; written: number }> = {};
  let read = 0;
  let written = 0;
  for (const [name, a] of after) {
    const b = before.get(name) ?? { read: 0, written: 0 };
    const d = { read: a.read - b.read, written: a.written - b.written };
    if (!d.read && !d.written) continue;
    tables[name] = d;
    read += d.read;
    written += d.written;
  }
  return { read, written, tables };
}

/** Runs `work` on items with `connections` at a time. */
async function pool<T>(items: T[], connections: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function main(): Promise<void> {
  log(`targets=${TARGETS} writes=${WRITES} mode=${MODE}${MODE === 'batch' ? ` batch=${BATCH}` : ''} connections=${CONNECTIONS} ` +
    `database=${DB_NAME} load=${load()}`);
  await withAdmin(SERVER, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(DB_NAME)} ENCODING 'UTF8' TEMPLATE template0`));
  const admin = { email: 'bench@example.org', password: `${randomBytes(18).toString('base64url')}-Bench7` };
  let app: NestFastifyApplication | undefined;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  try {
    const config = loadConfig({
      ...process.env, APP_ROLE: 'all', LOG_LEVEL: 'warn', DATABASE_URL, REDIS_URL: opts['redis-url'], QUEUE_PREFIX: PREFIX,
      SEED: 'false', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, FIGURE_REVIEW: 'off',
      // the schedules stay out of the measured minute
      EVALUATION_CRON: '0 3 29 2 *', DIGEST_CRON: '0 3 29 2 *', REMINDER_CRON: '0 3 29 2 *',
    });
    await prepare(config);
    if (opts['auto-explain']) {
      const d = pg.escapeIdentifier(DB_NAME);
      await withAdmin(SERVER, async (c) => {
        await c.query(`ALTER DATABASE ${d} SET session_preload_libraries = 'auto_explain'`);
        await c.query(`ALTER DATABASE ${d} SET auto_explain.log_min_duration = ${pg.escapeLiteral(`${Number(opts['auto-explain'])}ms`)}`);
        await c.query(`ALTER DATABASE ${d} SET auto_explain.log_analyze = on`);
        await c.query(`ALTER DATABASE ${d} SET auto_explain.log_buffers = on`);
      });
    }
    await db.connect();
    let start = performance.now();
    await seed(db);
    log(`seeded ${TARGETS} targets × 3 figures in ${seconds(start)} s`);
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const base = url.replace('[::1]', '127.0.0.1');

    start = performance.now();
    const { id: runId } = await app.get(EvaluationRunsService).start(null, 'manual');
    for (;;) {
      const { rows: [run] } = await db.query(`SELECT state, error FROM evaluation_runs WHERE id = $1`, [runId]);
      if (run.state === 'failed') throw new Error(`the first run failed: ${run.error}`);
      if (run.state === 'completed') break;
      await sleep(200);
    }
    const notifications = app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
    await quiet(notifications, 600_000);
    const { rows: [alerts] } = await db.query(`SELECT count(*)::int AS n FROM alerts`);
    log(`first run: every target evaluated, ${alerts.n} alerts, in ${seconds(start)} s`);
    await db.query('VACUUM ANALYZE');

    const { accessToken } = await json(`${base}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify(admin) });
    const headers = { authorization: `Bearer ${accessToken}` };
    // W distinct targets spread over the installation; values that move some statuses both ways
    const step = TARGETS / WRITES;
    const rows = Array.from({ length: WRITES }, (_, k) => {
      const id = Math.min(TARGETS, 1 + Math.floor(k * step));
      return { target: `BENCH-${String(id).padStart(7, '0')}`, period: PERIOD, value: String(100 + ((id * 7) % 13) * 9) };
    });

    // An idle backend reports its table statistics up to 10 s late: let the first run's last ones arrive.
    await sleep(11_000);
    const before = await tableStats(db);
    const { rows: [{ t0 }] } = await db.query(`SELECT clock_timestamp() AS t0`);
    start = performance.now();
    if (MODE === 'batch') {
      const batches = Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, i) => rows.slice(i * BATCH, (i + 1) * BATCH));
      await pool(batches, CONNECTIONS, async (figures) => {
        await json(`${base}/api/v1/figures/batch`, { method: 'POST', headers, body: JSON.stringify({ figures }) });
      });
    } else {
      await pool(rows, CONNECTIONS, async (f) => {
        await json(`${base}/api/v1/targets/${f.target}/figures/${f.period}`, { method: 'PUT', headers, body: JSON.stringify({ value: f.value }) });
      });
    }
    const written = seconds(start);
    log(`written: ${WRITES} figures acknowledged in ${written} s`);

    // Polled cheaply (a request row is deleted with the evaluation it asked for), so that the poll's own
    // reads stay out of the work counted; that the evaluations are the written targets' is checked after.
    let evaluated: number | null = null;
    let current: number | null = null;
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      if (evaluated === null) {
        const { rows: [s] } = await db.query(`SELECT EXISTS (SELECT 1 FROM reevaluation_requests) AS waiting`);
        if (!s.waiting) {
          evaluated = seconds(start);
          log(`evaluated: no re-evaluation request left, ${evaluated} s after the first write`);
        }
      }
      if (evaluated !== null && (await pending(notifications)) === 0) {
        current = seconds(start);
        log(`current: and no reconcile job waiting, ${current} s after the first write`);
        break;
      }
      await sleep(100);
    }
    await sleep(11_000);
    const after = await tableStats(db);
    const work = delta(before, after);
    const { rows: [made] } = await db.query(`SELECT count(*)::int AS n FROM evaluations WHERE evaluated_at > $1`, [t0]);
    const ids = rows.map((r) => Number(r.target.slice(6)));
    const { rows: [fresh] } = await db.query(
      `SELECT count(*)::int AS n FROM unnest($1::int[]) w(id) JOIN latest_evaluations l ON l.target_id = w.id
         JOIN evaluations e ON e.id = l.evaluation_id WHERE e.evaluated_at > $2`, [ids, t0]);
    const { rows: [stale] } = await db.query(
      `SELECT count(*)::int AS n FROM unnest($1::int[]) w(id) JOIN latest_evaluations l ON l.target_id = w.id
         JOIN evaluations e ON e.id = l.evaluation_id
        WHERE e.status IN ('lagging', 'deteriorating', 'missed')
          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.target_id = w.id AND a.state = 'firing')`, [ids]);
    log(`work: ${made.n} evaluations made (targets written ${WRITES}, installation ${TARGETS}); ` +
      `rows read ${work.read} (${(work.read / WRITES).toFixed(1)} per target written), rows written ${work.written} ` +
      `(${(work.written / WRITES).toFixed(1)} per target written); written targets evaluated since: ${fresh.n}; ` +
      `flagged without a firing alert: ${stale.n}`);
    for (const [name, d] of Object.entries(work.tables).sort((a, b) => b[1].read - a[1].read).slice(0, 8)) {
      log(`  ${name}: read ${d.read}, written ${d.written}`);
    }
    log(`load average after: ${load()}`);
    process.stdout.write(`${JSON.stringify({
      targets: TARGETS, writes: WRITES, mode: MODE, connections: CONNECTIONS, seconds: { written, evaluated, current },
      evaluations: made.n, evaluatedSinceWrite: fresh.n, rowsRead: work.read, rowsWritten: work.written, flaggedWithoutAlert: stale.n, tables: work.tables,
    })}\n`);
  } finally {
    await app?.close();
    await db.end().catch(() => undefined);
    await dropScratch(SERVER, DB_NAME, opts['redis-url']!, PREFIX);
  }
}

/** Jobs of the notifications queue not yet done (its repeatable schedules aside). */
async function pending(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts();
  const repeatable = (await queue.getRepeatableJobs()).length;
  return c.waiting + c.active + Math.max(0, c.delayed - repeatable);
}

async function quiet(queue: Queue, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(200)) {
    if ((await pending(queue)) === 0) return;
  }
  throw new Error(`the ${queue.name} queue did not settle within ${ms / 1000} s`);
}

await main();
