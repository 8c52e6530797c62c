import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import type { Actor } from '../access/actor.js';
import { AccountsStore } from './accounts.store.js';
import { ApiTokensStore } from './api-tokens.store.js';
import { AuthCache } from './auth-cache.js';
import { LockoutService } from './lockout.service.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import { SessionsStore, type UserRow } from './sessions.store.js';
import { API_TOKEN_PREFIX, newSecret, sha256 } from './tokens.js';

export interface TokenPair { accessToken: string; tokenType: 'Bearer'; expiresIn: number; refreshToken: string }

interface AccessClaims { sub: string; sid: string }

const unauthorized = (message = '未认证或凭据已失效 (missing, invalid or expired credentials)') =>
  new DomainError('unauthorized', message, [], { 'www-authenticate': 'Bearer realm="target-monitor"' });

const actorOf = (u: UserRow, ip: string | null, extra: Partial<Actor> = {}): Actor => ({
  userId: u.id, email: u.email, role: u.role, departmentId: u.department_id, ip, ...extra,
});

/** Login sessions (short-lived JWT + rotating refresh token) and personal API tokens → an Actor. */
@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: Transactions,
    private readonly accounts: AccountsStore,
    private readonly sessions: SessionsStore,
    private readonly apiTokens: ApiTokensStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly lockout: LockoutService,
    private readonly audit: AuditService,
    private readonly cache: AuthCache,
  ) {}

  async login(emailInput: string, password: string, ip: string | null): Promise<TokenPair> {
    const email = emailInput.trim().toLowerCase();
    const attempt: Actor = { userId: null, email, role: 'viewer', departmentId: null, ip };
    // Counted before the password is checked, so parallel guesses cannot outrun the lockout.
    const pass = await this.lockout.enter(email, ip).catch(async (refused: unknown) => {
      // Attempts during a lockout stay visible in the trail: the first per address and window, the rest counted.
      if (await this.lockout.refused(ip)) {
        await this.transactions.run((tx) => this.audit.append(tx, attempt, { action: 'auth.login_locked', entity: 'user', entityId: email }));
      }
      throw refused;
    });
    let user: (UserRow & { password_hash: string; disabled_at: Date | null }) | undefined;
    let matches: boolean;
    try {
      user = await this.accounts.byEmail(email);
      // The same work and the same answer whether the account is unknown, disabled or the password wrong.
      matches = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
    } finally {
      pass.leave();
    }
    if (!user || !matches || user.disabled_at) {
      // One audit row per (email, address, window); the count is kept in login_failure_windows.
      if (await this.lockout.failed(pass)) {
        const actor = user ? actorOf(user, ip) : attempt;
        await this.transactions.run((tx) => this.audit.append(tx, actor, { action: 'auth.login_failed', entity: 'user', entityId: email }));
      }
      throw unauthorized('邮箱或密码错误 (wrong email or password)');
    }
    await this.lockout.succeeded(pass);
    const refreshToken = newSecret();
    const sessionId = await this.sessions.insert(user.id, sha256(refreshToken), this.config.refreshTokenDays, ip);
    const actor = actorOf(user, ip);
    await this.transactions.run((tx) => this.audit.append(tx, actor, { action: 'auth.login', entity: 'user', entityId: email }));
    return this.tokens(user.id, sessionId, refreshToken);
  }

  /** Rotates a live API session's tokens; a retired refresh token replayed means a copy (OAuth 2.0 Security
   *  BCP): the whole session ends and the reuse is audited. */
  async refresh(refreshToken: string, ip: string | null = null): Promise<TokenPair> {
    const next = newSecret();
    const hash = sha256(refreshToken);
    const session = await this.sessions.rotate(hash, sha256(next));
    if (!session) {
      await this.endReusedFamily(hash, ip);
      throw unauthorized();
    }
    this.cache.invalidate(); // a rotation is a credential change (the trigger tells the other processes)
    await this.sessions.pruneRetiredRefreshTokens(session.user_id);
    return this.tokens(session.user_id, session.id, next);
  }

  /** When `hash` is a refresh token its session rotated away from, ends that session (once) and audits the reuse. */
  private async endReusedFamily(hash: string, ip: string | null): Promise<void> {
    const ended = await this.transactions.run(async (tx) => {
      const family = await this.sessions.endRetiredFamily(tx, hash);
      if (!family) return false;
      await this.audit.append(tx, actorOf(family, ip), {
        action: 'auth.refresh_reuse', entity: 'session', entityId: family.session_id,
        after: { revoked: true, retiredAt: family.retired_at.toISOString() },
        reason: '已轮换的刷新令牌被再次使用，整个会话已结束 (a rotated refresh token was replayed; the whole session was ended)',
      });
      return true;
    });
    if (ended) this.cache.invalidate(); // the family's access tokens stop working now
  }

  /** Makes a fresh login's session a page session, whose cookie /auth/refresh refuses. */
  async toPageSession(secret: string): Promise<void> {
    await this.sessions.markPage(sha256(secret));
  }

  /** Ends the session the access token belongs to: its access and refresh tokens stop working now. */
  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId) throw new DomainError('invalid', 'API 令牌无需登出，请撤销令牌 (API tokens are revoked, not logged out)');
    const sessionId = actor.sessionId;
    await this.transactions.run(async (tx) => {
      await this.sessions.revoke(tx, sessionId);
      await this.audit.append(tx, actor, { action: 'auth.logout', entity: 'user', entityId: actor.email });
    });
    this.cache.invalidate();
  }

  /** Ends every session (pages and API) of the actor's user and revokes all its API tokens. */
  async logoutEverywhere(actor: Actor): Promise<{ sessions: number; tokens: number }> {
    if (actor.userId === null) throw new DomainError('invalid', '系统身份无需登出 (the system actor has no sessions)');
    const ended = await this.transactions.run(async (tx) => {
      const ended = await this.sessions.endCredentials(tx, actor.userId!);
      await this.audit.append(tx, actor, { action: 'auth.logout_all', entity: 'user', entityId: actor.email, after: ended });
      return ended;
    });
    this.cache.invalidate();
    return ended;
  }

  /** The actor behind an `Authorization: Bearer …` value, or 401. */
  async authenticate(authorization: string | undefined, ip: string | null): Promise<Actor> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw unauthorized('需要登录：Authorization: Bearer <token> (authentication required)');
    const token = match[1];
    return token.startsWith(API_TOKEN_PREFIX) ? this.byApiToken(token, ip) : this.byAccessToken(token, ip);
  }

  /** The actor behind a page's session cookie (a page session's secret, never rotated). */
  async bySessionSecret(secret: string | undefined, ip: string | null): Promise<Actor | null> {
    if (!secret || secret.length > 200) return null;
    const hash = sha256(secret);
    const key = `page:${hash}`;
    const cached = this.cache.get(key, ip);
    if (cached) return cached;
    const generation = this.cache.current;
    const user = await this.sessions.pageUser(hash);
    if (!user) return null;
    const actor = actorOf(user, ip, { sessionId: user.session_id });
    this.cache.set(key, generation, actor, user.expires_at);
    return actor;
  }

  private async byAccessToken(token: string, ip: string | null): Promise<Actor> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw unauthorized();
    }
    const key = `session:${claims.sid}:${claims.sub}`;
    const cached = this.cache.get(key, ip);
    if (cached) return cached;
    const generation = this.cache.current;
    const user = await this.sessions.apiUser(Number(claims.sub), claims.sid);
    if (!user) throw unauthorized();
    const actor = actorOf(user, ip, { sessionId: claims.sid });
    this.cache.set(key, generation, actor, user.expires_at);
    return actor;
  }

  /** Checked in the database, then cached up to AUTH_CACHE_MS (dropped on every revocation). `last_used_at`
   *  is written once per TOKEN_TOUCH_SECONDS: a write per request would queue requests on the token's row. */
  private async byApiToken(token: string, ip: string | null): Promise<Actor> {
    // Keyed by the token itself, in this process's memory only; the database knows only its SHA-256.
    const key = `token:${token}`;
    const cached = this.cache.get(key, ip);
    if (cached) return cached;
    const generation = this.cache.current;
    const hash = sha256(token);
    const user = await this.apiTokens.use(hash);
    if (!user) throw unauthorized();
    const actor = actorOf(user, ip, { tokenId: user.token_id });
    this.cache.set(key, generation, actor, user.expires_at);
    return actor;
  }

  private async tokens(userId: number, sessionId: string, refreshToken: string): Promise<TokenPair> {
    const accessToken = await this.jwt.signAsync({ sub: String(userId), sid: sessionId } satisfies AccessClaims, {
      expiresIn: this.config.accessTokenSeconds,
      algorithm: 'HS256',
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.accessTokenSeconds, refreshToken };
  }
}
