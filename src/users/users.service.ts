import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Role } from '../access/actor.js';
import { hashPassword } from '../auth/password.js';
import { assertCan } from '../access/permissions.js';
import { conflict, invalid, isUniqueViolation, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { DepartmentsService } from '../departments/departments.service.js';
import type { CreateUser, UpdateUser } from './user.schema.js';
import { AuthCache } from '../auth/auth-cache.js';
import { endCredentials } from '../auth/revocation.js';

export interface UserJson {
  id: number;
  email: string;
  role: Role;
  department: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const SELECT = `SELECT u.id, u.email, u.role, d.code AS department, u.disabled_at IS NOT NULL AS disabled,
  u.created_at, u.updated_at FROM users u LEFT JOIN departments d ON d.id = u.department_id`;

type Row = Omit<UserJson, 'createdAt' | 'updatedAt'> & { created_at: Date; updated_at: Date };
const userJson = ({ created_at, updated_at, ...r }: Row): UserJson => ({
  ...r, createdAt: created_at.toISOString(), updatedAt: updated_at.toISOString(),
});
/** What the audit trail keeps of a user: never the password hash. */
const audited = (u: UserJson) => ({ email: u.email, role: u.role, department: u.department, disabled: u.disabled });

/** Accounts, managed by admins. Disabling a user or changing its password ends its sessions and revokes its API tokens. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly departments: DepartmentsService,
    private readonly authCache: AuthCache,
  ) {}

  async list(actor: Actor): Promise<UserJson[]> {
    assertCan(actor, 'users.manage');
    return (await this.dataSource.query(`${SELECT} ORDER BY u.email`)).map(userJson);
  }

  async get(actor: Actor, id: number): Promise<UserJson> {
    assertCan(actor, 'users.manage');
    return this.find(this.dataSource.manager, id);
  }

  async create(actor: Actor, input: CreateUser): Promise<UserJson> {
    assertCan(actor, 'users.manage');
    const departmentId = await this.departmentId(input.role, input.department);
    const hash = await hashPassword(input.password);
    try {
      return await this.dataSource.transaction(async (m) => {
        const [{ id }] = await m.query(
          `INSERT INTO users (email, password_hash, role, department_id) VALUES ($1, $2, $3, $4) RETURNING id`,
          [input.email, hash, input.role, departmentId],
        );
        const user = await this.find(m, id);
        await this.audit.append(m, actor, { action: 'user.create', entity: 'user', entityId: user.email, after: audited(user) });
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('email', `用户 ${input.email} 已存在 (user already exists)`);
      throw error;
    }
  }

  /** `ifMatch`: the If-Match header, or the version the edit page showed (412 when the user changed since). */
  async update(actor: Actor, id: number, patch: UpdateUser, ifMatch?: string): Promise<UserJson> {
    assertCan(actor, 'users.manage');
    const hash = patch.password === undefined ? null : await hashPassword(patch.password);
    const updated = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(7471102)`); // one admin change at a time: the last-admin rule holds
      await m.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [id]);
      const before = await this.find(m, id);
      checkIfMatch(ifMatch, etagOf(before), `用户 ${id}`);
      const role = patch.role ?? before.role;
      const department = patch.department === undefined ? before.department : patch.department;
      const departmentId = await this.departmentId(role, department);
      const disabled = patch.disabled ?? before.disabled;
      if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled)) {
        const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`, [id]);
        if (n === 0) throw conflict(patch.disabled ? 'disabled' : 'role', '不能停用或降级最后一位管理员 (the last active admin must stay)');
      }
      await m.query(
        `UPDATE users SET role = $2, department_id = $3, password_hash = coalesce($4, password_hash),
           disabled_at = CASE WHEN $5 THEN coalesce(disabled_at, now()) END, updated_at = now() WHERE id = $1`,
        [id, role, departmentId, hash, disabled],
      );
      // A new password ends what the old one opened: sessions and the API tokens minted in them.
      if ((disabled && !before.disabled) || hash) await endCredentials(m, id);
      const after = await this.find(m, id);
      await this.audit.append(m, actor, {
        action: 'user.update', entity: 'user', entityId: after.email, before: audited(before),
        after: { ...audited(after), ...(hash && { passwordChanged: true }) },
      });
      return after;
    });
    this.authCache.invalidate(); // role, department or access may have changed; other processes hear the NOTIFY
    return updated;
  }

  private async find(m: EntityManager, id: number): Promise<UserJson> {
    const [row] = await m.query(`${SELECT} WHERE u.id = $1`, [id]);
    if (!row) throw notFound(`用户 ${id}`);
    return userJson(row);
  }

  private async departmentId(role: Role, code: string | null): Promise<number | null> {
    if (code === null && role === 'department') {
      throw invalid([{ path: 'department', message: '部门用户须指定所属部门 (department users need a department)' }]);
    }
    return this.departments.idOf(code);
  }
}
