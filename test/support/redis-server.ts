import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
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
