import pg from 'pg';
import type { AppConfig } from '../config/config.js';

/** Append-only tables: triggers refuse changes, and the app role lacks the privileges to get round them. */
export const APPEND_ONLY_TABLES = ['audit_log', 'figure_revisions'] as const;

/** Tables the app's role gets no privilege on: migrations' bookkeeping, the audit chain (written by a trigger). */
export const OWNER_ONLY_TABLES = ['migrations', 'audit_chain'] as const;

/** The user a connection string logs in as (`postgres` when it names none, as libpq does). */
export function userOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).username) || 'postgres';
}

/** DATABASE_URL when its user is not the migrations' user (a role to create and grant to); null with one URL. */
export function appUrlOf(config: Pick<AppConfig, 'databaseUrl' | 'migrationUrl'>): string | null {
  return userOf(config.databaseUrl) === userOf(config.migrationUrl) ? null : config.databaseUrl;
}

/** The app role's privileges, granted by the schema owner after every migration run (idempotent). */
export function grantStatements(role: string, database: string, tables: readonly string[]): string[] {
  const r = pg.escapeIdentifier(role);
  const list = (names: readonly string[]) => names.filter((t) => tables.includes(t)).map((t) => pg.escapeIdentifier(t)).join(', ');
  const appendOnly = list(APPEND_ONLY_TABLES);
  const ownerOnly = list(OWNER_ONLY_TABLES);
  return [
    `GRANT CONNECT, TEMPORARY ON DATABASE ${pg.escapeIdentifier(database)} TO ${r}`,
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    ...(appendOnly ? [`REVOKE UPDATE, DELETE ON ${appendOnly} FROM ${r}`] : []),
    ...(ownerOnly ? [`REVOKE ALL ON ${ownerOnly} FROM ${r}`] : []),
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
  ];
}

/** Runs grantStatements on a connection of the schema owner; fails with a clear message when the role is missing. */
export async function grantAppRole(client: pg.ClientBase, role: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (!rowCount) {
    throw new Error(
      `the app's database role "${role}" (the user of DATABASE_URL) does not exist: create it with ` +
      '`npm run db:roles`, or as a database administrator (see docs/security.md, "Database roles and the audit trail")',
    );
  }
  const { rows: [{ db, tables }] } = await client.query(
    `SELECT current_database() AS db, array(SELECT tablename::text FROM pg_tables WHERE schemaname = 'public') AS tables`,
  );
  // one transaction: a running app never sees the moment between REVOKE ALL and the GRANTs
  await client.query('BEGIN');
  try {
    for (const sql of grantStatements(role, db, tables)) await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Creates the app's role when missing (needs CREATEROLE); returns whether it did. */
export async function ensureAppRole(client: pg.ClientBase, databaseUrl: string): Promise<boolean> {
  const role = userOf(databaseUrl);
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (rowCount) return false;
  const password = decodeURIComponent(new URL(databaseUrl).password);
  await client.query(
    `CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE` +
    (password ? ` PASSWORD ${client.escapeLiteral(password)}` : ''),
  ).catch((error: { code?: string; message: string }) => {
    if (error.code === '42710') return; // created meanwhile by another process
    if (error.code === '42501') {
      throw new Error(
        `the app's database role "${role}" (the user of DATABASE_URL) does not exist and the migration user may not ` +
        `create it (${error.message}): a database administrator creates it (see docs/security.md, "Database roles and the audit trail")`,
      );
    }
    throw error;
  });
  return true;
}

/** What breaks the audit guarantees in the app's own connection; null for a least-privilege role. */
export async function appConnectionProblem(databaseUrl: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows: [r] } = await client.query(
      `SELECT current_user AS role, rolsuper AS super,
              pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'audit_log'::regclass), 'USAGE') AS owner,
              bool_or(has_table_privilege(t, 'UPDATE') OR has_table_privilege(t, 'DELETE') OR has_table_privilege(t, 'TRUNCATE')) AS writes
         FROM pg_roles, unnest($1::text[]) AS t WHERE rolname = current_user GROUP BY rolname, rolsuper`,
      [APPEND_ONLY_TABLES],
    );
    if (r.super) return `the app connects to PostgreSQL as the superuser "${r.role}"`;
    if (r.owner) return `the app connects to PostgreSQL as "${r.role}", owner of audit_log`;
    if (r.writes) return `the app's role "${r.role}" may UPDATE or DELETE audit_log or figure_revisions`;
    return null;
  } finally {
    await client.end();
  }
}
