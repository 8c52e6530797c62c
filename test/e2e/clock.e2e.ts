import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixedClock } from '../../src/common/clock.js';
import { startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';

/**
 * Business time comes from the injected Clock (src/common/clock.ts), not from each service's own
 * `new Date()`: an app given a fixed clock evaluates, runs and decides which period's figure is due at that moment.
 */
describe('the injected clock is the app’s business time', () => {
  // later than any day this test runs on, so every figure written (recorded at the real time) is known by then
  const clock = new FixedClock(new Date('2040-01-10T02:00:00Z'));
  let t: TestApp;
  before(async () => {
    t = await startApp('clock', {}, { clock });
    await createDepartment(t);
    await createTarget(t, { target: { period: '2045', value: 350 } });
  });
  after(() => t.close());

  it('evaluates a target as the clock reads: its as-of moment and the period whose figure is due move with the clock', async () => {
    const early = (await t.http().get('/api/v1/targets/DT-ENTERPRISES/evaluation').expect(200)).body;
    assert.equal(early.asOf, '2040-01-10T02:00:00.000Z');
    assert.match(early.duePeriod, /^2039Q[1-4]$/);
    assert.equal(early.overdue, true);

    clock.set(new Date('2040-08-15T02:00:00Z'));
    const late = (await t.http().get('/api/v1/targets/DT-ENTERPRISES/evaluation').expect(200)).body;
    assert.equal(late.asOf, '2040-08-15T02:00:00.000Z');
    assert.match(late.duePeriod, /^2040Q[12]$/);
  });

  it('starts an evaluation run as of the clock when no asOf is given', async () => {
    clock.set(new Date('2040-09-30T16:00:00Z'));
    const accepted = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
    const run = (await t.http().get(accepted.headers.location.replace(/^.*\/api\/v1/, '/api/v1')).expect(200)).body;
    assert.equal(run.asOf, '2040-09-30T16:00:00.000Z');
  });
});
