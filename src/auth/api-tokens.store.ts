import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { returned } from '../database/rows.js';
import type { Tx } from '../database/transactions.js';
import type { UserRow } from './sessions.store.js';

export type ApiTokenRow = {
  id: string; name: string; prefix: string; created_at: Date; expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null;
};

const COLUMNS = 'id, name, prefix, created_at, expires_at, last_used_at, revoked_at';

/** An API token's `last_used_at` is updated when older than this. */
export const TOKEN_TOUCH_SECONDS = 60;

/** Personal API tokens (the database keeps only their SHA-256). */
@Injectable()
export class ApiTokensStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tx: Tx, t: { userId: number; name: string; hash: string; prefix: string; days: number }): Promise<ApiTokenRow> {
    const [row]: ApiTokenRow[] = await tx.query(
      `INSERT INTO api_tokens (user_id, name, token_hash, prefix, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5::int))
         RETURNING ${COLUMNS}`,
      [t.userId, t.name, t.hash, t.prefix, t.days],
    );
    return row;
  }

  /** The token with its owner, locked until the transaction ends. */
  async lock(tx: Tx, id: string): Promise<(ApiTokenRow & { user_id: number }) | undefined> {
    const [row]: (ApiTokenRow & { user_id: number })[] = await tx.query(
      `SELECT ${COLUMNS}, user_id FROM api_tokens WHERE id = $1 FOR UPDATE`, [id],
    );
    return row;
  }

  /** The token now expires `days` from now. */
  async extend(tx: Tx, id: string, days: number): Promise<ApiTokenRow> {
    const [row] = returned<ApiTokenRow>(await tx.query(
      `UPDATE api_tokens SET expires_at = now() + make_interval(days => $2::int) WHERE id = $1 RETURNING ${COLUMNS}`, [id, days],
    ));
    return row;
  }

  async revoke(tx: Tx, id: string): Promise<ApiTokenRow> {
    const [row] = returned<ApiTokenRow>(await tx.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id],
    ));
    return row;
  }

  /** The user's tokens, newest first. */
  listOf(userId: number | null): Promise<ApiTokenRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC`, [userId]);
  }

  /** The enabled user of the live token with this hash; marks it used at most once per TOKEN_TOUCH_SECONDS. */
  async use(hash: string): Promise<(UserRow & { token_id: string; expires_at: Date | null }) | undefined> {
    const [user]: (UserRow & { token_id: string; expires_at: Date | null })[] = await this.dataSource.query(
      `WITH hit AS (
         SELECT t.id AS token_id, t.last_used_at, t.expires_at, u.id, u.email, u.role, u.department_id
           FROM api_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL
            AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.disabled_at IS NULL
       ), touched AS (
         UPDATE api_tokens t SET last_used_at = now() FROM hit
          WHERE t.id = hit.token_id
            AND (hit.last_used_at IS NULL OR hit.last_used_at < now() - make_interval(secs => ${TOKEN_TOUCH_SECONDS}))
       )
       SELECT id, email, role, department_id, token_id, expires_at FROM hit`,
      [hash],
    );
    return user;
  }
}
