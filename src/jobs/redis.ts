import type { Queue, QueueOptions } from 'bull';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { AppConfig, RedisNode } from '../config/config.js';

/** Every Redis connection: Bull's, and everything else through a queue's `client`, so it follows. */
export type RedisClient = Redis | Cluster;

type BullClientType = 'client' | 'subscriber' | 'bclient';

type RedisConfig = Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'>;

/** A cluster's slot map is read at connect and after a MOVED; 1 s (ioredis' default) is short on a busy host. */
const SLOTS_REFRESH_TIMEOUT_MS = 5000;

/** What REDIS_URL gives every node of a cluster: user, password, TLS (`rediss:`). Its host and db are not used. */
function nodeOptions(redisUrl: string): RedisOptions {
  const u = new URL(redisUrl);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** A cluster connection for one of Bull's roles. Its blocking client and subscriber must wait through outages:
 *  Bull refuses them with `maxRetriesPerRequest` or `enableReadyCheck` set (in `redisOptions` on a Cluster). */
export function clusterClient(nodes: RedisNode[], redisUrl: string, type: BullClientType): Cluster {
  const blocking = type !== 'client';
  const options: ClusterOptions = {
    slotsRefreshTimeout: SLOTS_REFRESH_TIMEOUT_MS,
    redisOptions: {
      ...nodeOptions(redisUrl),
      ...(blocking ? { maxRetriesPerRequest: null, enableReadyCheck: false } : {}),
    },
  };
  return new Cluster(nodes.map((n) => ({ host: n.host, port: n.port })), options);
}

const OWNER = Symbol('target-monitor queue connections');

interface Owner {
  queue?: Queue;
  /** made before the queue was known (its `client`, made in Bull's constructor) */
  early: RedisClient[];
}

/** Cluster queue options, once per queue; `adoptConnections` lets `queue.close()` end them. */
export function clusterQueueOptions(config: RedisConfig): Pick<QueueOptions, 'createClient'> {
  const nodes = config.redisClusterNodes;
  if (!nodes?.length) return {};
  const owner: Owner = { early: [] };
  return {
    createClient: (type) => {
      const client = clusterClient(nodes, config.redisUrl, type);
      Object.defineProperty(client, OWNER, { value: owner });
      if (owner.queue) owner.queue.clients.push(client as unknown as Redis);
      else owner.early.push(client);
      return client;
    },
  };
}

/** Makes the cluster connections of `queue` (see `clusterQueueOptions`) its own; nothing on one server. */
export function adoptConnections(queue: Queue): void {
  const owner = (queue.client as unknown as { [OWNER]?: Owner })[OWNER];
  if (!owner || owner.queue) return;
  owner.queue = queue;
  queue.clients.push(...(owner.early.splice(0) as unknown as Redis[]));
}

/** The queue's command connection, whichever kind it is. */
export const queueClient = (queue: Queue): RedisClient => queue.client as unknown as RedisClient;

/** Whether the queue's connection is up; otherwise ioredis queues commands, so prompt callers check first. */
export const queueConnected = (queue: Queue): boolean => queueClient(queue).status === 'ready';

/** Races `work` against `ms`; a late failure after the timeout is not unhandled. */
export function redisWithin<T>(ms: number, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** PING, or on a cluster CLUSTER INFO's `cluster_state:ok` (a cluster missing a master still answers PING). */
export async function pingRedis(client: RedisClient): Promise<void> {
  if (client.isCluster) {
    const info = String(await (client as Cluster).cluster('INFO'));
    if (!/^cluster_state:ok\s*$/m.test(info)) throw new Error(`the cluster is not serving (${/^cluster_state:\S+/m.exec(info)?.[0] ?? 'no cluster_state'})`);
    return;
  }
  await client.ping();
}

/** Connects a `probeClient` within `ms` (a Cluster failing its ready check never settles `connect()`). */
export async function connectOnce(client: RedisClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let ended: (() => void) | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => client.once('end', (ended = () => reject(new Error(client.isCluster
        ? 'the cluster did not become ready (no slots served, or cluster_state not ok)'
        : 'connection closed'))))),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
    if (ended) client.off('end', ended);
  }
}

/** A one-check connection at start: short timeout, no retries, no offline queue. */
export function probeClient(config: RedisConfig): RedisClient {
  const nodes = config.redisClusterNodes;
  if (nodes?.length) {
    return new Cluster(nodes.map((n) => ({ host: n.host, port: n.port })), {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: () => null,
      slotsRefreshTimeout: SLOTS_REFRESH_TIMEOUT_MS,
      redisOptions: { ...nodeOptions(config.redisUrl), connectTimeout: 5000, maxRetriesPerRequest: 0 },
    });
  }
  return new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
}
