import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `NOTIFY tm_auth` whenever a change can end or narrow a credential: a user disabled, re-enabled, its
 * role, department or email changed; a session revoked, rotated (refresh) or shortened; an API token
 * revoked or its expiry changed; any of these rows deleted or truncated. Every API process LISTENs and
 * drops its cache of checked credentials (src/auth/auth-cache.ts), so revocation stays immediate
 * across processes. `last_used_at` and `updated_at` alone notify nothing.
 */
export class AuthChangeNotify1765300000000 implements MigrationInterface {
  name = 'AuthChangeNotify1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tm_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('tm_auth', TG_TABLE_NAME);
        RETURN NULL;
      END $$;

      CREATE TRIGGER users_auth_changed AFTER UPDATE ON users FOR EACH ROW
        WHEN ((OLD.role, OLD.department_id, OLD.disabled_at, OLD.email)
              IS DISTINCT FROM (NEW.role, NEW.department_id, NEW.disabled_at, NEW.email))
        EXECUTE FUNCTION tm_auth_changed();
      CREATE TRIGGER sessions_auth_changed AFTER UPDATE ON sessions FOR EACH ROW
        WHEN ((OLD.user_id, OLD.refresh_hash, OLD.expires_at, OLD.revoked_at)
              IS DISTINCT FROM (NEW.user_id, NEW.refresh_hash, NEW.expires_at, NEW.revoked_at))
        EXECUTE FUNCTION tm_auth_changed();
      CREATE TRIGGER api_tokens_auth_changed AFTER UPDATE ON api_tokens FOR EACH ROW
        WHEN ((OLD.user_id, OLD.token_hash, OLD.expires_at, OLD.revoked_at)
              IS DISTINCT FROM (NEW.user_id, NEW.token_hash, NEW.expires_at, NEW.revoked_at))
        EXECUTE FUNCTION tm_auth_changed();

      CREATE TRIGGER users_auth_deleted AFTER DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION tm_auth_changed();
      CREATE TRIGGER sessions_auth_deleted AFTER DELETE OR TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION tm_auth_changed();
      CREATE TRIGGER api_tokens_auth_deleted AFTER DELETE OR TRUNCATE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION tm_auth_changed();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER api_tokens_auth_deleted ON api_tokens;
      DROP TRIGGER sessions_auth_deleted ON sessions;
      DROP TRIGGER users_auth_deleted ON users;
      DROP TRIGGER api_tokens_auth_changed ON api_tokens;
      DROP TRIGGER sessions_auth_changed ON sessions;
      DROP TRIGGER users_auth_changed ON users;
      DROP FUNCTION tm_auth_changed();
    `);
  }
}
