import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { flushPrefix, startApp, testEnv, type TestApp } from '../support/app.js';
import { asUser, databaseUrl, dropRole } from '../support/database.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { runCommand } from '../support/process.js';
import { evaluate } from '../support/runs.js';

const ROLE = `tm_app_roles_${process.pid}`;

describe('DATABASE_MIGRATION_URL', () => {
  it('defaults to DATABASE_URL; set, it names the same database (the host may differ: a pooler)', () => {
    const app = 'postgres://tm_app:secret@pgbouncer:6432/target_monitor';
    assert.equal(loadConfig({ DATABASE_URL: app }).migrationUrl, app);
    const owner = 'postgres://tm_owner:secret@db:5432/target_monitor';
    assert.equal(loadConfig({ DATABASE_URL: app, DATABASE_MIGRATION_URL: owner }).migrationUrl, owner);
    assert.throws(() => loadConfig({ DATABASE_URL: app, DATABASE_MIGRATION_URL: 'postgres://tm_owner:secret@db/other' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, ['DATABASE_MIGRATION_URL=(hidden): must name the same database as DATABASE_URL ("target_monitor")']);
      return true;
    });
  });
});

/** A statement's error code (42501: insufficient privilege, which "must be owner" also is), or 'ok'. */
async function outcome(client: pg.Client, sql: string): Promise<string> {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  } finally {
    await client.query('ROLLBACK');
  }
}

