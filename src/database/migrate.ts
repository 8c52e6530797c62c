import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ensureAppRole, grantAppRole, userOf } from './roles.js';

const MIGRATION_LOCK = 7_471_100; // any constant: one advisory lock for "migrating target-monitor"

/** Runs pending migrations under an advisory lock (processes starting together migrate once), then grants the app role. */
export async function migrate(dataSource: DataSource, migrationUrl: string, appUrl: string | null = null): Promise<string[]> {
  const lock = new pg.Client({ connectionString: migrationUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
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
