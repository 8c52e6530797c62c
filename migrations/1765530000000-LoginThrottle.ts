import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: accounts are slowed down rather than locked (next_check_at spaces out their password
 * checks), and failed or refused logins are counted per (email, address, window) in a table that may be
 * updated, so the append-only audit_log records one row per window instead of one per attempt.
 */
export class LoginThrottle1765530000000 implements MigrationInterface {
  name = 'LoginThrottle1765530000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE login_failures ADD COLUMN next_check_at timestamptz;
      -- Accounts are no longer locked: a lock set before this release ends now.
      UPDATE login_failures SET locked_until = NULL WHERE key LIKE 'email:%';

      -- email '*' counts an address's refused attempts whatever the email.
      CREATE TABLE login_failure_windows (
        email text NOT NULL,
        ip text NOT NULL,
        window_start timestamptz NOT NULL,
        failures integer NOT NULL DEFAULT 0,
        refused integer NOT NULL DEFAULT 0,
        first_at timestamptz NOT NULL DEFAULT now(),
        last_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (email, ip, window_start)
      );
      CREATE INDEX login_failure_windows_start_idx ON login_failure_windows (window_start);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE login_failure_windows;
      ALTER TABLE login_failures DROP COLUMN next_check_at;
    `);
  }
}
