import pg from 'pg';
import type { AppConfig } from '../config/config.js';
import { connectOnce, pingRedis, probeClient } from '../jobs/redis.js';
import { createDatabaseIfMissing } from './schema-owner.store.js';

/** A dependency the app cannot start without; main.ts prints the message and exits non-zero. */
export class DependencyUnavailableError extends Error {}

const HOW_TO_START =
  'Start it with `docker-compose up -d postgres redis`, or start the local service ' +
  '(see README, "Setup").';

function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
}

/** Creates the app's database when missing; fails with a message saying where it looked and how to start PostgreSQL. */
export async function ensureDatabase(databaseUrl: string, variable = 'DATABASE_URL'): Promise<void> {
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DependencyUnavailableError(
      `PostgreSQL is not reachable at ${where(databaseUrl)} (${variable}): ${(error as Error).message}. ${HOW_TO_START}`,
    );
  }
  try {
    await createDatabaseIfMissing(client, database);
  } finally {
    await client.end();
  }
}

/** Pings Redis once, no retries; on a cluster one node must say cluster_state:ok. */
export async function checkRedis(config: Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'>): Promise<void> {
  const redis = probeClient(config);
  // ioredis's rejection says little; the error events say why.
  let why = '';
  redis.on('error', (error: Error) => (why ||= ` (${error.message})`));
  redis.on('node error', (error: Error, node: string) => (why = ` (${node}: ${error.message})`));
  try {
    await connectOnce(redis, 10_000);
    await pingRedis(redis);
  } catch (error) {
    const nodes = config.redisClusterNodes;
    throw new DependencyUnavailableError(nodes?.length
      ? `Redis Cluster is not reachable at ${nodes.map((n) => `${n.host}:${n.port}`).join(',')} (REDIS_CLUSTER_NODES): ` +
        `${(error as Error).message}${why}. Check that the nodes answer and that the cluster is formed ` +
        '(redis-cli --cluster check <node>).'
      : `Redis is not reachable at ${where(config.redisUrl)} (REDIS_URL): ${(error as Error).message}${why}. ${HOW_TO_START}`);
  } finally {
    redis.disconnect();
  }
}
