import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { conflict, invalid, notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isoOrNull } from '../common/values.js';
import { Transactions } from '../database/transactions.js';
import type { Actor } from '../access/actor.js';
import { forbidden } from '../access/permissions.js';
import { newApiToken, sha256 } from './tokens.js';
import { AuthCache } from './auth-cache.js';
import { ReauthService } from './reauth.service.js';
import type { CreateToken, RenewToken } from './auth.schema.js';
import { type ApiTokenRow as Row, ApiTokensStore } from './api-tokens.store.js';

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

const tokenJson = (r: Row): ApiTokenJson => ({
  id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at.toISOString(),
  expiresAt: isoOrNull(r.expires_at), lastUsedAt: isoOrNull(r.last_used_at), revokedAt: isoOrNull(r.revoked_at),
});

/** Personal API tokens: shown once, stored hashed, expiring unless renewed; all revoked with the password. */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly transactions: Transactions,
    private readonly tokens: ApiTokensStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly cache: AuthCache,
    private readonly reauth: ReauthService,
  ) {}

  /** A new token, from a login session with the password re-entered: a stolen session cannot mint one. */
  async create(actor: Actor, input: CreateToken): Promise<CreatedApiTokenJson> {
    if (actor.userId === null || actor.tokenId) throw forbidden('API 令牌须在登录后创建 (create API tokens from a login session)');
    const days = this.lifetime(input.expiresInDays);
    await this.reauth.confirm(actor, input.password);
    const token = newApiToken();
    return this.transactions.run(async (tx) => {
      const row = await this.tokens.insert(tx, { userId: actor.userId!, name: input.name, hash: sha256(token), prefix: token.slice(0, 10), days });
      await this.audit.append(tx, actor, { action: 'token.issue', entity: 'api_token', entityId: row.id, after: tokenJson(row) });
      return { ...tokenJson(row), token };
    });
  }

  /** One's own live token (expired or not) gets `expiresInDays` more from now; the password is re-entered as for `create`. */
  async renew(actor: Actor, id: string, input: RenewToken): Promise<ApiTokenJson> {
    if (actor.userId === null || actor.tokenId) throw forbidden('API 令牌须在登录后续期 (renew API tokens from a login session)');
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`令牌 ${id}`);
    const days = this.lifetime(input.expiresInDays);
    await this.reauth.confirm(actor, input.password);
    const renewed = await this.transactions.run(async (tx) => {
      const before = await this.tokens.lock(tx, id);
      if (!before || before.user_id !== actor.userId) throw notFound(`令牌 ${id}`);
      if (before.revoked_at) throw conflict('id', '令牌已撤销，不能续期 (a revoked token cannot be renewed)');
      const after = await this.tokens.extend(tx, id, days);
      await this.audit.append(tx, actor, {
        action: 'token.renew', entity: 'api_token', entityId: id, before: tokenJson(before), after: tokenJson(after),
      });
      return tokenJson(after);
    });
    this.cache.invalidate(); // a cached answer carries the old expiry
    return renewed;
  }

  async list(actor: Actor): Promise<ApiTokenJson[]> {
    return (await this.tokens.listOf(actor.userId)).map(tokenJson);
  }

  /** One's own token, or anyone's for an admin. */
  async revoke(actor: Actor, id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`令牌 ${id}`);
    await this.transactions.run(async (tx) => {
      const before = await this.tokens.lock(tx, id);
      if (!before || (before.user_id !== actor.userId && actor.role !== 'admin')) throw notFound(`令牌 ${id}`);
      if (before.revoked_at) return;
      const after = await this.tokens.revoke(tx, id);
      await this.audit.append(tx, actor, {
        action: 'token.revoke', entity: 'api_token', entityId: id, before: tokenJson(before), after: tokenJson(after),
      });
    });
    this.cache.invalidate(); // other processes hear the NOTIFY of migration AuthChangeNotify
  }

  /** Days a token is given: API_TOKEN_DAYS unless the caller asks for fewer. */
  private lifetime(asked: number | undefined): number {
    const max = this.config.apiTokenDays;
    if (asked !== undefined && asked > max) {
      throw invalid([{ path: 'expiresInDays', message: `令牌有效期最长 ${max} 天 (at most ${max} days)` }]);
    }
    return asked ?? max;
  }
}
