import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { Queue } from 'bull';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import type { AuthService } from '../auth/auth.service.js';
import { LANG_COOKIE, SESSION_COOKIE } from '../common/cookies.js';
import { DomainError } from '../common/domain-error.js';
import { problem, sendProblem } from '../common/problem.filter.js';
import { href } from '../common/query-string.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

const wantsHtml = (request: FastifyRequest) => /text\/html/.test(request.headers.accept ?? '');

/** The 403 page in the visitor's language (the tm_lang cookie of the pages). */
function forbiddenPage(request: FastifyRequest): string {
  const en = request.cookies?.[LANG_COOKIE] === 'en';
  const [title, text, back] = en
    ? ['Forbidden', 'The queues are for admins only.', 'Back to the dashboard']
    : ['无权限', '任务队列仅限管理员查看。', '返回看板'];
  return `<!doctype html><html lang="${en ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/assets/app.css"></head><body><main id="main"><h1>${title}</h1>
<p class="alert" role="alert">${text}</p><p><a href="/">${back}</a></p></main></body></html>`;
}

/** A state-changing request from a foreign Origin (the cookie is SameSite=Lax too). */
function crossSite(request: FastifyRequest, appHost: string): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return false;
  const origin = request.headers.origin;
  if (!origin) return request.headers['sec-fetch-site'] === 'cross-site';
  try {
    const host = new URL(origin).host;
    return host !== request.headers.host && host !== appHost;
  } catch {
    return true;
  }
}

/** bull-board at /admin/queues, admins only (page session or bearer token). */
export async function registerQueueBoard(fastify: FastifyInstance, auth: AuthService, queues: Queue[], appUrl: string): Promise<void> {
  const appHost = new URL(appUrl).host;
  const board = new BoardAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'target-monitor 任务队列' } },
  });

  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const ip = request.ip ?? null;
    let actor: Actor | null;
    try {
      actor = request.headers.authorization
        ? await auth.authenticate(request.headers.authorization, ip)
        : await auth.bySessionSecret(request.cookies?.[SESSION_COOKIE], ip);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      void reply.headers(error.headers);
      sendProblem(reply, problem(401, error.message, [], request.url));
      return reply;
    }
    if (!actor) {
      if (request.method === 'GET' && wantsHtml(request)) return reply.redirect(href('/login', { next: request.url }), 303);
      void reply.header('www-authenticate', 'Bearer realm="target-monitor"');
      sendProblem(reply, problem(401, '请先登录 (authentication required)', [], request.url));
      return reply;
    }
    if (actor.role !== 'admin') {
      if (wantsHtml(request)) return reply.code(403).header('content-type', 'text/html; charset=utf-8').send(forbiddenPage(request));
      sendProblem(reply, problem(403, `角色 ${actor.role} 无权查看任务队列 (admins only)`, [], request.url));
      return reply;
    }
    if (!request.headers.authorization && crossSite(request, appHost)) {
      sendProblem(reply, problem(403, '来源不明的请求 (cross-site request refused)', [], request.url));
      return reply;
    }
  };

  await fastify.register(async (scope) => {
    scope.addHook('onRequest', guard);
    await scope.register(board.registerPlugin());
  }, { prefix: QUEUE_BOARD_PATH });
}
