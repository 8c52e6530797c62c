import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { Transactions } from '../database/transactions.js';
import {
  ACCOUNT_CONCURRENT_CHECKS, ACCOUNT_QUEUE, KeyedGate, KNOWN_ADDRESS_DAYS, keyList, LOCK_MINUTES, type LoginKeys, loginKeys,
  MAX_FAILURES, reserve,
} from './login-throttle.js';
import { LoginAttemptsStore } from './login-attempts.store.js';

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

const locked = (seconds: number) => new DomainError(
  'locked', `登录失败次数过多，请 ${Math.ceil(seconds / 60)} 分钟后再试 (too many failed logins; try again later)`,
  [], { 'retry-after': String(seconds) },
);
const busy = (seconds: number) => new DomainError(
  'locked', `该账户登录尝试过于频繁，请 ${seconds} 秒后再试 (too many login attempts for this account; try again shortly)`,
  [], { 'retry-after': String(seconds) },
);

/** Login lockout in PostgreSQL (rules: login-throttle.ts); attempts counted under advisory locks, before checking. */
@Injectable()
export class LockoutService {
  private readonly gate = new KeyedGate(ACCOUNT_CONCURRENT_CHECKS, ACCOUNT_QUEUE);

  constructor(private readonly transactions: Transactions, private readonly attempts: LoginAttemptsStore) {}

  /** Counts the attempt and waits for the account's turn; 429 while locked or the account is too busy. */
  async enter(email: string, ip: string | null): Promise<LoginPass> {
    const keys = loginKeys(email, ip);
    const known = ip !== null && (await this.attempts.knownAddress(email, ip, KNOWN_ADDRESS_DAYS));
    const reservation = await this.transactions.run(async (tx) => {
      const stored = await this.attempts.lockKeys(tx, keyList(keys));
      const outcome = reserve(stored, await this.attempts.clock(tx), known);
      // A refused attempt writes nothing here: spraying emails from a locked address adds no rows.
      if ('counters' in outcome) await this.attempts.saveCounters(tx, outcome.counters);
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
    await this.transactions.run(async (tx) => {
      await this.attempts.lockKeys(tx, keys);
      await this.attempts.lockReached(tx, keys, MAX_FAILURES, LOCK_MINUTES);
    });
    const first = (await this.countWindow(pass.email, pass.ip, 'failures')) === 1;
    if (first) await this.prune(); // at most once per (email, address, window): rate-limited by the locks
    return first;
  }

  /** The login succeeded: clears its (address, account) counter and gives back its own attempt. */
  async succeeded(pass: LoginPass): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.attempts.lockKeys(tx, keyList(pass.keys));
      if (pass.keys.pair) await this.attempts.clearUnlocked(tx, pass.keys.pair);
      await this.attempts.giveBack(tx, [pass.keys.account, pass.keys.address].filter((k): k is string => Boolean(k)));
    });
  }

  /** Counts a 429 per address; true only for the address's first refusal in the window (the one audited). */
  async refused(ip: string | null): Promise<boolean> {
    return (await this.countWindow(ANY_EMAIL, ip, 'refused')) === 1;
  }

  /** A check that never ran (the account's gate was full) is not a failure. */
  private async giveBack(keys: LoginKeys): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.attempts.lockKeys(tx, keyList(keys));
      await this.attempts.giveBack(tx, keyList(keys));
    });
  }

  /** Counters whose window, lock and turn have all passed (they read as fresh anyway), and old windows. */
  private async prune(): Promise<void> {
    await this.attempts.pruneCounters(LOCK_MINUTES);
    await this.attempts.pruneWindows(WINDOW_RETENTION_DAYS);
  }

  /** Adds one to this window's count of `column` for (email, ip); the count after. */
  private countWindow(email: string, ip: string | null, column: 'failures' | 'refused'): Promise<number> {
    return this.attempts.countWindow(email, ip, column, AUDIT_WINDOW);
  }
}
