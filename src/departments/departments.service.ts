import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { conflict, type FieldError, invalid, isUniqueViolation, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { Transactions } from '../database/transactions.js';
import type { Department } from './department.entity.js';
import type { CreateDepartment, UpdateDepartment } from './department.schema.js';
import { DepartmentsStore } from './departments.store.js';

export interface DepartmentJson { code: string; name: string; emails: string[] }

export const departmentJson = (d: Pick<Department, 'code' | 'name' | 'emails'>): DepartmentJson => ({ code: d.code, name: d.name, emails: d.emails });

@Injectable()
export class DepartmentsService {
  constructor(
    private readonly departments: DepartmentsStore,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<DepartmentJson[]> {
    return (await this.departments.list()).map(departmentJson);
  }

  async get(code: string): Promise<DepartmentJson> {
    const department = await this.departments.findByCode(code);
    if (!department) throw notFound(`部门 ${code}`);
    return departmentJson(department);
  }

  async create(actor: Actor, input: CreateDepartment): Promise<DepartmentJson> {
    assertCan(actor, 'departments.write');
    const duplicate = () => conflict('code', `部门代码 ${input.code} 已存在 (department code already exists)`);
    if (await this.departments.existsByCode(input.code)) throw duplicate();
    try {
      return await this.transactions.run(async (tx) => {
        const saved = await this.departments.insert(tx, input);
        const created = departmentJson(saved);
        await this.departments.addRecipients(tx, saved.id, input.emails);
        await this.audit.append(tx, actor, { action: 'department.create', entity: 'department', entityId: created.code, after: created });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(); // created concurrently since the check
      throw error;
    }
  }

  /** Renames a department or changes its emails, audited; removing an email leaves its recipient. */
  async update(actor: Actor, code: string, patch: UpdateDepartment, ifMatch?: string): Promise<DepartmentJson> {
    assertCan(actor, 'departments.write');
    return this.transactions.run(async (tx) => {
      const row = await this.departments.lockByCode(tx, code);
      if (!row) throw notFound(`部门 ${code}`, 'code');
      const before = departmentJson(row);
      checkIfMatch(ifMatch, etagOf(before), `部门 ${code}`);
      const after: DepartmentJson = { code: row.code, name: patch.name ?? row.name, emails: patch.emails ?? row.emails };
      await this.departments.update(tx, row.id, after.name, after.emails);
      await this.departments.addRecipients(tx, row.id, after.emails);
      await this.audit.append(tx, actor, { action: 'department.update', entity: 'department', entityId: code, before, after });
      return after;
    });
  }

  /** The id of an optional department code; an unknown code is a field error at `path`. */
  async idOf(code: string | null, path = 'department'): Promise<number | null> {
    return code === null ? null : (await this.resolve([code], [path]))[0].id;
  }

  /** Department codes to entities; an unknown code is a field error at `paths[i]`. */
  async resolve(codes: string[], paths: string[]): Promise<Department[]> {
    const found = codes.length ? await this.departments.findByCodes(codes) : [];
    const byCode = new Map(found.map((d) => [d.code, d]));
    const errors: FieldError[] = codes.flatMap((code, i) =>
      byCode.has(code) ? [] : [{ path: paths[i], message: `部门 ${code} 不存在 (unknown department)` }],
    );
    if (errors.length) throw invalid(errors);
    return codes.map((code) => byCode.get(code)!);
  }
}
