import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config.js';
import { DependencyUnavailableError, checkRedis } from '../../src/database/startup-checks.js';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { queueClient } from '../../src/jobs/redis.js';
import { eventually, REDIS_URL, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { type PrivateRedisCluster, startPrivateRedisCluster } from '../support/redis-server.js';
import { evaluate } from '../support/runs.js';

/** The hash tag makes every key of both queues hash to the slot of `tmtest`. */
const PREFIX = '{tmtest}';

/** Every key on every node of the cluster, with the node that holds it. */
async function keysByNode(cluster: PrivateRedisCluster): Promise<Map<number, string[]>> {
  const byNode = new Map<number, string[]>();
  for (const { host, port } of cluster.nodes) {
    const node = new Redis(port, host, { maxRetriesPerRequest: 1 });
    try {
      const keys = await node.keys('*');
      if (keys.length) byNode.set(port, keys);
    } finally {
      node.disconnect();
    }
  }
  return byNode;
}

/** Connections open on the cluster's nodes, less the one asking. */
async function clientsOnNodes(cluster: PrivateRedisCluster): Promise<number> {
  let n = 0;
  for (const { host, port } of cluster.nodes) {
    const node = new Redis(port, host, { maxRetriesPerRequest: 1 });
    try {
      const list = String(await node.call('CLIENT', 'LIST', 'TYPE', 'normal'));
      n += list.split('\n').filter(Boolean).length - 1;
      n += String(await node.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n').filter(Boolean).length;
    } finally {
      node.disconnect();
    }
  }
  return n;
}

describe('Bull on a real Redis Cluster (3 masters)', () => {
  let cluster: PrivateRedisCluster;
  let t: TestApp | undefined;
  /** `evaluate` waits for the run's reconcile job on it */
  let notifications: Queue;

  before(async () => {
    cluster = await startPrivateRedisCluster(3);
    t = await startApp('cluster', { REDIS_CLUSTER_NODES: cluster.nodesEnv, QUEUE_PREFIX: PREFIX });
    notifications = t.app.get(getQueueToken(NOTIFICATIONS_QUEUE));
    await createDepartment(t);
    await createTarget(t);
  });
  after(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('connects every queue through an ioredis Cluster', () => {
    for (const name of [EVALUATION_QUEUE, NOTIFICATIONS_QUEUE]) {
      const q = t!.app.get<Queue>(getQueueToken(name));
      assert.equal(queueClient(q).isCluster, true, name);
      assert.ok(q.clients.length >= 1, `${name}: its connections are its own, closed with it`);
    }
  });

  it('runs an evaluation end to end; health says Redis up; every key under the prefix, in one slot', async () => {
    await evaluate(t!, notifications);
    const health = await t!.http().get('/api/v1/health').expect(200);
    assert.deepEqual(health.body.checks, { database: 'up', redis: 'up' });
    assert.equal(health.body.status, 'ok');
    const metrics = await t!.anonymous().get('/metrics').expect(200);
    assert.match(metrics.text, /^tm_dependency_up\{dependency="redis"\} 1$/m);
    assert.match(metrics.text, /^tm_queue_jobs\{queue="evaluation",state="failed"\} 0$/m);
    const board = await t!.http().get('/admin/queues/api/queues').expect(200);
    assert.deepEqual(board.body.queues.map((q: { name: string }) => q.name).sort(), ['evaluation', 'notifications']);
    const stats = await t!.http().get('/admin/queues/api/redis/stats').expect(200);
    assert.match(String(stats.body.version), /^\d+\.\d+/);

    const byNode = await keysByNode(cluster);
    assert.equal(byNode.size, 1, `keys on one node only: ${JSON.stringify([...byNode])}`);
    const keys = [...byNode.values()][0];
    assert.ok(keys.every((k) => k.startsWith(`${PREFIX}:`)), keys.join(' '));
    for (const expected of [`${PREFIX}:evaluation:id`, `${PREFIX}:notifications:id`]) assert.ok(keys.includes(expected), expected);
    const node = new Redis(cluster.nodes[0].port, cluster.nodes[0].host);
    try {
      const slots = new Set(await Promise.all(keys.map((k) => node.cluster('KEYSLOT', k))));
      assert.deepEqual([...slots], [await node.cluster('KEYSLOT', 'tmtest')]);
    } finally {
      node.disconnect();
    }
  });

  it('closes every connection it made to the cluster when the app closes', async () => {
    assert.ok(await clientsOnNodes(cluster) > 0);
    const app = t!;
    t = undefined;
    await app.close();
    await eventually(async () => ((await clientsOnNodes(cluster)) === 0 ? true : undefined), 10_000, 'no connection left');
  });
});

describe('REDIS_CLUSTER_NODES at start (the check main.ts prints and exits 1 on)', () => {
  const check = (nodes: string) => checkRedis({ redisUrl: REDIS_URL, redisClusterNodes: loadConfig({ REDIS_CLUSTER_NODES: nodes, QUEUE_PREFIX: PREFIX }).redisClusterNodes });
  const refused = (nodes: string, why: RegExp) => async () => {
    await assert.rejects(check(nodes), (error: Error) => {
      assert.ok(error instanceof DependencyUnavailableError);
      assert.ok(error.message.startsWith(`Redis Cluster is not reachable at ${nodes} (REDIS_CLUSTER_NODES): `), error.message);
      assert.match(error.message, why);
      return true;
    });
  };

  it('refuses a Redis that is not a cluster', async () => {
    const shared = new URL(REDIS_URL);
    await refused(`${shared.hostname}:${shared.port || 6379}`, /cluster support disabled/)();
  });

  it('refuses nodes that do not answer', refused('127.0.0.1:1', /None of startup nodes is available/));

  it('refuses a cluster not formed (no slots), instead of waiting for ever', async () => {
    const unformed = await startPrivateRedisCluster(1, { form: false });
    try {
      await refused(unformed.nodesEnv, /did not become ready/)();
    } finally {
      await unformed.stop();
    }
  });
});
