import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: credentials that outlived what should end them.
 *
 * - `sessions.kind`: a page login ('page', its secret is the tm_session cookie) and an API login ('api',
 *   its secret is the refresh token) are told apart, so a page's cookie cannot be exchanged at
 *   /auth/refresh for bearer tokens, nor an API refresh token used as a cookie. Sessions that exist
 *   before this migration are 'api' sessions: page users sign in again once.
 * - `retired_refresh_tokens`: every refresh token a session rotated away from. Presenting one again is
 *   reuse (OAuth 2.0 Security BCP): the session it belonged to — the whole family descended from one
 *   login — is revoked. Rows go with their session.
 * - API tokens that never expired get the default lifetime (90 days from now); `down` leaves those
 *   expiries in place (a shorter life is always safe).
 */
export class SessionFamilies1765540000000 implements MigrationInterface {
  name = 'SessionFamilies1765540000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE sessions ADD COLUMN kind text NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'page'));

      CREATE TABLE retired_refresh_tokens (
        refresh_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        retired_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX retired_refresh_tokens_session_idx ON retired_refresh_tokens (session_id);

      UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL AND revoked_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE retired_refresh_tokens;
      ALTER TABLE sessions DROP COLUMN kind;
    `);
  }
}
