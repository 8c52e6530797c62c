import { Inject, Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { can, canWriteFigures, forbidden } from '../access/permissions.js';
import { DomainError, type FieldError, invalid, notFound } from '../common/domain-error.js';
import { checkIfMatch, etagOf } from '../common/etag.js';
import { Transactions, type Tx } from '../database/transactions.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isCountUnit, isPercentUnit } from '../common/number-input.js';
import type { Basis } from '../evaluation/evaluation.types.js';
import { closingQuarter, frequencyOf, parsePeriod, periodFits, previousPeriod } from '../evaluation/periods.js';
import { ReevaluationService } from '../evaluations/reevaluation.service.js';
import { type EntrySheetRecord, FiguresStore, type SubmittedBatch, type TargetOfWrite } from './figures.store.js';
import { ReviewsStore } from './reviews.store.js';
import type { SubmissionJson } from './review.types.js';
import type { FigureJson, FigureWrite, RevisionJson, WriteResult, WrittenBatch, WrittenRevision } from './figure.types.js';
import { type Comparable, comparisonPeriods, plausibilityWarnings } from './plausibility.js';

export type { FigureJson, FigureWrite, RevisionJson, WriteResult, WrittenBatch, WrittenRevision } from './figure.types.js';

/** What `check` needs of a figure (the value's checks run when it is given). */
export type FigureKey = Pick<FigureWrite, 'target' | 'period' | 'basis'> & Partial<Pick<FigureWrite, 'value' | 'percent' | 'confirm'>>;

/** `figures[3].period` for row index 3 and field `period`. */
export type PathOf = (index: number, field: string) => string;

/** How a write names its rows; `precondition` runs in its transaction with the writers locked out. */
export interface WritePaths {
  pathOf: PathOf;
  rowOf?: (index: number) => number;
  precondition?: (tx: Tx) => Promise<void>;
  /** the rows' targets as the caller already read them (findTargetsOfWrite), so the write does not read them again */
  targets?: readonly TargetOfWrite[];
}

export interface FigureCheck {
  /** targets the actor may not write figures of (403) */
  denied: FieldError[];
  /** everything else (422) */
  errors: FieldError[];
  /** values that look mistyped and were not confirmed (code `implausible`): a 422 until confirmed */
  warnings: FieldError[];
}

/** How a write treats its rows beyond the checks every write makes. */
export interface WriteOptions {
  /** a row changing the value or basis of a figure already reported must give a reason (the entry sheet's rule) */
  correctionNeedsReason?: boolean;
}

/** The error of a correction without a reason (`correctionNeedsReason`). */
export const CORRECTION_NEEDS_REASON = '修改已报数据须填写原因 (a correction needs a reason)';

/** A period's entry sheet as stored: the targets an actor may write figures of, with what the sheet shows beside them. */
export interface EntrySheetRows {
  /** the department whose sheet it is (null: every department's) */
  department: { id: number; code: string; name: string } | null;
  departments: { id: number; code: string; name: string }[];
  previousPeriod: string;
  lastYearPeriod: string | null;
  records: EntrySheetRecord[];
}

/** A batch names its rows `figures[3].value`, as the request body does. */
const BATCH_PATHS: WritePaths = { pathOf: (i, field) => `figures[${i}].${field}` };

const auditedRevision = (r: Omit<WrittenRevision, 'target_id' | 'code' | 'period' | 'reason'>) => ({
  value: r.value, basis: r.basis, status: r.status, note: r.note, source: r.source, revision: Number(r.id),
});

/** The audit row's record of a bulk write: the revision ids, which are append-only. */
export const auditedBatch = (b: WrittenBatch) => ({
  targets: b.targetIds.length, periods: b.periods, revisionIds: b.revisionIds,
  ...(b.submitted && { submitted: b.submitted }),
  // a planner's change to figures of a period whose 通报 was issued
  ...(b.published.length && { revisesPublished: b.published }),
});

/** A published period's figure needs a planner (period_locks). */
export const lockedPeriodMessage = (quarter: string) =>
  `${quarter} 已发布通报，期间已锁定，责任单位不能修改；如需更正请联系规划处 (the period is locked: its 通报 was issued)`;
/** A planner's change to a published period's figure needs a reason. */
export const lockedReasonMessage = (quarter: string) =>
  `${quarter} 已发布通报，修改已发布的数据须填写原因 (a change to a published figure needs a reason)`;

/** Why a value does not fit its target's unit: a % sign on a target not measured in %, a negative count. */
export function valueFitsUnit(value: string, percent: boolean, unit: string): string | null {
  if (percent && !isPercentUnit(unit)) return `数值带 %，但指标单位是 ${unit} (a % sign on a value measured in ${unit})`;
  if (value.startsWith('-') && isCountUnit(unit)) return `数值 ${value} 为负数，但单位 ${unit} 是计数，不能为负 (a count in ${unit} cannot be negative)`;
  return null;
}

/** Target ids share a lock when equal modulo this: a lone PUT waits only for writers of a target in its bucket. */
export const LOCK_BUCKETS = 1024;

/** The distinct lock buckets of some target ids, ascending. */
export function lockBuckets(targetIds: readonly number[]): number[] {
  return [...new Set(targetIds.map((id) => id % LOCK_BUCKETS))].sort((a, b) => a - b);
}

@Injectable()
export class FiguresService {
  constructor(
    private readonly store: FiguresStore,
    private readonly transactions: Transactions,
    private readonly reevaluation: ReevaluationService,
    private readonly audit: AuditService,
    private readonly reviews: ReviewsStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A write of this actor waits for review (FIGURE_REVIEW on, an actor without figures.write.any). */
  underReview(actor: Actor): boolean {
    return this.config.figureReview && !can(actor, 'figures.write.any');
  }

  async list(code: string): Promise<FigureJson[]> {
    return this.store.listCurrent(await this.targetId(code));
  }

  async get(code: string, period: string): Promise<FigureJson> {
    return this.current(await this.targetId(code), code, period);
  }

  /** The figure of a target whose id is known; 404 naming `code` when it has none. */
  private async current(targetId: number, code: string, period: string): Promise<FigureJson> {
    const figure = await this.store.findCurrent(undefined, targetId, period);
    if (!figure) throw notFound(`${code} ${period} 的实际值`);
    return figure;
  }

  async revisions(code: string, period: string): Promise<RevisionJson[]> {
    const revisions = await this.store.listRevisions(await this.targetId(code), period);
    if (!revisions.length) throw notFound(`${code} ${period} 的实际值`);
    return revisions;
  }

  /** The targets of a period an actor may write figures of, with their figures. */
  async entrySheet(actor: Actor, period: string, departmentCode: string | null): Promise<EntrySheetRows> {
    const departments = await this.store.listDepartments();
    let department = departmentCode ? departments.find((d) => d.code === departmentCode) ?? null : null;
    if (departmentCode && !department) throw notFound(`责任单位 ${departmentCode}`, 'department');
    if (!can(actor, 'figures.write.any')) {
      const own = departments.find((d) => d.id === actor.departmentId) ?? null;
      if (!own) throw forbidden('当前账号不属于任何责任单位，不能填报 (this account belongs to no department)');
      if (department && department.id !== own.id) {
        throw forbidden(`无权查看或填报 ${department.name} 的数据 (not your department)`, 'department');
      }
      department = own;
    }
    const previous = previousPeriod(period);
    const lastYear = comparisonPeriods(period).lastYear;
    const records = (await this.store.listEntrySheet(period, previous, lastYear, frequencyOf(period), department?.id ?? null))
      .filter((r) => canWriteFigures(actor, { departmentId: r.department_id, supportingIds: r.supporting }));
    return { department, departments, previousPeriod: previous, lastYearPeriod: lastYear, records };
  }

  /**
   * PUT one figure, idempotently; `ifMatch` is checked once the write holds its lock. Under review, the
   * figure's open submission when there is one (the approved figure is unchanged).
   */
  async put(actor: Actor, figure: FigureWrite, ifMatch?: string): Promise<FigureJson | SubmissionJson> {
    // an unknown target in the URL is a 404; the row read here serves the write's checks too
    const [target] = await this.store.findTargetsOfWrite(undefined, [figure.target]);
    if (!target) throw notFound(`指标 ${figure.target}（或已归档）`, 'code');
    const targetId = target.id;
    const precondition = ifMatch === undefined ? undefined : async (tx: Tx) => {
      const stored = await this.store.findCurrent(tx, targetId, figure.period);
      checkIfMatch(ifMatch, stored && etagOf(stored), `${figure.target} ${figure.period} 的实际值`);
    };
    await this.writeAll(actor, [figure], { pathOf: (_, field) => field, precondition, targets: [target] }, async (tx, batch) => {
      if (!batch.written) return; // unchanged
      const id = `${figure.target}/${figure.period}`;
      const [revision, previous] = await this.store.findRevisionAndPrevious(tx, batch.targetIds[0], figure.period, batch.revisionIds[0][0]);
      await this.audit.append(tx, actor, {
        action: 'figure.revise', entity: 'figure', entityId: id, reason: figure.reason,
        before: previous ? auditedRevision(previous) : null,
        after: { ...auditedRevision(revision), ...(batch.published.length && { revisesPublished: batch.published[0] }) },
      });
    });
    if (this.underReview(actor)) {
      const [open] = await this.reviews.listOpen({ targetId, period: figure.period });
      if (open) return open;
    }
    return this.current(targetId, figure.target, figure.period); // by the id resolved above: one round trip less
  }

  /** Many figures, all or nothing: any bad row rejects the whole batch with its errors. */
  batch(actor: Actor, figures: FigureWrite[], options: WriteOptions = {}): Promise<WriteResult> {
    return this.writeAll(actor, figures, BATCH_PATHS, this.auditBatch(actor, figures), options);
  }

  /** `batch` in the caller's transaction; returns what to do after the commit (queue the re-evaluations). */
  async batchWithin(tx: Tx, actor: Actor, figures: FigureWrite[]): Promise<() => Promise<void>> {
    const { targetIds } = await this.write(actor, figures, BATCH_PATHS, this.auditBatch(actor, figures), {}, tx);
    return () => this.reevaluation.requestSoon(targetIds);
  }

  private auditBatch(actor: Actor, figures: readonly FigureWrite[]) {
    return async (tx: Tx, batch: WrittenBatch) => {
      if (!batch.written) return;
      await this.audit.append(tx, actor, {
        action: 'figures.batch', entity: 'figure', entityId: null, reason: batch.reason,
        after: { received: figures.length, written: batch.written, unchanged: figures.length - batch.written - batch.submitted, ...auditedBatch(batch) },
      });
    };
  }

  /** The checks a write makes, writing nothing; `rowOf` numbers rows in messages (default: index + 1). */
  async check(actor: Actor, figures: readonly FigureKey[], pathOf: PathOf, rowOf?: (index: number) => number): Promise<FigureCheck> {
    const { denied, errors, warnings } = await this.resolve(actor, figures, pathOf, rowOf);
    return { denied, errors, warnings };
  }

  /** The checks of `check` plus, for a clean write, arrays aligned with `figures` (no object per row). */
  private async resolve(
    actor: Actor, figures: readonly FigureKey[], pathOf: PathOf, rowOf?: (index: number) => number,
    db?: Tx, known?: readonly TargetOfWrite[],
  ) {
    const codes = [...new Set(figures.map((f) => f.target))];
    const targets = known ?? await this.store.findTargetsOfWrite(db, codes);
    const byCode = new Map(targets.map((t) => [t.code, t]));
    const mayWrite = new Map(targets.map((t) => [t.id, canWriteFigures(actor, { departmentId: t.department_id, supportingIds: t.supporting })]));

    const denied: FieldError[] = [];
    const errors: FieldError[] = [];
    const seen = new Map<string, number>();
    const duplicate = (first: number) => rowOf
      ? `与第 ${rowOf(first)} 行重复 (duplicate of row ${rowOf(first)})`
      : `与第 ${first + 1} 行重复 (duplicate of row ${first})`;
    const targetIds = new Array<number>(figures.length);
    const bases = new Array<Basis>(figures.length);
    const rowTargets = new Array<TargetOfWrite | undefined>(figures.length);
    for (let i = 0; i < figures.length; i++) {
      const f = figures[i];
      const target = byCode.get(f.target);
      if (!target) {
        errors.push({ path: pathOf(i, 'target'), message: `指标 ${f.target} 不存在或已归档 (unknown target)` });
        continue;
      }
      if (!mayWrite.get(target.id)) {
        denied.push({ path: pathOf(i, 'target'), message: `无权填报指标 ${f.target} 的数据 (not a department of this target)` });
      }
      if (!periodFits(target.frequency as never, f.period)) {
        errors.push({ path: pathOf(i, 'period'), message: `期间 ${f.period} 与指标的报送频率 ${target.frequency} 不符 (period does not fit the frequency)` });
      }
      const basis = f.basis ?? 'ytd';
      if (target.kind === 'level' && basis !== 'ytd') {
        errors.push({ path: pathOf(i, 'basis'), message: '存量指标取期末值，口径须为 ytd (level targets take the period-end value)' });
      }
      const valueError = f.value === undefined ? null : valueFitsUnit(f.value, f.percent === true, target.unit);
      if (valueError) errors.push({ path: pathOf(i, 'value'), message: valueError });
      const key = `${target.id}:${f.period}`;
      const first = seen.get(key);
      if (first !== undefined) errors.push({ path: pathOf(i, 'period'), message: duplicate(first) });
      seen.set(key, i);
      targetIds[i] = target.id;
      bases[i] = basis;
      rowTargets[i] = target;
    }
    const { warnings, confirmed } = await this.plausibility(figures, rowTargets, targetIds, bases, pathOf, db);
    return { denied, errors, warnings, targetIds, bases, confirmed };
  }

  /** The plausibility check of every row; unconfirmed warnings become field errors. */
  private async plausibility(
    figures: readonly FigureKey[], rowTargets: readonly (TargetOfWrite | undefined)[], targetIds: readonly number[],
    bases: readonly Basis[], pathOf: PathOf, db: Tx | undefined,
  ): Promise<{ warnings: FieldError[]; confirmed: (string | null)[] }> {
    const confirmed = new Array<string | null>(figures.length).fill(null);
    const warnings: FieldError[] = [];
    const written = new Map<string, Comparable>();
    const wanted: { ids: number[]; periods: string[] } = { ids: [], periods: [] };
    const compare: ({ previous: string | null; lastYear: string | null } | null)[] = new Array(figures.length).fill(null);
    for (let i = 0; i < figures.length; i++) {
      const f = figures[i];
      if (f.value === undefined || !rowTargets[i] || !parsePeriod(f.period)) continue;
      written.set(`${targetIds[i]}:${f.period}`, { period: f.period, value: f.value, basis: bases[i] });
      compare[i] = comparisonPeriods(f.period);
    }
    for (let i = 0; i < figures.length; i++) {
      const c = compare[i];
      if (!c) continue;
      for (const period of new Set([c.previous, c.lastYear])) {
        if (period === null || written.has(`${targetIds[i]}:${period}`)) continue;
        wanted.ids.push(targetIds[i]);
        wanted.periods.push(period);
      }
    }
    const stored = new Map<string, Comparable>();
    if (wanted.ids.length) {
      const rows = await this.store.findFigures(db, wanted.ids, wanted.periods);
      for (const r of rows) stored.set(`${r.target_id}:${r.period}`, { period: r.period, value: r.value, basis: r.basis });
    }
    const figureOf = (i: number, period: string | null) =>
      period === null ? null : written.get(`${targetIds[i]}:${period}`) ?? stored.get(`${targetIds[i]}:${period}`) ?? null;
    for (let i = 0; i < figures.length; i++) {
      const c = compare[i];
      if (!c) continue;
      const found = plausibilityWarnings({
        kind: rowTargets[i]!.kind, period: figures[i].period, value: figures[i].value!, basis: bases[i],
        previous: figureOf(i, c.previous), lastYear: figureOf(i, c.lastYear),
      });
      if (!found.length) continue;
      if (figures[i].confirm) confirmed[i] = found.join('；');
      else for (const message of found) warnings.push({ path: pathOf(i, 'value'), message, code: 'implausible' });
    }
    return { warnings, confirmed };
  }

  /** Checks every row, then writes all changed figures in one transaction and queues re-evaluations after it. */
  async writeAll(
    actor: Actor,
    figures: readonly FigureWrite[],
    paths: WritePaths,
    afterWrite: (tx: Tx, batch: WrittenBatch) => Promise<void>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const { result, targetIds } = await this.write(actor, figures, paths, afterWrite, options);
    // Queued after the commit, a large set in the background: the requests are rows already, the drain queues the rest.
    await this.reevaluation.requestSoon(targetIds);
    return result;
  }

  /** `writeAll` without the queueing, in a transaction of its own or in `within` (the caller's). */
  private async write(
    actor: Actor,
    figures: readonly FigureWrite[],
    paths: WritePaths,
    afterWrite: (tx: Tx, batch: WrittenBatch) => Promise<void>,
    options: WriteOptions,
    within?: Tx,
  ): Promise<{ result: WriteResult; targetIds: number[] }> {
    const { denied, errors, warnings, targetIds, bases, confirmed } = await this.resolve(actor, figures, paths.pathOf, paths.rowOf, within, paths.targets);
    if (denied.length) throw new DomainError('forbidden', '无权填报这些指标的数据，未写入任何数据 (forbidden; nothing was written)', denied);
    if (errors.length || warnings.length) {
      const message = errors.length
        ? `${errors.length} 处错误，未写入任何数据 (nothing was written)`
        : `${warnings.length} 个数值需要核对：确认无误后请勾选确认再保存，未写入任何数据 (implausible values need confirm: true; nothing was written)`;
      throw invalid([...errors, ...warnings], message);
    }

    const review = this.underReview(actor);
    const inTransaction = <T>(work: (tx: Tx) => Promise<T>) => (within ? work(within) : this.transactions.run(work));
    const written: WrittenBatch = await inTransaction(async (tx) => {
      // Serialise writers of the same targets: one lock per bucket of target ids, in ascending order (no
      // deadlock); per-figure locks would exhaust PostgreSQL's shared lock table.
      await this.store.lockBuckets(tx, lockBuckets(targetIds));
      await paths.precondition?.(tx);
      const published = await this.checkLocks(tx, actor, figures, targetIds, bases, paths.pathOf);
      if (options.correctionNeedsReason) await this.requireReasons(tx, figures, targetIds, bases, paths.pathOf);
      if (review) {
        // A department's figures wait for a planner: stored as submissions, the figures stay as approved.
        const submitted = await this.store.submit(tx, actor.email, figures, targetIds, bases, confirmed);
        await this.auditSubmission(tx, actor, figures, submitted);
        const batch: WrittenBatch = {
          written: 0, targetIds: [], periods: submitted.periods, revisionIds: [], reason: null, submitted: submitted.submitted, published: [],
        };
        await afterWrite(tx, batch);
        return batch;
      }
      const batch = { ...(await this.store.insertRevisions(tx, actor.email, figures, targetIds, bases, confirmed)), published };
      await afterWrite(tx, batch);
      await this.reevaluation.record(tx, batch.targetIds); // kept if Redis is down
      return batch;
    });
    const result: WriteResult = {
      received: figures.length, written: written.written, unchanged: figures.length - written.written - written.submitted,
      ...(written.submitted && { submitted: written.submitted }),
    };
    return { result, targetIds: written.targetIds };
  }

  /** figure.submit (one figure) or figures.submit (many): what went to review. */
  private async auditSubmission(tx: Tx, actor: Actor, figures: readonly FigureWrite[], submitted: SubmittedBatch): Promise<void> {
    if (!submitted.submitted) return;
    if (figures.length === 1) {
      const f = figures[0];
      await this.audit.append(tx, actor, {
        action: 'figure.submit', entity: 'figure', entityId: `${f.target}/${f.period}`, reason: f.reason,
        after: { value: f.value, basis: f.basis ?? null, status: f.status, note: f.note, source: f.source, submission: submitted.submissionIds[0][0] },
      });
      return;
    }
    await this.audit.append(tx, actor, {
      action: 'figures.submit', entity: 'figure', entityId: null,
      after: {
        received: figures.length, submitted: submitted.submitted, targets: submitted.targetIds.length,
        periods: submitted.periods, submissionIds: submitted.submissionIds,
      },
    });
  }

  /**
   * Rows changing a figure of a locked quarter (its 通报 issued): a department may not (403 at `period`), a
   * planner must give a reason (422 at `reason`). Returns the locked quarters the write revises.
   */
  private async checkLocks(
    tx: Tx, actor: Actor, figures: readonly FigureWrite[], targetIds: readonly number[], bases: readonly Basis[], pathOf: PathOf,
  ): Promise<string[]> {
    const quarters = figures.map((f) => closingQuarter(f.period));
    const locked = new Set(await this.reviews.lockedQuarters(tx, [...new Set(quarters)]));
    if (!locked.size) return [];
    const rows = figures.map((_, i) => i).filter((i) => locked.has(quarters[i]));
    if (!rows.length) return [];
    const stored = await this.store.findFigures(tx, rows.map((i) => targetIds[i]), rows.map((i) => figures[i].period));
    const byKey = new Map(stored.map((f) => [`${f.target_id}:${f.period}`, f]));
    const changing = rows.filter((i) => {
      const f = figures[i];
      const current = byKey.get(`${targetIds[i]}:${f.period}`);
      return !current || !new Decimal(current.value).eq(new Decimal(f.value)) || current.basis !== bases[i] ||
        current.status !== f.status || current.note !== f.note || current.source !== f.source;
    });
    if (!changing.length) return [];
    if (!can(actor, 'figures.write.any')) {
      throw new DomainError('forbidden', `${lockedPeriodMessage(quarters[changing[0]])}；未写入任何数据 (nothing was written)`,
        changing.map((i) => ({ path: pathOf(i, 'period'), message: lockedPeriodMessage(quarters[i]) })));
    }
    const unexplained = changing.filter((i) => !figures[i].reason);
    if (unexplained.length) {
      throw invalid(unexplained.map((i) => ({ path: pathOf(i, 'reason'), message: lockedReasonMessage(quarters[i]) })),
        `${unexplained.length} 处错误，未写入任何数据 (nothing was written)`);
    }
    return [...new Set(changing.map((i) => quarters[i]))].sort();
  }

  /** 422 at `reason` for each unexplained change to a figure already reported (checked under the lock). */
  private async requireReasons(
    tx: Tx, figures: readonly FigureWrite[], targetIds: readonly number[], bases: readonly Basis[], pathOf: PathOf,
  ): Promise<void> {
    const unexplained = figures.map((f, i) => i).filter((i) => !figures[i].reason);
    if (!unexplained.length) return;
    const stored = await this.store.findFigures(tx, unexplained.map((i) => targetIds[i]), unexplained.map((i) => figures[i].period));
    const byKey = new Map(stored.map((f) => [`${f.target_id}:${f.period}`, f]));
    const errors: FieldError[] = [];
    for (const i of unexplained) {
      const current = byKey.get(`${targetIds[i]}:${figures[i].period}`);
      if (!current || (new Decimal(current.value).eq(new Decimal(figures[i].value)) && current.basis === bases[i])) continue;
      errors.push({ path: pathOf(i, 'reason'), message: CORRECTION_NEEDS_REASON });
    }
    if (errors.length) throw invalid(errors, `${errors.length} 处错误，未写入任何数据 (nothing was written)`);
  }

  /** A target's id by code (404 at `code` when unknown). */
  targetIdOf(code: string): Promise<number> {
    return this.targetId(code);
  }

  private async targetId(code: string): Promise<number> {
    const id = await this.store.findTargetId(code);
    if (id === null) throw notFound(`指标 ${code}`, 'code');
    return id;
  }
}
