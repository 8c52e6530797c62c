/**
 * `npm run migration:run` / `npm run migration:revert`: the same migrations the app runs at start.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config.js';
import { createDataSource } from './data-source.js';
import { migrate } from './migrate.js';
import { DependencyUnavailableError, ensureDatabase } from './startup-checks.js';

async function main(command: string | undefined): Promise<void> {
  const config = loadConfig(process.env);
  await ensureDatabase(config.databaseUrl);
  const dataSource = createDataSource(config.databaseUrl);
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const ran = await migrate(dataSource, config.databaseUrl);
      console.log(ran.length ? `applied: ${ran.join(', ')}` : 'no pending migrations');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else {
      throw new Error('usage: cli.ts run|revert');
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DependencyUnavailableError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
