import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import type { Counter } from './login-throttle.js';

/** Seeds the advisory lock keys' hash, apart from other advisory locks on the same database. */
const LOCK_SEED = 1765530000;

const counterOf = (r: Record<string, unknown>): Counter => ({
  key: r.key as string, failures: r.failures as number, windowStartedAt: r.window_started_at as Date,
  lockedUntil: r.locked_until as Date | null, nextCheckAt: r.next_check_at as Date | null,
});
const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Login attempts: throttling counters under per-key advisory locks, audit windows, known addresses. */
@Injectable()
export class LoginAttemptsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether the account logged in from this address within `days`. */
  async knownAddress(email: string, ip: string, days: number): Promise<boolean> {
    const [row] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
                       WHERE u.email = $1 AND s.ip = $2 AND s.created_at > now() - make_interval(days => $3)) AS known`,
      [email, ip, days],
    );
    return row.known;
  }

  /** The keys' counters, locked until the transaction ends; advisory locks in key order, so no deadlocks. */
  async lockKeys(tx: Tx, keys: string[]): Promise<Counter[]> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, ${LOCK_SEED})) FROM unnest($1::text[]) AS k`, [keys]);
    const rows = await tx.query(
      `SELECT k AS key, f.failures, f.window_started_at, f.locked_until, f.next_check_at, clock_timestamp() AS now
         FROM unnest($1::text[]) AS k LEFT JOIN login_failures f ON f.key = k ORDER BY k`,
      [keys],
    );
    return rows.map((r: Record<string, unknown>) => counterOf(r.failures === null ? { ...r, failures: 0, window_started_at: r.now } : r));
  }

  /** The database's clock now (not the transaction's start). */
  async clock(tx: Tx): Promise<Date> {
    return (await tx.query(`SELECT clock_timestamp() AS now`))[0].now;
  }

  async saveCounters(tx: Tx, c: Counter[]): Promise<void> {
    await tx.query(
      `INSERT INTO login_failures (key, failures, window_started_at, locked_until, next_check_at)
           SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
           ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, window_started_at = EXCLUDED.window_started_at,
             locked_until = EXCLUDED.locked_until, next_check_at = EXCLUDED.next_check_at`,
      [c.map((x) => x.key), c.map((x) => x.failures), c.map((x) => iso(x.windowStartedAt)),
        c.map((x) => iso(x.lockedUntil)), c.map((x) => iso(x.nextCheckAt))],
    );
  }

  /** Locks for `minutes` the keys (not locked now) whose failures reached `maxFailures`. */
  async lockReached(tx: Tx, keys: string[], maxFailures: number, minutes: number): Promise<void> {
    await tx.query(
      `UPDATE login_failures SET locked_until = now() + make_interval(mins => $3)
          WHERE key = ANY($1) AND failures >= $2 AND (locked_until IS NULL OR locked_until <= now())`,
      [keys, maxFailures, minutes],
    );
  }

  /** Deletes the key's counter unless it is locked. */
  async clearUnlocked(tx: Tx, key: string): Promise<void> {
    await tx.query(`DELETE FROM login_failures WHERE key = $1 AND (locked_until IS NULL OR locked_until <= now())`, [key]);
  }

  /** One failure less on each key's counter (never below zero). */
  async giveBack(tx: Tx, keys: string[]): Promise<void> {
    await tx.query(`UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`, [keys]);
  }

  /** Counters whose window (`minutes` long), lock and turn have all passed, at most 200. */
  async pruneCounters(minutes: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_failures WHERE key IN (
         SELECT key FROM login_failures
          WHERE window_started_at < now() - make_interval(mins => $1) AND (locked_until IS NULL OR locked_until < now())
            AND (next_check_at IS NULL OR next_check_at < now())
          LIMIT 200)`,
      [minutes],
    );
  }

  /** Audit windows older than `days`, at most 200. */
  async pruneWindows(days: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_failure_windows WHERE ctid IN (
         SELECT ctid FROM login_failure_windows WHERE window_start < now() - make_interval(days => $1) LIMIT 200)`,
      [days],
    );
  }

  /** Adds one to the count of `column` for (email, ip) in its window of length `window`; the count after. */
  async countWindow(email: string, ip: string | null, column: 'failures' | 'refused', window: string): Promise<number> {
    const [row] = await this.dataSource.query(
      `INSERT INTO login_failure_windows (email, ip, window_start, ${column})
       VALUES ($1, $2, date_bin($3::interval, now(), timestamptz '2000-01-01'), 1)
       ON CONFLICT (email, ip, window_start) DO UPDATE
         SET ${column} = login_failure_windows.${column} + 1, last_at = now()
       RETURNING ${column} AS n`,
      [email, ip ?? '', window],
    );
    return row.n;
  }
}
