/**
 * Login lockout rules, pure. Attempts are counted *before* the password is checked, so parallel requests
 * cannot all pass. Addresses lock; accounts never do (anyone could lock anyone out), their checks are
 * spaced out instead, except from an address they logged in from before. */

export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Attempts on one account in a window before its checks are spaced out: two addresses' worth. */
export const ACCOUNT_FREE_ATTEMPTS = 2 * MAX_FAILURES;
export const ACCOUNT_DELAY_BASE_MS = 250;
export const ACCOUNT_DELAY_CAP_MS = 10_000;
/** A successful login from an address within this many days makes it a known address for the account. */
export const KNOWN_ADDRESS_DAYS = 90;
/** Password checks for one account running at once in one process; more wait their turn. */
export const ACCOUNT_CONCURRENT_CHECKS = 2;
/** Attempts for one account waiting for a check in one process before more are refused. */
export const ACCOUNT_QUEUE = 16;

const WINDOW_MS = LOCK_MINUTES * 60_000;

export type KeyKind = 'account' | 'address' | 'pair';

export interface LoginKeys {
  account: string;
  /** absent when the client address is unknown */
  address?: string;
  pair?: string;
}

export function loginKeys(email: string, ip: string | null): LoginKeys {
  return ip ? { account: `email:${email}`, address: `ip:${ip}`, pair: `pair:${ip} ${email}` } : { account: `email:${email}` };
}

/** In a fixed order, so that every transaction locks the rows in the same order (no deadlocks). */
export const keyList = (keys: LoginKeys): string[] =>
  [keys.account, keys.address, keys.pair].filter((k): k is string => Boolean(k)).sort();

export const kindOf = (key: string): KeyKind => (key.startsWith('email:') ? 'account' : key.startsWith('ip:') ? 'address' : 'pair');

export interface Counter {
  key: string;
  /** attempts in the window not known to have succeeded: failures and checks still running */
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
  /** accounts only: the earliest moment the next check may run */
  nextCheckAt: Date | null;
}

/** The spacing after an account's nth attempt in the window: none at first, then doubling up to the cap. */
export function accountSpacingMs(attempts: number): number {
  if (attempts <= ACCOUNT_FREE_ATTEMPTS) return 0;
  return Math.min(ACCOUNT_DELAY_CAP_MS, ACCOUNT_DELAY_BASE_MS * 2 ** (attempts - ACCOUNT_FREE_ATTEMPTS - 1));
}

/** A counter as it stands at `now`: a lock or a window that has ended starts afresh; accounts have no lock. */
export function current(c: Counter, now: Date): Counter {
  const lockedUntil = kindOf(c.key) === 'account' ? null : c.lockedUntil;
  if (lockedUntil && lockedUntil > now) return c;
  if (lockedUntil || c.windowStartedAt.getTime() <= now.getTime() - WINDOW_MS) {
    return { ...c, failures: 0, windowStartedAt: now, lockedUntil: null };
  }
  return { ...c, lockedUntil: null };
}

export type Reservation =
  | { refused: { reason: 'locked' | 'busy'; seconds: number } }
  | { counters: Counter[]; waitMs: number };

/** Whether one more attempt may check a password; running attempts count as failures until they succeed. */
export function reserve(stored: Counter[], now: Date, knownAddress = false): Reservation {
  const counters = stored.map((c) => current(c, now));
  let locked = 0;
  let busy = 0;
  let waitMs = 0;
  const next = counters.map((c): Counter => {
    if (kindOf(c.key) === 'account') {
      if (knownAddress) return { ...c, failures: c.failures + 1 };
      const slot = Math.max(now.getTime(), c.nextCheckAt?.getTime() ?? 0);
      waitMs = slot - now.getTime();
      if (waitMs > ACCOUNT_DELAY_CAP_MS) busy = Math.ceil(waitMs / 1000);
      const failures = c.failures + 1;
      return { ...c, failures, nextCheckAt: new Date(slot + accountSpacingMs(failures)) };
    }
    if (c.lockedUntil) locked = Math.max(locked, Math.ceil((c.lockedUntil.getTime() - now.getTime()) / 1000));
    else if (c.failures >= MAX_FAILURES) {
      locked = Math.max(locked, Math.ceil((c.windowStartedAt.getTime() + WINDOW_MS - now.getTime()) / 1000), 1);
    }
    return { ...c, failures: c.failures + 1 };
  });
  if (locked) return { refused: { reason: 'locked', seconds: locked } };
  if (busy) return { refused: { reason: 'busy', seconds: busy } };
  return { counters: next, waitMs };
}

/** At most `limit` holders per key in this process; the next wait in line, and past `queue` get null. */
export class KeyedGate {
  private readonly lines = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number, private readonly queue: number) {}

  async enter(key: string): Promise<(() => void) | null> {
    let line = this.lines.get(key);
    if (!line) this.lines.set(key, (line = { running: 0, waiting: [] }));
    if (line.running >= this.limit) {
      if (line.waiting.length >= this.queue) return null;
      await new Promise<void>((resolve) => line!.waiting.push(resolve));
    } else {
      line.running += 1;
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const turn = line!.waiting.shift();
      if (turn) turn(); // the slot passes straight to the next in line
      else if ((line!.running -= 1) === 0) this.lines.delete(key);
    };
  }
}
