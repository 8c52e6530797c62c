import pg from 'pg';
import type { DataSource } from 'typeorm';

const MIGRATION_LOCK = 7_471_100; // any constant: one advisory lock for "migrating target-monitor"

/**
 * Runs pending migrations under an advisory lock, so several processes starting together migrate
 * once and the others wait for it.
 */
export async function migrate(dataSource: DataSource, databaseUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await lock.end();
  }
}
