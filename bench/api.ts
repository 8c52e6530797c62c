/**
 * `npm run bench:api -- [--duration S] [--connections C] [--put-connections P] [--rounds R] [--warmup S] [--read-only | --put-only] [--no-build] [--profile DIR] [--database-server URL] [--redis-url URL]`
 *
 * Not a test. HTTP load with autocannon against the real, compiled app and, in the same run, a bare
 * Fastify + pg server (bench/bare-server.ts) doing the same primary-key read:
 *   1. `npm run build` (unless --no-build);
 *   2. a scratch database `tm_bench_api_<pid>` and Redis prefix `tmbench:api:<pid>`; the app
 *      (`node dist/src/main.js`, LOG_LEVEL=error, the article's targets seeded) and the bare server
 *      (`node dist/bench/bare-server.js`) as child processes on free ports;
 *   3. signs in as the first admin, creates an API token (`tm_…`) through the API, runs one evaluation so
 *      `evaluations/latest` has rows;
 *   4. C connections (default 50) for S seconds (default 10) each, after a warm-up of --warmup seconds (default 5), on
 *      bare `GET /targets/{code}`, app `GET /api/v1/targets/{code}`, `GET /api/v1/evaluations/latest?department=…`
 *      and, with P connections (default 20), `PUT /api/v1/targets/{code}/figures/{period}` (a new value each
 *      time, confirmed, rotating over the seeded quarterly targets and 400 quarters);
 *      R rounds (default 3) of the two target reads, bare and app alternating;
 * and prints a table (req/s, p50, p99, errors, load average) and the app/bare ratios of the target read: the
 * median over the rounds of each round's app run against the bare run just before it, with their range.
 * Goals (issue 18): GET req/s ≥ 0.8× and p99 ≤ 1.3× bare, 0 errors; PUT ≥ 800 req/s at 20 connections, p99 ≤ 100 ms. Children are stopped by their PID, the
 * database is dropped and the Redis keys removed at the end, also on failure or Ctrl-C.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon, { type Options, type Result } from 'autocannon';
import pg from 'pg';
import { cpuSeconds, dropScratch, freePort, json, load, machineBusySeconds, postgresCpu, postgresCpuSince, waitFor, withAdmin } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'put-connections': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    // Only the target reads (bare and app), e.g. with --profile to see where a read's time goes.
    'read-only': { type: 'boolean', default: false },
    // Only the figure PUT (e.g. against a server with pg_stat_statements, to see its statements alone).
    'put-only': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    // Writes a V8 CPU profile of the app process into this directory (node --cpu-prof), to find where its time goes.
    profile: { type: 'string', default: '' },
    'database-server': { type: 'string', default: process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
  },
  strict: true,
});
const DURATION = Number(opts.duration);
const CONNECTIONS = Number(opts.connections);
const PUT_CONNECTIONS = Number(opts['put-connections']);
const ROUNDS = Number(opts.rounds);
/** Seconds of load before each measurement: the first seconds of a fresh process (JIT) or pool move req/s by 30%. */
const WARMUP = Number(opts.warmup);
const SERVER = opts['database-server']!.replace(/\/+$/, '');
const DB_NAME = `tm_bench_api_${process.pid}`;
const DATABASE_URL = `${SERVER}/${DB_NAME}`;
const QUEUE_PREFIX = `tmbench:api:${process.pid}`;
const ADMIN = { email: 'bench@example.org', password: `${randomBytes(18).toString('base64url')}-Bench7` };

