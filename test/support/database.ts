import { createHash } from 'node:crypto';
import pg from 'pg';
import { MIGRATIONS } from '../../migrations/index.js';
import { createDataSource } from '../../src/database/data-source.js';

export const SERVER_URL = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

export const databaseUrl = (name: string) => `${SERVER_URL}/${name}`;

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The migrated template, named after the migrations it holds, so a new migration makes a new one. */
const TEMPLATE = `tm_test_tpl_${createHash('sha1').update(MIGRATIONS.map((m) => m.name).join(',')).digest('hex').slice(0, 10)}`;

async function ensureTemplate(client: pg.Client): Promise<void> {
  await client.query('SELECT pg_advisory_lock(7471101)');
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE]);
    if (rowCount) return;
    const building = `${TEMPLATE}_build_${process.pid}`;
    await client.query(`DROP DATABASE IF EXISTS ${building}`);
    await client.query(`CREATE DATABASE ${building} TEMPLATE template0 ENCODING 'UTF8'`);
    const dataSource = createDataSource(databaseUrl(building));
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    await client.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE}`);
  } finally {
    await client.query('SELECT pg_advisory_unlock(7471101)');
  }
}

/** A fresh database for one test file, cloned from the migrated template (~100 ms). */
export async function createTestDatabase(label: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `tm_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}`;
  await withAdmin(async (client) => {
    await ensureTemplate(client);
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  });
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/**
 * Drops a test database once the closed pools' sockets are really gone: pg's pool.end() resolves
 * before its clients disconnect, and FORCE terminating one of those would crash the test process.
 */
export function dropDatabase(name: string): Promise<void> {
  return withAdmin(async (client) => {
    for (let i = 0; i < 50; i += 1) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/** The same database as another user (a role of the test server, trusted like postgres). */
export function asUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  return u.toString();
}

/** Drops a login role a test created (after its databases are dropped: they held its privileges). */
export function dropRole(role: string): Promise<void> {
  return withAdmin(async (client) => {
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  });
}
