import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { conflict, type FieldError, invalid, isUniqueViolation, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { Department } from './department.entity.js';
import type { CreateDepartment, UpdateDepartment } from './department.schema.js';

export interface DepartmentJson { code: string; name: string; emails: string[] }

export const departmentJson = (d: Department): DepartmentJson => ({ code: d.code, name: d.name, emails: d.emails });

@Injectable()
export class DepartmentsService {
  constructor(
    @InjectRepository(Department) private readonly departments: Repository<Department>,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<DepartmentJson[]> {
    return (await this.departments.find({ order: { code: 'ASC' } })).map(departmentJson);
  }

  async get(code: string): Promise<DepartmentJson> {
    const department = await this.departments.findOneBy({ code });
    if (!department) throw notFound(`部门 ${code}`);
    return departmentJson(department);
  }

  async create(actor: Actor, input: CreateDepartment): Promise<DepartmentJson> {
    assertCan(actor, 'departments.write');
    const duplicate = () => conflict('code', `部门代码 ${input.code} 已存在 (department code already exists)`);
    if (await this.departments.existsBy({ code: input.code })) throw duplicate();
    try {
      return await this.departments.manager.transaction(async (manager) => {
        const saved = await manager.save(this.departments.create(input));
        const created = departmentJson(saved);
        await manager.query(
          `INSERT INTO recipients (email, department_id) SELECT lower(e), $1 FROM unnest($2::text[]) AS e ON CONFLICT (email) DO NOTHING`,
          [saved.id, input.emails],
        );
        await this.audit.append(manager, actor, { action: 'department.create', entity: 'department', entityId: created.code, after: created });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(); // created concurrently since the check
      throw error;
    }
  }

  /**
   * Renames a department or changes its contact emails, in one transaction with its audit entry. A new
   * email becomes a recipient of the department; removing one leaves its recipient (switch it off there).
   * `ifMatch`: the If-Match header, or the version the page showed (412 when the department changed since).
   */
  async update(actor: Actor, code: string, patch: UpdateDepartment, ifMatch?: string): Promise<DepartmentJson> {
    assertCan(actor, 'departments.write');
    return this.departments.manager.transaction(async (m) => {
      const [row] = await m.query(`SELECT id, code, name, emails FROM departments WHERE code = $1 FOR UPDATE`, [code]);
      if (!row) throw notFound(`部门 ${code}`, 'code');
      const before = departmentJson(row);
      checkIfMatch(ifMatch, etagOf(before), `部门 ${code}`);
      const after: DepartmentJson = { code: row.code, name: patch.name ?? row.name, emails: patch.emails ?? row.emails };
      await m.query(`UPDATE departments SET name = $2, emails = $3 WHERE id = $1`, [row.id, after.name, after.emails]);
      await m.query(
        `INSERT INTO recipients (email, department_id) SELECT lower(e), $1 FROM unnest($2::text[]) AS e ON CONFLICT (email) DO NOTHING`,
        [row.id, after.emails],
      );
      await this.audit.append(m, actor, { action: 'department.update', entity: 'department', entityId: code, before, after });
      return after;
    });
  }

  /** The id of an optional department code; an unknown code is a field error at `path`. */
  async idOf(code: string | null, path = 'department'): Promise<number | null> {
    return code === null ? null : (await this.resolve([code], [path]))[0].id;
  }

  /**
   * Resolves department codes to entities; each unknown code is a field error at its path.
   * `paths[i]` names the field that carried `codes[i]`.
   */
  async resolve(codes: string[], paths: string[]): Promise<Department[]> {
    const found = codes.length ? await this.departments.findBy({ code: In(codes) }) : [];
    const byCode = new Map(found.map((d) => [d.code, d]));
    const errors: FieldError[] = codes.flatMap((code, i) =>
      byCode.has(code) ? [] : [{ path: paths[i], message: `部门 ${code} 不存在 (unknown department)` }],
    );
    if (errors.length) throw invalid(errors);
    return codes.map((code) => byCode.get(code)!);
  }
}
