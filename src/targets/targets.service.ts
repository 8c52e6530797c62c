import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere, ILike, IsNull, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { conflict, DomainError, type FieldError, isUniqueViolation, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { DepartmentsService } from '../departments/departments.service.js';
import { Milestone } from './milestone.entity.js';
import { Target } from './target.entity.js';
import { targetBody, targetJson, type TargetJson } from './target.mapper.js';
import { type CreateTarget, type ListTargets, mergedTargetSchema, type TargetBody, type UpdateTarget } from './target.schema.js';
import type { Page } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { driverPool } from '../database/rows.js';
import { TARGET_BY_CODE_SQL } from './target-read.js';


@Injectable()
export class TargetsService {
  constructor(
    @InjectRepository(Target) private readonly targets: Repository<Target>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly departments: DepartmentsService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListTargets): Promise<Page<TargetJson>> {
    const where: FindOptionsWhere<Target> = {
      archivedAt: query.archived ? Not(IsNull()) : IsNull(),
      ...(query.department && { department: { code: query.department } }),
      ...(query.category && { category: query.category }),
      ...(query.kind && { kind: query.kind }),
      ...(query.binding !== undefined && { binding: query.binding }),
    };
    const [items, total] = await this.targets.findAndCount({
      where: query.q
        ? [{ ...where, name: ILike(`%${escapeLike(query.q)}%`) }, { ...where, code: ILike(`%${escapeLike(query.q)}%`) }]
        : where,
      order: { code: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return { items: items.map(targetJson), total, page: query.page, pageSize: query.pageSize };
  }

  /**
   * One target as JSON, by a single hand-written query run as a prepared statement on the driver's pool
   * (the hot read: TypeORM's eager loading of the department, supporting departments and milestones
   * cost ~40% of the throughput, its query runner another ~5%). Same shape as `targetJson` of the entity.
   */
  async get(code: string): Promise<TargetJson> {
    const { rows: [row] } = await driverPool(this.dataSource).query<TargetRow>({ name: 'target_by_code', text: TARGET_BY_CODE_SQL, values: [code] });
    if (!row) throw notFound(`指标 ${code}`);
    return targetRowJson(row);
  }

  /** The target entity, archived or not; 404 when the code is unknown. */
  async find(code: string): Promise<Target> {
    const target = await this.targets.findOneBy({ code });
    if (!target) throw notFound(`指标 ${code}`);
    return target;
  }

  async create(actor: Actor, input: CreateTarget): Promise<TargetJson> {
    assertCan(actor, 'targets.write');
    const duplicate = () => conflict('code', `指标代码 ${input.code} 已存在 (target code already exists)`);
    if (await this.targets.existsBy({ code: input.code })) throw duplicate();
    const target = this.targets.create({ code: input.code });
    await this.assign(target, input);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.save(target);
        await this.audit.append(manager, actor, { action: 'target.create', entity: 'target', entityId: target.code, after: targetJson(target) });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(); // created concurrently since the check
      throw error;
    }
    return this.get(input.code);
  }

  /**
   * Several targets in one transaction, all or nothing (a document's reviewed candidates). Each input
   * is checked as `create` checks it, and every problem is reported at once, named by its input:
   * `[2].code`, `[0].department`. Only duplicate codes → conflict; anything else → invalid.
   * `alsoWrite` runs in the same transaction once the targets are saved (a document's actuals).
   */
  async createMany(actor: Actor, inputs: CreateTarget[], alsoWrite?: (manager: EntityManager) => Promise<void>): Promise<TargetJson[]> {
    assertCan(actor, 'targets.write');
    if (!inputs.length) throw new DomainError('invalid', '没有要创建的指标 (nothing to create)', [{ path: '', message: '请至少选择一项 (select at least one)' }]);
    const codes = inputs.map((input) => input.code);
    const existing = new Set<string>(
      (await this.dataSource.query(`SELECT code FROM targets WHERE code = ANY($1)`, [codes])).map((r: { code: string }) => r.code),
    );
    const conflicts: FieldError[] = [];
    const invalids: FieldError[] = [];
    const targets: Target[] = [];
    for (const [i, input] of inputs.entries()) {
      if (existing.has(input.code)) conflicts.push({ path: `[${i}].code`, message: `指标代码 ${input.code} 已存在 (target code already exists)` });
      else if (codes.indexOf(input.code) !== i) conflicts.push({ path: `[${i}].code`, message: `指标代码 ${input.code} 重复 (code used twice)` });
      const target = this.targets.create({ code: input.code });
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
      await this.dataSource.transaction(async (manager) => {
        for (const target of targets) {
          await manager.save(target);
          await this.audit.append(manager, actor, { action: 'target.create', entity: 'target', entityId: target.code, after: targetJson(target) });
        }
        if (alsoWrite) await alsoWrite(manager);
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
    await this.dataSource.transaction(async (manager) => {
      const target = await this.lockForWrite(manager, code, ifMatch);
      const before = targetJson(target);
      const merged = new ZodPipe(mergedTargetSchema).transform({ ...targetBody(target), ...patch });
      await this.assign(target, merged);
      await manager.delete(Milestone, { targetId: target.id });
      await manager.save(target);
      await this.audit.append(manager, actor, { action: 'target.update', entity: 'target', entityId: code, before, after: targetJson(target) });
    });
    return this.get(code);
  }

  async archive(actor: Actor, code: string, ifMatch?: string): Promise<void> {
    assertCan(actor, 'targets.write');
    await this.dataSource.transaction(async (manager) => {
      const target = await this.lockForWrite(manager, code, ifMatch);
      if (target.archivedAt !== null) return;
      const before = targetJson(target);
      target.archivedAt = new Date();
      await manager.update(Target, { id: target.id }, { archivedAt: target.archivedAt });
      await this.audit.append(manager, actor, { action: 'target.archive', entity: 'target', entityId: code, before, after: targetJson(target) });
    });
  }

  /**
   * The target as stored, its row locked until the transaction ends, once `ifMatch` (when given) holds
   * for its representation: no other write can come between the check and this one.
   */
  private async lockForWrite(manager: EntityManager, code: string, ifMatch: string | undefined): Promise<Target> {
    const [locked]: { id: number }[] = await manager.query(`SELECT id FROM targets WHERE code = $1 FOR UPDATE`, [code]);
    if (!locked) throw notFound(`指标 ${code}`);
    if (ifMatch !== undefined) {
      const [row]: TargetRow[] = await manager.query(TARGET_BY_CODE_SQL, [code]);
      checkIfMatch(ifMatch, etagOf(targetRowJson(row)), `指标 ${code}`);
    }
    return manager.findOneByOrFail(Target, { id: locked.id });
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

interface TargetRow {
  code: string; name: string; aliases: string[]; unit: string; kind: Target['kind']; comparator: Target['comparator']; method: Target['method'];
  frequency: Target['frequency']; expectation: Target['expectation']; binding: boolean; category: string | null;
  baseline_period: string | null; baseline_value: string | null; target_period: string; target_value: string; grace_days: number;
  source_document: string | null; source_quote: string | null; source_url: string | null; notes: string | null;
  archived_at: Date | null; created_at: Date; updated_at: Date; department: string; department_name: string;
  supporting: string[]; milestones: { period: string; value: string }[];
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

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
