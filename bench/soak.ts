/**
 * `npm run soak -- [--minutes M] [--connections C] [--no-build] [--database-server URL] [--redis-url URL]`
 *
 * Not a test. M minutes (default 10) of mixed load on the compiled app laid out as in production: one
 * `api` process and one `worker` process (`node dist/src/main.js`, APP_ROLE=api / worker) on a scratch
 * database `tm_soak_<pid>` (the article's targets) and Redis prefix `tmsoak:<pid>`. C connections
 * (default 20) cycle through GET /targets/{code}, GET /evaluations/latest, GET /targets/{code}/figures
 * and PUT a figure (a new value each time); an evaluation run is started every minute. Every 15 s it
 * samples each process's RSS (VmRSS) and its open TCP connections to PostgreSQL and to Redis (from
 * /proc/<pid>/fd and /proc/net/tcp*), and prints a table and a verdict: RSS growth below 10 % per process
 * (the median of the last two minutes' samples against the median of minutes 1–3: single samples move
 * ±20 % with garbage collection), connection counts stable (no growth after warm-up),
 * 0 errors. Goal of issue 7, item 8. Children are stopped by their PID; the database and keys are
 * removed at the end, also on failure or Ctrl-C.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { dropScratch, freePort, json, load, waitFor, withAdmin } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    'no-build': { type: 'boolean', default: false },
    'database-server': { type: 'string', default: process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
  },
  strict: true,
});
const MINUTES = Number(opts.minutes);
const SERVER = opts['database-server']!.replace(/\/+$/, '');
const DB_NAME = `tm_soak_${process.pid}`;
const DATABASE_URL = `${SERVER}/${DB_NAME}`;
const QUEUE_PREFIX = `tmsoak:${process.pid}`;
const ADMIN = { email: 'soak@example.org', password: `${randomBytes(18).toString('base64url')}-Soak7` };
const PG_PORT = Number(new URL(SERVER).port || 5432);
const REDIS_PORT = Number(new URL(opts['redis-url']!).port || 6379);

const log = (message: string) => process.stderr.write(`[soak] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const children = new Map<string, ChildProcess>();
let stopping = false;
function start(name: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.set(name, child);
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-4000); });
  child.on('exit', (code, signal) => {
    if (!stopping) log(`${name} (pid ${child.pid}) exited early: ${code ?? signal}\n${tail}`);
  });
  return child;
}

/** Remote ports of the TCP connections a process holds open (sockets in /proc/<pid>/fd, looked up in /proc/net/tcp*). */
function remotePorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // state 01 = ESTABLISHED; f[2] = remote address:port (hex), f[9] = inode
      if (f.length > 9 && f[3] === '01' && inodes.has(f[9])) ports.push(parseInt(f[2].split(':').pop()!, 16));
    }
  }
  return ports;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Sample { minute: number; process: string; rssMb: number; pg: number; redis: number; load: string }

async function cleanup(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all([...children.values()].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, 12_000).unref();
  })));
  await dropScratch(SERVER, DB_NAME, opts['redis-url']!, QUEUE_PREFIX);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

