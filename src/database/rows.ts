import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * TypeORM's postgres driver answers an UPDATE or DELETE with `[rows, rowCount]` where every other
 * statement gives the rows: this unwraps the RETURNING rows of an UPDATE/DELETE.
 */
export function returned<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}

/**
 * The pg pool under a TypeORM data source, for the few hot reads worth a prepared statement without
 * TypeORM's query runner around it (errors then are pg's `DatabaseError`, with `code` on the error).
 */
export function driverPool(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as PostgresDriver).master as pg.Pool;
}
