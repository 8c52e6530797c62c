import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Queue } from 'bull';
import type { DestinationStream } from 'pino';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import { seedIfEmpty } from '../seeds/seed.js';
import { UPLOAD_LIMIT } from './imports/upload.js';
import { exactJsonParser } from './common/json-numbers.js';
import { finishDocument } from './common/openapi-document.js';
import { parseQueryString } from './common/query-string.js';
import { clientErrors, frameworkErrors, registerMethodNotAllowed } from './common/request-errors.js';
import { registerSecurityHeaders, securityHeaders } from './common/security-headers.js';
import { allowLargeBatchBodies } from './figures/batch-limits.js';
import { API_PREFIX } from './api-prefix.js';
import type { Clock } from './common/clock.js';
import { AppModule } from './app.module.js';
import { AuthService } from './auth/auth.service.js';
import { ensureAdmin } from './auth/bootstrap-admin.js';
import { type AppConfig, fastifyTrustProxy } from './config/config.js';
import { createDataSource } from './database/data-source.js';
import { migrate } from './database/migrate.js';
import { appConnectionProblem, appUrlOf } from './database/roles.store.js';
import { checkRedis, ensureDatabase } from './database/startup-checks.js';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from './jobs/jobs.constants.js';
import { createLogger, PinoNestLogger, RequestLogController, requestId } from './observability/logging.js';
import { Metrics, registerMetrics } from './observability/metrics.js';
import { MetricsStore } from './observability/metrics.store.js';
import { registerQueueBoard } from './observability/queue-board.js';

/** API paths that take multipart/form-data uploads (everything else under the API takes JSON). */
const MULTIPART_API = ['imports', 'documents/extract'];
/** …and evidence files (佐证材料): POST /api/v1/targets/{code}/figures|explanations/{period}/evidence */
const MULTIPART_API_ROUTES = [new RegExp(`^/${API_PREFIX}/targets/[^/?]+/(figures|explanations)/[^/?]+/evidence(\\?|$)`)];

export const BODY_LIMIT = 1024 * 1024;

/** Helmet's defaults, less upgrade-insecure-requests: the office's intranet is often plain HTTP. */
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: { 'upgrade-insecure-requests': null, 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
  },
  strictTransportSecurity: false,
};

export interface CreateAppOptions {
  /** where the JSON log lines go (default: stdout) */
  logDestination?: DestinationStream;
  /** business time (default: the system clock); tests and demos fix it */
  clock?: Clock;
}

/** Before Nest starts, as the migration user: database, migrations, role grants, seed; Redis answers. */
export async function prepare(config: AppConfig): Promise<void> {
  const appUrl = appUrlOf(config);
  await ensureDatabase(config.migrationUrl, appUrl ? 'DATABASE_MIGRATION_URL' : 'DATABASE_URL');
  await checkRedis(config);
  const dataSource = createDataSource(config.migrationUrl);
  await dataSource.initialize();
  try {
    await migrate(dataSource, config.migrationUrl, appUrl);
    if (config.seed) await seedIfEmpty(dataSource);
    await ensureAdmin(dataSource, config);
  } finally {
    await dataSource.destroy();
  }
  if (config.production) {
    const problem = await appConnectionProblem(config.databaseUrl);
    if (problem) {
      Logger.warn(
        `${problem}: it can get round the append-only triggers of audit_log and figure_revisions ` +
        '(ALTER TABLE … DISABLE TRIGGER). Set DATABASE_MIGRATION_URL to the owner and DATABASE_URL to a ' +
        'least-privilege role (docs/security.md, "Database roles and the audit trail")',
        'Bootstrap',
      );
    }
  }
}

/** The Nest app on Fastify: API under /api/v1, OpenAPI at /api/docs, problem+json errors, JSON logs. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // One pino logger for Fastify's request log and Nest's Logger, from the first line on.
  const logger = createLogger(config, options.logDestination);
  const nestLogger = new PinoNestLogger(logger);
  Logger.overrideLogger(nestLogger);
  await prepare(config);
  // Errors Fastify raises before a handler reach ProblemFilter through Nest's Fastify error handler.
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    loggerInstance: logger,
    requestIdHeader: false, // requestId() takes a sane x-request-id itself
    genReqId: requestId,
    logController: new RequestLogController(),
    routerOptions: { querystringParser: parseQueryString },
    frameworkErrors: frameworkErrors(securityHeaders(SECURITY_HEADERS)),
    clientErrorHandler: clientErrors(securityHeaders(SECURITY_HEADERS)),
  });
  adapter.getInstance().removeContentTypeParser('text/plain'); // the API takes JSON only: 415
  allowLargeBatchBodies(adapter.getInstance()); // POST /figures/batch takes up to 32 MB (before Nest adds routes)
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.clock), adapter, { logger: nestLogger });
  const fastify = app.getHttpAdapter().getInstance();
  registerMethodNotAllowed(fastify); // before the routes are added
  // JSON numbers a double cannot hold as written (1e-400, 2000.123456789012345) are refused, not rounded.
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, exactJsonParser(fastify));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  registerSecurityHeaders(fastify, SECURITY_HEADERS);
  // Pages post forms and upload spreadsheets; the API takes JSON only, except uploads.
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 20 } }); // @fastify/busboy reads UTF-8 file names
  fastify.addHook('onRequest', (request, _reply, done) => {
    const type = request.headers['content-type'];
    if (type && request.url.startsWith(`/${API_PREFIX}/`) && (/^application\/x-www-form-urlencoded/i.test(type) ||
      (/^multipart\//i.test(type) && !MULTIPART_API.some((path) => request.url.startsWith(`/${API_PREFIX}/${path}`)) &&
        !MULTIPART_API_ROUTES.some((route) => route.test(request.url))))) {
      done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }));
      return;
    }
    done();
  });
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });
  app.enableShutdownHooks();
  const document = finishDocument(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('target-monitor 目标进度监测')
      .setDescription('Targets of policy documents, their figures, and evaluations of pace and gap-to-goal.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  ));
  SwaggerModule.setup('api/docs', app, document);
  if (config.role !== 'worker') {
    const queues = [EVALUATION_QUEUE, NOTIFICATIONS_QUEUE].map((name) => app.get<Queue>(getQueueToken(name)));
    registerMetrics(fastify, new Metrics(app.get(MetricsStore), queues), config.metricsToken);
    await registerQueueBoard(fastify, app.get(AuthService), queues, config.appUrl);
  }
  await app.init();
  await fastify.ready();
  return app;
}
