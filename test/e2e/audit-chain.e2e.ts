import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AuditChain1765550000000 } from '../../migrations/1765550000000-AuditChain.js';
import { verifyAuditChain } from '../../src/database/audit-chain.js';
import { createDataSource } from '../../src/database/data-source.js';
import { startApp, type TestApp } from '../support/app.js';
import { runCommand } from '../support/process.js';

describe('audit_log\'s hash chain (npm run audit:verify)', () => {
  let t: TestApp;
  before(async () => {
    // the app as a least-privilege role, as in production: its rows are chained by the owner's trigger
    t = await startApp('audit_chain', {}, { appRole: `tm_app_chain_${process.pid}` });
  });
  after(() => t.close());

  it('gives the app\'s role no access to the chain', async () => {
    const app = new pg.Client({ connectionString: t.config.databaseUrl });
    await app.connect();
    try {
      for (const sql of ['SELECT * FROM audit_chain', 'DELETE FROM audit_chain', `UPDATE audit_chain SET hash = '\\x00'`]) {
        await assert.rejects(app.query(sql), { code: '42501' }, sql);
      }
    } finally {
      await app.end();
    }
  });

  it('chains every audit row, also when written concurrently', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      t.http().post('/api/v1/departments').send({ code: `PAR-${i}`, name: `并发${i}`, emails: [] }).expect(201)));
    const client = new pg.Client({ connectionString: t.config.migrationUrl });
    await client.connect();
    try {
      const report = await verifyAuditChain(client);
      const { rows: [{ n }] } = await t.db.query('SELECT count(*)::int AS n FROM audit_log');
      assert.equal(report.broken, null);
      assert.equal(report.rows, n);
      assert.ok(n >= 21, String(n));
    } finally {
      await client.end();
    }
  });

  it('migrates down and up again: the rows already written are chained in id order', async () => {
    const dataSource = createDataSource(t.config.migrationUrl);
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    const before = (await t.db.query(`SELECT encode(hash, 'hex') AS hash FROM audit_chain ORDER BY seq`)).rows;
    try {
      const migration = new AuditChain1765550000000();
      await migration.down(runner);
      const { rows: [gone] } = await t.db.query(`SELECT to_regclass('audit_chain') AS chain,
        (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'audit_log_chain') AS triggers`);
      assert.deepEqual(gone, { chain: null, triggers: 0 });
      await migration.up(runner);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
    // the links were written in commit order, the rebuilt ones in id order: same rows, same verification
    const after = (await t.db.query(`SELECT encode(hash, 'hex') AS hash FROM audit_chain ORDER BY seq`)).rows;
    assert.equal(after.length, before.length);
    const owner = new pg.Client({ connectionString: t.config.migrationUrl });
    await owner.connect();
    try {
      assert.equal((await verifyAuditChain(owner)).broken, null);
    } finally {
      await owner.end();
    }
    await t.http().post('/api/v1/departments').send({ code: 'AFTER-UP', name: '重建后', emails: [] }).expect(201);
  });

  it('detects a superuser\'s change of a row, naming it (npm run audit:verify), and a rewritten chain against a noted head', async () => {
    const { rows: [{ id }] } = await t.db.query(`SELECT id::int FROM audit_log WHERE entity_id = 'PAR-7' AND action = 'department.create'`);
    const owner = new pg.Client({ connectionString: t.config.migrationUrl });
    await owner.connect();
    try {
      const { head } = await verifyAuditChain(owner);
      assert.ok(head);

      const superuser = await t.db.connect();
      try {
        await superuser.query('BEGIN');
        await superuser.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
        await superuser.query(`UPDATE audit_log SET after = '{"code":"PAR-7","name":"改过"}' WHERE id = $1`, [id]);
        await superuser.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
        await superuser.query('COMMIT');
      } finally {
        superuser.release();
      }
      const changed = await runCommand(['src/database/cli.ts', 'audit-verify'], { DATABASE_URL: t.config.migrationUrl });
      assert.equal(changed.code, 1, changed.output);
      assert.match(changed.output, new RegExp(`audit row ${id} was changed after it was written.*audit_log id ${id}\\b`));

      // what a careful superuser would do next: recompute the chain from that row on. It verifies on its own,
      // but no longer holds the head noted before.
      await t.db.query(`
        DO $$ DECLARE l record; h bytea := NULL; BEGIN
          FOR l IN SELECT c.seq, a FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id ORDER BY c.seq LOOP
            h := coalesce(h, (SELECT prev_hash FROM audit_chain WHERE seq = l.seq));
            UPDATE audit_chain SET prev_hash = h, hash = tm_audit_hash(h, l.a) WHERE seq = l.seq;
            h := tm_audit_hash(h, l.a);
          END LOOP; END $$`);
      assert.equal((await verifyAuditChain(owner)).broken, null);
      const rewritten = await verifyAuditChain(owner, head);
      assert.equal(rewritten.broken?.seq, head.seq);
      assert.match(rewritten.broken.problem, /the chain was rewritten/);
    } finally {
      await owner.end();
    }
  });

  it('detects a row written with the chain trigger disabled, and a deleted row', async () => {
    const owner = new pg.Client({ connectionString: t.config.migrationUrl });
    await owner.connect();
    try {
      const superuser = await t.db.connect();
      let loose: number;
      try {
        await superuser.query('BEGIN');
        await superuser.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain');
        loose = (await superuser.query(`INSERT INTO audit_log (actor, action, entity) VALUES ('intruder', 'x', 'x') RETURNING id::int`)).rows[0].id;
        await superuser.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain');
        await superuser.query('COMMIT');
      } finally {
        superuser.release();
      }
      assert.deepEqual((await verifyAuditChain(owner)).broken, {
        auditId: loose, seq: null, problem: `审计记录 ${loose} 不在链中 (audit row ${loose} is not in the chain: written with the trigger disabled)`,
      });
      const { rows: [{ id }] } = await t.db.query(`SELECT id::int FROM audit_log WHERE entity_id = 'PAR-3' AND action = 'department.create'`);
      await t.db.query(`BEGIN; ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
        DELETE FROM audit_log WHERE id = ${id}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only; COMMIT`);
      const { broken } = await verifyAuditChain(owner);
      assert.equal(broken?.auditId, id);
      assert.match(broken!.problem, /audit row \d+ was deleted/);
    } finally {
      await owner.end();
    }
  });
});
