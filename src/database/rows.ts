import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/** The RETURNING rows of an UPDATE/DELETE, which TypeORM's postgres driver wraps as `[rows, rowCount]`. */
export function returned<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}

/** The pg pool under a data source, for hot prepared reads (errors are then pg's `DatabaseError`). */
export function driverPool(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as PostgresDriver).master as pg.Pool;
}
