import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import type { Clock } from '../../src/common/clock.js';
import { type AppConfig, loadConfig } from '../../src/config/config.js';
import { checkContract, recordResponses } from './contract.js';
import { asUser, createTestDatabase, dropRole } from './database.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export const ADMIN = { email: 'admin@example.org', password: 'Yubei-plan-office-2025' };

type Agent = ReturnType<typeof request.agent>;

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** supertest against the real app's HTTP server, signed in as the admin */
  http: () => Agent;
  /** supertest with no credentials */
  anonymous: () => ReturnType<typeof request>;
  /** supertest with `Authorization: Bearer <token>` */
  as: (token: string) => Agent;
  /** logs in and returns the access token */
  login: (email: string, password: string) => Promise<string>;
  /** a direct connection to the test database, for assertions */
  db: pg.Pool;
  close: () => Promise<void>;
}

/** Environment for an app on this test file's own database and Redis key prefix. */
export function testEnv(databaseUrl: string, prefix: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: REDIS_URL,
    QUEUE_PREFIX: prefix,
    SEED: 'false',
    LOG_LEVEL: 'silent',
    JOB_BACKOFF_MS: '50',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Departments' figures count as written here; review (FIGURE_REVIEW=on, the default) is tested with it on
    // in test/e2e/figure-review.e2e.ts and test/e2e/web-review.e2e.ts.
    FIGURE_REVIEW: 'off',
    ...env,
  };
}

export interface StartOptions {
  /**
   * The app connects as a least-privilege role of its own (DATABASE_URL), created and granted at start by
   * the superuser (DATABASE_MIGRATION_URL); `db` stays the superuser's.
   */
  appRole?: string;
  /** business time of the app (default: the system clock) */
  clock?: Clock;
}

/** The real app (Fastify, TypeORM on PostgreSQL, Bull on Redis) on a database of its own. */
export async function startApp(label: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(label);
  const prefix = `tmtest:${database.name}`;
  const role = options.appRole;
  const config = loadConfig(role
    ? testEnv(asUser(database.url, role), prefix, { DATABASE_MIGRATION_URL: database.url, ...env })
    : testEnv(database.url, prefix, env));
  const app = await createApp(config, { clock: options.clock });
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  const server = app.getHttpServer();
  // responses are recorded and checked when asked for: CONTRACT_CHECK=on (npm test's default), or CONTRACT_REPORT to survey
  const contract = process.env.CONTRACT_CHECK === 'on' || Boolean(process.env.CONTRACT_REPORT);
  const observed = contract ? recordResponses(server) : [];
  const as = (token: string) => request.agent(server).set('authorization', `Bearer ${token}`);
  const login = async (email: string, password: string) => {
    const res = await request(server).post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${res.text}`);
    return res.body.accessToken as string;
  };
  const adminToken = await login(ADMIN.email, ADMIN.password);
  return {
    app,
    config,
    http: () => as(adminToken),
    anonymous: () => request(server),
    as,
    login,
    db,
    close: async () => {
      const mismatches = contract ? await checkContract((await request(server).get('/api/docs-json')).body, observed) : [];
      await app.close();
      await db.end();
      await flushPrefix(prefix);
      await database.drop();
      if (role) await dropRole(role);
      if (mismatches.length && process.env.CONTRACT_CHECK === 'on') {
        throw new Error(`${mismatches.length} responses disagree with the OpenAPI document:\n${[...new Set(mismatches)].slice(0, 40).join('\n')}`);
      }
    },
  };
}

export async function flushPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
