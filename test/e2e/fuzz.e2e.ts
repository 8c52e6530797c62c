// API fuzzing, CI-sized (`npm run fuzz` sends 10 000): ~300 random and mutated requests to the write
// routes (test/support/fuzz.ts), each between two fingerprints of the database: no 5xx, and no rejected
// request (4xx) changes any table or the queues. A fixed seed, so CI sees the same requests every run
// (FUZZ_SEED to vary; `npm run fuzz` draws a new seed each time and prints it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../support/app.js';
import { fingerprintQuery, fuzzRequests, QUIET_SCHEDULES, runFuzz, setUp } from '../support/fuzz.js';

const COUNT = 300;
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

describe(`API fuzz: ${COUNT} random and mutated write requests (seed ${SEED})`, () => {
  let t: TestApp;
  before(async () => {
    t = await startApp('fuzz', QUIET_SCHEDULES);
    await setUp(t);
  });
  after(() => t?.close());

  it('answers every request without a 5xx, and a rejected request writes nothing', async () => {
    const requests = fuzzRequests(COUNT, SEED);
    const report = await runFuzz(t, requests);
    assert.equal(report.sent, COUNT);
    assert.deepEqual(report.serverErrors, [], `seed ${SEED}: 5xx answers`);
    assert.deepEqual(report.writesOnReject, [], `seed ${SEED}: rejected requests that changed the database`);
    // The mutations reach past validation: some requests are accepted, most rejected for their content.
    const count = (from: number, to: number) => Object.entries(report.byStatus).filter(([s]) => Number(s) >= from && Number(s) < to)
      .reduce((sum, [, n]) => sum + n, 0);
    assert.ok(count(200, 300) > 0, `some accepted: ${JSON.stringify(report.byStatus)}`);
    assert.ok(report.byStatus[422] > COUNT / 3, `mostly 422: ${JSON.stringify(report.byStatus)}`);
  });

  it('fingerprints every table of the schema', async () => {
    const { rows } = await t.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    const state = (await t.db.query(await fingerprintQuery(t.db))).rows[0].state as Record<string, unknown>;
    const missing = rows.map((r: { tablename: string }) => r.tablename).filter((name: string) => !(name in state));
    assert.deepEqual(missing, []);
    assert.ok(rows.length >= 26, `${rows.length} tables`);
  });
});
