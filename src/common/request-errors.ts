import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.filter.js';

/** What Fastify's router refuses before any hook runs (414, 400), as problem+json with the security headers. */
export function frameworkErrors(headers: Readonly<Record<string, string>>) {
  return (error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    void reply.headers(headers).header('x-request-id', request.id);
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      sendProblem(reply, problem(414, '地址过长：路径中的参数超过 100 个字符 (a path parameter is longer than 100 characters)',
        [{ path: '', message: '地址过长' }]));
      return;
    }
    sendProblem(reply, problem(400, '地址无法解析：百分号编码有误 (the URL is not validly percent-encoded)',
      [{ path: '', message: '地址格式错误' }], request.raw.url?.slice(0, 200)));
  };
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a request line or headers past 16 KB: 431;
 * a broken request: 400; a client too slow: 408), as problem+json with the security headers, then the
 * connection is closed (Fastify's own answer here is plain JSON).
 */
export function clientErrors(headers: Readonly<Record<string, string>>) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, detail] = error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, '请求头或地址过长（超过 16 KB）(the request line or headers exceed 16 KB)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, '请求超时 (the request was not received in time)']
        : [400, '请求格式错误，无法解析 (the HTTP request could not be parsed)'];
    const body = JSON.stringify(problem(status, detail, [{ path: '', message: detail }]));
    const lines = Object.entries({ ...headers, 'content-type': 'application/problem+json; charset=utf-8', connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`).join('');
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
    socket.destroy(error);
  };
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A route's URL (`/api/v1/users/:id`, `/assets/*`) as a regular expression over request paths. */
export function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+(?:\([^)]*\))?|\*)/)
    .map((part, i) => (i % 2 ? (part === '*' ? '.*' : '[^/]+') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** 405 with `Allow` where Fastify would answer 404; register before any route so it records them all. */
export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  const routes: { methods: string[]; pattern: RegExp }[] = [];
  fastify.addHook('onRoute', (route) => {
    if (/^\/?\*$/.test(route.url)) return; // a catch-all (CORS preflight) says nothing of a path's methods
    routes.push({ methods: [route.method].flat().map((m) => m.toUpperCase()), pattern: routePattern(route.url) });
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) {
      done();
      return;
    }
    const path = request.url.split('?')[0];
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods));
    if (allowed.has('GET')) allowed.add('HEAD');
    if (!allowed.size || allowed.has(request.method)) {
      done();
      return;
    }
    const allow = [...allowed].sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b)).join(', ');
    void reply.header('allow', allow);
    done(Object.assign(new Error(`此地址不支持 ${request.method} 方法，可用：${allow} (method ${request.method} is not allowed here; allowed: ${allow})`), { statusCode: 405 }));
  });
}
