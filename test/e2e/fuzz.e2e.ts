// API fuzzing, CI-sized (`npm run fuzz` sends 10 000): ~300 random and mutated requests to the write
// routes (test/support/fuzz.ts), each between two fingerprints of the database: no 5xx, and no rejected
// request (4xx) changes anything. A fixed seed per run of the suite would hide nothing new, so the seed
// changes; a failure prints it (`npm run fuzz -- --seed S` replays the 10 000 of that seed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../support/app.js';
import { fuzzRequests, runFuzz, setUp } from '../support/fuzz.js';

const COUNT = 300;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

describe(`API fuzz: ${COUNT} random and mutated write requests (seed ${SEED})`, () => {
  let t: TestApp;
  before(async () => {
    t = await startApp('fuzz');
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
});
