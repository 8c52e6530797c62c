// Schema-driven fuzzing (issue 14): requests for every operation of the published OpenAPI document, drawn
// from its parameter and body schemas and half of them broken (test/support/spec-fuzz.ts), each between two
// fingerprints of the database. A fixed seed, so CI sees the same requests every run (FUZZ_SPEC_SEED to vary).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../support/app.js';
import { QUIET_SCHEDULES, runFuzz, setUp } from '../support/fuzz.js';
import { specRequests } from '../support/spec-fuzz.js';

const COUNT = Number(process.env.FUZZ_SPEC_COUNT ?? 2000);
const SEED = Number(process.env.FUZZ_SPEC_SEED ?? 20261205);

describe(`API fuzz from the OpenAPI document: ${COUNT} requests (seed ${SEED})`, () => {
  let t: TestApp;
  before(async () => {
    t = await startApp('fuzz-spec', QUIET_SCHEDULES);
    await setUp(t);
  });
  after(() => t?.close());

  it('answers every request without a 5xx, every 4xx as problem+json, and a rejected request writes nothing', async () => {
    const document = (await t.http().get('/api/docs-json').expect(200)).body;
    const requests = await specRequests(document, COUNT, SEED);
    const report = await runFuzz(t, requests);
    assert.equal(report.sent, COUNT);
    assert.deepEqual(report.serverErrors, [], `seed ${SEED}: 5xx answers`);
    assert.deepEqual(report.notProblems, [], `seed ${SEED}: 4xx answers that are not problem+json`);
    assert.deepEqual(report.writesOnReject, [], `seed ${SEED}: rejected requests that changed the database`);
    // every operation was reached, and the drawn requests get past validation as often as they fail it
    const operations = new Set(requests.map((r) => r.label.split(':')[0]));
    assert.ok(operations.size >= 45, `${operations.size} operations`);
    const ok = Object.entries(report.byStatus).filter(([s]) => Number(s) < 300).reduce((n, [, c]) => n + c, 0);
    assert.ok(ok > COUNT / 5, JSON.stringify(report.byStatus));
  });
});
