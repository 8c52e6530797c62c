import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { conflict, invalid, isUniqueViolation, notFound } from '../common/domain-error.js';
import { DepartmentsService } from '../departments/departments.service.js';
import type { CreateRecipient, UpdateRecipient } from './notifications.schema.js';

/** Who gets emails: a department's contact, or a subscriber to the district digest. */
export interface RecipientJson {
  id: number; email: string; name: string | null; department: string | null; subscriber: boolean;
  language: 'zh-CN' | 'en'; enabled: boolean;
}

const SELECT = `SELECT r.id, r.email, r.name, d.code AS department, r.subscriber, r.language, r.enabled
  FROM recipients r LEFT JOIN departments d ON d.id = r.department_id`;

/** Who gets alerts, reminders and digests, in which language, on or off. */
@Injectable()
export class RecipientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly departments: DepartmentsService,
  ) {}

  list(): Promise<RecipientJson[]> {
    return this.dataSource.query(`${SELECT} ORDER BY r.email`);
  }

  async create(actor: Actor, input: CreateRecipient): Promise<RecipientJson> {
    assertCan(actor, 'alerts.manage');
    const departmentId = await this.departments.idOf(input.department);
    if (departmentId === null && !input.subscriber) throw invalid([{ path: 'department', message: '须属于某部门或订阅全区周报 (a department or subscriber: true)' }]);
    try {
      return await this.dataSource.transaction(async (m) => {
        const [{ id }] = await m.query(
          `INSERT INTO recipients (email, name, department_id, subscriber, language, enabled) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [input.email, input.name, departmentId, input.subscriber, input.language, input.enabled],
        );
        const after = await this.find(m, id);
        await this.audit.append(m, actor, { action: 'recipient.create', entity: 'recipient', entityId: input.email, after });
        return after;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('email', `收件人 ${input.email} 已存在 (recipient exists)`);
      throw error;
    }
  }

  async update(actor: Actor, id: number, patch: UpdateRecipient): Promise<RecipientJson> {
    assertCan(actor, 'alerts.manage');
    return this.dataSource.transaction(async (m) => {
      const before = await this.find(m, id);
      const merged = { ...before, ...patch };
      const departmentId = await this.departments.idOf(merged.department);
      if (departmentId === null && !merged.subscriber) throw invalid([{ path: 'department', message: '须属于某部门或订阅全区周报 (a department or subscriber: true)' }]);
      await m.query(
        `UPDATE recipients SET name = $2, department_id = $3, subscriber = $4, language = $5, enabled = $6 WHERE id = $1`,
        [id, merged.name, departmentId, merged.subscriber, merged.language, merged.enabled],
      );
      const after = await this.find(m, id);
      await this.audit.append(m, actor, { action: 'recipient.update', entity: 'recipient', entityId: before.email, before, after });
      return after;
    });
  }

  private async find(m: EntityManager, id: number): Promise<RecipientJson> {
    const [row] = await m.query(`${SELECT} WHERE r.id = $1`, [id]);
    if (!row) throw notFound(`收件人 ${id}`);
    return row;
  }
}