async function main(): Promise<void> {
  if (!opts['no-build']) {
    log('npm run build');
    if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) throw new Error('npm run build failed');
  }
  await withAdmin(SERVER, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(DB_NAME)} ENCODING 'UTF8' TEMPLATE template0`));
  const port = await freePort();
  const env = {
    NODE_ENV: 'development', DATABASE_URL, REDIS_URL: opts['redis-url']!, QUEUE_PREFIX, LOG_LEVEL: 'error',
    HOST: '127.0.0.1', PORT: String(port), SEED: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
  };
  const api = start('api', { ...env, APP_ROLE: 'api' });
  const app = `http://127.0.0.1:${port}`;
  await waitFor(`${app}/api/v1/health`, 'the api process');
  start('worker', { ...env, APP_ROLE: 'worker', PORT: String(await freePort()) });

  const { accessToken } = await json(`${app}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
  const { token } = await json(`${app}/api/v1/auth/tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ name: 'soak', password: ADMIN.password }),
  });
  const auth = { authorization: `Bearer ${token}` };
  const targets = (await json(`${app}/api/v1/targets?pageSize=100`, { headers: auth })).items as { code: string; department: string; frequency: string; kind: string }[];
  const target = targets.find((t) => t.frequency === 'quarterly' && t.kind === 'level') ?? targets[0];
  log(`api pid ${api.pid}, worker pid ${children.get('worker')!.pid}; ${targets.length} targets; ${MINUTES} min at ${opts.connections} connections`);

  const samples: Sample[] = [];
  const started = Date.now();
  const sample = () => {
    for (const [name, child] of children) {
      const ports = remotePorts(child.pid!);
      samples.push({
        minute: Math.round(((Date.now() - started) / 60_000) * 100) / 100, process: name, rssMb: Math.round(rssMb(child.pid!)),
        pg: ports.filter((p) => p === PG_PORT).length, redis: ports.filter((p) => p === REDIS_PORT).length, load: load(),
      });
    }
  };
  sample();
  const sampler = setInterval(sample, 15_000);
  let runs = 0;
  let runErrors = 0;
  const runner = setInterval(() => {
    runs += 1;
    json(`${app}/api/v1/evaluations/runs`, { method: 'POST', headers: auth, body: '{}' }).catch(() => { runErrors += 1; });
  }, 60_000);

  let n = 0;
  const result = await autocannon({
    url: app, connections: Number(opts.connections), duration: MINUTES * 60,
    requests: [
      { method: 'GET', path: `/api/v1/targets/${target.code}`, headers: auth },
      { method: 'GET', path: `/api/v1/evaluations/latest?department=${target.department}`, headers: auth },
      { method: 'GET', path: `/api/v1/targets/${target.code}/figures`, headers: auth },
      {
        method: 'PUT', headers: { ...auth, 'content-type': 'application/json' },
        setupRequest: (request) => {
          n += 1;
          const q = n % 400; // a new value each time over 400 quarters 2001Q1…2100Q4: figures grow, as in real use
          return { ...request, path: `/api/v1/targets/${target.code}/figures/${2001 + Math.floor(q / 4)}Q${(q % 4) + 1}`, body: JSON.stringify({ value: n }) };
        },
      },
    ],
  });
  clearInterval(runner);
  clearInterval(sampler);
  sample();
  await sleep(100);

  console.log(`\n${MINUTES} min, ${opts.connections} connections, mixed GET/PUT; ${result.requests.total} requests, ` +
    `${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, errors ${result.errors + result.timeouts}, ` +
    `non-2xx ${result.non2xx}; evaluation runs started ${runs} (failed to start ${runErrors})`);
  console.log('| minute | process | RSS MB | PostgreSQL conns | Redis conns | load |');
  console.log('|---:|---|---:|---:|---:|---|');
  for (const s of samples) console.log(`| ${s.minute} | ${s.process} | ${s.rssMb} | ${s.pg} | ${s.redis} | ${s.load} |`);

  const verdicts = [...children.keys()].map((name) => {
    const mine = samples.filter((s) => s.process === name);
    const base = mine.find((s) => s.minute >= 1) ?? mine[0];
    const end = mine[mine.length - 1];
    // RSS saw-tooths with garbage collection (±20% within a minute): compare the median of minutes 1–3
    // with the median of the last two minutes rather than two single samples.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const early = median(mine.filter((s) => s.minute >= 1 && s.minute < 3).map((s) => s.rssMb)) ?? base.rssMb;
    const late = median(mine.filter((s) => s.minute >= MINUTES - 2).map((s) => s.rssMb)) ?? end.rssMb;
    const growth = (late - early) / early;
    const after = mine.filter((s) => s.minute >= 1);
    const pgMax = Math.max(...after.map((s) => s.pg));
    const redisMax = Math.max(...after.map((s) => s.redis));
    return {
      process: name, rssAfterWarmupMb: base.rssMb, rssEndMb: end.rssMb, rssMedianMinutes1to3Mb: early, rssMedianLast2MinutesMb: late,
      rssGrowth: Math.round(growth * 1000) / 10,
      pgConnections: `${Math.min(...after.map((s) => s.pg))}–${pgMax}`, redisConnections: `${Math.min(...after.map((s) => s.redis))}–${redisMax}`,
      ok: growth < 0.1 && end.pg <= base.pg + 1 && end.redis <= base.redis,
    };
  });
  const errors = result.errors + result.timeouts + result.non2xx + runErrors;
  for (const v of verdicts) {
    console.log(`${v.process}: RSS median ${v.rssMedianMinutes1to3Mb} MB in minutes 1–3 → ${v.rssMedianLast2MinutesMb} MB in the last two ` +
      `(${v.rssGrowth}%; goal < 10%; single samples ${v.rssAfterWarmupMb} → ${v.rssEndMb} MB), ` +
      `PostgreSQL connections ${v.pgConnections}, Redis connections ${v.redisConnections} → ${v.ok ? 'ok' : 'NOT ok'}`);
  }
  console.log(JSON.stringify({ minutes: MINUTES, requests: result.requests.total, errors, verdicts }));
  if (errors || verdicts.some((v) => !v.ok)) process.exitCode = 1;
}

main()
  .then(() => cleanup())
  .catch(async (error) => {
    log(`failed: ${(error as Error).stack ?? error}`);
    await cleanup().catch((e) => log(`cleanup: ${(e as Error).message}`));
    process.exitCode = 1;
  });
