/**
 * `npm run bench:reconcile -- [--targets N] [--database-server URL] [--redis-url URL]`
 *
 * Not a test (issue 16, item 3). What one figure write costs the alert reconcile: seeds N targets (100 000
 * by default) with a latest evaluation each in a scratch database `tm_bench_reconcile_<pid>`, reconciles
 * them all once (their alerts fire), then changes one target's latest evaluation as its re-evaluation after
 * a figure write does and reconciles
 *   - before: every target (what a figure write queued until issue 16),
 *   - after: that target only (what it queues now),
 * printing the latest evaluations each read, the time, and EXPLAIN (ANALYZE, BUFFERS) of each one's read of
 * latest_evaluations. The last line of stdout is one JSON object. Figures only: nothing is asserted.
 * The scratch database and the Redis keys under `tmbench:<pid>` are removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { AlertsService } from '../src/alerts/alerts.service.js';
import { createApp, prepare } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { dropScratch, withAdmin } from './support.js';

const { values: opts } = parseArgs({
  options: {
    targets: { type: 'string', default: '100000' },
    'database-server': { type: 'string', default: process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
  },
});
const TARGETS = Number(opts.targets);
const SERVER = opts['database-server']!;
const DB_NAME = `tm_bench_reconcile_${process.pid}`;
const DATABASE_URL = `${SERVER.replace(/\/$/, '')}/${DB_NAME}`;
const PREFIX = `tmbench:${process.pid}`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const ms = (start: number) => Math.round((performance.now() - start) * 10) / 10;

const STATUSES = ['lagging', 'at_risk', 'on_track', 'ahead'];

/** N targets, one evaluation each (a quarter lagging, a quarter at risk, every 17th overdue), latest. */
async function seed(db: pg.Client): Promise<void> {
  await db.query('BEGIN');
  await db.query(`SET LOCAL session_replication_role = replica`);
  await db.query(`INSERT INTO departments (code, name, emails) VALUES ('BENCH-D', '基准部门', '{}')`);
  await db.query(
    `INSERT INTO targets (id, code, name, unit, kind, comparator, method, frequency, expectation, department_id,
                          baseline_period, baseline_value, target_period, target_value)
     SELECT i, 'BENCH-' || lpad(i::text, 7, '0'), '基准指标 ' || i, '家', 'level', '>=', 'linear', 'quarterly', 'time',
            (SELECT min(id) FROM departments), '2019', 100, '2026', 200
       FROM generate_series(1, $1::int) i`,
    [TARGETS],
  );
  await db.query(`SELECT setval(pg_get_serial_sequence('targets', 'id'), $1::int)`, [TARGETS]);
  await db.query(
    `INSERT INTO evaluations (target_id, as_of, status, overdue)
     SELECT i, now(), ($2::text[])[i % 4 + 1], i % 17 = 0 FROM generate_series(1, $1::int) i`,
    [TARGETS, STATUSES],
  );
  await db.query(`INSERT INTO latest_evaluations (target_id, evaluation_id, as_of) SELECT target_id, id, as_of FROM evaluations`);
  await db.query('COMMIT');
  await db.query('VACUUM ANALYZE');
}

/** A figure write's re-evaluation of one target: a new evaluation, now its latest. */
async function reevaluate(db: pg.Client, targetId: number, status: string): Promise<void> {
  await db.query(
    `WITH e AS (INSERT INTO evaluations (target_id, as_of, status) VALUES ($1, now(), $2) RETURNING id, as_of)
     UPDATE latest_evaluations l SET evaluation_id = e.id, as_of = e.as_of FROM e WHERE l.target_id = $1`,
    [targetId, status],
  );
}

/** The reconcile's read of latest_evaluations for ids fromId..toId, all of it in one statement. */
async function explainRead(db: pg.Client, fromId: number, toId: number) {
  const { rows: [row] } = await db.query(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
     SELECT l.target_id, e.status, e.overdue FROM latest_evaluations l
       JOIN evaluations e ON e.id = l.evaluation_id JOIN targets t ON t.id = l.target_id
      WHERE t.archived_at IS NULL AND l.target_id > $1 AND l.target_id <= $2 ORDER BY l.target_id`,
    [fromId - 1, toId],
  );
  const plan = row['QUERY PLAN'][0];
  return {
    rows: plan.Plan['Actual Rows'] as number,
    sharedBuffers: (plan.Plan['Shared Hit Blocks'] as number) + (plan.Plan['Shared Read Blocks'] as number),
    executionMs: plan['Execution Time'] as number,
  };
}

async function main(): Promise<void> {
  log(`targets=${TARGETS} database=${DB_NAME} prefix=${PREFIX}`);
  await withAdmin(SERVER, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(DB_NAME)} ENCODING 'UTF8' TEMPLATE template0`));
  let app: NestFastifyApplication | undefined;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  try {
    const config = loadConfig({
      ...process.env, APP_ROLE: 'api', LOG_LEVEL: 'warn', DATABASE_URL, REDIS_URL: opts['redis-url'], QUEUE_PREFIX: PREFIX,
      SEED: 'false', ADMIN_EMAIL: 'bench@example.org', ADMIN_PASSWORD: `${randomBytes(18).toString('base64url')}-Bench7`,
    });
    await prepare(config);
    await db.connect();
    let start = performance.now();
    await seed(db);
    log(`seeded ${TARGETS} targets with a latest evaluation in ${ms(start)} ms`);
    app = await createApp(config);
    const alerts = app.get(AlertsService);
    start = performance.now();
    const first = await alerts.reconcile(new Date());
    log(`first reconcile (alerts fire): ${JSON.stringify(first)} in ${ms(start)} ms`);
    await db.query('VACUUM ANALYZE alerts');

    const target = Math.ceil(TARGETS / 2) - (Math.ceil(TARGETS / 2) % 4); // a lagging one (id % 4 = 0)
    await reevaluate(db, target, 'on_track');
    start = performance.now();
    const before = { ...(await alerts.reconcile(new Date())), ms: ms(start), read: await explainRead(db, 1, 2_147_483_647) };
    log(`before (every target): ${JSON.stringify(before)}`);

    await reevaluate(db, target, 'lagging');
    start = performance.now();
    const after = { ...(await alerts.reconcile(new Date(), { fromId: target, toId: target })), ms: ms(start), read: await explainRead(db, target, target) };
    log(`after (the written target): ${JSON.stringify(after)}`);
    process.stdout.write(`${JSON.stringify({ targets: TARGETS, before, after })}\n`);
  } finally {
    await app?.close();
    await db.end().catch(() => undefined);
    await dropScratch(SERVER, DB_NAME, opts['redis-url']!, PREFIX);
  }
}

await main();
