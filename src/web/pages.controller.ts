import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service.js';
import { Public } from '../access/current-actor.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { EvaluationRunsService } from '../evaluations/evaluation-runs.service.js';
import { DashboardService, dashboardQuerySchema } from './dashboard.service.js';
import { LANGS } from './i18n.js';
import { href, Views } from './views.js';
import { CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { Anonymous, WebGuard } from './web.guard.js';

const SAME_ORIGIN = 'http://same-origin.invalid';

/** The path, query and fragment a browser would request for `next` on this site; null when it leaves the site or reads as scheme-relative. */
function resolvedPath(next: string): string | null {
  if (!/^\/(?![/\\])/.test(next) || /[\p{Cc}\p{Cs}\\]/u.test(next)) return null;
  let url: URL;
  try {
    url = new URL(next, SAME_ORIGIN);
  } catch {
    return null;
  }
  const path = url.pathname + url.search + url.hash;
  return url.origin === SAME_ORIGIN && !/^\/[/\\]/.test(path) ? path : null;
}

/**
 * Where to go after login or a language switch: a path on this site, or home. Browsers drop tabs and line
 * breaks, read `\` as `/` and remove dot segments, so `next` (also once or twice percent-decoded) must have
 * no control character or backslash and must resolve on this origin to a path not starting with `//`. */
export const safeNext = (next: unknown): string => {
  if (typeof next !== 'string' || next.length > 2048) return '/';
  const location = resolvedPath(next);
  if (location === null || !/^[\x21-\x7e]+$/.test(location)) return '/';
  for (let layer = next, depth = 0; ; depth += 1) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      break; // a stray % (e.g. "100%") decodes no further
    }
    if (decoded === layer) break;
    if (depth === 2 || resolvedPath(decoded) === null) return '/'; // encoded three times over: no link of ours is
    layer = decoded;
  }
  return location;
};

@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class PagesController {
  constructor(
    private readonly views: Views,
    private readonly auth: AuthService,
    private readonly dashboard: DashboardService,
    private readonly runs: EvaluationRunsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private cookie(httpOnly = true) {
    return { path: '/', httpOnly, sameSite: 'lax' as const, secure: this.config.appUrl.startsWith('https:') };
  }

  @Anonymous()
  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    const asset = this.views.assets.get(file);
    if (!asset) throw new DomainError('not_found', `未找到 ${file}`);
    return reply.header('content-type', asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  }

  @Anonymous()
  @Get('login')
  loginPage(@Web() web: WebContext, @Query('next') next: unknown, @Res() reply: FastifyReply) {
    if (web.actor) return reply.redirect(safeNext(next), 303);
    return this.views.send(reply, 'login', web, { next: safeNext(next), email: '', error: null });
  }

  @Anonymous()
  @Post('login')
  async login(@Web() web: WebContext, @Req() request: FastifyRequest, @Body() body: Record<string, unknown>, @Res() reply: FastifyReply) {
    const email = typeof body?.email === 'string' ? body.email.slice(0, 320) : '';
    const password = typeof body?.password === 'string' ? body.password.slice(0, 1000) : '';
    const next = safeNext(body?.next);
    try {
      const { refreshToken } = await this.auth.login(email, password, request.ip ?? null);
      await this.auth.toPageSession(refreshToken); // the cookie is no refresh token
      // A new form token with the new session, so a token planted before login is worthless after.
      void reply.clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.setCookie(SESSION_COOKIE, refreshToken, { ...this.cookie(), maxAge: this.config.refreshTokenDays * 86400 })
        .redirect(next, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || !['unauthorized', 'locked'].includes(error.code)) throw error;
      const status = error.code === 'locked' ? 429 : 401;
      return this.views.send(reply, 'login', web, { next, email, error: error.message }, status);
    }
  }

  @Anonymous()
  @Post('logout')
  async logout(@Web() web: WebContext, @Res() reply: FastifyReply) {
    if (web.actor?.sessionId) await this.auth.logout(web.actor);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
  }

  /** Ends every session of the user, here and elsewhere, and revokes its API tokens. */
  @Post('logout-everywhere')
  async logoutEverywhere(@Web() web: WebContext, @Res() reply: FastifyReply) {
    await this.auth.logoutEverywhere(web.actor!);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
  }

  @Anonymous()
  @Get('lang/:lang')
  lang(@Param('lang') lang: string, @Query('next') next: unknown, @Res() reply: FastifyReply) {
    if (!(LANGS as string[]).includes(lang)) throw new DomainError('not_found', `未知语言 ${lang}`);
    return reply.setCookie(LANG_COOKIE, lang, { ...this.cookie(false), maxAge: 365 * 86400 }).redirect(safeNext(next), 303);
  }

  @Get()
  async home(@Web() web: WebContext, @Query() raw: Record<string, unknown>, @Res() reply: FastifyReply) {
    const query = dashboardQuerySchema.parse(raw ?? {});
    const [data, { items: [lastRun] }] = await Promise.all([this.dashboard.load(query, web.actor, this.config.scheduleTz), this.runs.list({ page: 1, pageSize: 1 })]);
    return this.views.send(reply, 'dashboard', web, {
      title: web.t('进度看板', 'Dashboard'), query, ...data, lastRun: lastRun ?? null,
      sortHref: (key: string) => href('/', { ...query, sort: key, dir: query.sort === key && query.dir !== 'desc' ? 'desc' : 'asc' }),
    });
  }

  @Post('evaluations/run')
  async run(@Web() web: WebContext, @Res() reply: FastifyReply) {
    await this.runs.start(web.actor!, 'manual');
    return reply.redirect('/?run=started', 303);
  }
}
