import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DependencyUnavailableError } from './database/startup-checks.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
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
