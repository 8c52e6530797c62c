import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ConfigError, type AppConfig } from '../config/config.js';
import { AccountsStore } from './accounts.store.js';
import { hashPassword, passwordWeakness } from './password.js';

export const DEV_ADMIN_EMAIL = 'admin@example.org';

/** The first admin from ADMIN_EMAIL / ADMIN_PASSWORD; in production a missing or weak one stops the start. */
export async function ensureAdmin(dataSource: ConstructorParameters<typeof AccountsStore>[0], config: AppConfig): Promise<void> {
  const accounts = new AccountsStore(dataSource);
  if ((await accounts.activeAdmins()) > 0) return;
  let { adminEmail: email, adminPassword: password } = config;
  const weakness = password ? passwordWeakness(password) : null;
  if (config.production) {
    const problems = [
      ...(email ? [] : ['ADMIN_EMAIL: required in production while no admin exists']),
      ...(password ? [] : ['ADMIN_PASSWORD: required in production while no admin exists']),
      ...(weakness ? [`ADMIN_PASSWORD: too weak — ${weakness}`] : []),
    ];
    if (problems.length) throw new ConfigError(problems);
  }
  if (weakness) Logger.warn(`ADMIN_PASSWORD is weak (${weakness}); refused in production`, 'Accounts');
  const generated = !password;
  email ??= DEV_ADMIN_EMAIL;
  password ??= `${randomBytes(12).toString('base64url')}7a`;
  await accounts.upsertAdmin(email.trim().toLowerCase(), await hashPassword(password));
  const shown = generated ? ` with the generated password ${password} (set ADMIN_EMAIL/ADMIN_PASSWORD to choose)` : '';
  // Printed on stdout on purpose, once: a newcomer's only way in.
  console.log(`target-monitor: created the first admin ${email}${shown}`);
}
