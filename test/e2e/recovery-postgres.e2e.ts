import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ADMIN, eventually, flushPrefix, testEnv } from '../support/app.js';
import { seedDrill } from '../support/drill.js';
import { PrivatePostgres } from '../support/postgres-server.js';
import { spawnMain, type Spawned, waitForOutput } from '../support/process.js';
import { freePort } from '../support/redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TARGETS = 3000;
const CHUNK_SIZE = 100;
const DOWN_MS = 4000;

interface Answer { status: number; body: any }

describe('recovery (issue 18): PostgreSQL stopped in the middle of a run', () => {
  let server: PrivatePostgres;
  let db: pg.Pool;
  let api: Spawned;
  let workers: Spawned[] = [];
  let base = '';
  let token = '';
  const prefix = `tmtest:recovery_pg_${process.pid}`;

  const call = async (method: string, path: string, body?: unknown): Promise<Answer & { retryAfter: string | null }> => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.json().catch(() => null), retryAfter: res.headers.get('retry-after') };
  };

  before(async () => {
    server = new PrivatePostgres(await freePort());
    server.init();
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE target_monitor');
    await admin.end();

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = (role: string) => testEnv(server.url(), prefix, {
      APP_ROLE: role, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'log', JOB_BACKOFF_MS: '500',
      EVALUATION_CHUNK_SIZE: String(CHUNK_SIZE),
    });
    api = spawnMain(env('api'));
    await waitForOutput(api, 'target-monitor (api)', 90_000); // migrates the database
    workers = [spawnMain(env('worker')), spawnMain(env('worker'))];
    await Promise.all(workers.map((w) => waitForOutput(w, 'worker started', 90_000)));

    db = new pg.Pool({ connectionString: server.url(), max: 2 });
    await seedDrill(db, TARGETS);
    token = (await call('POST', '/auth/login', ADMIN)).body.accessToken;
    assert.ok(token, 'signed in');
  });

  after(async () => {
    await Promise.all([api, ...workers].map((p) => p?.stop()));
    await db?.end().catch(() => undefined);
    server?.remove();
    await flushPrefix(prefix);
  });

  it('answers 503 naming the database while it is down, then recovers without a restart; the run writes all or nothing per target', async (t) => {
    const started = await call('POST', '/evaluations/runs', {});
    assert.equal(started.status, 202);
    const runId: string = started.body.id;
    await eventually(async () => {
      const { rows: [r] } = await db.query(`SELECT chunks_total, chunks_done FROM evaluation_runs WHERE id = $1`, [runId]);
      return r.chunks_total && r.chunks_done >= 1 ? r : undefined;
    }, 60_000, 'the run under way');

    await db.end();
    server.stop('fast');
    const healthDown = await call('GET', '/health');
    const readDown = await call('GET', '/targets/DRILL-000001');
    await sleep(DOWN_MS);
    server.start();
    db = new pg.Pool({ connectionString: server.url(), max: 2 });

    assert.equal(healthDown.status, 503);
    assert.equal(healthDown.body.status, 'down');
    assert.equal(healthDown.body.checks.database, 'down');
    assert.equal(readDown.status, 503, 'a read while the database is down: 503, try again');
    assert.match(readDown.body.detail, /数据库暂不可用/);
    assert.equal(readDown.retryAfter, '5');
    assert.equal(api.child.exitCode, null, 'the api process lived through the outage');
    for (const w of workers) assert.equal(w.child.exitCode, null, `a worker lived through the outage:\n${w.output().slice(-3000)}`);

    const run = await eventually(async () => {
      const { rows: [r] } = await db.query(`SELECT state, error, chunks_total, chunks_done FROM evaluation_runs WHERE id = $1`, [runId]);
      return ['completed', 'failed'].includes(r.state) ? r : undefined;
    }, 120_000, `run ${runId}`);
    const { rows: [counts] } = await db.query(
      `SELECT count(*)::int AS evaluations, count(DISTINCT target_id)::int AS targets FROM evaluations WHERE run_id = $1`,
      [runId],
    );
    assert.equal(counts.evaluations, counts.targets, 'no target evaluated twice');
    t.diagnostic(`run ${run.state}${run.error ? ` (${run.error})` : ''}, ${counts.targets} targets evaluated; a read while down answered ${readDown.status}`);
    if (run.state === 'completed') assert.equal(counts.targets, TARGETS, 'every target evaluated once');
    else assert.ok(run.error, 'a failed run says why');

    const health = await eventually(async () => {
      const res = await call('GET', '/health');
      return res.status === 200 ? res : undefined;
    }, 30_000, 'health ok again');
    assert.equal(health.body.checks.database, 'up');
    assert.equal((await call('GET', '/targets/DRILL-000001')).status, 200);
    assert.equal((await call('PUT', '/targets/DRILL-000002/figures/2025Q1', { value: 123 })).status, 200);
    for (const p of [...workers, api]) {
      await p.stop();
      assert.equal(p.child.exitCode, 0, `a clean stop after the outage:\n${p.output().slice(-4000)}`);
    }
  });
});
