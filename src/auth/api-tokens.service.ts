import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { notFound } from '../common/domain-error.js';
import { isoOrNull } from '../common/values.js';
import { returned } from '../database/rows.js';
import type { Actor } from './actor.js';
import { forbidden } from './permissions.js';
import { newApiToken, sha256 } from './tokens.js';
import { AuthCache } from './auth-cache.js';

export interface ApiTokenJson {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A new token: the only time `token` is shown. */
export interface CreatedApiTokenJson extends ApiTokenJson { token: string }

type Row = { id: string; name: string; prefix: string; created_at: Date; expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null };

const tokenJson = (r: Row): ApiTokenJson => ({
  id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at.toISOString(),
  expiresAt: isoOrNull(r.expires_at), lastUsedAt: isoOrNull(r.last_used_at), revokedAt: isoOrNull(r.revoked_at),
});

const COLUMNS = 'id, name, prefix, created_at, expires_at, last_used_at, revoked_at';

/** Personal API tokens for scripts: shown once at creation, stored as a SHA-256 hash, revocable. */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: AuthCache,
  ) {}

  async create(actor: Actor, input: { name: string; expiresInDays: number | null }): Promise<CreatedApiTokenJson> {
    if (actor.userId === null || actor.tokenId) throw forbidden('API 令牌须在登录后创建 (create API tokens from a login session)');
    const token = newApiToken();
    return this.dataSource.transaction(async (m) => {
      const [row]: Row[] = await m.query(
        `INSERT INTO api_tokens (user_id, name, token_hash, prefix, expires_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $5::int IS NULL THEN NULL ELSE now() + make_interval(days => $5::int) END)
         RETURNING ${COLUMNS}`,
        [actor.userId, input.name, sha256(token), token.slice(0, 10), input.expiresInDays],
      );
      await this.audit.append(m, actor, { action: 'token.issue', entity: 'api_token', entityId: row.id, after: tokenJson(row) });
      return { ...tokenJson(row), token };
    });
  }

  async list(actor: Actor): Promise<ApiTokenJson[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC`, [actor.userId],
    );
    return rows.map(tokenJson);
  }

  /** One's own token, or anyone's for an admin. */
  async revoke(actor: Actor, id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`令牌 ${id}`);
    await this.dataSource.transaction(async (m) => {
      const [before]: (Row & { user_id: number })[] = await m.query(
        `SELECT ${COLUMNS}, user_id FROM api_tokens WHERE id = $1 FOR UPDATE`, [id],
      );
      if (!before || (before.user_id !== actor.userId && actor.role !== 'admin')) throw notFound(`令牌 ${id}`);
      if (before.revoked_at) return;
      const [after] = returned<Row>(await m.query(
        `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id],
      ));
      await this.audit.append(m, actor, {
        action: 'token.revoke', entity: 'api_token', entityId: id, before: tokenJson(before), after: tokenJson(after),
      });
    });
    this.cache.invalidate(); // other processes hear the NOTIFY of migration AuthChangeNotify
  }
}
