import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseError } from 'pg';
import { inLanguage } from './bilingual.js';
import { DomainError, type DomainErrorCode, type FieldError } from './domain-error.js';
import { isDatabaseUnavailable } from './database-errors.js';

const STATUS: Record<DomainErrorCode, number> = {
  not_found: 404,
  invalid: 422,
  conflict: 409,
  unavailable: 503,
  unauthorized: 401,
  forbidden: 403,
  locked: 429,
  precondition_failed: 412,
};

const TITLES: Record<number, string> = {
  400: '请求格式错误 Bad Request',
  401: '未认证 Unauthorized',
  403: '无权限 Forbidden',
  404: '未找到 Not Found',
  405: '方法不允许 Method Not Allowed',
  409: '冲突 Conflict',
  412: '先决条件不满足 Precondition Failed',
  413: '请求体过大 Payload Too Large',
  414: '地址过长 URI Too Long',
  415: '不支持的媒体类型 Unsupported Media Type',
  422: '输入有误 Unprocessable Content',
  429: '请求过多，请稍后再试 Too Many Requests',
  431: '请求头过大 Request Header Fields Too Large',
  500: '服务器内部错误 Internal Server Error',
  503: '服务暂不可用 Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors: FieldError[];
}

export function problem(status: number, detail: string, errors: FieldError[] = [], instance?: string): Problem {
  return {
    type: status >= 500 ? 'about:blank' : `urn:target-monitor:problem:${status}`,
    title: TITLES[status] ?? `HTTP ${status}`,
    status,
    detail,
    instance,
    errors,
  };
}

export function sendProblem(reply: FastifyReply, body: Problem): void {
  void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
}

/** Chinese-first problems for what Fastify rejects before a handler runs (body parsing, size, media type). */
function requestProblem(status: number, message: string, instance: string, bodyLimit = 1024 * 1024): Problem | null {
  if (status === 413) {
    const mb = `${Math.round(bodyLimit / 1024 / 1024)} MB`;
    return problem(413, `请求体超过 ${mb} (body exceeds ${mb})`, [{ path: '', message: '请求体过大' }], instance);
  }
  if (status === 415) return problem(415, '仅接受 application/json (only application/json is accepted)', [{ path: '', message: '不支持的媒体类型' }], instance);
  if (status === 400 && /JSON|body/i.test(message)) {
    return problem(400, `请求体不是合法的 JSON (malformed JSON body: ${message})`, [{ path: '', message: 'JSON 格式错误' }], instance);
  }
  // Nest's "Cannot GET /nope" for an address no route has
  if (status === 404 && UNKNOWN_ROUTE.test(message)) {
    const path = instance.split('?')[0];
    return problem(404, `没有这个地址：${path} (there is nothing at ${path})`, [], instance);
  }
  return null;
}

const UNKNOWN_ROUTE = /^Cannot [A-Z]+ /;

/** A browser asking for a page outside the API (a mistyped address) gets a page, not JSON. */
const wantsPage = (request: FastifyRequest) =>
  !request.url.startsWith('/api/') && /text\/html/.test(request.headers.accept ?? '');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page in the visitor's language (the tm_lang cookie the pages set): Chinese unless English was chosen. */
function errorPage(p: Problem, request: FastifyRequest): string {
  const en = (request.cookies as Record<string, string> | undefined)?.tm_lang === 'en';
  const title = en ? p.title.replace(/^[^A-Za-z]*/, '') : p.title.replace(/\s*[A-Za-z][A-Za-z ]*$/, '');
  const unknown = p.status === 404 && p.detail.startsWith('没有这个地址：');
  const detail = unknown ? (en ? `There is no page at ${request.url}` : `没有这个页面：${request.url}`) : inLanguage(en ? 'en' : 'zh', p.detail);
  return `<!doctype html><html lang="${en ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/app.css"></head><body><main id="main"><h1>${escapeHtml(title)}</h1>
<p class="alert" role="alert">${escapeHtml(detail)}</p><p><a href="/">${en ? 'Back to the dashboard' : '返回看板'}</a></p></main></body></html>`;
}

/** Every error leaves the API as application/problem+json (RFC 9457); no stack or SQL in the body. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof DomainError) void reply.headers(exception.headers);
    const body = this.toProblem(exception, request.url, request.routeOptions?.bodyLimit);
    if (body.status === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '5');
    if (wantsPage(request)) {
      void reply.status(body.status).header('content-type', 'text/html; charset=utf-8').send(errorPage(body, request));
      return;
    }
    sendProblem(reply, body);
  }

  /** `bodyLimit`: the route's (POST /figures/batch takes more than the app's 1 MB), named in a 413. */
  private toProblem(exception: unknown, instance: string, bodyLimit?: number): Problem {
    if (exception instanceof DomainError) {
      return problem(STATUS[exception.code], exception.message, exception.errors, instance);
    }
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status < 500) {
      const response = exception instanceof HttpException ? exception.getResponse() : exception;
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? '');
      return requestProblem(status, message, instance, bodyLimit) ?? problem(status, message, [], instance);
    }
    // U+0000 from the URL or query string reached a query: the request's fault (bodies are checked by ZodPipe).
    const pgCode = (exception as { driverError?: { code?: string } })?.driverError?.code
      ?? (exception instanceof DatabaseError ? exception.code : undefined);
    if (pgCode === '22021') {
      return problem(400, '请求含有无法处理的字符 (U+0000) (the request contains U+0000)', [{ path: '', message: '不得包含 NUL 字符' }], instance);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`数据库暂不可用 (database unavailable): ${(exception as Error)?.message}`);
      return problem(503, '数据库暂不可用，请稍后重试 (the database is not answering; try again shortly)', [], instance);
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return problem(500, '服务器内部错误，请稍后重试 (internal error)', [], instance);
  }
}
