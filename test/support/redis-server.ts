import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Redis of one's own (no persistence), to stop and start without touching the shared one. */
export interface PrivateRedis {
  url: string;
  port: number;
  running: () => boolean;
  /** SIGTERM, and wait until it has exited */
  stop: () => Promise<void>;
  /** start it again on the same port (empty: nothing is persisted) and wait until it answers */
  start: () => Promise<void>;
}

async function answers(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`private Redis at ${url} does not answer: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      redis.disconnect();
    }
  }
}

export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  const p = port ?? (await freePort());
  const url = `redis://127.0.0.1:${p}/0`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) return;
    const c = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    void exited.then(() => {
      if (child === c) child = null;
    });
    await answers(url, 10_000);
  };
  await start();
  return {
    url,
    port: p,
    running: () => child !== null,
    stop: async () => {
      const c = child;
      if (!c) return;
      c.kill('SIGTERM');
      await exited;
      child = null;
    },
    start,
  };
}

/** A Redis Cluster of one's own: masters only, no persistence, in a temporary directory. */
export interface PrivateRedisCluster {
  nodes: { host: string; port: number }[];
  /** `127.0.0.1:P1,127.0.0.1:P2,…`, as REDIS_CLUSTER_NODES takes it */
  nodesEnv: string;
  pids: number[];
  /** SIGTERM to each node (by PID), wait until they have exited, remove the directory */
  stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n` distinct ports free on 127.0.0.1 right now. */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function clusterOk(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    for (;;) {
      const info = String(await redis.call('CLUSTER', 'INFO').catch((error: Error) => error.message));
      if (/^cluster_state:ok\s*$/m.test(info)) return;
      if (Date.now() > deadline) throw new Error(`cluster node 127.0.0.1:${port} not ok: ${info.split('\n')[0]}`);
      await sleep(100);
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * `masters` redis-server processes with cluster mode on (client and bus ports free now, the bus port
 * given with --cluster-port), formed with `redis-cli --cluster create … --cluster-replicas 0`; resolves
 * once every node says cluster_state:ok. `form: false` leaves them unformed (no slots assigned).
 */
export async function startPrivateRedisCluster(masters = 3, { form = true } = {}): Promise<PrivateRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-redis-cluster-'));
  const ports = await freePorts(masters * 2);
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  const stop = async () => {
    for (const c of children) if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGTERM');
    await Promise.all(exits);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const [port, bus] = [ports[i], ports[masters + i]];
      const c = spawn('redis-server', [
        '--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir,
        '--save', '', '--appendonly', 'no', '--daemonize', 'no',
      ], { stdio: 'ignore' });
      children.push(c);
      exits.push(new Promise((resolve) => {
        c.once('exit', () => resolve());
        c.once('error', () => resolve()); // not started: no exit follows
      }));
    }
    await Promise.all(ports.slice(0, masters).map((p) => answers(`redis://127.0.0.1:${p}/0`, 10_000)));
    const nodes = ports.slice(0, masters).map((port) => ({ host: '127.0.0.1', port }));
    const nodesEnv = nodes.map((n) => `${n.host}:${n.port}`).join(',');
    if (!form) return { nodes, nodesEnv, pids: children.map((c) => c.pid!), stop }; // cluster mode on, no slots
    await new Promise<void>((resolve, reject) => {
      execFile('redis-cli', ['--cluster', 'create', ...nodesEnv.split(','), '--cluster-replicas', '0', '--cluster-yes'],
        { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`redis-cli --cluster create: ${error.message}\n${stdout}${stderr}`)) : resolve()));
    });
    await Promise.all(nodes.map((n) => clusterOk(n.port, 20_000)));
    return { nodes, nodesEnv, pids: children.map((c) => c.pid!), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
