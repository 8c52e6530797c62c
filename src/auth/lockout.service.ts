import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import {
  ACCOUNT_CONCURRENT_CHECKS, ACCOUNT_QUEUE, type Counter, KeyedGate, KNOWN_ADDRESS_DAYS, keyList, LOCK_MINUTES, type LoginKeys, loginKeys,
  MAX_FAILURES, reserve,
} from './login-throttle.js';

export { LOCK_MINUTES, MAX_FAILURES } from './login-throttle.js';

/** A login attempt allowed to check its password; `leave` frees its place at the account's gate. */
export interface LoginPass {
  keys: LoginKeys;
  email: string;
  ip: string | null;
  leave: () => void;
}

/** Failed and refused logins are counted per (email, address) in fixed windows of this length. */
const AUDIT_WINDOW = `${LOCK_MINUTES} minutes`;
/** The per-address row of login_failure_windows, counting refused attempts whatever the email. */
const ANY_EMAIL = '*';
/** login_failure_windows rows are kept this long. */
const WINDOW_RETENTION_DAYS = 90;
/** Seeds the advisory lock keys' hash, apart from other advisory locks on the same database. */
const LOCK_SEED = 1765530000;

const locked = (seconds: number) => new DomainError(
  'locked', `登录失败次数过多，请 ${Math.ceil(seconds / 60)} 分钟后再试 (too many failed logins; try again later)`,
  [], { 'retry-after': String(seconds) },
);
const busy = (seconds: number) => new DomainError(
  'locked', `该账户登录尝试过于频繁，请 ${seconds} 秒后再试 (too many login attempts for this account; try again shortly)`,
  [], { 'retry-after': String(seconds) },
);

const counterOf = (r: Record<string, unknown>): Counter => ({
  key: r.key as string, failures: r.failures as number, windowStartedAt: r.window_started_at as Date,
  lockedUntil: r.locked_until as Date | null, nextCheckAt: r.next_check_at as Date | null,
});
const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Login lockout kept in PostgreSQL (shared by every api process, kept across restarts); the rules are
 * in login-throttle.ts. Each attempt is counted in one transaction holding its keys' advisory locks,
 * before its password is checked: however many arrive at once, at most MAX_FAILURES are checked per
 * address and per (address, account) in a window.
 */
@Injectable()
export class LockoutService {
  private readonly gate = new KeyedGate(ACCOUNT_CONCURRENT_CHECKS, ACCOUNT_QUEUE);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts the attempt and waits for the account's turn; 429 while locked or the account is too busy. */
  async enter(email: string, ip: string | null): Promise<LoginPass> {
    const keys = loginKeys(email, ip);
    const known = ip !== null && (await this.knownAddress(email, ip));
    const reservation = await this.dataSource.transaction(async (m) => {
      const stored = await this.lockKeys(m, keyList(keys));
      const outcome = reserve(stored, (await m.query(`SELECT clock_timestamp() AS now`))[0].now, known);
      // A refused attempt writes nothing here: spraying emails from a locked address adds no rows.
      if ('counters' in outcome) {
        const c = outcome.counters;
        await m.query(
          `INSERT INTO login_failures (key, failures, window_started_at, locked_until, next_check_at)
           SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
           ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, window_started_at = EXCLUDED.window_started_at,
             locked_until = EXCLUDED.locked_until, next_check_at = EXCLUDED.next_check_at`,
          [c.map((x) => x.key), c.map((x) => x.failures), c.map((x) => iso(x.windowStartedAt)),
            c.map((x) => iso(x.lockedUntil)), c.map((x) => iso(x.nextCheckAt))],
        );
      }
      return outcome;
    });
    if ('refused' in reservation) {
      const { reason, seconds } = reservation.refused;
      throw reason === 'locked' ? locked(seconds) : busy(seconds);
    }
    if (reservation.waitMs > 0) await sleep(reservation.waitMs);
    const leave = await this.gate.enter(keys.account);
    if (!leave) {
      await this.giveBack(keys);
      throw busy(1);
    }
    return { keys, email, ip, leave };
  }

