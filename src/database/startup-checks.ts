import pg from 'pg';
import { Redis } from 'ioredis';

/** A dependency the app cannot start without; main.ts prints the message and exits non-zero. */
export class DependencyUnavailableError extends Error {}

const HOW_TO_START =
  'Start it with `docker-compose up -d postgres redis`, or start the local service ' +
  '(see README, "Setup").';

function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
}

/**
 * Connects to the server's maintenance database and creates the app's database when it is missing.
 * Fails with a message that names PostgreSQL, where it looked and how to start it.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DependencyUnavailableError(
      `PostgreSQL is not reachable at ${where(databaseUrl)} (DATABASE_URL): ${(error as Error).message}. ${HOW_TO_START}`,
    );
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created meanwhile by another process
        });
    }
  } finally {
    await client.end();
  }
}

/** Pings Redis once, with a short timeout and no retries. */
export async function checkRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new DependencyUnavailableError(
      `Redis is not reachable at ${where(redisUrl)} (REDIS_URL): ${(error as Error).message}. ${HOW_TO_START}`,
    );
  } finally {
    redis.disconnect();
  }
}
