/**
 * `npm run faults [-- --only kill,redis,postgres,smtp] [--targets N] [--chunk-size S] [--smtp-down-seconds S]`
 *
 * Not a test: a fault drill. Starts a PostgreSQL cluster and a Redis of its own (on free ports, in a
 * scratch directory; the shared 5432/6379 are never touched), an in-process SMTP server, and real app
 * processes (`node src/main.ts`: one `api`, two `worker`s), then, in order:
 *
 *  - kill:     a worker killed with SIGKILL in the middle of a run: its chunks go to the other worker once
 *              their Bull locks expire (~30 s); the run completes with exactly one evaluation per target.
 *  - redis:    Redis flushed (FLUSHALL) while a send job and a re-evaluation are queued: a worker started
 *              afterwards registers the repeatable schedules again, queues the unsent email again and the
 *              re-evaluation request kept in PostgreSQL; the email goes once, the target is evaluated.
 *  - postgres: PostgreSQL stopped for a few seconds during a run: chunks fail and are retried with backoff;
 *              the run completes with one evaluation per target; the API answers again.
 *  - smtp:     SMTP down (port closed) for --smtp-down-seconds (default 20; the drill is 300 —
 *              pass --smtp-down-seconds 300): the email is retried with backoff and goes once when SMTP is
 *              back. MAIL_ATTEMPTS is derived from the window so the retries outlast it.
 *
 * Each scenario prints one JSON line of what it observed and then `PASS <scenario>` or `FAIL <scenario>`
 * (stdout); progress goes to stderr. Exit status 1 when any failed. Everything started is stopped by its
 * PID at the end, also on failure or Ctrl-C, and the scratch directory removed.
 * Automated cousins: test/e2e/faults.e2e.ts (Redis down, SIGTERM), test/e2e/alerts.e2e.ts (outbox across a
 * crash and a Redis flush, SMTP refusing then accepting, two workers sending once), test/e2e/runs.e2e.ts
 * (a run over chunks, a chunk failing until the run fails, several workers registering the cron once).
 */
import { parseArgs } from 'node:util';
import Bull from 'bull';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE, NotificationJob, jobIds, sendBackoff } from '../src/jobs/jobs.constants.js';
import { seedDrill } from '../test/support/drill.js';
import { PrivatePostgres } from '../test/support/postgres-server.js';
import { spawnMain, type Spawned, waitForOutput } from '../test/support/process.js';
import { freePort, type PrivateRedis, startPrivateRedis } from '../test/support/redis-server.js';

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string', default: 'kill,redis,postgres,smtp' },
    targets: { type: 'string', default: '3000' },
    'chunk-size': { type: 'string', default: '50' },
    'smtp-down-seconds': { type: 'string', default: '20' },
  },
  strict: true,
});
const positive = (name: string, raw: string | undefined) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const ONLY = new Set(opts.only!.split(',').map((s) => s.trim()));
const TARGETS = positive('targets', opts.targets);
const CHUNK_SIZE = positive('chunk-size', opts['chunk-size']);
const SMTP_DOWN_S = positive('smtp-down-seconds', opts['smtp-down-seconds']);
const BACKOFF_MS = 1000;
// Exponential backoff: attempt k+1 starts BACKOFF_MS·(2^k − 1) after the first; outlast twice the window.
const MAIL_ATTEMPTS = Math.min(20, Math.ceil(Math.log2((2 * SMTP_DOWN_S * 1000) / BACKOFF_MS + 1)) + 1);
const ADMIN = { email: 'admin@example.org', password: 'Faults-drill-2025-secret' };
const PREFIX = 'tmfaults';
const RECIPIENT = 'drill@faults.test';

