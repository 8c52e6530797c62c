import assert from 'node:assert/strict';
import type { Queue } from 'bull';
import { jobIds } from '../../src/jobs/jobs.constants.js';
import { eventually, type TestApp } from './app.js';

/** A real evaluation run: queued through the API, completed by the worker, then its chunks' `reconcile` jobs done. */
export async function evaluate(t: TestApp, queue: Queue): Promise<void> {
  const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
  const id: string = started.body.id;
  const run = await eventually(async () => {
    const res = await t.http().get(`/api/v1/evaluations/runs/${id}`).expect(200);
    return ['completed', 'failed'].includes(res.body.state) ? res.body : undefined;
  }, 20_000, `run ${id}`);
  assert.equal(run.state, 'completed', run.error ?? '');
  const chunks: number = run.chunks.total;
  await eventually(async () => {
    for (let chunk = 0; chunk < chunks; chunk++) {
      const job = await queue.getJob(jobIds.reconcileChunk(id, chunk));
      if (!job) return undefined;
      if (await job.isFailed()) throw new Error(`reconcile of run ${id} chunk ${chunk} failed: ${job.failedReason}`);
      if (!(await job.isCompleted())) return undefined;
    }
    return true;
  }, 15_000, `reconcile of run ${id}`);
}
