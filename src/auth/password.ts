import { randomBytes, scrypt as scryptCallback, type ScryptOptions, timingSafeEqual } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

// N=2^15 rather than OWASP's N=2^17 (~128 MiB per hash) keeps logins affordable.
const PARAMS = { N: 32768, r: 8, p: 1, keylen: 32 };

/** `scrypt$N$r$p$salt$hash` (base64), self-describing so the cost can rise later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, PARAMS.keylen, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

/** Spent on unknown accounts so a wrong email takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

const COMMON = ['password', '123456', 'qwerty', 'admin', 'letmein', 'welcome', 'changeme', 'target-monitor'];

/** Why a password is too weak, or null. At least 12 characters, letters and digits, not a common one. */
export function passwordWeakness(password: string): string | null {
  if (password.length < 12) return '密码至少 12 位 (at least 12 characters)';
  if (password.length > 200) return '密码不超过 200 位 (at most 200 characters)';
  if (!/\p{L}/u.test(password) || !/\d/.test(password)) return '密码须同时包含字母和数字 (letters and digits)';
  if (COMMON.some((c) => password.toLowerCase().includes(c))) return '密码过于常见 (too common)';
  if (new Set(password).size < 6) return '密码字符过于单一 (too repetitive)';
  return null;
}
