import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users and roles, login sessions, personal API tokens, login lockout, and the append-only audit trail. */
export class AccountsAndAudit1764500000000 implements MigrationInterface {
  name = 'AccountsAndAudit1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'planner', 'department', 'viewer')),
        department_id integer REFERENCES departments (id),
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_department_role CHECK (role <> 'department' OR department_id IS NOT NULL)
      );
      CREATE UNIQUE INDEX users_email_key ON users (email);

      -- A login: the refresh token (hashed) rotates within it; access tokens name it, so revoking it
      -- (logout, disabling the user) ends them at once.
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id integer NOT NULL REFERENCES users (id),
        refresh_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        refreshed_at timestamptz
      );
      CREATE INDEX sessions_user_idx ON sessions (user_id);

      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id integer NOT NULL REFERENCES users (id),
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        token_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

      -- Failed logins per account ('email:…') and per address ('ip:…') in a 15-minute window.
      CREATE TABLE login_failures (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until timestamptz
      );

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id integer REFERENCES users (id),
        actor text,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb,
        reason text,
        ip text
      );
      CREATE INDEX audit_log_at_idx ON audit_log (at);
      CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at);
      CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION tm_reject_change();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION tm_reject_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log;
      DROP TABLE login_failures;
      DROP TABLE api_tokens;
      DROP TABLE sessions;
      DROP TABLE users;
    `);
  }
}
