import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DateTime } from 'luxon';
import { AlertsService, type ReconcileScope } from '../../src/alerts/alerts.service.js';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { evaluate } from '../support/runs.js';

// Issue 16: a figure write reconciles the alerts of its target only, not every target's.
const TZ = 'Asia/Shanghai';
const lastQuarterEnd = DateTime.now().setZone(TZ).startOf('quarter').minus({ milliseconds: 1 });
const Q1 = `${lastQuarterEnd.year}Q${lastQuarterEnd.quarter}`;
const Y1 = lastQuarterEnd.year;
const CODES = ['RC-A', 'RC-B', 'RC-C'];

interface Call { scope: ReconcileScope | null; targets: number }

async function figure(t: TestApp, code: string, value: number): Promise<void> {
  const res = await t.http().put(`/api/v1/targets/${code}/figures/${Q1}`).send({ value, confirm: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** The alert rows of a target as stored, updated_at included: "untouched" means equal. */
async function alertRows(t: TestApp, code: string): Promise<unknown[]> {
  const { rows } = await t.db.query(
    `SELECT a.id, a.kind, a.state, a.status, a.inhibited, a.updated_at::text FROM alerts a JOIN targets t ON t.id = a.target_id
      WHERE t.code = $1 ORDER BY a.id`, [code],
  );
  return rows;
}

async function lagging(t: TestApp, code: string): Promise<{ state: string; status: string } | undefined> {
  const rows = (await alertRows(t, code)) as { kind: string; state: string; status: string }[];
  return rows.find((r) => r.kind === 'lagging');
}

describe('reconcile what changed (issue 16)', () => {
  let t: TestApp;
  let queue: Queue;
  const ids = new Map<string, number>();
  const calls: Call[] = [];

  before(async () => {
    // Chunks of two targets: a run of three is two chunks.
    t = await startApp('reconcile-target', { JOB_BACKOFF_MS: '200', EVALUATION_CHUNK_SIZE: '2' });
    queue = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
    await createDepartment(t, { code: 'RC', name: 'RC 部门', emails: [] });
    for (const code of CODES) {
      await createTarget(t, {
        code, name: `${code} 指标`, unit: '亿元', kind: 'level', comparator: '>=', department: 'RC', supporting: [],
        baseline: { period: String(Y1 - 2), value: 100 }, target: { period: String(Y1 + 1), value: 1000 }, graceDays: 366,
      });
      await figure(t, code, 150); // far behind pace: lagging
    }
    const { rows } = await t.db.query(`SELECT id, code FROM targets WHERE code = ANY($1)`, [CODES]);
    for (const r of rows) ids.set(r.code, r.id);
    // The writes' own re-evaluations and reconciles are done before anything is counted.
    const evaluations: Queue = t.app.get(getQueueToken(EVALUATION_QUEUE));
    await eventually(async () => {
      const { rows: [{ n }] } = await t.db.query(`SELECT count(*)::int AS n FROM reevaluation_requests`);
      // (the repeatable cron jobs wait delayed for ever: only job-by-job work counts)
      const pending = (await Promise.all([evaluations, queue].map((q) => q.getJobs(['waiting', 'active', 'delayed']))))
        .flat().filter((j) => j && !j.opts.repeat);
      return n === 0 && !pending.length ? true : undefined;
    }, 15_000, 'the writes settled');
    await evaluate(t, queue); // a run: every target's lagging alert fires
    for (const code of CODES) assert.equal((await lagging(t, code))?.state, 'firing', code);
    // Counts what each reconcile read from here on, whoever calls it (the worker runs in this process).
    const service = t.app.get(AlertsService);
    const reconcile = service.reconcile.bind(service);
    service.reconcile = async (now, scope = null) => {
      const result = await reconcile(now, scope);
      calls.push({ scope, targets: result.targets });
      return result;
    };
  });
  after(() => t.close());

  it('one figure write: its target\'s alert is current, the others\' rows untouched, one target read', async () => {
    // Drift a full reconcile would repair: B's stored status no longer matches its evaluation.
    await t.db.query(`UPDATE alerts SET status = 'at_risk' WHERE target_id = $1`, [ids.get('RC-B')]);
    const before = { b: await alertRows(t, 'RC-B'), c: await alertRows(t, 'RC-C') };
    calls.length = 0;

    await figure(t, 'RC-A', 1000); // at the goal already: no longer lagging
    await eventually(async () => ((await lagging(t, 'RC-A'))?.state === 'resolved' ? true : undefined), 15_000, 'RC-A resolved');
    await eventually(async () => (calls.length ? true : undefined), 5_000, 'the reconcile recorded');

    assert.deepEqual(await alertRows(t, 'RC-B'), before.b, `RC-B untouched; reconciles: ${JSON.stringify(calls)}`);
    assert.deepEqual(await alertRows(t, 'RC-C'), before.c, 'RC-C untouched');
    const a = ids.get('RC-A')!;
    assert.deepEqual(calls, calls.map(() => ({ scope: { fromId: a, toId: a }, targets: 1 })), 'each reconcile read RC-A alone');
  });

  it('writes to two targets: work for those two only', async () => {
    calls.length = 0;
    await figure(t, 'RC-A', 150);
    await figure(t, 'RC-C', 1000);
    await eventually(async () => ((await lagging(t, 'RC-A'))?.state === 'firing' && (await lagging(t, 'RC-C'))?.state === 'resolved' ? true : undefined), 15_000, 'A fired, C resolved');
    const a = ids.get('RC-A')!;
    const c = ids.get('RC-C')!;
    // one reconcile each, or (when one job's batch claimed both requests) one for the two
    const read = (): number[] => [...new Set(calls.flatMap((x) => (x.scope?.only ? [...x.scope.only]
      : x.scope && x.scope.fromId === x.scope.toId ? [x.scope.fromId] : [NaN])))].sort((x, y) => x - y);
    await eventually(async () => (read().includes(a) && read().includes(c) ? true : undefined), 5_000, 'the reconciles recorded');

    assert.deepEqual(read(), [a, c].sort((x, y) => x - y), JSON.stringify(calls));
    assert.ok(calls.every((x) => x.targets === (x.scope?.only?.length ?? 1)), JSON.stringify(calls));
    assert.equal((await lagging(t, 'RC-B'))?.status, 'at_risk', 'RC-B still untouched by a target reconcile');
  });

  it('a run reconciles its chunks: each chunk its own targets, every target once (and the drift is repaired)', async () => {
    calls.length = 0;
    await evaluate(t, queue);
    assert.equal((await lagging(t, 'RC-B'))?.status, 'lagging');
    const [a, b, c] = CODES.map((code) => ids.get(code)!);
    assert.deepEqual(
      calls.map((x) => x).sort((x, y) => (x.scope?.fromId ?? 0) - (y.scope?.fromId ?? 0)),
      [{ scope: { fromId: a, toId: b }, targets: 2 }, { scope: { fromId: c, toId: c }, targets: 1 }],
    );
  });

  it('a burst of writes is re-evaluated in one pass: one evaluation per target, one reconcile for the batch', async () => {
    const { rows: [{ since }] } = await t.db.query(`SELECT clock_timestamp() AS since`);
    calls.length = 0;
    const res = await t.http().post('/api/v1/figures/batch')
      .send({ figures: CODES.map((target, i) => ({ target, period: Q1, value: String(400 + i), confirm: true })) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await eventually(async () => {
      const { rows: [w] } = await t.db.query(`SELECT count(*)::int AS n FROM reevaluation_requests`);
      return w.n === 0 && calls.length ? true : undefined;
    }, 15_000, 'the requests settled and reconciled');
    const { rows } = await t.db.query(
      `SELECT t.code, count(*)::int AS n FROM evaluations e JOIN targets t ON t.id = e.target_id
        WHERE e.run_id IS NULL AND e.evaluated_at > $1 GROUP BY t.code ORDER BY t.code`, [since]);
    assert.deepEqual(rows, CODES.map((code) => ({ code, n: 1 })));
    // the first job to run claimed all three requests (written together, so past the debounce together)
    assert.deepEqual(calls, [{ scope: { fromId: ids.get('RC-A')!, toId: ids.get('RC-C')!, only: CODES.map((c) => ids.get(c)!) }, targets: 3 }]);
  });
});
