import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import { CSRF_COOKIE, LANG_COOKIE } from '../common/cookies.js';
import { type Lang, LANGS, type Translate, translator } from './i18n.js';

export { CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE } from '../common/cookies.js';
export const CSRF_FIELD = '_csrf';

/** What every page handler knows about its request: who, in which language, and the form token. */
export interface WebContext {
  actor: Actor | null;
  lang: Lang;
  t: Translate;
  csrf: string;
  path: string;
}

export type WebRequest = FastifyRequest & { web?: WebContext };

/** The request's WebContext, put there by WebGuard. */
export const Web = createParamDecorator((_: unknown, context: ExecutionContext): WebContext => {
  const web = context.switchToHttp().getRequest<WebRequest>().web;
  if (!web) throw new Error('WebGuard did not run');
  return web;
});

export function langOf(request: FastifyRequest): Lang {
  const chosen = request.cookies?.[LANG_COOKIE];
  // Chinese unless the user chose English with the switch (whatever the browser's language).
  return chosen && (LANGS as string[]).includes(chosen) ? (chosen as Lang) : 'zh';
}

/**
 * CSRF by a signed double-submit token: an httpOnly cookie and, in every form, an HMAC of it and the page
 * session, so a planted cookie with the attacker's token fails. Without a session it binds to the cookie. */
export class CsrfTokens {
  constructor(private readonly secret: string) {}

  /** The token for this request's forms in `session` (the page session's id, null when signed out); sets the cookie when the browser has none yet. */
  issue(request: FastifyRequest, reply: FastifyReply, secure: boolean, session: string | null): string {
    let seed = request.cookies?.[CSRF_COOKIE];
    if (!seed || !/^[A-Za-z0-9_-]{20,64}$/.test(seed)) {
      seed = randomBytes(24).toString('base64url');
      void reply.setCookie(CSRF_COOKIE, seed, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      (request.cookies as Record<string, string>)[CSRF_COOKIE] = seed;
    }
    return this.sign(seed, session);
  }

  /** Whether `token` was issued for this request's cookie in `session`. */
  verify(request: FastifyRequest, token: unknown, session: string | null): boolean {
    const seed = request.cookies?.[CSRF_COOKIE];
    if (!seed || typeof token !== 'string' || !token) return false;
    const expected = Buffer.from(this.sign(seed, session));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(seed: string, session: string | null): string {
    return createHmac('sha256', this.secret).update(`csrf:${seed}:${session ?? ''}`).digest('base64url');
  }
}
