import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Role } from '../access/actor.js';
import { hashPassword } from '../auth/password.js';
import { assertCan } from '../access/permissions.js';
import { conflict, invalid, isUniqueViolation, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { DepartmentsService } from '../departments/departments.service.js';
import type { CreateUser, UpdateUser } from './user.schema.js';
import { AuthCache } from '../auth/auth-cache.js';
import { SessionsStore } from '../auth/sessions.store.js';
import { type UserRow as Row, UsersStore } from './users.store.js';

export interface UserJson {
  id: number;
  email: string;
  role: Role;
  department: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const userJson = ({ created_at, updated_at, ...r }: Row): UserJson => ({
  ...r, createdAt: created_at.toISOString(), updatedAt: updated_at.toISOString(),
});
/** What the audit trail keeps of a user: never the password hash. */
const audited = (u: UserJson) => ({ email: u.email, role: u.role, department: u.department, disabled: u.disabled });

/** Accounts, managed by admins. Disabling a user or changing its password ends its sessions and revokes its API tokens. */
@Injectable()
export class UsersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersStore,
    private readonly sessions: SessionsStore,
    private readonly audit: AuditService,
    private readonly departments: DepartmentsService,
    private readonly authCache: AuthCache,
  ) {}

  async list(actor: Actor): Promise<UserJson[]> {
    assertCan(actor, 'users.manage');
    return (await this.users.list()).map(userJson);
  }

  async get(actor: Actor, id: number): Promise<UserJson> {
    assertCan(actor, 'users.manage');
    return this.find(id);
  }

  async create(actor: Actor, input: CreateUser): Promise<UserJson> {
    assertCan(actor, 'users.manage');
    const departmentId = await this.departmentId(input.role, input.department);
    const hash = await hashPassword(input.password);
    try {
      return await this.transactions.run(async (tx) => {
        const id = await this.users.insert(tx, { email: input.email, passwordHash: hash, role: input.role, departmentId });
        const user = await this.find(id, tx);
        await this.audit.append(tx, actor, { action: 'user.create', entity: 'user', entityId: user.email, after: audited(user) });
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
    const updated = await this.transactions.run(async (tx) => {
      await this.users.lockForChange(tx, id); // one admin change at a time: the last-admin rule holds
      const before = await this.find(id, tx);
      checkIfMatch(ifMatch, etagOf(before), `用户 ${id}`);
      const role = patch.role ?? before.role;
      const department = patch.department === undefined ? before.department : patch.department;
      const departmentId = await this.departmentId(role, department);
      const disabled = patch.disabled ?? before.disabled;
      if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled)) {
        if ((await this.users.otherActiveAdmins(tx, id)) === 0) throw conflict(patch.disabled ? 'disabled' : 'role', '不能停用或降级最后一位管理员 (the last active admin must stay)');
      }
      await this.users.update(tx, id, { role, departmentId, passwordHash: hash, disabled });
      // A new password ends what the old one opened: sessions and the API tokens minted in them.
      if ((disabled && !before.disabled) || hash) await this.sessions.endCredentials(tx, id);
      const after = await this.find(id, tx);
      await this.audit.append(tx, actor, {
        action: 'user.update', entity: 'user', entityId: after.email, before: audited(before),
        after: { ...audited(after), ...(hash && { passwordChanged: true }) },
      });
      return after;
    });
    this.authCache.invalidate(); // role, department or access may have changed; other processes hear the NOTIFY
    return updated;
  }

  private async find(id: number, tx?: Tx): Promise<UserJson> {
    const row = await this.users.find(id, tx);
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
