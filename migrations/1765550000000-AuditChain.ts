import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hash chain over audit_log, so that a change by someone who can get round its triggers (a
 * superuser, the table's owner) is at least detected: `npm run audit:verify`.
 *
 * Each audit row gets one link: seq (1, 2, … without gaps), the previous link's hash, and
 * sha256(previous hash ‖ the row's columns). Links are written at commit by a deferred trigger
 * under an advisory lock, so concurrent writers chain one after the other while holding the lock
 * only for their commit, and a rolled-back row leaves no link. The trigger function runs as the
 * schema owner (SECURITY DEFINER): the app's role has no privilege on audit_chain at all.
 * The hashed columns are listed explicitly: a column added later is not covered (and old rows keep
 * verifying) until a migration adds it for new rows.
 */
export class AuditChain1765550000000 implements MigrationInterface {
  name = 'AuditChain1765550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        audit_id bigint NOT NULL UNIQUE,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL
      );

      -- The row's content as text: every column, the time in UTC (independent of the session's TimeZone).
      CREATE FUNCTION tm_audit_hash(prev bytea, a audit_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(prev || convert_to(jsonb_build_array(
          a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.actor_id, a.actor, a.action,
          a.entity, a.entity_id, a.before, a.after, a.reason, a.ip)::text, 'UTF8'))
      $$;

      -- Read committed: after the lock, the SELECT sees the link committed by the lock's last holder.
      -- (In a repeatable-read transaction it could not: seq's uniqueness then fails the commit rather
      -- than fork the chain.)
      CREATE FUNCTION tm_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public, pg_temp AS $$
        DECLARE
          last_seq bigint;
          last_hash bytea;
        BEGIN
          PERFORM pg_advisory_xact_lock(7471150); -- its own key: 7471101-7471104 are taken
          SELECT seq, hash INTO last_seq, last_hash FROM audit_chain ORDER BY seq DESC LIMIT 1;
          last_hash := coalesce(last_hash, '\\x'::bytea);
          INSERT INTO audit_chain (seq, audit_id, prev_hash, hash)
            VALUES (coalesce(last_seq, 0) + 1, NEW.id, last_hash, tm_audit_hash(last_hash, NEW));
          RETURN NULL;
        END $$;
      REVOKE ALL ON FUNCTION tm_audit_chain() FROM PUBLIC;

      -- The rows already written, in id order.
      DO $$
        DECLARE
          r audit_log;
          n bigint := 0;
          h bytea := '\\x'::bytea;
        BEGIN
          FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
            n := n + 1;
            INSERT INTO audit_chain VALUES (n, r.id, h, tm_audit_hash(h, r));
            h := tm_audit_hash(h, r);
          END LOOP;
        END $$;

      CREATE CONSTRAINT TRIGGER audit_log_chain AFTER INSERT ON audit_log
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tm_audit_chain();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER audit_log_chain ON audit_log;
      DROP FUNCTION tm_audit_chain();
      DROP FUNCTION tm_audit_hash(bytea, audit_log);
      DROP TABLE audit_chain;
    `);
  }
}
