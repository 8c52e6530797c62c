import pg from 'pg';

/**
 * The statements the schema's owner and the app's plumbing run outside any feature's tables: the
 * migration lock, creating the database, listening on a channel, reading the audit chain for a check.
 */

const MIGRATION_LOCK = 7_471_100; // any constant: one advisory lock for "migrating target-monitor"

/** Waits for the migration lock (held for the session `client` is): several processes migrate once. */
export async function lockMigrations(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
}

/** Creates `database` (UTF8, from template0) unless it is there; another process creating it meanwhile is fine. */
export async function createDatabaseIfMissing(client: pg.ClientBase, database: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (rowCount) return;
  await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`)
    .catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error; // created meanwhile by another process
    });
}

export async function listen(client: pg.ClientBase, channel: string): Promise<void> {
  await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
}

export interface ChainLink { seq: string; audit_id: string; prev: string; hash: string; present: boolean; computed: string | null }

/** `work` in one read-only snapshot, so a check sees the chain and the rows as of one moment. */
export async function inSnapshot<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Up to `limit` links after `seq`, each with its audit row's hash recomputed by the database. */
export async function chainLinks(client: pg.ClientBase, seq: number, limit: number): Promise<ChainLink[]> {
  const { rows } = await client.query(
    `SELECT c.seq::text, c.audit_id::text, encode(c.prev_hash, 'hex') AS prev, encode(c.hash, 'hex') AS hash,
            a.id IS NOT NULL AS present, encode(tm_audit_hash(c.prev_hash, a), 'hex') AS computed
       FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
      WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
    [seq, limit],
  );
  return rows;
}

/** The first audit row without a link (written with the chain's trigger disabled), if any. */
export async function firstUnchainedAuditId(client: pg.ClientBase): Promise<string | undefined> {
  const { rows: [loose] } = await client.query(
    'SELECT a.id::text FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id) ORDER BY a.id LIMIT 1',
  );
  return loose?.id;
}
