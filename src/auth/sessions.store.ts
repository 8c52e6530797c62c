import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Role } from '../access/actor.js';
import { returned } from '../database/rows.js';
import type { Tx } from '../database/transactions.js';

/** The user a credential belongs to, as an Actor is made of. */
export interface UserRow { id: number; email: string; role: Role; department_id: number | null }

/** Login sessions, their rotating refresh tokens (and the retired ones), and ending them. */
@Injectable()
export class SessionsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new API session for `days`; its id. */
  async insert(userId: number, refreshHash: string, days: number, ip: string | null): Promise<string> {
    const [session] = await this.dataSource.query(
      `INSERT INTO sessions (user_id, refresh_hash, expires_at, ip)
       VALUES ($1, $2, now() + make_interval(days => $3), $4) RETURNING id`,
      [userId, refreshHash, days, ip],
    );
    return session.id;
  }

  /** Rotates and retires the refresh hash in one statement, so a replay is always recognised. */
  async rotate(hash: string, next: string): Promise<{ id: string; user_id: number } | undefined> {
    const [session]: { id: string; user_id: number }[] = await this.dataSource.query(
      `WITH rotated AS (
         UPDATE sessions s SET refresh_hash = $2, refreshed_at = now()
           FROM users u WHERE s.refresh_hash = $1 AND s.kind = 'api' AND u.id = s.user_id AND s.revoked_at IS NULL
            AND s.expires_at > now() AND u.disabled_at IS NULL
         RETURNING s.id, s.user_id
       ), retired AS (
         INSERT INTO retired_refresh_tokens (refresh_hash, session_id) SELECT $1, id FROM rotated
       )
       SELECT id, user_id FROM rotated`,
      [hash, next],
    );
    return session;
  }

  /** Ends the live session `hash` is a retired refresh token of; its user, or nothing. */
  async endRetiredFamily(tx: Tx, hash: string): Promise<(UserRow & { session_id: string; retired_at: Date }) | undefined> {
    const [family] = returned<UserRow & { session_id: string; retired_at: Date }>(await tx.query(
      `WITH hit AS (SELECT session_id, retired_at FROM retired_refresh_tokens WHERE refresh_hash = $1)
         UPDATE sessions s SET revoked_at = now() FROM hit, users u
          WHERE s.id = hit.session_id AND u.id = s.user_id AND s.revoked_at IS NULL
         RETURNING s.id AS session_id, hit.retired_at, u.id, u.email, u.role, u.department_id`,
      [hash],
    ));
    return family;
  }

  /** Makes the never-refreshed session with this refresh hash a page session. */
  async markPage(hash: string): Promise<void> {
    await this.dataSource.query(`UPDATE sessions SET kind = 'page' WHERE refresh_hash = $1 AND refreshed_at IS NULL`, [hash]);
  }

  async revoke(tx: Tx, sessionId: string): Promise<void> {
    await tx.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
  }

  /** The enabled user of the live page session with this secret's hash. */
  async pageUser(hash: string): Promise<(UserRow & { session_id: string; expires_at: Date }) | undefined> {
    const [user] = await this.dataSource.query(
      `SELECT u.id, u.email, u.role, u.department_id, s.id AS session_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.refresh_hash = $1 AND s.kind = 'page' AND u.disabled_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [hash],
    );
    return user;
  }

  /** The enabled user `userId` when `sessionId` is a live API session of theirs. */
  async apiUser(userId: number, sessionId: string): Promise<(UserRow & { expires_at: Date }) | undefined> {
    const [user] = await this.dataSource.query(
      `SELECT u.id, u.email, u.role, u.department_id, s.expires_at FROM users u JOIN sessions s ON s.user_id = u.id
        WHERE u.id = $1 AND s.id = $2 AND s.kind = 'api' AND u.disabled_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [userId, sessionId],
    );
    return user;
  }

  /** How many wrong current passwords the session gave (audited as `auth.reauth_failed`). */
  async reauthFailures(tx: Tx, sessionId: string): Promise<number> {
    const [{ n }] = await tx.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE entity = 'session' AND entity_id = $1 AND action = 'auth.reauth_failed'`, [sessionId],
    );
    return n;
  }

  /** Ends every session and API token of a user; in the change's transaction, then drop the AuthCache. */
  async endCredentials(tx: Tx, userId: number): Promise<{ sessions: number; tokens: number }> {
    const sessions = returned(await tx.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]));
    const tokens = returned(await tx.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]));
    await this.pruneRetiredRefreshTokens(userId, tx);
    return { sessions: sessions.length, tokens: tokens.length };
  }

  /** Forgets ended sessions' retired refresh tokens: replaying one is refused anyway. */
  async pruneRetiredRefreshTokens(userId: number, db: Tx = this.dataSource.manager): Promise<void> {
    await db.query(
      `DELETE FROM retired_refresh_tokens r USING sessions s
      WHERE r.session_id = s.id AND s.user_id = $1 AND (s.revoked_at IS NOT NULL OR s.expires_at <= now())`,
      [userId],
    );
  }
}
