import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ADMIN, eventually, flushPrefix, testEnv } from '../support/app.js';
import { PrivatePostgres } from '../support/postgres-server.js';
import { spawnMain, type Spawned, waitForOutput } from '../support/process.js';
import { freePort } from '../support/redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RETRY_MS = 1000;

/**
 * A real streaming replica, made on this machine: a private primary, pg_basebackup -R to a second
 * cluster on another port. Pausing the replica's WAL replay makes it visibly behind, so a read shows
 * where it was served.
 */
describe('reads from a replica (issue 18): DATABASE_REPLICA_URLS', () => {
  let primary: PrivatePostgres;
  let replica: PrivatePostgres;
  let onReplica: pg.Pool;
  let app: Spawned;
  let base = '';
  let token = '';
  const prefix = `tmtest:replicas_${process.pid}`;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const listed = async (): Promise<string[]> => {
    const res = await call('GET', '/targets?pageSize=100');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items.map((t: { code: string }) => t.code);
  };
  const createTarget = async (code: string) => {
    const res = await call('POST', '/targets', {
      code, name: `副本测试 ${code}`, unit: '家', kind: 'level', comparator: '>=', department: 'REPL',
      baseline: { period: '2023', value: 10 }, target: { period: '2025', value: 20 },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  const replay = (what: 'pause' | 'resume') => onReplica.query(`SELECT pg_wal_replay_${what}()`);

  before(async () => {
    primary = new PrivatePostgres(await freePort());
    primary.init();
    const admin = new pg.Client({ connectionString: primary.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE target_monitor');
    await admin.end();
    replica = primary.replica(await freePort());
    onReplica = new pg.Pool({ connectionString: replica.url(), max: 1 });

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = spawnMain(testEnv(primary.url(), prefix, {
      APP_ROLE: 'all', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'log',
      DATABASE_REPLICA_URLS: replica.url(), DATABASE_REPLICA_RETRY_MS: String(RETRY_MS),
    }));
    await waitForOutput(app, 'target-monitor (all)', 90_000);
    token = (await call('POST', '/auth/login', ADMIN)).body.accessToken;
    assert.equal((await call('POST', '/departments', { code: 'REPL', name: '副本测试部门', emails: ['repl@example.org'] })).status, 201);
    await createTarget('REPL-1');
    await eventually(async () => ((await listed()).includes('REPL-1') ? true : undefined), 10_000, 'REPL-1 on the replica');
  });

  after(async () => {
    await app?.stop();
    await onReplica?.end().catch(() => undefined);
    replica?.remove();
    primary?.remove();
    await flushPrefix(prefix);
  });

  it('serves lists from the replica and writes, and the reads that follow them, from the primary', async () => {
    await replay('pause');
    try {
      await createTarget('REPL-2');
      // the write went to the primary, and so does the read of the one target it made…
      assert.equal((await call('GET', '/targets/REPL-2')).status, 200);
      // …while the list comes from the replica, whose replay is paused before REPL-2
      await sleep(300);
      assert.deepEqual((await listed()).filter((c) => c.startsWith('REPL-')).sort(), ['REPL-1']);
    } finally {
      await replay('resume');
    }
    await eventually(async () => ((await listed()).includes('REPL-2') ? true : undefined), 10_000, 'REPL-2 on the replica');
  });

  it('leaves a replica out while it does not answer, and takes it back', async () => {
    await onReplica.end();
    replica.stop('fast');
    try {
      await createTarget('REPL-3');
      // the replica is down: the list is read from the primary, without an error
      const codes = await listed();
      assert.ok(codes.includes('REPL-3'), codes.join(','));
      assert.equal((await call('GET', '/targets?pageSize=100')).status, 200);
    } finally {
      replica.start();
      onReplica = new pg.Pool({ connectionString: replica.url(), max: 1 });
    }
    await sleep(RETRY_MS + 200);
    await eventually(async () => ((await listed()).includes('REPL-3') ? true : undefined), 10_000, 'the replica caught up');
    // back in the rotation: paused again, it is where the list comes from
    await replay('pause');
    try {
      await createTarget('REPL-4');
      await sleep(300);
      assert.ok(!(await listed()).includes('REPL-4'), 'the list is read from the replica again');
    } finally {
      await replay('resume');
    }
    assert.match(app.output(), /只读副本 1 无响应/);
    assert.match(app.output(), /只读副本 1 已恢复/);
  });
});
