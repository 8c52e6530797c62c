import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DependencyUnavailableError } from './database/startup-checks.js';

/** A stop signal ends the process within this; past it, it exits 1 with what was still running cut. */
export const SHUTDOWN_DEADLINE_MS = 9500;

/** SIGTERM / SIGINT: graceful stop (hooks in order: /health `stopping`, queues drain, HTTP, then databases),
 *  exit 0. Nest re-raises the signal after its shutdown; it lands here again and is ignored. */
function stopOnSignals(app: NestFastifyApplication): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    Logger.log(`${signal}: stopping — no new jobs, finishing jobs and requests in flight`, 'Shutdown');
    // Keep-alive connections idle after their last answer would hold the server's close.
    const server = app.getHttpServer() as Server;
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      console.error(`target-monitor: shutdown not finished after ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        Logger.log(`stopped in ${Date.now() - started} ms`, 'Shutdown');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('target-monitor: shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal));
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  stopOnSignals(app);
  if (config.role === 'worker') {
    Logger.log('worker started (no HTTP)', 'Bootstrap');
    return;
  }
  await app.listen(config.port, config.host);
  Logger.log(`target-monitor (${config.role}) on ${config.appUrl} — API ${config.appUrl}/api/v1, docs ${config.appUrl}/api/docs`, 'Bootstrap');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DependencyUnavailableError) {
    console.error(`target-monitor cannot start: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
