import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../common/domain-error.js';
import { translator } from './i18n.js';
import { langOf, type WebContext, type WebRequest } from './web-context.js';
import { href, Views } from './views.js';

const STATUS: Record<string, number> = {
  not_found: 404, invalid: 422, conflict: 409, unavailable: 503, unauthorized: 401, forbidden: 403, locked: 429,
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
        message = exception instanceof Error ? exception.message : String(exception);
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