const log = (message: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

// ---------------------------------------------------------------- private PostgreSQL, Redis, SMTP

interface Mail { to: string[]; subject: string; at: number }
class DrillSmtp {
  readonly mails: Mail[] = [];
  private server: SMTPServer | null = null;
  constructor(readonly port: number) {}
  get url() { return `smtp://127.0.0.1:${this.port}`; }
  async start() {
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false, closeTimeout: 500,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const subject = /^Subject: (.*)$/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, at: Date.now() });
          callback();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.listen(this.port, '127.0.0.1', () => resolve()).once('error', reject);
    });
    this.server = server;
  }
  async stop() {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- the drill's world

let postgres: PrivatePostgres;
let redis: PrivateRedis;
let smtp: DrillSmtp;
let db: pg.Pool;
let evaluationQueue: Bull.Queue;
let notificationsQueue: Bull.Queue;
const processes = new Set<Spawned>();
let apiUrl = '';
let token = '';

function env(role: 'api' | 'worker', extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: postgres.url(), REDIS_URL: redis.url, QUEUE_PREFIX: PREFIX, SEED: 'false', LOG_LEVEL: 'log',
    APP_ROLE: role, JOB_BACKOFF_MS: String(BACKOFF_MS), EVALUATION_CHUNK_SIZE: String(CHUNK_SIZE),
    MAIL_ATTEMPTS: String(MAIL_ATTEMPTS), SMTP_URL: smtp.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
    HOST: '127.0.0.1', ...extra,
  };
}

async function startProcess(role: 'api' | 'worker', extra: Record<string, string> = {}): Promise<Spawned> {
  const p = spawnMain(env(role, extra));
  processes.add(p);
  void p.exited.then(() => processes.delete(p));
  await waitForOutput(p, role === 'api' ? 'target-monitor (api)' : 'worker started', 90_000);
  return p;
}

