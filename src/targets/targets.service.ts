import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { conflict, DomainError, type FieldError, isUniqueViolation, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { DepartmentsService } from '../departments/departments.service.js';
import { Milestone } from './milestone.entity.js';
import type { Target } from './target.entity.js';
import { targetBody, targetJson, type TargetJson } from './target.mapper.js';
import { type CreateTarget, type ListTargets, mergedTargetSchema, type TargetBody, type UpdateTarget } from './target.schema.js';
import type { Page } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { type TargetRow, TargetsStore } from './targets.store.js';

@Injectable()
export class TargetsService {
  constructor(
    private readonly targets: TargetsStore,
    private readonly transactions: Transactions,
    private readonly departments: DepartmentsService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListTargets): Promise<Page<TargetJson>> {
    const [items, total] = await this.targets.listPage(query);
    return { items: items.map(targetJson), total, page: query.page, pageSize: query.pageSize };
  }

  /** One target as JSON, by the hot read (TargetsStore.rowByCode). Same shape as `targetJson` of the entity. */
  async get(code: string): Promise<TargetJson> {
    const row = await this.targets.rowByCode(code);
    if (!row) throw notFound(`指标 ${code}`);
    return targetRowJson(row);
  }

  /** The target entity, archived or not; 404 when the code is unknown. */
  async find(code: string): Promise<Target> {
    const target = await this.targets.findByCode(code);
    if (!target) throw notFound(`指标 ${code}`);
    return target;
  }

  async create(actor: Actor, input: CreateTarget): Promise<TargetJson> {
    assertCan(actor, 'targets.write');
    const duplicate = () => conflict('code', `指标代码 ${input.code} 已存在 (target code already exists)`);
    if (await this.targets.existsByCode(input.code)) throw duplicate();
    const target = this.targets.create(input.code);
    await this.assign(target, input);
    try {
      await this.transactions.run(async (tx) => {
        await this.targets.save(tx, target);
        await this.audit.append(tx, actor, { action: 'target.create', entity: 'target', entityId: target.code, after: targetJson(target) });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(); // created concurrently since the check
      throw error;
    }
    return this.get(input.code);
  }

  /** Several targets in one transaction, all or nothing; every problem reported at once by input path. */
  async createMany(actor: Actor, inputs: CreateTarget[], alsoWrite?: (tx: Tx) => Promise<void>): Promise<TargetJson[]> {
    assertCan(actor, 'targets.write');
    if (!inputs.length) throw new DomainError('invalid', '没有要创建的指标 (nothing to create)', [{ path: '', message: '请至少选择一项 (select at least one)' }]);
    const codes = inputs.map((input) => input.code);
    const existing = await this.targets.existingCodes(codes);
    const conflicts: FieldError[] = [];
    const invalids: FieldError[] = [];
    const targets: Target[] = [];
    for (const [i, input] of inputs.entries()) {
      if (existing.has(input.code)) conflicts.push({ path: `[${i}].code`, message: `指标代码 ${input.code} 已存在 (target code already exists)` });
      else if (codes.indexOf(input.code) !== i) conflicts.push({ path: `[${i}].code`, message: `指标代码 ${input.code} 重复 (code used twice)` });
      const target = this.targets.create(input.code);
      try {
        await this.assign(target, input, `[${i}].`);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'invalid') throw error;
        invalids.push(...error.errors);
      }
      targets.push(target);
    }
    if (invalids.length) throw new DomainError('invalid', '输入有误，未创建任何指标 (invalid input: nothing created)', [...conflicts, ...invalids]);
    if (conflicts.length) throw new DomainError('conflict', '指标代码已存在，未创建任何指标 (duplicate codes: nothing created)', conflicts);
    try {
      await this.transactions.run(async (tx) => {
        for (const target of targets) {
          await this.targets.save(tx, target);
          await this.audit.append(tx, actor, { action: 'target.create', entity: 'target', entityId: target.code, after: targetJson(target) });
        }
        if (alsoWrite) await alsoWrite(tx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('code', '指标代码已存在，未创建任何指标 (a code was created meanwhile: nothing created)');
      throw error;
    }
    return Promise.all(codes.map((code) => this.get(code)));
  }

  /** `ifMatch`: the If-Match header, or the version the edit page showed (412 when the target changed since). */
  async update(actor: Actor, code: string, patch: UpdateTarget, ifMatch?: string): Promise<TargetJson> {
    assertCan(actor, 'targets.write');
    await this.transactions.run(async (tx) => {
      const target = await this.lockForWrite(tx, code, ifMatch);
      const before = targetJson(target);
      const merged = new ZodPipe(mergedTargetSchema).transform({ ...targetBody(target), ...patch });
      await this.assign(target, merged);
      await this.targets.deleteMilestones(tx, target.id);
      await this.targets.save(tx, target);
      await this.audit.append(tx, actor, { action: 'target.update', entity: 'target', entityId: code, before, after: targetJson(target) });
    });
    return this.get(code);
  }

  async archive(actor: Actor, code: string, ifMatch?: string): Promise<void> {
    assertCan(actor, 'targets.write');
    await this.transactions.run(async (tx) => {
      const target = await this.lockForWrite(tx, code, ifMatch);
      if (target.archivedAt !== null) return;
      const before = targetJson(target);
      target.archivedAt = new Date();
      await this.targets.setArchivedAt(tx, target.id, target.archivedAt);
      await this.audit.append(tx, actor, { action: 'target.archive', entity: 'target', entityId: code, before, after: targetJson(target) });
    });
  }

  /** The target with its row locked until the transaction ends, once `ifMatch` holds: nothing can come between. */
  private async lockForWrite(tx: Tx, code: string, ifMatch: string | undefined): Promise<Target> {
    const id = await this.targets.lockByCode(tx, code);
    if (id === undefined) throw notFound(`指标 ${code}`);
    if (ifMatch !== undefined) {
      const row = await this.targets.rowByCodeIn(tx, code);
      checkIfMatch(ifMatch, etagOf(targetRowJson(row!)), `指标 ${code}`);
    }
    return this.targets.findById(tx, id);
  }

  /** `prefix` names the input in field errors (`[2].` → `[2].department`). */
  private async assign(target: Target, body: TargetBody, prefix = ''): Promise<void> {
    const [department, ...supporting] = await this.departments.resolve(
      [body.department, ...body.supporting],
      [`${prefix}department`, ...body.supporting.map((_, i) => `${prefix}supporting[${i}]`)],
    );
    Object.assign(target, {
      name: body.name,
      aliases: body.aliases,
      unit: body.unit,
      kind: body.kind,
      comparator: body.comparator,
      method: body.method,
      frequency: body.frequency,
      expectation: body.expectation,
      binding: body.binding,
      department,
      supporting,
      category: body.category,
      baselinePeriod: body.baseline?.period ?? null,
      baselineValue: body.baseline?.value ?? null,
      targetPeriod: body.target.period,
      targetValue: body.target.value,
      milestones: body.milestones.map((m) => Object.assign(new Milestone(), { period: m.period, value: m.value })),
      graceDays: body.graceDays,
      sourceDocument: body.source?.document ?? null,
      sourceQuote: body.source?.quote ?? null,
      sourceUrl: body.source?.url ?? null,
      notes: body.notes,
    });
  }
}

function targetRowJson(r: TargetRow): TargetJson {
  return {
    code: r.code, name: r.name, aliases: r.aliases, unit: r.unit, kind: r.kind, comparator: r.comparator, method: r.method,
    frequency: r.frequency, expectation: r.expectation, binding: r.binding,
    department: r.department, departmentName: r.department_name, supporting: r.supporting, category: r.category,
    baseline: r.baseline_period === null ? null : { period: r.baseline_period, value: r.baseline_value! },
    target: { period: r.target_period, value: r.target_value },
    milestones: r.milestones,
    graceDays: r.grace_days,
    source: { document: r.source_document, quote: r.source_quote, url: r.source_url },
    notes: r.notes, archived: r.archived_at !== null,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}
