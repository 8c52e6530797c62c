import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { API_PREFIX } from '../api-prefix.js';

/** `Location` on every 201 and 202 of the API, from the body's `code` or `id`. */
@Injectable()
export class LocationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const declared: number | undefined = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler());
    const status = declared ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    if ((status !== HttpStatus.CREATED && status !== HttpStatus.ACCEPTED) || !request.url.startsWith(`/${API_PREFIX}/`)) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        const key = body && typeof body === 'object' ? ((body as Record<string, unknown>).code ?? (body as Record<string, unknown>).id) : undefined;
        // a handler that set Location itself (the resource lives elsewhere) keeps it
        if ((typeof key === 'string' || typeof key === 'number') && !reply.hasHeader('location')) {
          const path = request.url.split('?')[0].replace(/\/+$/, '');
          void reply.header('location', `${path}/${encodeURIComponent(String(key))}`);
        }
        return body;
      }),
    );
  }
}
