import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { driverPool } from './rows.js';

/*
 * The statement runner the stores share for their hot statements: named (prepared) statements on the
 * caller's transaction or the primary's pool. It holds no SQL of its own.
 */
const statementNames = new Map<string, string>();

/**
 * `text` as a named (prepared) statement, on the connection of `db`'s transaction or else on the primary's
 * pool: parsed once per connection, and no longer planned per call once PostgreSQL settles on a generic
 * plan (after five calls, when it costs no more than the custom ones). For the hot statements of small
 * writes and reads (a figure PUT plans ~1 ms of SQL otherwise); a statement over a large input belongs in
 * a plain `query`, planned for its size. Rows as pg returns them (an UPDATE's too: no `[rows, count]`).
 */
export async function preparedQuery<T>(db: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `tm_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  const runner = (db as EntityManager).queryRunner;
  const client: pg.ClientBase | pg.Pool = runner
    ? ((await runner.connect()) as pg.PoolClient)
    : driverPool('driver' in db ? db : (db as EntityManager).connection);
  const { rows } = await client.query<T & pg.QueryResultRow>({ name, text, values });
  return rows;
}

/** Inputs up to this many rows run as prepared statements (`sizedQuery`); larger ones are planned for their size. */
export const PREPARED_MAX_ROWS = 50;

/** `text` as a prepared statement (`preparedQuery`) when `prepare`, else a plain query, planned per call. */
export async function queryAs<T>(prepare: boolean, db: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  return prepare ? preparedQuery<T>(db, text, values) : db.query(text, values);
}

/** Prepared for an input of `size` rows up to PREPARED_MAX_ROWS, a plain (planned) query above. */
export function sizedQuery<T>(db: DataSource | EntityManager, size: number, text: string, values: unknown[]): Promise<T[]> {
  return queryAs<T>(size <= PREPARED_MAX_ROWS, db, text, values);
}
