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
/** The per-address row of login_failure_windows (no email is just `*`). */
const ANY_EMAIL = '*';

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
 * in login-throttle.ts. Each attempt is counted in one transaction holding the rows of its keys, before
 * its password is checked: however many arrive at once, at most MAX_FAILURES are checked per address.
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
      const stored = await this.lockRows(m, keyList(keys));
      const outcome = reserve(stored, (await m.query(`SELECT clock_timestamp() AS now`))[0].now, known);
      if ('counters' in outcome) {
        const c = outcome.counters;
        await m.query(
          `UPDATE login_failures f SET failures = u.failures, window_started_at = u.window_started_at,
                  locked_until = u.locked_until, next_check_at = u.next_check_at
             FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
               AS u (key, failures, window_started_at, locked_until, next_check_at)
            WHERE f.key = u.key`,
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
      await this.lockRows(m, keys);
      await m.query(
        `UPDATE login_failures SET locked_until = now() + make_interval(mins => $3)
          WHERE key = ANY($1) AND failures >= $2 AND (locked_until IS NULL OR locked_until <= now())`,
        [keys, MAX_FAILURES, LOCK_MINUTES],
      );
    });
    const [counted] = await this.countWindow([pass.email], pass.ip, 'failures');
    return counted.n === 1;
  }

  /** The login succeeded: clears its (address, account) counter and gives back its own attempt. */
  async succeeded(pass: LoginPass): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockRows(m, keyList(pass.keys));
      if (pass.keys.pair) {
        await m.query(`DELETE FROM login_failures WHERE key = $1 AND (locked_until IS NULL OR locked_until <= now())`, [pass.keys.pair]);
      }
      await m.query(`UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`,
        [[pass.keys.account, pass.keys.address].filter(Boolean)]);
    });
  }

  /**
   * Counts an attempt refused with 429. True for the address's first refusal in the window, the only one
   * the audit trail records (the count stays in login_failure_windows).
   */
  async refused(email: string, ip: string | null): Promise<boolean> {
    const counted = await this.countWindow([email, ANY_EMAIL], ip, 'refused');
    return counted.find((c) => c.email === ANY_EMAIL)?.n === 1;
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
      await this.lockRows(m, keyList(keys));
      await m.query(`UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`, [keyList(keys)]);
    });
  }

  /** The keys' rows, created when missing, locked in key order until the transaction ends. */
  private async lockRows(m: EntityManager, keys: string[]): Promise<Counter[]> {
    await m.query(
      `INSERT INTO login_failures (key, failures, window_started_at)
       SELECT k, 0, now() FROM unnest($1::text[]) AS k ORDER BY k ON CONFLICT (key) DO NOTHING`,
      [keys],
    );
    const rows = await m.query(
      `SELECT key, failures, window_started_at, locked_until, next_check_at FROM login_failures
        WHERE key = ANY($1) ORDER BY key FOR UPDATE`,
      [keys],
    );
    return rows.map(counterOf);
  }

  /** Adds one to this window's count of `column` for each email from `ip`; the counts after. */
  private async countWindow(emails: string[], ip: string | null, column: 'failures' | 'refused'): Promise<{ email: string; n: number }[]> {
    return this.dataSource.query(
      `INSERT INTO login_failure_windows (email, ip, window_start, ${column})
       SELECT e, $2, date_bin($3::interval, now(), timestamptz '2000-01-01'), 1 FROM unnest($1::text[]) AS e ORDER BY e
       ON CONFLICT (email, ip, window_start) DO UPDATE
         SET ${column} = login_failure_windows.${column} + 1, last_at = now()
       RETURNING email, ${column} AS n`,
      [emails, ip ?? '', AUDIT_WINDOW],
    );
  }
}
