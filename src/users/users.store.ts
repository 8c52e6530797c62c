import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Role } from '../access/actor.js';
import type { Tx } from '../database/transactions.js';

/** A user as the admin pages and the API show it: its department by code, never its password hash. */
export type UserRow = { id: number; email: string; role: Role; department: string | null; disabled: boolean; created_at: Date; updated_at: Date };

const SELECT = `SELECT u.id, u.email, u.role, d.code AS department, u.disabled_at IS NOT NULL AS disabled,
  u.created_at, u.updated_at FROM users u LEFT JOIN departments d ON d.id = u.department_id`;

/** Accounts: the users table as admins manage it. */
@Injectable()
export class UsersStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every user, by email. */
  list(): Promise<UserRow[]> {
    return this.dataSource.query(`${SELECT} ORDER BY u.email`);
  }

  async find(id: number, db: Tx = this.dataSource.manager): Promise<UserRow | undefined> {
    const [row] = await db.query(`${SELECT} WHERE u.id = $1`, [id]);
    return row;
  }

  /** The new user's id. */
  async insert(tx: Tx, u: { email: string; passwordHash: string; role: Role; departmentId: number | null }): Promise<number> {
    const [{ id }] = await tx.query(
      `INSERT INTO users (email, password_hash, role, department_id) VALUES ($1, $2, $3, $4) RETURNING id`,
      [u.email, u.passwordHash, u.role, u.departmentId],
    );
    return id;
  }

  /** One admin change at a time until the transaction ends (so the last-admin rule holds), then the user's row locked. */
  async lockForChange(tx: Tx, id: number): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(7471102)`);
    await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [id]);
  }

  /** Enabled admins other than `id`. */
  async otherActiveAdmins(tx: Tx, id: number): Promise<number> {
    const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`, [id]);
    return n;
  }

  /** `passwordHash` null keeps the password; disabling keeps the first disabled_at. */
  async update(tx: Tx, id: number, u: { role: Role; departmentId: number | null; passwordHash: string | null; disabled: boolean }): Promise<void> {
    await tx.query(
      `UPDATE users SET role = $2, department_id = $3, password_hash = coalesce($4, password_hash),
           disabled_at = CASE WHEN $5 THEN coalesce(disabled_at, now()) END, updated_at = now() WHERE id = $1`,
      [id, u.role, u.departmentId, u.passwordHash, u.disabled],
    );
  }
}
