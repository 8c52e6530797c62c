import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type pg from 'pg';
import { Redis } from 'ioredis';
import {
  EVALUATION_QUEUE, EvaluationJob, jobIds, NOTIFICATIONS_QUEUE, NotificationJob, QUEUE_ADD_TIMEOUT_MS,
} from '../../src/jobs/jobs.constants.js';
import { ADMIN, eventually, startApp, testEnv, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { spawnMain, type Spawned, waitForOutput } from '../support/process.js';
import { freePort, type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each target's latest evaluation, as GET /evaluations/latest serves it. */
async function latest(t: TestApp, code: string): Promise<{ latestValue: string | null; status: string; runId: string | null } | undefined> {
  const res = await t.http().get('/api/v1/evaluations/latest?pageSize=100').expect(200);
  return res.body.items.find((e: { code: string }) => e.code === code);
}

async function waiting(t: TestApp): Promise<number[]> {
  const { rows } = await t.db.query(`SELECT target_id FROM reevaluation_requests ORDER BY target_id`);
  return rows.map((r) => r.target_id);
}

/** Holds an EXCLUSIVE lock on reevaluation_requests (reads pass, writes wait) until `release`. */
async function blockRequestWrites(t: TestApp): Promise<{ release: () => Promise<void> }> {
  const client: pg.PoolClient = await t.db.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE reevaluation_requests IN EXCLUSIVE MODE');
  return {
    release: async () => {
      await client.query('COMMIT');
      client.release();
    },
  };
}

/** Resolves with [exit code, ms since `from`], or rejects after `ms`. */
async function exitWithin(p: Spawned, from: number, ms: number): Promise<[number | null, number]> {
  const code = await Promise.race([p.exited, sleep(ms).then(() => 'timeout' as const)]);
  if (code === 'timeout') throw new Error(`still running ${ms} ms after SIGTERM:\n${p.output()}`);
  return [code, Date.now() - from];
}

describe('faults (issue 7): Redis down, graceful shutdown', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let queue: Queue;
  const processes: Spawned[] = [];
  /** Environment of a process on this file's database, prefix and private Redis. */
  const envOf = (extra: Record<string, string>) =>
    testEnv(t.config.databaseUrl, t.config.queuePrefix, { REDIS_URL: redis.url, LOG_LEVEL: 'log', ...extra });
  const spawned = (extra: Record<string, string>) => {
    const p = spawnMain(envOf(extra));
    processes.push(p);
    return p;
  };

  before(async () => {
    // A Redis of this file's own: stopping it leaves the shared one (and other test runs) alone.
    redis = await startPrivateRedis();
    // The API role in this process; jobs are done by worker processes spawned below.
    t = await startApp('faults', { APP_ROLE: 'api', REDIS_URL: redis.url });
    queue = t.app.get(getQueueToken(EVALUATION_QUEUE));
    await createDepartment(t);
    await createTarget(t); // DT-ENTERPRISES: 200 (2023) → 350 (2025)
    await createTarget(t, { code: 'DT-SIGTERM', name: '停机测试指标' });
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await t.close();
    await redis.stop();
  });

  it('takes figures while Redis is down, says degraded, and re-evaluates them once it is back', async () => {
    const worker = spawned({ APP_ROLE: 'worker' });
    await waitForOutput(worker, 'worker started');
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260 }).expect(200);
    await eventually(async () => ((await latest(t, 'DT-ENTERPRISES'))?.latestValue === '260' ? true : undefined), 15_000, 'first evaluation');
    assert.deepEqual(await waiting(t), []);

    await redis.stop();
    const degraded = await t.http().get('/api/v1/health').expect(200);
    assert.deepEqual(degraded.body, { status: 'degraded', checks: { database: 'up', redis: 'down' }, reevaluationsWaiting: 0 });

    for (const [period, value] of [['2025Q1', 300], ['2025Q2', 320]] as const) {
      const started = Date.now();
      const res = await t.http().put(`/api/v1/targets/DT-ENTERPRISES/figures/${period}`).send({ value });
      const ms = Date.now() - started;
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(ms < 3000, `PUT took ${ms} ms with Redis down`);
    }
    const { rows: [target] } = await t.db.query(`SELECT id FROM targets WHERE code = 'DT-ENTERPRISES'`);
    assert.deepEqual(await waiting(t), [target.id], 'one request for the target, kept in PostgreSQL');
    assert.equal((await t.http().get('/api/v1/health').expect(200)).body.reevaluationsWaiting, 1);
    assert.equal((await latest(t, 'DT-ENTERPRISES'))?.latestValue, '260', 'not evaluated while Redis is down');
    const before = Number((await t.db.query(`SELECT count(*) FROM evaluations WHERE run_id IS NULL`)).rows[0].count);

    await sleep(1000);
    await redis.start(); // empty: everything Redis held is gone, as after a restart without persistence
    const evaluated = await eventually(async () => {
      const row = await latest(t, 'DT-ENTERPRISES');
      return row?.latestValue === '320' && (await waiting(t)).length === 0 ? row : undefined;
    }, 30_000, 're-evaluation after Redis is back');
    assert.equal(evaluated.runId, null);
    await eventually(async () => {
      const res = await t.http().get('/api/v1/health');
      return res.status === 200 && res.body.status === 'ok' ? res.body : undefined;
    }, 10_000, 'health ok again');
    await sleep(1500); // a duplicate job (drains of the API and the worker, the sweep) would land by now
    const after = Number((await t.db.query(`SELECT count(*) FROM evaluations WHERE run_id IS NULL`)).rows[0].count);
    assert.equal(after - before, 1, 'the two figures cost one evaluation');
    // Redis came back empty: the worker registered its schedules again without a restart.
    const notifications = t.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
    const schedules = await eventually(async () => {
      const names = [...await queue.getRepeatableJobs(), ...await notifications.getRepeatableJobs()].map((j) => j.name).sort();
      return names.length === 3 ? names : undefined;
    }, 10_000, 'the schedules registered again');
    assert.deepEqual(schedules, [EvaluationJob.scheduled, NotificationJob.digest, NotificationJob.reminders].sort());
    await worker.stop();
    assert.equal(await worker.exited, 0);
  });

  it('refuses to start a run at once while Redis is down (503), leaving no run and no audit entry', async () => {
    const count = async () => (await t.db.query(
      `SELECT (SELECT count(*)::int FROM evaluation_runs) AS runs,
              (SELECT count(*)::int FROM audit_log WHERE action = 'evaluation_run.start') AS audits`,
    )).rows[0];
    const before = await count();
    await redis.stop();
    try {
      await eventually(async () => ((await t.http().get('/api/v1/health')).body.status === 'degraded' ? true : undefined),
        10_000, 'the client noticed');
      const started = Date.now();
      const res = await t.http().post('/api/v1/evaluations/runs').send({});
      const ms = Date.now() - started;
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.match(res.headers['content-type'], /^application\/problem\+json/);
      assert.match(res.body.detail, /^任务队列（Redis）暂不可用，评估未启动/);
      assert.equal(res.headers['retry-after'], '30');
      // Not a timing figure: it used to wait out ioredis' reconnect attempts (minutes) before its 503.
      assert.ok(ms < 10_000, `answered after ${ms} ms`);
      assert.deepEqual(await count(), before, 'nothing written');
    } finally {
      await redis.start();
    }
    await eventually(async () => {
      const res = await t.http().get('/api/v1/health');
      return res.body.status === 'ok' ? true : undefined;
    }, 10_000, 'health ok again');
  });

  it('marks a run failed, with the reason, when Redis is connected but does not take its job', async () => {
    // CLIENT PAUSE: the connection stays up and Redis answers nothing until the pause ends.
    const admin = new Redis(redis.url);
    try {
      await admin.call('CLIENT', 'PAUSE', String(QUEUE_ADD_TIMEOUT_MS + 1500), 'ALL');
      const res = await t.http().post('/api/v1/evaluations/runs').send({});
      assert.equal(res.status, 503, JSON.stringify(res.body));
      const id = /评估批次 ([0-9a-f-]{36}) 已记为失败/.exec(res.body.detail)?.[1];
      assert.ok(id, res.body.detail);
      const { rows: [run] } = await t.db.query(`SELECT state, error FROM evaluation_runs WHERE id = $1`, [id]);
      assert.equal(run.state, 'failed');
      assert.match(run.error, /^not queued: no answer from Redis within \d+ ms/);
      // The job lands once the pause ends; a worker would find the run failed and do nothing (fanOut).
      const job = await eventually(async () => (await queue.getJob(jobIds.run(id))) ?? undefined, 10_000, 'the late job');
      await job.remove();
    } finally {
      admin.disconnect();
    }
  });

  it('on SIGTERM finishes the request in flight and exits 0 within 10 s', async () => {
    const port = await freePort();
    const api = spawned({ APP_ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' });
    await waitForOutput(api, 'target-monitor (api)');
    const base = `http://127.0.0.1:${port}/api/v1`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };

    // The figure's transaction waits on the lock: the request is in flight when the signal comes.
    const lock = await blockRequestWrites(t);
    let answered = false;
    const put = fetch(`${base}/targets/DT-SIGTERM/figures/2024Q4`, {
      method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ value: 275 }),
    }).then(async (res) => {
      answered = true;
      return { status: res.status, body: (await res.json()) as { value: number } };
    });
    await sleep(500);
    assert.equal(answered, false, 'the PUT is waiting');
    const signalled = Date.now();
    api.child.kill('SIGTERM');
    await sleep(1500);
    assert.equal(api.child.exitCode, null, 'waits for the request in flight');
    assert.equal(answered, false);
    await lock.release();

    const res = await put;
    assert.deepEqual([res.status, res.body.value], [200, '275']);
    const [code, ms] = await exitWithin(api, signalled, 10_000);
    assert.equal(code, 0, api.output());
    assert.ok(ms < 10_000, `stopped after ${ms} ms`);
    assert.match(api.output(), /SIGTERM: stopping/);
    // The figure is committed with its re-evaluation request, which the next worker queues.
    const { rows } = await t.db.query(`SELECT value::int FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = 'DT-SIGTERM'`);
    assert.deepEqual(rows, [{ value: 275 }]);
    assert.equal((await waiting(t)).length, 1);
  });

  it('on SIGTERM a worker finishes the job in flight, takes no new one and exits 0 within 10 s', async () => {
    const worker = spawned({ APP_ROLE: 'worker' });
    await waitForOutput(worker, 'worker started');
    // The worker queued the request left by the last test (at start): it is evaluated now.
    await eventually(async () => ((await waiting(t)).length === 0 ? true : undefined), 15_000, 'left request evaluated');
    assert.equal((await latest(t, 'DT-SIGTERM'))?.latestValue, '275');

    // The figure commits with its request; its job (debounced 500 ms) saves the evaluation, then waits
    // on the lock to settle the request: it is active when the signal comes.
    await t.http().put('/api/v1/targets/DT-SIGTERM/figures/2025Q1').send({ value: 300 }).expect(200);
    const lock = await blockRequestWrites(t);
    const active = await eventually(async () => {
      const jobs = (await queue.getActive()).filter((j) => j.name === EvaluationJob.target);
      return jobs.length ? jobs : undefined;
    }, 10_000, 'an active re-evaluation job');
    assert.equal(active.length, 1);

    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    await sleep(1500);
    assert.equal(worker.child.exitCode, null, 'waits for the job in flight');
    // A job queued now is not taken by the stopping worker.
    await queue.add(EvaluationJob.target, { targetId: 0 }, { jobId: 'test-after-sigterm', removeOnComplete: false });
    await lock.release();

    const [code, ms] = await exitWithin(worker, signalled, 10_000);
    assert.equal(code, 0, worker.output());
    assert.ok(ms < 10_000, `stopped after ${ms} ms`);
    assert.deepEqual(await waiting(t), [], 'the job finished: its request is settled');
    assert.equal((await latest(t, 'DT-SIGTERM'))?.latestValue, '300');
    const late = await queue.getJob('test-after-sigterm');
    assert.equal(await late?.getState(), 'waiting', 'left for another worker');
    await late?.remove();
  });
});