describe('the app connects as a least-privilege role; migrations run as the owner', () => {
  let t: TestApp;
  let app: pg.Client; // the app's own connection (DATABASE_URL)

  before(async () => {
    t = await startApp('roles', { LOG_LEVEL: 'error' }, { appRole: ROLE });
    app = new pg.Client({ connectionString: t.config.databaseUrl });
    await app.connect();
  });
  after(async () => {
    await app.end();
    await t.close();
  });

  it('connects as its own role, neither superuser nor owner of the tables', async () => {
    const { rows: [r] } = await app.query(
      `SELECT current_user AS role, rolsuper, pg_get_userbyid(relowner) AS owner
         FROM pg_roles, pg_class c WHERE rolname = current_user AND c.oid = 'audit_log'::regclass`);
    assert.deepEqual(r, { role: ROLE, rolsuper: false, owner: 'postgres' });
  });

  it('cannot disable audit_log\'s triggers, nor UPDATE, DELETE or TRUNCATE it', async () => {
    await t.http().post('/api/v1/departments').send({ code: 'AUDITED', name: '审计测试', emails: [] }).expect(201);
    // the attack of issue 15: in one transaction, disable the append-only triggers, then rewrite the trail
    await app.query('BEGIN');
    await assert.rejects(app.query('ALTER TABLE audit_log DISABLE TRIGGER ALL'), { code: '42501', message: /must be owner/ });
    await app.query('ROLLBACK');
    assert.equal(await outcome(app, `UPDATE audit_log SET reason = 'x'`), '42501');
    assert.equal(await outcome(app, 'DELETE FROM audit_log'), '42501');
    assert.equal(await outcome(app, 'TRUNCATE audit_log'), '42501');
    assert.equal(await outcome(app, 'ALTER TABLE audit_log DISABLE TRIGGER USER'), '42501');
    assert.equal(await outcome(app, 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only'), '42501');
    assert.equal(await outcome(app, 'DROP TABLE audit_log CASCADE'), '42501');
    const { rows: [{ n }] } = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = 'AUDITED'`);
    assert.equal(n, 1);
  });

  it('cannot change figure_revisions either', async () => {
    await createDepartment(t);
    await createTarget(t);
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260 }).expect(200);
    assert.equal(await outcome(app, 'ALTER TABLE figure_revisions DISABLE TRIGGER ALL'), '42501');
    assert.equal(await outcome(app, 'UPDATE figure_revisions SET value = 1'), '42501');
    assert.equal(await outcome(app, 'DELETE FROM figure_revisions'), '42501');
    assert.equal(await outcome(app, 'TRUNCATE figure_revisions'), '42501');
    assert.equal(await outcome(app, 'INSERT INTO migrations (timestamp, name) VALUES (1, \'x\')'), '42501');
    assert.equal(await outcome(app, 'CREATE TABLE public.scratch (x int)'), '42501');
    const { rows } = await t.db.query('SELECT value::text FROM figure_revisions');
    assert.deepEqual(rows, [{ value: '260' }]);
  });

  it('still does its work as that role: login, targets, figures (one, a batch, a correction), a run', async () => {
    const token = await t.login('admin@example.org', 'Yubei-plan-office-2025');
    await t.as(token).get('/api/v1/targets/DT-ENTERPRISES').expect(200);
    await t.as(token).put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 262, reason: '更正' }).expect(200);
    // the batch stages rows in a temporary table of the transaction (TEMPORARY privilege)
    const figures = Array.from({ length: 3 }, (_, i) => ({ target: 'DT-ENTERPRISES', period: `2025Q${i + 1}`, value: 270 + i }));
    await t.as(token).post('/api/v1/figures/batch').send({ figures }).expect(200);
    await t.as(token).patch('/api/v1/departments/ECON-INFO').send({ name: '区经济和信息化委员会' }).expect(200);
    await evaluate(t, t.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE)));
    const { rows: [r] } = await t.db.query(
      `SELECT (SELECT count(*) FROM figure_revisions)::int AS revisions,
              (SELECT count(*) FROM evaluation_runs WHERE state = 'completed')::int AS runs`);
    assert.deepEqual(r, { revisions: 5, runs: 1 });
  });
});

describe('production start warns when the app connects as the owner', () => {
  class Lines extends Writable {
    readonly lines: string[] = [];
    override _write(chunk: Buffer, _: string, done: () => void): void {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    }
  }
  const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', APP_ROLE: 'api', METRICS_TOKEN: 'm'.repeat(20) };
  let t: TestApp;
  before(async () => {
    t = await startApp('roles_prod');
  });
  after(() => t.close());

  async function warnings(databaseUrl: string, env: Record<string, string>): Promise<string[]> {
    const out = new Lines();
    const prefix = `${t.config.queuePrefix}:prod`;
    const app = await createApp(loadConfig(testEnv(databaseUrl, prefix, { ...PRODUCTION, ...env })), { logDestination: out });
    await app.close();
    await flushPrefix(prefix);
    return out.lines.map((l) => JSON.parse(l) as { msg: string }).map((e) => e.msg).filter((m) => /append-only/.test(m));
  }

  it('npm run db:roles: creates and grants the app\'s role and checks it (exit 0); with one superuser URL, exit 1', async () => {
    const role = `tm_app_cli_${process.pid}`;
    const name = t.config.databaseUrl.split('/').pop()!;
    try {
      const split = await runCommand(['src/database/cli.ts', 'roles'], { DATABASE_URL: asUser(t.config.databaseUrl, role), DATABASE_MIGRATION_URL: databaseUrl(name) });
      assert.equal(split.code, 0, split.output);
      assert.match(split.output, new RegExp(`ok: DATABASE_URL's role cannot change or delete audit rows`));
      const { rows } = await t.db.query(
        `SELECT t, has_table_privilege($1, t, 'INSERT') AS ins, has_table_privilege($1, t, 'UPDATE') AS upd,
                has_table_privilege($1, t, 'DELETE') AS del, has_table_privilege($1, t, 'TRUNCATE') AS trunc
           FROM unnest(ARRAY['audit_log', 'figure_revisions', 'targets', 'migrations']) AS t`, [role]);
      assert.deepEqual(rows, [
        { t: 'audit_log', ins: true, upd: false, del: false, trunc: false },
        { t: 'figure_revisions', ins: true, upd: false, del: false, trunc: false },
        { t: 'targets', ins: true, upd: true, del: true, trunc: false },
        { t: 'migrations', ins: false, upd: false, del: false, trunc: false },
      ]);
      const single = await runCommand(['src/database/cli.ts', 'roles'], { DATABASE_URL: t.config.databaseUrl });
      assert.equal(single.code, 1, single.output);
      assert.match(single.output, /WARNING: the app connects to PostgreSQL as the superuser "postgres"/);
    } finally {
      await t.db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role};
        REVOKE ALL ON SCHEMA public FROM ${role}; REVOKE ALL ON DATABASE ${name} FROM ${role}`);
      await dropRole(role);
    }
  });

  it('as the superuser (one URL): a warning naming DATABASE_MIGRATION_URL; as a least-privilege role: none', async () => {
    const superuser = await warnings(t.config.databaseUrl, {});
    assert.equal(superuser.length, 1);
    assert.match(superuser[0], /superuser "postgres".*DATABASE_MIGRATION_URL/);
    const role = `tm_app_prod_${process.pid}`;
    try {
      assert.deepEqual(await warnings(asUser(t.config.databaseUrl, role), { DATABASE_MIGRATION_URL: t.config.databaseUrl }), []);
    } finally {
      await t.db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role};
        REVOKE ALL ON SCHEMA public FROM ${role}; REVOKE ALL ON DATABASE ${t.config.databaseUrl.split('/').pop()} FROM ${role}`);
      await dropRole(role);
    }
  });
});