  /** The password was wrong: locks a key that reached MAX_FAILURES. True for the window's first failure. */
  async failed(pass: LoginPass): Promise<boolean> {
    const keys = [pass.keys.address, pass.keys.pair].filter((k): k is string => Boolean(k));
    await this.dataSource.transaction(async (m) => {
      await this.lockKeys(m, keys);
      await m.query(
        `UPDATE login_failures SET locked_until = now() + make_interval(mins => $3)
          WHERE key = ANY($1) AND failures >= $2 AND (locked_until IS NULL OR locked_until <= now())`,
        [keys, MAX_FAILURES, LOCK_MINUTES],
      );
    });
    const first = (await this.countWindow(pass.email, pass.ip, 'failures')) === 1;
    if (first) await this.prune(); // at most once per (email, address, window): rate-limited by the locks
    return first;
  }

  /** The login succeeded: clears its (address, account) counter and gives back its own attempt. */
  async succeeded(pass: LoginPass): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockKeys(m, keyList(pass.keys));
      if (pass.keys.pair) {
        await m.query(`DELETE FROM login_failures WHERE key = $1 AND (locked_until IS NULL OR locked_until <= now())`, [pass.keys.pair]);
      }
      await m.query(`UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`,
        [[pass.keys.account, pass.keys.address].filter(Boolean)]);
    });
  }

  /**
   * Counts an attempt refused with 429, per address (whatever the email: one row, however many emails
   * are sprayed). True for the address's first refusal in the window, the only one the audit trail records.
   */
  async refused(ip: string | null): Promise<boolean> {
    return (await this.countWindow(ANY_EMAIL, ip, 'refused')) === 1;
  }

  /** Whether the account logged in successfully from this address within KNOWN_ADDRESS_DAYS. */
  private async knownAddress(email: string, ip: string): Promise<boolean> {
    const [row] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
                       WHERE u.email = $1 AND s.ip = $2 AND s.created_at > now() - make_interval(days => $3)) AS known`,
      [email, ip, KNOWN_ADDRESS_DAYS],
    );
    return row.known;
  }

  /** A check that never ran (the account's gate was full) is not a failure. */
  private async giveBack(keys: LoginKeys): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockKeys(m, keyList(keys));
      await m.query(`UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`, [keyList(keys)]);
    });
  }

  /**
   * The keys' counters (fresh ones for keys without a row), with the keys locked until the transaction
   * ends. Advisory locks taken in key order, so that every transaction on login_failures serializes per
   * key, rows or not, without deadlocks.
   */
  private async lockKeys(m: EntityManager, keys: string[]): Promise<Counter[]> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, ${LOCK_SEED})) FROM unnest($1::text[]) AS k`, [keys]);
    const rows = await m.query(
      `SELECT k AS key, f.failures, f.window_started_at, f.locked_until, f.next_check_at, clock_timestamp() AS now
         FROM unnest($1::text[]) AS k LEFT JOIN login_failures f ON f.key = k ORDER BY k`,
      [keys],
    );
    return rows.map((r: Record<string, unknown>) => counterOf(r.failures === null ? { ...r, failures: 0, window_started_at: r.now } : r));
  }

  /** Counters whose window, lock and turn have all passed (they read as fresh anyway), and old windows. */
  private async prune(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_failures WHERE key IN (
         SELECT key FROM login_failures
          WHERE window_started_at < now() - make_interval(mins => $1) AND (locked_until IS NULL OR locked_until < now())
            AND (next_check_at IS NULL OR next_check_at < now())
          LIMIT 200)`,
      [LOCK_MINUTES],
    );
    await this.dataSource.query(
      `DELETE FROM login_failure_windows WHERE ctid IN (
         SELECT ctid FROM login_failure_windows WHERE window_start < now() - make_interval(days => $1) LIMIT 200)`,
      [WINDOW_RETENTION_DAYS],
    );
  }

  /** Adds one to this window's count of `column` for (email, ip); the count after. */
  private async countWindow(email: string, ip: string | null, column: 'failures' | 'refused'): Promise<number> {
    const [row] = await this.dataSource.query(
      `INSERT INTO login_failure_windows (email, ip, window_start, ${column})
       VALUES ($1, $2, date_bin($3::interval, now(), timestamptz '2000-01-01'), 1)
       ON CONFLICT (email, ip, window_start) DO UPDATE
         SET ${column} = login_failure_windows.${column} + 1, last_at = now()
       RETURNING ${column} AS n`,
      [email, ip ?? '', AUDIT_WINDOW],
    );
    return row.n;
  }
}
