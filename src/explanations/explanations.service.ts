import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { forbidden } from '../access/permissions.js';
import { Clock } from '../common/clock.js';
import { conflict, notFound } from '../common/domain-error.js';
import { type Page, pageOf } from '../common/paging.js';
import { Transactions } from '../database/transactions.js';
import type { ExplanationsQuery, PutExplanation } from './explanation.schema.js';
import { type ExplanationJson, explanationJson, isOpen, listScope, maySubmit, reviewsExplanations } from './explanation-rules.js';
import { type ExplanationFilter, type ExplanationRow, ExplanationsStore } from './explanations.store.js';

export type { ExplanationJson } from './explanation-rules.js';

const audited = (r: ExplanationRow) => ({ state: r.state, cause: r.cause, measures: r.measures, reviewReason: r.review_reason });

/** 情况说明: owed by a flagged target's lead department per reporting quarter, submitted, returned or accepted. */
@Injectable()
export class ExplanationsService {
  constructor(
    private readonly store: ExplanationsStore,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A target's explanations, newest period first. */
  async forTarget(code: string): Promise<ExplanationJson[]> {
    const target = await this.target(code);
    return this.json(await this.store.list({ targetId: target.id }));
  }

  async get(code: string, period: string): Promise<ExplanationJson> {
    const target = await this.target(code);
    const row = await this.store.find(target.id, period);
    if (!row) throw this.notOwed(code, period);
    return explanationJson(row, this.clock.now());
  }

  /** Planners (and viewers) see every department's; a department its own. */
  async list(actor: Actor, q: Omit<ExplanationsQuery, 'page' | 'pageSize'>): Promise<ExplanationJson[]> {
    const filter: ExplanationFilter = { period: q.period, state: q.state };
    const scope = listScope(actor);
    if (scope === 'none') throw forbidden('当前账号不属于任何责任单位 (this account belongs to no department)');
    if (q.department) {
      const id = await this.store.findDepartmentId(q.department);
      if (id === undefined) throw notFound(`责任单位 ${q.department}`, 'department');
      if (scope !== null && id !== scope) throw forbidden('只能查看本单位的情况说明 (only your own department\'s explanations)', 'department');
      filter.departmentId = id;
    } else if (scope !== null) filter.departmentId = scope;
    return this.json(await this.store.list(filter));
  }

  async page(actor: Actor, q: ExplanationsQuery): Promise<Page<ExplanationJson>> {
    return pageOf(await this.list(actor, q), q);
  }

  /** The periods with explanations the actor may see, newest first. */
  async periods(actor: Actor): Promise<string[]> {
    const scope = listScope(actor);
    return scope === 'none' ? [] : this.store.periods(scope);
  }

  /** 原因分析 and 下步措施 by the lead department (or a planner); again after a return; not once accepted. */
  async submit(actor: Actor, code: string, period: string, body: PutExplanation): Promise<ExplanationJson> {
    const target = await this.target(code);
    return this.transactions.run(async (tx) => {
      const before = await this.store.find(target.id, period, tx, true);
      if (!before) throw this.notOwed(code, period);
      if (!maySubmit(actor, before.department_id)) {
        throw forbidden(`${code} 的情况说明由牵头单位 ${before.department_name} 提交 (only the lead department submits this explanation)`);
      }
      if (before.state === 'accepted') throw conflict('state', '情况说明已审核通过，不能再修改 (the explanation has been accepted)');
      await this.store.submit(tx, target.id, period, body.cause, body.measures, actor.email);
      const after = (await this.store.find(target.id, period, tx))!;
      await this.audit.append(tx, actor, {
        action: 'explanation.submit', entity: 'explanation', entityId: `${code}/${period}`, before: audited(before), after: audited(after),
      });
      return explanationJson(after, this.clock.now());
    });
  }

  /** A planner sends a submitted explanation back with a reason (退回修改). */
  returnIt(actor: Actor, code: string, period: string, reason: string): Promise<ExplanationJson> {
    return this.review(actor, code, period, 'returned', reason);
  }

  accept(actor: Actor, code: string, period: string): Promise<ExplanationJson> {
    return this.review(actor, code, period, 'accepted', null);
  }

  private async review(actor: Actor, code: string, period: string, to: 'returned' | 'accepted', reason: string | null): Promise<ExplanationJson> {
    if (!reviewsExplanations(actor)) throw forbidden('只有规划处可以审核情况说明 (only planners review explanations)');
    const target = await this.target(code);
    return this.transactions.run(async (tx) => {
      const before = await this.store.find(target.id, period, tx, true);
      if (!before) throw this.notOwed(code, period);
      if (before.state !== 'submitted') {
        const why = isOpen(before.state)
          ? '情况说明尚未提交，无可审核 (the explanation has not been submitted)'
          : '情况说明已审核通过 (the explanation has already been accepted)';
        throw conflict('state', why);
      }
      await this.store.review(tx, target.id, period, to, actor.email, reason);
      const after = (await this.store.find(target.id, period, tx))!;
      await this.audit.append(tx, actor, {
        action: to === 'returned' ? 'explanation.return' : 'explanation.accept', entity: 'explanation', entityId: `${code}/${period}`,
        reason: reason ?? undefined, before: audited(before), after: audited(after),
      });
      return explanationJson(after, this.clock.now());
    });
  }

  private json(rows: ExplanationRow[]): ExplanationJson[] {
    const now = this.clock.now();
    return rows.map((r) => explanationJson(r, now));
  }

  private async target(code: string): Promise<{ id: number; department_id: number }> {
    const target = await this.store.findTarget(code);
    if (!target) throw notFound(`指标 ${code}`, 'code');
    return target;
  }

  private notOwed(code: string, period: string) {
    return notFound(`${code} ${period} 应提交的情况说明`);
  }
}
