import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import { Department } from './department.entity.js';
import type { CreateDepartment } from './department.schema.js';

/** A department's row as locked for an update. */
export interface DepartmentRow { id: number; code: string; name: string; emails: string[] }

/** departments, and the recipients their contact emails become. */
@Injectable()
export class DepartmentsStore {
  constructor(@InjectRepository(Department) private readonly departments: Repository<Department>) {}

  /** Every department, by code. */
  list(): Promise<Department[]> {
    return this.departments.find({ order: { code: 'ASC' } });
  }

  findByCode(code: string): Promise<Department | null> {
    return this.departments.findOneBy({ code });
  }

  findByCodes(codes: string[]): Promise<Department[]> {
    return this.departments.findBy({ code: In(codes) });
  }

  existsByCode(code: string): Promise<boolean> {
    return this.departments.existsBy({ code });
  }

  insert(tx: Tx, input: CreateDepartment): Promise<Department> {
    return tx.save(this.departments.create(input));
  }

  /** The department's row, locked until the transaction ends. */
  async lockByCode(tx: Tx, code: string): Promise<DepartmentRow | undefined> {
    const [row] = await tx.query(`SELECT id, code, name, emails FROM departments WHERE code = $1 FOR UPDATE`, [code]);
    return row;
  }

  async update(tx: Tx, id: number, name: string, emails: string[]): Promise<void> {
    await tx.query(`UPDATE departments SET name = $2, emails = $3 WHERE id = $1`, [id, name, emails]);
  }

  /** Each email not yet a recipient becomes one of the department (lower-cased). */
  async addRecipients(tx: Tx, departmentId: number, emails: string[]): Promise<void> {
    await tx.query(
      `INSERT INTO recipients (email, department_id) SELECT lower(e), $1 FROM unnest($2::text[]) AS e ON CONFLICT (email) DO NOTHING`,
      [departmentId, emails],
    );
  }
}
