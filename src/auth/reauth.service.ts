import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { AuthCache } from './auth-cache.js';
import { hashPassword, verifyPassword } from './password.js';
import { forbidden } from '../access/permissions.js';
import { endCredentials } from './revocation.js';

/** Wrong current passwords a session may give (token creation or renewal, own password change) before it is ended. */
export const REAUTH_FAILURES = 5;

/** Operations that ask a signed-in user for its password again, and the user's own password change. */
@Injectable()
export class ReauthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: AuthCache,
  ) {}

  /**
   * 403 unless `password` is the actor's current password. Every wrong one is audited against the
   * session (`auth.reauth_failed`); the REAUTH_FAILURES-th ends the session, so a stolen session cannot
   * guess for long (the login lockout does not see these: the caller is already signed in).
   */
  async confirm(actor: Actor, password: string): Promise<void> {
    if (actor.userId === null || !actor.sessionId) throw forbidden('须在登录会话中操作 (needs a login session)');
    const [user]: { password_hash: string }[] = await this.dataSource.query(
      `SELECT password_hash FROM users WHERE id = $1`, [actor.userId],
    );
    if (user && (await verifyPassword(password, user.password_hash))) return;
    const session = actor.sessionId;
    const ended = await this.dataSource.transaction(async (m) => {
      await this.audit.append(m, actor, { action: 'auth.reauth_failed', entity: 'session', entityId: session });
      const [{ n }] = await m.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE entity = 'session' AND entity_id = $1 AND action = 'auth.reauth_failed'`, [session],
      );
      if (n < REAUTH_FAILURES) return false;
      await m.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [session]);
      return true;
    });
    if (ended) this.cache.invalidate();
    throw forbidden(
      ended ? '当前密码错误次数过多，会话已结束 (too many wrong passwords: signed out)' : '当前密码错误 (wrong current password)', 'password',
    );
  }

  /**
   * One's own new password, the current one re-entered. Like an admin's reset, it ends every session
   * of the user (this one too) and revokes its API tokens: whoever knew the old password is out.
   */
  async changeOwnPassword(actor: Actor, input: { password: string; newPassword: string }): Promise<void> {
    await this.confirm(actor, input.password);
    const hash = await hashPassword(input.newPassword);
    await this.dataSource.transaction(async (m) => {
      await m.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [actor.userId, hash]);
      const ended = await endCredentials(m, actor.userId!);
      await this.audit.append(m, actor, { action: 'auth.password_change', entity: 'user', entityId: actor.email, after: { passwordChanged: true, ...ended } });
    });
    this.cache.invalidate();
  }
}