const log = (message: string) => process.stderr.write(`[bench:api] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const children: ChildProcess[] = [];
function start(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!stopping) log(`${name} (pid ${child.pid}) exited early: ${code ?? signal}\n${tail}`);
  });
  return child;
}

interface Row {
  name: string; connections: number; reqPerSec: number; p50: number; p99: number; errors: number; non2xx: number; total: number; load: string;
  /** CPU time (user + system) of the server process per request, µs: unlike req/s, not much moved by other load */
  cpuUsPerRequest: number;
  /** the same of every PostgreSQL process, and of the whole machine (the load generator included) */
  postgresUsPerRequest: number;
  machineUsPerRequest: number;
}

const rows: Row[] = [];

async function measure(
  name: string, server: ChildProcess, options: Omit<Options, 'connections' | 'duration'>, connections = CONNECTIONS,
): Promise<Row> {
  await autocannon({ ...options, connections, duration: WARMUP }); // warm-up (JIT, pools, caches)
  const cpuBefore = cpuSeconds(server.pid!);
  const postgresBefore = postgresCpu();
  const machineBefore = machineBusySeconds();
  const result: Result = await autocannon({ ...options, connections, duration: DURATION });
  const cpu = cpuSeconds(server.pid!) - cpuBefore;
  const postgres = postgresCpuSince(postgresBefore);
  const machine = machineBusySeconds() - machineBefore;
  const perRequest = (seconds: number) => Math.round((seconds / Math.max(result.requests.total, 1)) * 1e6);
  const row: Row = {
    name, connections, reqPerSec: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99,
    errors: result.errors + result.timeouts, non2xx: result.non2xx, total: result.requests.total, load: load(),
    cpuUsPerRequest: perRequest(cpu), postgresUsPerRequest: perRequest(postgres), machineUsPerRequest: perRequest(machine),
  };
  rows.push(row);
  log(`${name}: ${row.reqPerSec} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}, non-2xx ${row.non2xx}, ${row.cpuUsPerRequest} µs CPU/request ` +
    `(PostgreSQL ${row.postgresUsPerRequest}, machine ${row.machineUsPerRequest}; load ${row.load})`);
  return row;
}

let stopping = false;
async function cleanup(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 12_000).unref();
  })));
  await dropScratch(SERVER, DB_NAME, opts['redis-url']!, QUEUE_PREFIX);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function main(): Promise<void> {
  if (!opts['no-build']) {
    log('npm run build');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  await withAdmin(SERVER, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(DB_NAME)} ENCODING 'UTF8' TEMPLATE template0`));
  const [appPort, barePort] = [await freePort(), await freePort()];
  const profile = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : [];
  const appProcess = start('app', [...profile, 'dist/src/main.js'], {
    NODE_ENV: 'development', DATABASE_URL, REDIS_URL: opts['redis-url']!, QUEUE_PREFIX, LOG_LEVEL: 'error', PORT: String(appPort),
    HOST: '127.0.0.1', SEED: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
  });
  const app = `http://127.0.0.1:${appPort}`;
  await waitFor(`${app}/api/v1/health`, 'the app');
  const bareProcess = start('bare server', ['dist/bench/bare-server.js'], { DATABASE_URL, PORT: String(barePort) });
  const bare = `http://127.0.0.1:${barePort}`;
  await waitFor(`${bare}/targets/NONE`, 'the bare server');

  const { accessToken } = await json(`${app}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
  const bearer = { authorization: `Bearer ${accessToken}` };
  const { token } = await json(`${app}/api/v1/auth/tokens`, { method: 'POST', headers: bearer, body: JSON.stringify({ name: 'bench:api', password: ADMIN.password }) });
  if (!String(token).startsWith('tm_')) throw new Error(`unexpected API token ${token}`);
  const auth = { authorization: `Bearer ${token}` };
  const targets = await json(`${app}/api/v1/targets?pageSize=100`, { headers: auth });
  const target = targets.items.find((t: { frequency: string; kind: string }) => t.frequency === 'quarterly' && t.kind === 'level') ?? targets.items[0];
  log(`${targets.total} targets; reading ${target.code} (department ${target.department}); load ${load()}`);
  const run = await json(`${app}/api/v1/evaluations/runs`, { method: 'POST', headers: auth, body: '{}' });
  for (let i = 0; i < 150; i++) {
    const state = (await json(`${app}/api/v1/evaluations/runs/${run.id}`, { headers: auth })).state;
    if (state === 'completed' || state === 'failed') break;
    await sleep(200);
  }
  const latest = await json(`${app}/api/v1/evaluations/latest?department=${target.department}`, { headers: auth });
  log(`evaluations/latest?department=${target.department}: ${latest.total} rows`);

  for (let round = 1; round <= (opts['put-only'] ? 0 : ROUNDS); round++) {
    const suffix = ROUNDS > 1 ? ` (round ${round})` : '';
    await measure(`bare GET /targets/{code}${suffix}`, bareProcess, { url: `${bare}/targets/${target.code}` });
    await measure(`app GET /api/v1/targets/{code}${suffix}`, appProcess, { url: `${app}/api/v1/targets/${target.code}`, headers: auth });
  }
  if (!opts['read-only']) await measureOthers(app, appProcess, auth, target, targets.items);
  report();
}

async function measureOthers(
  app: string, appProcess: ChildProcess, auth: Record<string, string>, target: { code: string; department: string },
  all: { code: string; frequency: string }[],
): Promise<void> {
  if (!opts['put-only']) await measure('app GET /api/v1/evaluations/latest?department=…', appProcess, {
    url: `${app}/api/v1/evaluations/latest?department=${target.department}`, headers: auth,
  });
  // A new value each time, confirmed (no plausibility 422), over the quarterly targets and 400 quarters
  // (2001Q1…2100Q4): every request writes a revision, as an office entering a quarter's figures does.
  const codes = all.filter((t) => t.frequency === 'quarterly').map((t) => t.code);
  let n = 0;
  await measure(`app PUT /api/v1/targets/{code}/figures/{period} (${codes.length} targets)`, appProcess, {
    url: app,
    requests: [{
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      setupRequest: (request) => {
        n += 1;
        const q = Math.floor(n / codes.length) % 400;
        return {
          ...request, path: `/api/v1/targets/${codes[n % codes.length]}/figures/${2001 + Math.floor(q / 4)}Q${(q % 4) + 1}`,
          body: JSON.stringify({ value: n, note: 'bench', confirm: true }),
        };
      },
    }],
  }, PUT_CONNECTIONS);
}

function report(): void {
  const bareRows = rows.filter((r) => r.name.startsWith('bare'));
  const appRows = rows.filter((r) => r.name.startsWith('app GET /api/v1/targets'));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Each round's app run is compared with the bare run just before it (the same minute of a shared
  // machine), and the median of the rounds' ratios is reported with their range.
  const perRound = appRows.map((app, i) => ({
    reqPerSec: app.reqPerSec / bareRows[i].reqPerSec, p99: app.p99 / bareRows[i].p99,
    cpuPerRequest: app.cpuUsPerRequest / bareRows[i].cpuUsPerRequest,
  }));
  const ratio = {
    reqPerSec: median(perRound.map((r) => r.reqPerSec)),
    p99: median(perRound.map((r) => r.p99)),
    cpuPerRequest: median(perRound.map((r) => r.cpuPerRequest)),
  };
  const range = (k: keyof typeof ratio) =>
    `${Math.min(...perRound.map((r) => r[k])).toFixed(2)}–${Math.max(...perRound.map((r) => r[k])).toFixed(2)}`;
  const errors = rows.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  console.log(`\n${DURATION} s each (after a ${WARMUP} s warm-up); app: node dist/src/main.js, role all, LOG_LEVEL=error`);
  console.log('| route | connections | req/s | p50 ms | p99 ms | errors | non-2xx | server CPU µs/request | PostgreSQL CPU µs/request | machine CPU µs/request | load (1/5/15 min) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.connections} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.cpuUsPerRequest} | ${r.postgresUsPerRequest} | ${r.machineUsPerRequest} | ${r.load} |`);
  }
  const goal = perRound.length > 0 && ratio.reqPerSec >= 0.8 && ratio.p99 <= 1.3 && errors === 0;
  if (perRound.length) console.log(`\napp/bare GET /targets/{code}, median of ${perRound.length} round(s) (range req/s ${range('reqPerSec')}, p99 ${range('p99')}, ` +
    `CPU ${range('cpuPerRequest')}): req/s ${ratio.reqPerSec.toFixed(2)}× (goal ≥ 0.8), p99 ${ratio.p99.toFixed(2)}× (goal ≤ 1.3); ` +
    `errors + non-2xx ${errors} (goal 0) → ${goal ? 'goal met' : 'goal NOT met'}; server CPU per request ${ratio.cpuPerRequest.toFixed(2)}×`);
  const put = rows.find((r) => r.name.startsWith('app PUT'));
  if (put) {
    const met = put.reqPerSec >= 800 && put.p99 <= 100 && put.errors + put.non2xx === 0;
    console.log(`PUT a figure at ${put.connections} connections: ${put.reqPerSec} req/s (goal ≥ 800), p99 ${put.p99} ms (goal ≤ 100), ` +
      `${put.cpuUsPerRequest} µs server CPU/request, ${put.postgresUsPerRequest} µs PostgreSQL, ${put.machineUsPerRequest} µs the machine ` +
      `(${availableParallelism()} cores at 800 req/s allow ${Math.round((availableParallelism() * 1e6) / 800)}) → ${met ? 'goal met' : 'goal NOT met'}`);
  }
  console.log(JSON.stringify({ connections: CONNECTIONS, putConnections: PUT_CONNECTIONS, duration: DURATION, warmup: WARMUP, rows, perRound, ratio }));
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (error) => {
    log(`failed: ${(error as Error).stack ?? error}`);
    await cleanup().catch((e) => log(`cleanup: ${(e as Error).message}`));
    process.exit(1);
  });
