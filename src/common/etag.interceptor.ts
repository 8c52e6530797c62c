import { type CallHandler, createParamDecorator, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { API_PREFIX } from '../api-prefix.js';
import { etagOf, ifNoneMatchNames, TAGGED_CREATIONS, VERSIONED_ROUTES } from './etag.js';

const ROUTED = new Set<string>(VERSIONED_ROUTES.map((route) => `/${API_PREFIX}${route}`));
const CREATING = new Set<string>(TAGGED_CREATIONS.map((route) => `/${API_PREFIX}${route}`));

/** Which answer of a request carries the resource's ETag: its GET, a PATCH, a POST that creates it. */
function tagged(method: string, route: string | undefined): 'read' | 'write' | null {
  if (!route) return null;
  if (method === 'GET' || method === 'HEAD') return ROUTED.has(route) ? 'read' : null;
  if (method === 'PATCH') return ROUTED.has(route) ? 'write' : null;
  return method === 'POST' && CREATING.has(route) ? 'write' : null;
}

/** `ETag` and 304 on VERSIONED_ROUTES; none on a PUT's answer (RFC 9110 §9.3.4). */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const answer = tagged(request.method, request.routeOptions?.url);
    if (!answer) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        if (body === undefined || body === null || (typeof body !== 'object' && typeof body !== 'string')) return body;
        const tag = etagOf(body);
        void reply.header('etag', tag);
        if (answer === 'read' && ifNoneMatchNames(request.headers['if-none-match'], tag)) {
          return new Response(null, { status: 304, headers: { etag: tag } });
        }
        return body;
      }),
    );
  }
}

/** The request's If-Match header (undefined when there is none): the version a write is conditional on. */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined =>
  context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']);