/** SIGTERM and the exit code (null when killed by a signal). */
async function stopProcess(p: Spawned): Promise<number | null> {
  await p.stop();
  if (p.child.exitCode !== 0) log(`process ${p.child.pid} exited ${p.child.exitCode}; its last output:\n${p.output().slice(-3000)}`);
  return p.child.exitCode;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${apiUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

interface RunRow { state: string; chunks_total: number | null; chunks_done: number; targets_total: number | null; error: string | null }
const runRow = async (id: string): Promise<RunRow> =>
  (await db.query(`SELECT state, chunks_total, chunks_done, targets_total, error FROM evaluation_runs WHERE id = $1`, [id])).rows[0];

/** How many evaluations the run wrote, for how many distinct targets, and how many targets got more than one. */
async function evaluationsOf(runId: string) {
  const { rows: [r] } = await db.query(
    `SELECT count(*)::int AS evaluations, count(DISTINCT target_id)::int AS targets,
            (SELECT count(*)::int FROM (SELECT target_id FROM evaluations WHERE run_id = $1 GROUP BY target_id HAVING count(*) > 1) d) AS duplicated
       FROM evaluations WHERE run_id = $1`,
    [runId],
  );
  return r as { evaluations: number; targets: number; duplicated: number };
}

async function startRun(): Promise<string> {
  const res = await api('POST', '/evaluations/runs', {});
  if (res.status !== 202) throw new Error(`run not started: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function finished(runId: string, ms: number): Promise<RunRow> {
  return until(`run ${runId}`, ms, async () => {
    const row = await runRow(runId);
    return ['completed', 'failed'].includes(row.state) ? row : undefined;
  }, 200);
}

/** Failed attempts (retried) of this run's chunk jobs still in Redis (completed ones are kept: removeOnComplete 1000). */
async function chunkAttempts(runId: string): Promise<{ jobs: number; attempts: number }> {
  const jobs = (await evaluationQueue.getCompleted(0, 5000)).filter((j) => j.data?.runId === runId && j.name === 'chunk');
  return { jobs: jobs.length, attempts: jobs.reduce((sum, j) => sum + j.attemptsMade, 0) };
}

const results: { scenario: string; pass: boolean }[] = [];
function report(scenario: string, pass: boolean, observed: Record<string, unknown>) {
  results.push({ scenario, pass });
  process.stdout.write(`${JSON.stringify({ scenario, ...observed, verdict: pass ? 'PASS' : 'FAIL' })}\n${pass ? 'PASS' : 'FAIL'} ${scenario}\n`);
}

// ---------------------------------------------------------------- scenarios

async function workerKilled(): Promise<void> {
  const scenario = 'worker-sigkill-mid-run';
  const [victim, survivor] = await Promise.all([startProcess('worker'), startProcess('worker')]);
  const started = Date.now();
  const runId = await startRun();
  const atKill = await until('the run under way', 60_000, async () => {
    const row = await runRow(runId);
    return row.chunks_total && row.chunks_done >= 2 ? row : undefined;
  }, 10);
  const active = (await evaluationQueue.getActive()).length;
  victim.child.kill('SIGKILL');
  await victim.exited;
  log(`worker ${victim.child.pid} killed at ${atKill.chunks_done}/${atKill.chunks_total} chunks, ${active} chunk(s) active; waiting for the run`);
  const done = await finished(runId, 180_000);
  const evaluations = await evaluationsOf(runId);
  const attempts = await chunkAttempts(runId);
  const survivorExit = await stopProcess(survivor);
  const pass = done.state === 'completed' && done.chunks_done === done.chunks_total && done.targets_total === TARGETS &&
    evaluations.evaluations === TARGETS && evaluations.targets === TARGETS && evaluations.duplicated === 0 && active > 0;
  report(scenario, pass, {
    targets: TARGETS, chunkSize: CHUNK_SIZE, chunks: done.chunks_total, chunksDoneAtKill: atKill.chunks_done,
    chunksActiveAtKill: active, victimSignal: victim.child.signalCode, run: done.state, runSeconds: (Date.now() - started) / 1000,
    evaluations: evaluations.evaluations, targetsEvaluated: evaluations.targets, targetsWithTwoOrMore: evaluations.duplicated,
    chunkJobs: attempts.jobs, chunkRetries: attempts.attempts, survivorExitCode: survivorExit,
    note: 'the killed worker\'s chunks waited for their Bull lock to expire (lockDuration 30 s) before the survivor took them',
  });
}

async function redisFlushed(): Promise<void> {
  const scenario = 'redis-flushed';
  const worker = await startProcess('worker');
  const repeatables = async () => (await evaluationQueue.getRepeatableJobs()).length + (await notificationsQueue.getRepeatableJobs()).length;
  const before = await repeatables();
  await stopProcess(worker); // jobs queued now wait in Redis for the next worker
  // An email written and queued, as a digest would (OutboxService.add + queueSends)…
  const { rows: [mail] } = await db.query(
    `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text)
     VALUES ('drill:redis-flush', $1, 'digest', 'Drill: Redis flushed', '<p>flush</p>', 'flush') RETURNING id`, [RECIPIENT],
  );
  await notificationsQueue.add(NotificationJob.send, { outboxId: Number(mail.id) }, {
    jobId: jobIds.send(mail.id), attempts: MAIL_ATTEMPTS, backoff: { type: 'exponential', delay: BACKOFF_MS },
  });
  // …and a figure changed through the API: its re-evaluation is queued and recorded in PostgreSQL.
  const put = await api('PUT', '/targets/DRILL-000001/figures/2025Q1', { value: 999, reason: 'drill' });
  const { rows: [target] } = await db.query(`SELECT id FROM targets WHERE code = 'DRILL-000001'`);
  const queuedBefore = (await evaluationQueue.getJobCounts()).delayed + (await notificationsQueue.getJobCounts()).waiting;
  const flush = new Redis(redis.url);
  await flush.flushall();
  flush.disconnect();
  const afterFlush = await repeatables();
  const mailsBefore = smtp.mails.filter((m) => m.subject.includes('Redis flushed')).length;

  const restarted = await startProcess('worker');
  const afterStart = await repeatables();
  const sent = await until('the email', 30_000, async () => {
    const { rows: [r] } = await db.query(`SELECT status, attempts FROM outbox WHERE id = $1`, [mail.id]);
    return r.status === 'sent' ? r : undefined;
  });
  const evaluated = await until('the re-evaluation', 30_000, async () => {
    const { rows } = await db.query(
      `SELECT e.latest_value::float8 AS value FROM latest_evaluations l JOIN evaluations e ON e.id = l.evaluation_id WHERE l.target_id = $1`, [target.id]);
    const waiting = (await db.query(`SELECT 1 FROM reevaluation_requests WHERE target_id = $1`, [target.id])).rowCount;
    return rows[0]?.value === 999 && waiting === 0 ? rows[0] : undefined;
  });
  await sleep(2000);
  const mails = smtp.mails.filter((m) => m.subject.includes('Redis flushed')).length;
  const exit = await stopProcess(restarted);
  const pass = put.status === 200 && before === 3 && afterFlush === 0 && afterStart === 3 && mailsBefore === 0 && mails === 1 && evaluated.value === 999;
  report(scenario, pass, {
    repeatableSchedulesBefore: before, jobsQueuedBeforeFlush: queuedBefore, repeatableSchedulesAfterFlush: afterFlush,
    repeatableSchedulesAfterWorkerStart: afterStart, emailSent: mails, emailAttempts: sent.attempts,
    reevaluatedValue: evaluated.value, reevaluationRequestsLeft: 0, workerExitCode: exit,
    coveredBy: 'test/e2e/alerts.e2e.ts "delivers once what was queued before a crash and a Redis flush"',
  });
}

async function postgresRestarted(): Promise<void> {
  const scenario = 'postgres-restarted-mid-run';
  const workers = await Promise.all([startProcess('worker'), startProcess('worker')]);
  const started = Date.now();
  const runId = await startRun();
  const atStop = await until('the run under way', 60_000, async () => {
    const row = await runRow(runId);
    return row.chunks_total && row.chunks_done >= 1 ? row : undefined;
  }, 10);
  await db.end(); // the drill's own pool goes down with the server; a new one after
  const outageStarted = Date.now();
  postgres.stop('fast');
  const healthDuring = await api('GET', '/health').catch((e: Error) => ({ status: 0, body: e.message }));
  await sleep(3000);
  postgres.start();
  const outageSeconds = (Date.now() - outageStarted) / 1000;
  db = new pg.Pool({ connectionString: postgres.url(), max: 4 });
  log(`PostgreSQL was down ${outageSeconds} s at ${atStop.chunks_done}/${atStop.chunks_total} chunks`);
  const done = await finished(runId, 120_000);
  const evaluations = await evaluationsOf(runId);
  const attempts = await chunkAttempts(runId);
  const health = await until('health ok', 20_000, async () => {
    const res = await api('GET', '/health');
    return res.body?.status === 'ok' ? res : undefined;
  });
  const put = await api('PUT', '/targets/DRILL-000002/figures/2025Q1', { value: 123 });
  const exits = await Promise.all(workers.map(stopProcess));
  const alive = [...processes].length;
  const pass = done.state === 'completed' && evaluations.evaluations === TARGETS && evaluations.targets === TARGETS &&
    evaluations.duplicated === 0 && health.status === 200 && put.status === 200 && exits.every((c) => c === 0);
  report(scenario, pass, {
    targets: TARGETS, chunks: done.chunks_total, chunksDoneAtStop: atStop.chunks_done, outageSeconds,
    healthDuringOutage: { status: healthDuring.status, body: healthDuring.body }, run: done.state, runError: done.error,
    runSeconds: (Date.now() - started) / 1000, evaluations: evaluations.evaluations, targetsWithTwoOrMore: evaluations.duplicated,
    chunkJobs: attempts.jobs, chunkRetries: attempts.attempts, healthAfter: health.body, putAfter: put.status,
    workerExitCodes: exits, processesStillRunning: alive,
  });
}

async function smtpDown(): Promise<void> {
  const scenario = 'smtp-down';
  const worker = await startProcess('worker');
  await smtp.stop();
  const downAt = Date.now();
  const { rows: [mail] } = await db.query(
    `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text)
     VALUES ('drill:smtp-down', $1, 'digest', 'Drill: SMTP down', '<p>smtp</p>', 'smtp') RETURNING id`, [RECIPIENT],
  );
  await notificationsQueue.add(NotificationJob.send, { outboxId: Number(mail.id) }, {
    jobId: jobIds.send(mail.id), attempts: MAIL_ATTEMPTS, backoff: sendBackoff(BACKOFF_MS, 60_000),
  });
  log(`SMTP down for ${SMTP_DOWN_S} s (MAIL_ATTEMPTS=${MAIL_ATTEMPTS}, backoff from ${BACKOFF_MS} ms)`);
  await sleep(SMTP_DOWN_S * 1000);
  const { rows: [during] } = await db.query(`SELECT status, attempts, last_error FROM outbox WHERE id = $1`, [mail.id]);
  await smtp.start();
  const upAt = Date.now();
  const sent = await until('the email', (2 * SMTP_DOWN_S + 60) * 1000, async () => {
    const { rows: [r] } = await db.query(`SELECT status, attempts, sent_at FROM outbox WHERE id = $1`, [mail.id]);
    return r.status === 'sent' ? r : undefined;
  }, 250);
  await sleep(3000);
  const mails = smtp.mails.filter((m) => m.subject.includes('SMTP down'));
  const exit = await stopProcess(worker);
  const pass = during.status === 'pending' && during.attempts >= 2 && mails.length === 1 && sent.status === 'sent';
  report(scenario, pass, {
    smtpDownSeconds: SMTP_DOWN_S, mailAttempts: MAIL_ATTEMPTS, attemptsWhileDown: during.attempts, statusWhileDown: during.status,
    lastErrorWhileDown: during.last_error, sentSecondsAfterSmtpReturned: mails.length ? (mails[0].at - upAt) / 1000 : null,
    sentSecondsAfterItWentDown: mails.length ? (mails[0].at - downAt) / 1000 : null, attemptsInAll: sent.attempts, emailsReceived: mails.length,
    workerExitCode: exit,
    coveredBy: 'test/e2e/alerts.e2e.ts "retries while SMTP refuses, then delivers exactly once" (SMTP answering 451)',
  });
}

// ---------------------------------------------------------------- main

async function cleanup(): Promise<void> {
  await Promise.all([...processes].map((p) => p.stop().catch(() => undefined)));
  await evaluationQueue?.close().catch(() => undefined);
  await notificationsQueue?.close().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await smtp?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  postgres?.remove();
}

async function main(): Promise<void> {
  const [pgPort, smtpPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  postgres = new PrivatePostgres(pgPort);
  log(`private PostgreSQL on ${pgPort} in ${postgres.dir}`);
  postgres.init();
  redis = await startPrivateRedis();
  log(`private Redis on ${redis.port}`);
  smtp = new DrillSmtp(smtpPort);
  await smtp.start();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  const apiProcess = await startProcess('api', { PORT: String(apiPort) }); // creates, migrates the database
  db = new pg.Pool({ connectionString: postgres.url(), max: 4 });
  await seedDrill(db, TARGETS, RECIPIENT);
  log(`seeded ${TARGETS} targets × 8 figures; chunks of ${CHUNK_SIZE}`);
  evaluationQueue = new Bull(EVALUATION_QUEUE, redis.url, { prefix: PREFIX });
  notificationsQueue = new Bull(NOTIFICATIONS_QUEUE, redis.url, { prefix: PREFIX });
  const login = await api('POST', '/auth/login', ADMIN);
  token = login.body.accessToken;

  const scenarios: [string, () => Promise<void>][] = [
    ['kill', workerKilled], ['redis', redisFlushed], ['postgres', postgresRestarted], ['smtp', smtpDown],
  ];
  for (const [name, run] of scenarios) {
    if (!ONLY.has(name)) continue;
    log(`scenario ${name}`);
    try {
      await run();
    } catch (error) {
      report(name, false, { error: (error as Error).message });
    }
  }
  const apiExit = await stopProcess(apiProcess);
  log(`api process exited ${apiExit}`);
}

process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});
main()
  .catch((error: unknown) => {
    console.error(error);
    results.push({ scenario: 'setup', pass: false });
  })
  .finally(async () => {
    await cleanup();
    const failed = results.filter((r) => !r.pass).map((r) => r.scenario);
    log(failed.length ? `failed: ${failed.join(', ')}` : `all ${results.length} scenario(s) passed`);
    process.exit(failed.length ? 1 : 0);
  });
