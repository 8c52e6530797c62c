import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../common/domain-error.js';
import { translator } from './i18n.js';
import { langOf, type WebContext, type WebRequest } from './web-context.js';
import { href, Views } from './views.js';

const STATUS: Record<string, number> = {
  not_found: 404, invalid: 422, conflict: 409, unavailable: 503, unauthorized: 401, forbidden: 403, locked: 429, precondition_failed: 412,
};

const REQUEST_ERRORS: Record<number, string> = {
  400: '请求有误，请返回后重试 (the request could not be read: go back and try again)',
  404: '没有这个页面 (there is no such page)',
  405: '不支持此操作 (this action is not supported here)',
  413: '提交的内容或文件过大 (the form or file is too large)',
  415: '不支持此提交方式 (this kind of submission is not supported)',
  429: '请求过于频繁，请稍后再试 (too many requests: try again later)',
};

/** Errors on pages become pages (or a redirect to the login), never a stack trace. */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebErrorFilter');

  constructor(@Inject(Views) private readonly views: Views) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<WebRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof DomainError && exception.code === 'unauthorized' && request.method === 'GET') {
      void reply.redirect(href('/login', { next: request.url }), 303);
      return;
    }
    let status = 500;
    let message = '';
    let errors: { path: string; message: string }[] = [];
    if (exception instanceof DomainError) {
      status = STATUS[exception.code] ?? 400;
      message = exception.message;
      errors = exception.errors;
    } else {
      const code = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: number })?.statusCode;
      if (typeof code === 'number' && code < 500) {
        status = code;
        // Fastify's and Nest's own texts are English and technical: the page says it in words.
        message = REQUEST_ERRORS[code] ?? REQUEST_ERRORS[400];
      }
    }
    if (status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      message = '服务器内部错误，请稍后重试 (internal error)';
    }
    const lang = langOf(request);
    const ctx: WebContext = request.web ?? { actor: null, lang, t: translator(lang), csrf: '', path: request.url };
    this.views.send(reply, 'error', ctx, { status, message, errors }, status);
  }
}
