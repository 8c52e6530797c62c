import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { conflict, invalid, isUniqueViolation, notFound } from '../common/domain-error.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { DepartmentsService } from '../departments/departments.service.js';
import type { CreateRecipient, UpdateRecipient } from './notifications.schema.js';
import type { RecipientJson } from './recipients.js';
import { RecipientsStore } from './recipients.store.js';

export type { RecipientJson } from './recipients.js';

/** Who gets alerts, reminders and digests, in which language, on or off. */
@Injectable()
export class RecipientsService {
  constructor(
    private readonly store: RecipientsStore,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly departments: DepartmentsService,
  ) {}

  list(): Promise<RecipientJson[]> {
    return this.store.list();
  }

  async create(actor: Actor, input: CreateRecipient): Promise<RecipientJson> {
    assertCan(actor, 'alerts.manage');
    const departmentId = await this.departments.idOf(input.department);
    if (departmentId === null && !input.subscriber) throw invalid([{ path: 'department', message: '须属于某部门或订阅全区周报 (a department or subscriber: true)' }]);
    try {
      return await this.transactions.run(async (m) => {
        const id = await this.store.insert(m, input.email, {
          name: input.name, departmentId, subscriber: input.subscriber, language: input.language, enabled: input.enabled,
        });
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
    return this.transactions.run(async (m) => {
      const before = await this.find(m, id);
      const merged = { ...before, ...patch };
      const departmentId = await this.departments.idOf(merged.department);
      if (departmentId === null && !merged.subscriber) throw invalid([{ path: 'department', message: '须属于某部门或订阅全区周报 (a department or subscriber: true)' }]);
      await this.store.update(m, id, {
        name: merged.name, departmentId, subscriber: merged.subscriber, language: merged.language, enabled: merged.enabled,
      });
      const after = await this.find(m, id);
      await this.audit.append(m, actor, { action: 'recipient.update', entity: 'recipient', entityId: before.email, before, after });
      return after;
    });
  }

  private async find(tx: Tx, id: number): Promise<RecipientJson> {
    const row = await this.store.findById(tx, id);
    if (!row) throw notFound(`收件人 ${id}`);
    return row;
  }
}
