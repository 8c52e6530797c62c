/**
 * `npm run seed` loads the departments and the article's targets (idempotent);
 * `npm run seed -- --demo` adds demonstration figures labelled 示例数据.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { createDataSource } from '../src/database/data-source.js';
import { migrate } from '../src/database/migrate.js';
import { appUrlOf } from '../src/database/roles.store.js';
import { DependencyUnavailableError, ensureDatabase } from '../src/database/startup-checks.js';
import { seedArticle, seedDemoFigures } from './seed.js';

async function main(args: string[]): Promise<void> {
  const config = loadConfig(process.env);
  await ensureDatabase(config.migrationUrl);
  const dataSource = createDataSource(config.migrationUrl);
  await dataSource.initialize();
  try {
    await migrate(dataSource, config.migrationUrl, appUrlOf(config));
    const report = await seedArticle(dataSource);
    console.log(`departments added: ${report.departments}, targets added: ${report.targets}`);
    if (args.includes('--demo')) console.log(`demo figures (示例数据) added: ${await seedDemoFigures(dataSource)}`);
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DependencyUnavailableError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
