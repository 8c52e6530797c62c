import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { AuthCache } from './auth-cache.js';
import { hashPassword, verifyPassword } from './password.js';
import { forbidden } from '../access/permissions.js';
import { Transactions } from '../database/transactions.js';
import { AccountsStore } from './accounts.store.js';
import { SessionsStore } from './sessions.store.js';

/** Wrong current passwords a session may give (token creation or renewal, own password change) before it is ended. */
export const REAUTH_FAILURES = 5;

/** Operations that ask a signed-in user for its password again, and the user's own password change. */
@Injectable()
export class ReauthService {
  constructor(
    private readonly transactions: Transactions,
    private readonly accounts: AccountsStore,
    private readonly sessions: SessionsStore,
    private readonly audit: AuditService,
    private readonly cache: AuthCache,
  ) {}

  /** 403 unless `password` is current; failures audited, the REAUTH_FAILURES-th ends the session. */
  async confirm(actor: Actor, password: string): Promise<void> {
    if (actor.userId === null || !actor.sessionId) throw forbidden('须在登录会话中操作 (needs a login session)');
    const hash = await this.accounts.passwordHash(actor.userId);
    if (hash && (await verifyPassword(password, hash))) return;
    const session = actor.sessionId;
    const ended = await this.transactions.run(async (tx) => {
      await this.audit.append(tx, actor, { action: 'auth.reauth_failed', entity: 'session', entityId: session });
      if ((await this.sessions.reauthFailures(tx, session)) < REAUTH_FAILURES) return false;
      await this.sessions.revoke(tx, session);
      return true;
    });
    if (ended) this.cache.invalidate();
    throw forbidden(
      ended ? '当前密码错误次数过多，会话已结束 (too many wrong passwords: signed out)' : '当前密码错误 (wrong current password)', 'password',
    );
  }

  /** One's own new password; like an admin's reset, it ends every session and revokes every API token. */
  async changeOwnPassword(actor: Actor, input: { password: string; newPassword: string }): Promise<void> {
    await this.confirm(actor, input.password);
    const hash = await hashPassword(input.newPassword);
    await this.transactions.run(async (tx) => {
      await this.accounts.setPassword(tx, actor.userId!, hash);
      const ended = await this.sessions.endCredentials(tx, actor.userId!);
      await this.audit.append(tx, actor, { action: 'auth.password_change', entity: 'user', entityId: actor.email, after: { passwordChanged: true, ...ended } });
    });
    this.cache.invalidate();
  }
}
