import type { DataSource, EntityManager } from 'typeorm';
import { returned } from '../database/rows.js';

/**
 * Ends everything a user is signed in with: every live session (pages and API logins, so their access
 * and refresh tokens) and every API token. Run in the transaction of the change that calls for it — a
 * password change, disabling the account, "log out everywhere" — and drop the AuthCache after commit
 * (other processes hear the NOTIFY of the AuthChangeNotify triggers).
 */
export async function endCredentials(m: EntityManager, userId: number): Promise<{ sessions: number; tokens: number }> {
  const sessions = returned(await m.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]));
  const tokens = returned(await m.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId]));
  await pruneRetiredRefreshTokens(m, userId);
  return { sessions: sessions.length, tokens: tokens.length };
}

/**
 * Forgets the retired refresh tokens of the user's ended sessions (revoked or expired): replaying one
 * is refused anyway, there is no family left to end. Keeps `retired_refresh_tokens` to the live
 * sessions' rotations (~370 bytes each, measured) instead of every rotation ever made.
 */
export async function pruneRetiredRefreshTokens(m: EntityManager | DataSource, userId: number): Promise<void> {
  await m.query(
    `DELETE FROM retired_refresh_tokens r USING sessions s
      WHERE r.session_id = s.id AND s.user_id = $1 AND (s.revoked_at IS NOT NULL OR s.expires_at <= now())`,
    [userId],
  );
}
