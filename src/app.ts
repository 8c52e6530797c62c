import 'reflect-metadata';
import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { seedIfEmpty } from '../seeds/seed.js';
import { UPLOAD_LIMIT } from './imports/upload.js';
import { API_PREFIX } from './api-prefix.js';
import { AppModule } from './app.module.js';
import { ensureAdmin } from './auth/bootstrap-admin.js';
import type { AppConfig } from './config/config.js';
import { createDataSource } from './database/data-source.js';
import { migrate } from './database/migrate.js';
import { checkRedis, ensureDatabase } from './database/startup-checks.js';

export const BODY_LIMIT = 1024 * 1024;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Database exists, schema migrated, article seeded when empty; Redis answers. Before Nest starts. */
export async function prepare(config: AppConfig): Promise<void> {
  await ensureDatabase(config.databaseUrl);
  await checkRedis(config.redisUrl);
  const dataSource = createDataSource(config.databaseUrl);
  await dataSource.initialize();
  try {
    await migrate(dataSource, config.databaseUrl);
    if (config.seed) await seedIfEmpty(dataSource);
    await ensureAdmin(dataSource, config);
  } finally {
    await dataSource.destroy();
  }
}

/** The Nest app on Fastify with the API under /api/v1, OpenAPI at /api/docs, errors as problem+json. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  await prepare(config);
  // Errors Fastify raises before a handler (body parsing, size) reach ProblemFilter through Nest's
  // own Fastify error handler.
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT, trustProxy: config.trustProxy });
  adapter.getInstance().removeContentTypeParser('text/plain'); // the API takes JSON only: 415
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: config.logLevel === 'silent' ? false : LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
  });
  // Helmet's defaults, less upgrade-insecure-requests: the office's intranet is often plain HTTP.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'upgrade-insecure-requests': null, 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
    },
    strictTransportSecurity: false,
  });
  // Pages post forms (Nest's adapter parses urlencoded bodies) and upload spreadsheets; the API takes
  // JSON only, except the import upload.
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 20 } }); // @fastify/busboy reads UTF-8 file names
  app.getHttpAdapter().getInstance().addHook('onRequest', async (request) => {
    if (!request.url.startsWith(`/${API_PREFIX}/`)) return;
    const type = request.headers['content-type'] ?? '';
    if (/^application\/x-www-form-urlencoded/i.test(type) || (/^multipart\//i.test(type) && !request.url.startsWith(`/${API_PREFIX}/imports`))) {
      throw Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    }
  });
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('target-monitor 目标进度监测')
      .setDescription('Targets of policy documents, their figures, and evaluations of pace and gap-to-goal.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
