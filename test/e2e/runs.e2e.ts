import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { EVALUATION_QUEUE, EvaluationJob } from '../../src/jobs/jobs.constants.js';
import { eventually, startApp, testEnv, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';
import { spawnMain, waitForOutput } from '../support/process.js';

interface Run { id: string; state: string; counts: Record<string, number>; chunks: { total: number; done: number }; targets: number; error: string | null }

async function finishedRun(t: TestApp, id: string): Promise<Run> {
  return eventually(async () => {
    const res = await t.http().get(`/api/v1/evaluations/runs/${id}`).expect(200);
    return ['completed', 'failed'].includes(res.body.state) ? (res.body as Run) : undefined;
  }, 20_000, `run ${id}`);
}

describe('evaluation runs on a real Bull worker', () => {
  let t: TestApp;
  let queue: Queue;
  before(async () => {
    // Chunks of 2 targets: three targets make a run of two chunks.
    t = await startApp('runs', { EVALUATION_CHUNK_SIZE: '2' });
    queue = t.app.get(getQueueToken(EVALUATION_QUEUE));
    await createDepartment(t);
    await createTarget(t);
    await createTarget(t, FLOW_TARGET);
    await createTarget(t, { code: 'NO-FIGURES', name: '尚无数据的指标', baseline: null });
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260 }).expect(200);
    await t.http().post('/api/v1/figures/batch').send({ figures: [
      { target: 'NEV-OUTPUT', period: '2025Q1', value: 380 }, { target: 'NEV-OUTPUT', period: '2025Q2', value: 1100 },
    ] }).expect(200);
  });
  after(() => t.close());

  it('runs queued → completed over chunks, one evaluation per target, with counts per status', async () => {
    const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
    assert.match(started.body.id, /^[0-9a-f-]{36}$/);
    const run = await finishedRun(t, started.body.id);
    assert.equal(run.state, 'completed', run.error ?? '');
    assert.deepEqual(run.chunks, { total: 2, done: 2 });
    assert.equal(run.targets, 3);
    // DT-ENTERPRISES is the worked example (lagging); NEV-OUTPUT YTD 1100/2000 at Q2: pace 1.1 → ahead.
    assert.deepEqual(run.counts, { lagging: 1, ahead: 1, no_data: 1 });
    const { rows } = await t.db.query(`SELECT target_id, count(*)::int AS n FROM evaluations WHERE run_id = $1 GROUP BY target_id`, [run.id]);
    assert.deepEqual(rows.map((r) => r.n), [1, 1, 1]);
    const results = await t.http().get(`/api/v1/evaluations/runs/${run.id}/evaluations`).expect(200);
    const worked = results.body.items.find((e: { code: string }) => e.code === 'DT-ENTERPRISES');
    assert.deepEqual([worked.status, worked.pace, worked.lag, worked.gap, worked.runId], ['lagging', 0.8, 15, 90, run.id]);
  });

  it('serves the latest evaluation per target, filtered by status and department', async () => {
    const lagging = await t.http().get('/api/v1/evaluations/latest?status=lagging&department=ECON-INFO').expect(200);
    assert.deepEqual(lagging.body.items.map((e: { code: string }) => e.code), ['DT-ENTERPRISES']);
    const row = lagging.body.items[0];
    for (const key of ['code', 'status', 'pace', 'completion', 'elapsed', 'expected', 'gap', 'lag', 'projected',
      'latestPeriod', 'latestValue', 'overdue', 'asOf']) assert.ok(key in row, key);
    const overdue = await t.http().get('/api/v1/evaluations/latest?overdue=true').expect(200);
    assert.equal(overdue.body.total, 3); // as of today every target misses its 2025Q4 figure
  });

  it('re-evaluates a target after its figure changes, on its own', async () => {
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2025Q4').send({ value: 351 }).expect(200);
    const latest = await eventually(async () => {
      const res = await t.http().get('/api/v1/evaluations/latest?department=ECON-INFO').expect(200);
      const row = res.body.items.find((e: { code: string }) => e.code === 'DT-ENTERPRISES');
      return row.latestValue === '351' ? row : undefined;
    }, 10_000, 're-evaluation');
    assert.deepEqual([latest.status, latest.runId, latest.overdue], ['achieved', null, false]);
  });

  it('runs as of a past moment when asked', async () => {
    const started = await t.http().post('/api/v1/evaluations/runs').send({ asOf: '2025-03-31' }).expect(202);
    const run = await finishedRun(t, started.body.id);
    assert.equal(run.state, 'completed');
    // On 2025-03-31 no figure had been recorded yet (they were all entered today).
    assert.deepEqual(run.counts, { no_data: 3 });
    // A past run does not replace a newer latest evaluation.
    const latest = await t.http().get('/api/v1/evaluations/latest?status=achieved').expect(200);
    assert.deepEqual(latest.body.items.map((e: { code: string }) => e.code), ['DT-ENTERPRISES']);
  });

  it('fails the run visibly when a chunk keeps failing', async () => {
    // A real fault in the database: writing the evaluation of one target raises.
    const { rows: [victim] } = await t.db.query(`SELECT id FROM targets WHERE code = 'NO-FIGURES'`);
    await t.db.query(`
      CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'disk on fire'; END $$;
      CREATE TRIGGER test_fault BEFORE INSERT ON evaluations FOR EACH ROW
        WHEN (NEW.run_id IS NOT NULL AND NEW.target_id = ${Number(victim.id)}) EXECUTE FUNCTION test_fault();`);
    try {
      const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
      const run = await finishedRun(t, started.body.id);
      assert.equal(run.state, 'failed');
      assert.match(run.error ?? '', /chunk 1 .*disk on fire/);
      const failedJobs = await queue.getFailed();
      assert.ok(failedJobs.some((j) => j.name === EvaluationJob.chunk && j.attemptsMade === 5));
    } finally {
      await t.db.query(`DROP TRIGGER test_fault ON evaluations; DROP FUNCTION test_fault();`);
    }
  });

  it('registers the cron once, however many workers start; a changed cron replaces it', async () => {
    const cronOf = async () => (await queue.getRepeatableJobs()).filter((j) => j.name === EvaluationJob.scheduled);
    assert.deepEqual((await cronOf()).map((j) => [j.cron, j.tz]), [['0 6 * * *', 'Asia/Shanghai']]);

    const env = testEnv(t.config.databaseUrl, t.config.queuePrefix, { APP_ROLE: 'worker', LOG_LEVEL: 'log' });
    const second = spawnMain(env);
    try {
      await waitForOutput(second, 'worker started');
      assert.deepEqual((await cronOf()).map((j) => j.cron), ['0 6 * * *']);
      const delayed = (await queue.getDelayed()).filter((j) => j.name === EvaluationJob.scheduled);
      assert.equal(delayed.length, 1);
    } finally {
      await second.stop();
    }

    const third = spawnMain({ ...env, EVALUATION_CRON: '30 7 * * 1' });
    try {
      await waitForOutput(third, 'worker started');
      assert.deepEqual((await cronOf()).map((j) => j.cron), ['30 7 * * 1']);
    } finally {
      await third.stop();
    }
  });
});
