import { ApiResponse } from '@nestjs/swagger';
import type { JsonText } from './json-text.js';
import type { ResponseTypes } from './response-types.js';

export type { JsonText };

type Handler<T> = (...args: never[]) => T | JsonText<T> | Promise<T | JsonText<T>>;

const SUCCESS: Record<number, string> = {
  200: '成功 (OK)',
  201: '已创建 (created; Location names it)',
  202: '已接受，在队列中处理 (accepted; Location names where to follow it)',
};

/**
 * The handler answers `status` with the JSON body the OpenAPI document calls `name` (its type is
 * `ResponseTypes[name]`): declared in the document, and checked by the compiler against what the handler returns.
 */
export function Returns<N extends keyof ResponseTypes>(name: N, status = 200, description = SUCCESS[status]) {
  const declare = ApiResponse({
    status,
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
  });
  return <F extends Handler<ResponseTypes[N]>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<F>): void => {
    declare(target, key, descriptor);
  };
}

/**
 * A second answer of a handler declared with `Returns`, sent as a `Response` of that status (e.g. 202 with the
 * submission when a department's figure waits for review); declared only, not checked by the compiler.
 */
export const ReturnsAlso = (name: keyof ResponseTypes, status: number, description = SUCCESS[status]) => ApiResponse({
  status,
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
});

/** A JSON body answered with another status than the handler's own (see `ReturnsAlso`). */
export const jsonResponse = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

/** The handler answers 204 without a body. */
export const ReturnsNothing = () =>
  <F extends (...args: never[]) => void | Promise<void>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<F>): void => {
    ApiResponse({ status: 204, description: '成功，无响应体 (no content)' })(target, key, descriptor);
  };

/** The handler answers 200 with a file of `type` (a download: Content-Disposition names it). */
export const ReturnsFile = (type: string, description: string) =>
  ApiResponse({
    status: 200,
    description,
    headers: { 'Content-Disposition': { description: '下载的文件名 (attachment; filename*=UTF-8\'\'…)', schema: { type: 'string' } } },
    content: { [type]: { schema: { type: 'string', format: 'binary' } } },
  });
