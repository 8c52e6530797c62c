import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ConfigError, type AppConfig } from '../config/config.js';
import { hashPassword, passwordWeakness } from './password.js';

export const DEV_ADMIN_EMAIL = 'admin@example.org';

/**
 * The first admin, when no active admin exists: from ADMIN_EMAIL / ADMIN_PASSWORD. In production a
 * missing or weak one stops the start; elsewhere a missing one is generated and its password logged once.
 */
export async function ensureAdmin(dataSource: DataSource, config: AppConfig): Promise<void> {
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL`);
  if (n > 0) return;
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
  await dataSource.query(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'admin')
     ON CONFLICT (email) DO UPDATE SET role = 'admin', disabled_at = NULL, password_hash = EXCLUDED.password_hash, updated_at = now()`,
    [email.trim().toLowerCase(), await hashPassword(password)],
  );
  await dataSource.query(
    `INSERT INTO audit_log (actor, action, entity, entity_id, after) VALUES ('system', 'user.create', 'user', $1, $2)`,
    [email.trim().toLowerCase(), JSON.stringify({ email: email.trim().toLowerCase(), role: 'admin', source: 'ADMIN_EMAIL' })],
  );
  const shown = generated ? ` with the generated password ${password} (set ADMIN_EMAIL/ADMIN_PASSWORD to choose)` : '';
  // Printed on stdout on purpose, once: a newcomer's only way in.
  console.log(`target-monitor: created the first admin ${email}${shown}`);
}
