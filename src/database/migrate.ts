import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ensureAppRole, grantAppRole, userOf } from './roles.store.js';
import { lockMigrations } from './schema-owner.store.js';


/** Runs pending migrations under an advisory lock (processes starting together migrate once), then grants the app role. */
export async function migrate(dataSource: DataSource, migrationUrl: string, appUrl: string | null = null): Promise<string[]> {
  const lock = new pg.Client({ connectionString: migrationUrl });
  await lock.connect();
  try {
    await lockMigrations(lock);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    if (appUrl) {
      await ensureAppRole(lock, appUrl);
      await grantAppRole(lock, userOf(appUrl));
    }
    return ran.map((m) => m.name);
  } finally {
    await lock.end();
  }
}
