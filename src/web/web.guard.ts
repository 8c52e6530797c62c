import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuthService } from '../auth/auth.service.js';
import { DomainError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { translator } from './i18n.js';
import { CSRF_FIELD, CsrfTokens, langOf, SESSION_COOKIE, type WebRequest } from './web-context.js';

export const WEB_ANONYMOUS = 'tm:web-anonymous';
/** A page anyone may open (the login page). */
export const Anonymous = () => SetMetadata(WEB_ANONYMOUS, true);

export const CSRF_IN_HANDLER = 'tm:csrf-in-handler';
/** A multipart form: its token arrives in the body stream, so the handler checks it (CsrfTokens.verify). */
export const CsrfCheckedInHandler = () => SetMetadata(CSRF_IN_HANDLER, true);

export const CSRF_TOKENS = Symbol('CSRF_TOKENS');

/** Sign-in required (else to /login), and every POST must carry the form's CSRF token. */
@Injectable()
export class WebGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(CSRF_TOKENS) private readonly csrf: CsrfTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const flag = (key: string) => this.reflector.getAllAndOverride<boolean>(key, [context.getHandler(), context.getClass()]);
    const lang = langOf(request);
    const actor = await this.auth.bySessionSecret(request.cookies?.[SESSION_COOKIE], request.ip ?? null);
    const path = request.url;
    request.web = {
      actor, lang, t: translator(lang), path,
      csrf: this.csrf.issue(request, reply, this.config.appUrl.startsWith('https:'), actor?.sessionId ?? null),
    };
    if (request.method === 'POST') {
      const multipart = /^multipart\//i.test(request.headers['content-type'] ?? '');
      if (multipart ? !flag(CSRF_IN_HANDLER) : !this.csrf.verify(request, (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD], actor?.sessionId ?? null)) {
        throw new DomainError('forbidden', '表单已过期或来源不明，请刷新页面后重试 (form expired or forged: reload the page and try again)', [{ path: CSRF_FIELD, message: '表单已过期 (form expired)' }]);
      }
    }
    if (!actor && !flag(WEB_ANONYMOUS)) throw new DomainError('unauthorized', '请先登录 (please log in)');
    return true;
  }
}
