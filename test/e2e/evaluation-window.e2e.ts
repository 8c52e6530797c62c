/**
 * The store's window read (only the figures the rules need, src/evaluation/window.ts) against its full
 * read, in PostgreSQL: varied targets — level and flow, quarterly / monthly / yearly, with and without
 * baseline, seasonal, milestones, deadlines before and after the as-of moment, 'period' bases with gaps,
 * revisions recorded after the as-of moment, figures of a frequency the target no longer has — give
 * identical evaluations at several as-of moments. Then a run's chunk written with COPY: a retried or
 * doubled chunk adds nothing, every target has one evaluation per run, latest_evaluations follows the
 * newest as-of.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../src/config/config.js';
import { createDataSource } from '../../src/database/data-source.js';
import { periodOf, periodsPerYear, periodEndMillis, type Frequency } from '../../src/evaluation/periods.js';
import { SystemClock } from '../../src/common/clock.js';
import { EvaluationRun } from '../../src/evaluations/evaluation-run.entity.js';
import { EvaluationRunsService } from '../../src/evaluations/evaluation-runs.service.js';
import { ExplanationsStore } from '../../src/explanations/explanations.store.js';
import { EvaluationRunsStore } from '../../src/evaluations/evaluation-runs.store.js';
import { Transactions } from '../../src/database/transactions.js';
import { EvaluationStore, type WindowRow, windowFigures } from '../../src/evaluations/evaluation.store.js';
import { createTestDatabase } from '../support/database.js';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const TARGETS = 400;

/** mulberry32: the same varied data on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function seed(ds: DataSource): Promise<void> {
  const rnd = prng(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const [{ id: dept }] = await ds.query(`INSERT INTO departments (code, name) VALUES ('WIN-D', '窗口测试') RETURNING id`);
  const revisions: unknown[][] = [];
  const refrequency: [number, Frequency][] = [];
  for (let i = 1; i <= TARGETS; i++) {
    const frequency = pick<Frequency>(['quarterly', 'quarterly', 'monthly', 'yearly']);
    const n = periodsPerYear(frequency);
    const kind = pick(['level', 'flow'] as const);
    const baselineYear = int(2017, 2022);
    const targetYear = baselineYear + int(1, 6);
    const hasBaseline = rnd() < 0.7;
    await ds.query(
      `INSERT INTO targets (id, code, name, unit, kind, comparator, method, frequency, expectation, department_id,
                            baseline_period, baseline_value, target_period, target_value, grace_days)
       VALUES ($1, $2, $3, '家', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [i, `WIN-${i}`, `窗口指标 ${i}`, kind, pick(['>=', '>', '<=', '<']), pick(['linear', 'cagr']), frequency,
        rnd() < 0.4 ? 'seasonal' : 'time', dept, hasBaseline ? String(baselineYear) : null, hasBaseline ? int(-50, 1000) : null,
        periodOf(frequency, targetYear, int(1, n)), int(-50, 3000), pick([0, 20, 45])],
    );
    if (kind === 'flow' && rnd() < 0.4) {
      await ds.query(`INSERT INTO milestones (target_id, period, value) VALUES ($1, $2, $3)`, [i, String(int(baselineYear + 1, targetYear)), int(1, 3000)]);
    }
    const periodBasis = kind === 'flow' && rnd() < 0.5;
    const gaps = rnd() < 0.5 ? 0.3 : 0;
    for (let year = int(2016, 2019); year <= 2027; year++) {
      for (let k = 1; k <= n; k++) {
        if (rnd() < gaps) continue;
        const period = periodOf(frequency, year, k);
        const end = periodEndMillis(period, TZ);
        // 1–3 revisions, the first 0–400 days after the period ended (some only after the as-of moments)
        let at = end + int(0, 400) * DAY;
        for (let r = int(1, 3); r > 0; r--) {
          revisions.push([i, period, (int(-5000, 300000) / 100).toFixed(2), periodBasis && rnd() < 0.85 ? 'period' : 'ytd', new Date(at)]);
          at += int(1, 300) * DAY;
        }
      }
    }
    if (rnd() < 0.05) refrequency.push([i, frequency === 'monthly' ? 'quarterly' : 'monthly']);
  }
  for (let i = 0; i < revisions.length; i += 2000) {
    const batch = revisions.slice(i, i + 2000);
    await ds.query(
      `INSERT INTO figure_revisions (target_id, period, value, basis, status, recorded_at)
       SELECT t, p, v, b, 'final', r FROM unnest($1::int[], $2::text[], $3::numeric[], $4::text[], $5::timestamptz[]) AS x(t, p, v, b, r)`,
      [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2]), batch.map((r) => r[3]), batch.map((r) => r[4])],
    );
  }
  await ds.query(
    `INSERT INTO figures (target_id, period, value, basis, status, revision_id, recorded_at)
     SELECT DISTINCT ON (target_id, period) target_id, period, value, basis, status, id, recorded_at
       FROM figure_revisions ORDER BY target_id, period, recorded_at DESC, id DESC`,
  );
  // A target whose frequency changed after its figures were entered: those figures no longer count.
  for (const [id, frequency] of refrequency) await ds.query(`UPDATE targets SET frequency = $2 WHERE id = $1`, [id, frequency]);
  await ds.query('ANALYZE');
}

describe('the window read against the full read, in PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let store: EvaluationStore;
  const rowsBy = { window: 0, full: 0 };

  before(async () => {
    db = await createTestDatabase('evaluation_window');
    ds = createDataSource(db.url, [EvaluationRun]);
    await ds.initialize();
    await seed(ds);
    store = new EvaluationStore(ds);
    const query = ds.query.bind(ds);
    (ds as any).query = async (sql: string, params?: unknown[], runner?: any) => {
      const rows = await query(sql, params, runner);
      if (/FROM figures WHERE target_id = ANY/.test(sql)) rowsBy.full += rows.length;
      return rows;
    };
    // The window read returns one row a target: count the figures in it.
    const windowRead = (store as any).figuresInWindows.bind(store);
    (store as any).figuresInWindows = async (ids: number[], windows: unknown[], asOf: Date) => {
      const read: (WindowRow | undefined)[] = await windowRead(ids, windows, asOf);
      for (const row of read) rowsBy.window += windowFigures(row, asOf).revisions.length;
      return read;
    };
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  for (const at of ['2026-11-29T08:00:00Z', '2025-01-10T00:00:00Z', '2023-03-31T15:59:59Z', '2021-07-20T12:00:00Z', '2029-01-01T00:00:00Z']) {
    it(`gives identical evaluations as of ${at}`, async () => {
      const asOf = new Date(at);
      const before = { ...rowsBy };
      const full = await store.evaluate({ fromId: 1, toId: TARGETS }, asOf, TZ, true, 'full');
      const fullRows = rowsBy.full - before.full;
      const windowed = await store.evaluate({ fromId: 1, toId: TARGETS }, asOf, TZ, true, 'window');
      assert.equal(windowed.length, TARGETS);
      assert.deepEqual(windowed, full);
      const statuses = new Set(full.map((e) => e.result.status));
      assert.ok(statuses.size >= 3, [...statuses].join());
      // The window read returns fewer figures than the full one (a few targets may be re-read in full).
      const windowRows = rowsBy.window - before.window + (rowsBy.full - before.full - fullRows);
      if (fullRows > 1000) assert.ok(windowRows < fullRows * 0.8, `${windowRows} vs ${fullRows}`);
    });
  }

  it("evaluates one target (the API's and a figure change's path) the same way", async () => {
    const asOf = new Date('2024-08-01T00:00:00Z');
    for (const id of [1, 2, 3, 57, 211, 399]) {
      assert.deepEqual(
        await store.evaluate({ targetId: id }, asOf, TZ, true, 'window'),
        await store.evaluate({ targetId: id }, asOf, TZ, true, 'full'),
      );
    }
  });

  it("writes a run's chunk once, however often it is retried or doubled, and keeps latest_evaluations newest", async () => {
    const noQueue = { add: async () => ({}) } as unknown as Queue;
    const config = { scheduleTz: TZ, chunkSize: 150, jobBackoffMs: 10, explanationDueDays: 10 } as AppConfig;
    const runs = new EvaluationRunsService(new EvaluationRunsStore(ds.getRepository(EvaluationRun), ds), new Transactions(ds), noQueue, noQueue, config, store, null as never, new SystemClock(), new ExplanationsStore(ds));
    void APP_CONFIG;
    const newRun = async (asOf: string) => {
      const [{ id }] = await ds.query(
        `INSERT INTO evaluation_runs (trigger, state, as_of, chunks_total) VALUES ('manual', 'running', $1, 3) RETURNING id`, [asOf]);
      return id as string;
    };
    const chunks = [{ chunk: 0, fromId: 1, toId: 150 }, { chunk: 1, fromId: 151, toId: 300 }, { chunk: 2, fromId: 301, toId: TARGETS }];
    const newer = await newRun('2026-11-29T08:00:00Z');
    await runs.processChunk({ runId: newer, ...chunks[0]! });
    await runs.processChunk({ runId: newer, ...chunks[0]! }); // a retry after the commit
    await Promise.all([runs.processChunk({ runId: newer, ...chunks[1]! }), runs.processChunk({ runId: newer, ...chunks[1]! })]);
    await runs.processChunk({ runId: newer, ...chunks[2]! });
    const [counts] = await ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT target_id)::int AS targets FROM evaluations WHERE run_id = $1`, [newer]);
    assert.deepEqual(counts, { n: TARGETS, targets: TARGETS });
    const [run] = await ds.query(`SELECT state, chunks_done FROM evaluation_runs WHERE id = $1`, [newer]);
    assert.deepEqual(run, { state: 'completed', chunks_done: 3 });

    // The stored rows are the evaluations themselves (COPY's text format loses nothing).
    const expected = await store.evaluate({ fromId: 1, toId: TARGETS }, new Date('2026-11-29T08:00:00Z'), TZ);
    const stored = await ds.query(
      `SELECT target_id, status, early, pace, pace_method, completion, elapsed, expected, gap, lag, projected, year_target,
              latest_period, latest_value::float8, overdue, due_period, as_of FROM evaluations WHERE run_id = $1 ORDER BY target_id`, [newer]);
    assert.deepEqual(stored.map((r: any) => ({
      targetId: r.target_id,
      result: { status: r.status, early: r.early, pace: r.pace, paceMethod: r.pace_method, completion: r.completion, elapsed: r.elapsed,
        expected: r.expected, gap: r.gap, lag: r.lag, projected: r.projected, yearTarget: r.year_target, latestPeriod: r.latest_period,
        latestValue: r.latest_value, overdue: r.overdue, duePeriod: r.due_period, asOf: r.as_of },
    })), expected);

    // An older as-of run afterwards does not replace the latest; every target's latest is the newer run's.
    const older = await newRun('2025-01-10T00:00:00Z');
    for (const c of chunks) await runs.processChunk({ runId: older, ...c });
    const [latest] = await ds.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE e.run_id = $1)::int AS newer
         FROM latest_evaluations l JOIN evaluations e ON e.id = l.evaluation_id`, [newer]);
    assert.deepEqual(latest, { n: TARGETS, newer: TARGETS });
    const [{ n: olderRows }] = await ds.query(`SELECT count(*)::int AS n FROM evaluations WHERE run_id = $1`, [older]);
    assert.equal(olderRows, TARGETS);

    // The set-based check that replaced the per-row foreign key to targets (migration EvaluationAtScale).
    await assert.rejects(ds.query(`INSERT INTO evaluations (run_id, target_id, as_of, status) VALUES (NULL, 999999, now(), 'no_data')`),
      /target that does not exist/);
    await ds.query(`INSERT INTO targets (id, code, name, unit, kind, comparator, department_id, target_period, target_value)
                    SELECT 9999, 'WIN-EVALUATED', '只有评估', '家', 'level', '>=', department_id, '2026', 1 FROM targets WHERE id = 1`);
    await ds.query(`INSERT INTO evaluations (run_id, target_id, as_of, status) VALUES (NULL, 9999, now(), 'no_data')`);
    await assert.rejects(ds.query(`DELETE FROM targets WHERE id = 9999`), /cannot be deleted/);
    await assert.rejects(ds.query(`UPDATE targets SET id = 10000 WHERE id = 9999`), /cannot be deleted or renumbered/);

    // The set-based checks that replaced the per-row keys of evaluations.run_id and latest_evaluations
    // (migration EvaluationWriteChecks), and their cascades.
    await assert.rejects(
      ds.query(`INSERT INTO evaluations (run_id, target_id, as_of, status) VALUES ('00000000-0000-4000-8000-000000000000', 1, now(), 'no_data')`),
      /run that does not exist/);
    // Both checks are one trigger per event since migration EvaluationRefsCheck: several runs and targets
    // in one statement, one of them missing, on INSERT and on UPDATE; all present is accepted.
    const spare = await newRun('2026-11-29T08:00:00Z');
    await assert.rejects(ds.query(
      `INSERT INTO evaluations (run_id, target_id, as_of, status)
       VALUES ($1, 1, now(), 'no_data'), ('00000000-0000-4000-8000-000000000000', 2, now(), 'no_data'), (NULL, 3, now(), 'no_data')`, [spare]),
    /run that does not exist/);
    await assert.rejects(ds.query(
      `INSERT INTO evaluations (run_id, target_id, as_of, status) VALUES ($1, 1, now(), 'no_data'), ($1, 999999, now(), 'no_data')`, [spare]),
    /target that does not exist/);
    await assert.rejects(ds.query(`UPDATE evaluations SET run_id = '00000000-0000-4000-8000-000000000000' WHERE target_id = 9999 AND run_id IS NULL`),
      /run that does not exist/);
    await assert.rejects(ds.query(`UPDATE evaluations SET target_id = 999999 WHERE target_id = 9999 AND run_id IS NULL`),
      /target that does not exist/);
    await ds.query(
      `INSERT INTO evaluations (run_id, target_id, as_of, status) VALUES ($1, 1, now(), 'no_data'), ($2, 9999, now(), 'no_data'), (NULL, 2, now(), 'no_data')`,
      [spare, older]);
    await ds.query(`UPDATE evaluations SET run_id = $1 WHERE target_id = 2 AND run_id IS NULL`, [spare]);
    const [{ n: spareRows }] = await ds.query(`SELECT count(*)::int AS n FROM evaluations WHERE run_id = $1`, [spare]);
    assert.equal(spareRows, 2);
    await ds.query(`DELETE FROM evaluation_runs WHERE id = $1`, [spare]);
    await ds.query(`DELETE FROM evaluations WHERE run_id = $1 AND target_id = 9999`, [older]);
    const [{ id: other }] = await ds.query(`SELECT id FROM evaluations WHERE run_id = $1 AND target_id = 2`, [newer]);
    await assert.rejects(ds.query(`UPDATE latest_evaluations SET evaluation_id = $1 WHERE target_id = 1`, [other]), /existing evaluation of its target/);
    await assert.rejects(ds.query(`UPDATE latest_evaluations SET evaluation_id = -1 WHERE target_id = 1`), /existing evaluation of its target/);
    await assert.rejects(ds.query(`UPDATE evaluations SET target_id = 9999 WHERE id = $1`, [other]), /cannot change its id or target/);
    const lone = await newRun('2026-11-29T08:00:00Z');
    await ds.query(`INSERT INTO evaluations (run_id, target_id, as_of, status) VALUES ($1, 9999, now(), 'no_data')`, [lone]);
    await assert.rejects(ds.query(`UPDATE evaluation_runs SET id = gen_random_uuid() WHERE id = $1`, [lone]), /cannot be renumbered/);
    await ds.query(`DELETE FROM evaluations WHERE id = $1`, [other]);
    assert.deepEqual(await ds.query(`SELECT target_id FROM latest_evaluations WHERE target_id = 2`), []);
    await ds.query(`DELETE FROM evaluation_runs WHERE id = $1`, [newer]);
    const [gone] = await ds.query(
      `SELECT (SELECT count(*)::int FROM evaluations WHERE run_id = $1) AS evaluations, (SELECT count(*)::int FROM latest_evaluations) AS latest`, [newer]);
    assert.deepEqual(gone, { evaluations: 0, latest: 0 });
  });
});
