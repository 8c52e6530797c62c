import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { AppConfig } from '../config/config.js';

/** LOG_LEVEL (Nest's names) → pino's levels. */
const PINO_LEVEL: Record<AppConfig['logLevel'], Level | 'silent'> = {
  error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace', silent: 'silent',
};

/** Never logged: credentials in headers, and password and token fields. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie', 'headers["set-cookie"]',
  'authorization', 'cookie', 'password', 'newPassword', 'accessToken', 'refreshToken', 'token', 'secret',
  '*.authorization', '*.cookie', '*.password', '*.newPassword', '*.accessToken', '*.refreshToken', '*.token', '*.secret',
];

/** The process's one JSON logger, for Fastify and Nest's Logger alike; one line per entry. */
export function createLogger(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: PINO_LEVEL[config.logLevel],
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  // Synchronous writes to stdout: the last lines before a crash or process.exit are not lost.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

/** A request id from the client's `x-request-id` when it is a sane token, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:@/+=-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Fastify's request log as one line per completed request; no headers, so no credentials. */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions?.url,
      status: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

const STACK = /^.*\n\s+at .+/;

/** Nest's Logger → pino: `log(message, context)`, `error(message, stack?, context?)`. */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void { this.write('info', message, params); }
  error(message: unknown, ...params: unknown[]): void { this.write('error', message, params); }
  warn(message: unknown, ...params: unknown[]): void { this.write('warn', message, params); }
  debug(message: unknown, ...params: unknown[]): void { this.write('debug', message, params); }
  verbose(message: unknown, ...params: unknown[]): void { this.write('trace', message, params); }
  fatal(message: unknown, ...params: unknown[]): void { this.write('fatal', message, params); }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    let context: string | undefined;
    const last = rest.at(-1);
    if (typeof last === 'string' && !STACK.test(last)) {
      context = last;
      rest.pop();
    }
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    const stackAt = rest.findIndex((p) => typeof p === 'string' && STACK.test(p));
    if (stackAt >= 0) fields.stack = rest.splice(stackAt, 1)[0];
    const extra = rest.filter((p) => p !== undefined);
    if (extra.length) fields.params = extra;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, data: message }, '');
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
