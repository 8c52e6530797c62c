import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Actor } from '../../src/access/actor.js';
import { AUTH_CACHE_ENTRIES, AUTH_CHANNEL, AuthCache } from '../../src/auth/auth-cache.js';
import type { AppConfig } from '../../src/config/config.js';
import { eventually } from '../support/app.js';

// The cache's LISTEN connection talks to a real PostgreSQL; any database will do for LISTEN/NOTIFY.
const DATABASE_URL = `${(process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '')}/postgres`;
const config = (role: AppConfig['role']) => ({ role, databaseUrl: DATABASE_URL }) as AppConfig;
const ACTOR: Actor = { userId: 7, email: 'a@example.org', role: 'planner', departmentId: null, ip: '10.0.0.1', tokenId: 't1' };

describe('AuthCache', () => {
  const cache = new AuthCache(config('api'));
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  before(() => cache.onModuleInit());
  after(async () => {
    await cache.onApplicationShutdown();
    await admin.end();
  });

  it('keeps a checked credential and answers it with the request’s own address', () => {
    assert.equal(cache.active, true);
    cache.set('token:a', cache.current, ACTOR);
    assert.deepEqual(cache.get('token:a', '10.0.0.2'), { ...ACTOR, ip: '10.0.0.2' });
    assert.equal(cache.get('token:unknown', null), null);
  });

  it('never keeps what was checked before an invalidation, nor past the credential’s own expiry', () => {
    const generation = cache.current;
    cache.invalidate();
    cache.set('token:b', generation, ACTOR);
    assert.equal(cache.get('token:b', null), null);
    cache.set('token:c', cache.current, ACTOR, new Date(Date.now() - 1));
    assert.equal(cache.get('token:c', null), null);
  });

  it('stays bounded: the oldest entry goes first', () => {
    cache.invalidate();
    for (let i = 0; i <= AUTH_CACHE_ENTRIES; i++) cache.set(`token:${i}`, cache.current, ACTOR);
    assert.equal(cache.get('token:0', null), null);
    assert.ok(cache.get(`token:${AUTH_CACHE_ENTRIES}`, null));
  });

  it('drops everything when PostgreSQL notifies a change (another process revoked something)', async () => {
    cache.set('token:d', cache.current, ACTOR);
    await admin.query(`SELECT pg_notify($1, 'api_tokens')`, [AUTH_CHANNEL]);
    await eventually(async () => (cache.get('token:d', null) === null ? true : undefined), 2_000, 'the cache dropped');
  });

  it('is off while its LISTEN connection is lost, and back once it reconnects', async () => {
    cache.set('token:e', cache.current, ACTOR);
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
      [`target-monitor auth-listen ${process.pid}`],
    );
    assert.ok(rows.length >= 1);
    await eventually(async () => (cache.active ? undefined : true), 2_000, 'the cache off');
    // A notification sent now reaches nobody: nothing may be cached meanwhile.
    cache.set('token:f', cache.current, ACTOR);
    assert.equal(cache.get('token:e', null), null);
    assert.equal(cache.get('token:f', null), null);
    await eventually(async () => (cache.active ? true : undefined), 5_000, 'the cache listening again');
    cache.set('token:g', cache.current, ACTOR);
    assert.ok(cache.get('token:g', null));
    await admin.query(`SELECT pg_notify($1, 'users')`, [AUTH_CHANNEL]);
    await eventually(async () => (cache.get('token:g', null) === null ? true : undefined), 2_000, 'notifications heard again');
  });

  it('caches nothing in a worker (no HTTP) nor after shutdown', async () => {
    const worker = new AuthCache(config('worker'));
    await worker.onModuleInit();
    worker.set('token:h', worker.current, ACTOR);
    assert.equal(worker.get('token:h', null), null);
    await worker.onApplicationShutdown();
    const api = new AuthCache(config('api'));
    await api.onModuleInit();
    await api.onApplicationShutdown();
    api.set('token:i', api.current, ACTOR);
    assert.equal(api.get('token:i', null), null);
  });
});
