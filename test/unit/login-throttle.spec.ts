import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACCOUNT_DELAY_CAP_MS, ACCOUNT_FREE_ATTEMPTS, accountSpacingMs, type Counter, KeyedGate, keyList, loginKeys, MAX_FAILURES,
  reserve,
} from '../../src/auth/login-throttle.js';

const NOW = new Date('2026-12-05T10:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const counter = (key: string, failures: number, extra: Partial<Counter> = {}): Counter =>
  ({ key, failures, windowStartedAt: at(-60_000), lockedUntil: null, nextCheckAt: null, ...extra });
const keys = loginKeys('a@example.org', '10.0.0.1');
const fresh = () => keyList(keys).map((k) => counter(k, 0));

describe('login throttle', () => {
  it('keys an attempt by account, address and (address, account), in one order', () => {
    assert.deepEqual(keyList(keys), ['email:a@example.org', 'ip:10.0.0.1', 'pair:10.0.0.1 a@example.org']);
    assert.deepEqual(keyList(loginKeys('a@example.org', null)), ['email:a@example.org']);
  });

  it('counts every attempt before its check, and refuses the one past MAX_FAILURES though none has failed yet', () => {
    let counters = fresh();
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      const r = reserve(counters, NOW);
      assert.ok('counters' in r);
      counters = r.counters;
    }
    assert.deepEqual(counters.map((c) => c.failures), [5, 5, 5]);
    const refused = reserve(counters, NOW);
    assert.ok('refused' in refused && refused.refused.reason === 'locked' && refused.refused.seconds > 0);
  });

  it('refuses while an address is locked, and starts afresh once the lock or the window has ended', () => {
    const lockedAddress = fresh().map((c) => (c.key.startsWith('ip:') ? { ...c, lockedUntil: at(90_000) } : c));
    assert.deepEqual(reserve(lockedAddress, NOW), { refused: { reason: 'locked', seconds: 90 } });
    const ended = fresh().map((c) => ({ ...c, failures: 5, lockedUntil: c.key.startsWith('email:') ? null : at(-1) }));
    const r = reserve(ended, NOW);
    assert.ok('counters' in r);
    assert.deepEqual(r.counters.map((c) => c.failures), [6, 1, 1]);
    const old = fresh().map((c) => ({ ...c, failures: 4, windowStartedAt: at(-16 * 60_000) }));
    const r2 = reserve(old, NOW);
    assert.ok('counters' in r2);
    assert.deepEqual(r2.counters.map((c) => c.failures), [1, 1, 1]);
  });

  it('never locks an account, only spaces its checks out: doubling, up to the cap', () => {
    assert.equal(accountSpacingMs(ACCOUNT_FREE_ATTEMPTS), 0);
    const spacing = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => accountSpacingMs(ACCOUNT_FREE_ATTEMPTS + n));
    assert.deepEqual(spacing, [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.equal(accountSpacingMs(10_000), ACCOUNT_DELAY_CAP_MS);
    const account = counter('email:a@example.org', 1000, { lockedUntil: at(600_000) });
    const r = reserve([account], NOW);
    assert.ok('counters' in r, 'a lock stored on an account is ignored');
    assert.equal(r.waitMs, 0);
    assert.deepEqual(r.counters[0].nextCheckAt, at(ACCOUNT_DELAY_CAP_MS));
  });

  it('makes an attempt wait for the account’s turn, and refuses one whose turn is beyond the cap', () => {
    const waiting = reserve([counter('email:a@example.org', 12, { nextCheckAt: at(3000) })], NOW);
    assert.ok('counters' in waiting);
    assert.equal(waiting.waitMs, 3000);
    assert.deepEqual(waiting.counters[0].nextCheckAt, at(3000 + accountSpacingMs(13)));
    assert.deepEqual(reserve([counter('email:a@example.org', 30, { nextCheckAt: at(12_500) })], NOW),
      { refused: { reason: 'busy', seconds: 13 } });
  });

  it('does not make a known address wait for the account’s turn, nor move the turn', () => {
    const account = counter('email:a@example.org', 30, { nextCheckAt: at(12_500) });
    const r = reserve([account], NOW, true);
    assert.ok('counters' in r);
    assert.equal(r.waitMs, 0);
    assert.deepEqual(r.counters[0], { ...account, failures: 31 });
    const lockedAddress = keyList(keys).map((k) => counter(k, 5, { lockedUntil: k.startsWith('email:') ? null : at(60_000) }));
    assert.deepEqual(reserve(lockedAddress, NOW, true), { refused: { reason: 'locked', seconds: 60 } }, 'address locks still hold');
  });

  it('lets at most `limit` through a gate per key, queues the next ones in order, refuses past the queue', async () => {
    const gate = new KeyedGate(2, 1);
    const a = await gate.enter('k');
    const b = await gate.enter('k');
    assert.ok(a && b);
    const other = await gate.enter('other');
    assert.ok(other, 'other keys are not held up');
    let third: (() => void) | null = null;
    const queued = gate.enter('k').then((leave) => (third = leave));
    assert.equal(await gate.enter('k'), null, 'past the queue');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third, null, 'still waiting');
    a();
    a(); // leaving twice frees one place only
    await queued;
    assert.ok(third);
    const fourth = gate.enter('k'); // waits: b and the third hold both places
    assert.equal(await gate.enter('k'), null, 'the queue is full again, so the double leave freed one place');
    b!();
    assert.ok(await fourth);
  });
});
