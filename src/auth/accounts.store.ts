import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import type { UserRow } from './sessions.store.js';

/** What signing in reads and writes of `users`: password hashes and the first admin. */
@Injectable()
export class AccountsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async byEmail(email: string): Promise<(UserRow & { password_hash: string; disabled_at: Date | null }) | undefined> {
    const [user] = await this.dataSource.query(
      `SELECT id, email, role, department_id, password_hash, disabled_at FROM users WHERE email = $1`, [email],
    );
    return user;
  }

  async passwordHash(userId: number): Promise<string | undefined> {
    const [user]: { password_hash: string }[] = await this.dataSource.query(
      `SELECT password_hash FROM users WHERE id = $1`, [userId],
    );
    return user?.password_hash;
  }

  async setPassword(tx: Tx, userId: number, hash: string): Promise<void> {
    await tx.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [userId, hash]);
  }

  async activeAdmins(): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL`);
    return n;
  }

  /** `email` becomes an enabled admin with this password hash, created when missing; audited as the system's. */
  async upsertAdmin(email: string, hash: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'admin')
     ON CONFLICT (email) DO UPDATE SET role = 'admin', disabled_at = NULL, password_hash = EXCLUDED.password_hash, updated_at = now()`,
      [email, hash],
    );
    await this.dataSource.query(
      `INSERT INTO audit_log (actor, action, entity, entity_id, after) VALUES ('system', 'user.create', 'user', $1, $2)`,
      [email, JSON.stringify({ email, role: 'admin', source: 'ADMIN_EMAIL' })],
    );
  }
}
