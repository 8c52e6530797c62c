import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { canWriteFigures } from '../auth/permissions.js';
import { DomainError, type FieldError, invalid, notFound } from '../common/domain-error.js';
import { periodFits } from '../evaluation/periods.js';
import { ReevaluationService } from '../progress/reevaluation.service.js';
import type { Basis } from '../evaluation/evaluation.types.js';

/** One figure to write, already validated field by field. */
export interface FigureWrite {
  target: string;
  period: string;
  value: string;
  basis?: Basis;
  status: 'preliminary' | 'final';
  note: string | null;
  source: string | null;
  reason: string | null;
}

export interface FigureJson {
  target: string;
  period: string;
  value: number;
  basis: Basis;
  status: 'preliminary' | 'final';
  note: string | null;
  source: string | null;
  revision: number;
  recordedAt: string;
}

export interface RevisionJson extends Omit<FigureJson, 'revision'> {
  id: number;
  reason: string | null;
  recordedBy: string | null;
}

export interface WriteResult { received: number; written: number; unchanged: number }

/** What `check` needs of a figure. */
export type FigureKey = Pick<FigureWrite, 'target' | 'period' | 'basis'>;

/** `figures[3].period` for row index 3 and field `period`. */
export type PathOf = (index: number, field: string) => string;

export interface FigureCheck {
  /** targets the actor may not write figures of (403) */
  denied: FieldError[];
  /** everything else (422) */
  errors: FieldError[];
}

const auditedRevision = (r: Omit<WrittenRevision, 'target_id' | 'code' | 'period' | 'reason'>) => ({
  value: Number(r.value), basis: r.basis, status: r.status, note: r.note, source: r.source, revision: Number(r.id),
});

/** A revision a write appended (numeric as text). */
export interface WrittenRevision {
  id: string; target_id: number; code: string; period: string; value: string;
  basis: Basis; status: string; note: string | null; source: string | null; reason: string | null;
}

const FIGURE_COLUMNS = `t.code AS target, f.period, f.value, f.basis, f.status, f.note, f.source`;

type Row = Record<string, unknown> & { value: string; recorded_at: Date };

const figureJson = (r: Row): FigureJson => ({
  target: r.target as string,
  period: r.period as string,
  value: Number(r.value),
  basis: r.basis as Basis,
  status: r.status as FigureJson['status'],
  note: r.note as string | null,
  source: r.source as string | null,
  revision: Number(r.revision_id),
  recordedAt: r.recorded_at.toISOString(),
});

@Injectable()
export class FiguresService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reevaluation: ReevaluationService,
    private readonly audit: AuditService,
  ) {}

  async list(code: string): Promise<FigureJson[]> {
    const targetId = await this.targetId(code);
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${FIGURE_COLUMNS}, f.revision_id, f.recorded_at FROM figures f JOIN targets t ON t.id = f.target_id
       WHERE f.target_id = $1 ORDER BY tm_period_t(f.period), f.period`,
      [targetId],
    );
    return rows.map(figureJson);
  }

  async get(code: string, period: string): Promise<FigureJson> {
    const targetId = await this.targetId(code);
    const [row]: Row[] = await this.dataSource.query(
      `SELECT ${FIGURE_COLUMNS}, f.revision_id, f.recorded_at FROM figures f JOIN targets t ON t.id = f.target_id
       WHERE f.target_id = $1 AND f.period = $2`,
      [targetId, period],
    );
    if (!row) throw notFound(`${code} ${period} 的实际值`);
    return figureJson(row);
  }

  async revisions(code: string, period: string): Promise<RevisionJson[]> {
    const targetId = await this.targetId(code);
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${FIGURE_COLUMNS}, f.id, f.reason, f.recorded_by, f.recorded_at FROM figure_revisions f
       JOIN targets t ON t.id = f.target_id WHERE f.target_id = $1 AND f.period = $2 ORDER BY f.recorded_at, f.id`,
      [targetId, period],
    );
    if (!rows.length) throw notFound(`${code} ${period} 的实际值`);
    return rows.map((r) => {
      const { revision: _, ...rest } = figureJson(r);
      return { ...rest, id: Number(r.id), reason: r.reason as string | null, recordedBy: r.recorded_by as string | null };
    });
  }

  /** PUT one figure: idempotent (the same figure again writes no revision). */
  async put(actor: Actor, figure: FigureWrite): Promise<FigureJson> {
    await this.targetId(figure.target, { active: true }); // an unknown target in the URL is a 404
    await this.writeAll(actor, [figure], { pathOf: (_, field) => field }, async (m, [revision]) => {
      if (!revision) return; // unchanged
      const id = `${figure.target}/${figure.period}`;
      const [previous]: WrittenRevision[] = await m.query(
        `SELECT id, value::text, basis, status, note, source FROM figure_revisions
          WHERE target_id = $1 AND period = $2 AND id < $3 ORDER BY id DESC LIMIT 1`,
        [revision.target_id, revision.period, revision.id],
      );
      await this.audit.append(m, actor, {
        action: 'figure.revise', entity: 'figure', entityId: id, reason: figure.reason,
        before: previous ? auditedRevision(previous) : null,
        after: auditedRevision(revision),
      });
    });
    return this.get(figure.target, figure.period);
  }

  /** Many figures, all or nothing: any bad row rejects the whole batch with its errors. */
  batch(actor: Actor, figures: FigureWrite[]): Promise<WriteResult> {
    return this.writeAll(actor, figures, { pathOf: (i, field) => `figures[${i}].${field}` }, async (m, revisions) => {
      if (!revisions.length) return;
      await this.audit.append(m, actor, {
        action: 'figures.batch', entity: 'figure', entityId: null,
        reason: new Set(revisions.map((r) => r.reason)).size === 1 ? revisions[0].reason : null,
        after: {
          received: figures.length, written: revisions.length,
          revisions: revisions.map((r) => ({ target: r.code, period: r.period, value: Number(r.value), reason: r.reason, revision: Number(r.id) })),
        },
      });
    });
  }

  /**
   * The checks a write makes, writing nothing: unknown or archived targets, periods that do not fit the
   * frequency, level targets with basis `period`, duplicate rows (`denied`: targets the actor may not
   * write figures of). Paths come from `pathOf`; `rowOf` numbers rows in messages (default: index + 1).
   */
  async check(actor: Actor, figures: readonly FigureKey[], pathOf: PathOf, rowOf?: (index: number) => number): Promise<FigureCheck> {
    const { denied, errors } = await this.resolve(actor, figures, pathOf, rowOf);
    return { denied, errors };
  }

  private async resolve(actor: Actor, figures: readonly FigureKey[], pathOf: PathOf, rowOf?: (index: number) => number) {
    const codes = [...new Set(figures.map((f) => f.target))];
    const targets: { id: number; code: string; kind: string; frequency: string; department_id: number; supporting: number[] }[] =
      await this.dataSource.query(
        `SELECT t.id, t.code, t.kind, t.frequency, t.department_id,
                array_remove(array_agg(s.department_id), NULL) AS supporting
           FROM targets t LEFT JOIN target_supporting_departments s ON s.target_id = t.id
          WHERE t.code = ANY($1) AND t.archived_at IS NULL GROUP BY t.id`,
        [codes],
      );
    const byCode = new Map(targets.map((t) => [t.code, t]));

    const denied = figures.flatMap((f, i) => {
      const target = byCode.get(f.target);
      return target && !canWriteFigures(actor, { departmentId: target.department_id, supportingIds: target.supporting })
        ? [{ path: pathOf(i, 'target'), message: `无权填报指标 ${f.target} 的数据 (not a department of this target)` }]
        : [];
    });

    const errors: FieldError[] = [];
    const seen = new Map<string, number>();
    const duplicate = (first: number) => rowOf
      ? `与第 ${rowOf(first)} 行重复 (duplicate of row ${rowOf(first)})`
      : `与第 ${first + 1} 行重复 (duplicate of row ${first})`;
    const rows = figures.map((f, i) => {
      const target = byCode.get(f.target);
      if (!target) {
        errors.push({ path: pathOf(i, 'target'), message: `指标 ${f.target} 不存在或已归档 (unknown target)` });
        return null;
      }
      if (!periodFits(target.frequency as never, f.period)) {
        errors.push({ path: pathOf(i, 'period'), message: `期间 ${f.period} 与指标的报送频率 ${target.frequency} 不符 (period does not fit the frequency)` });
      }
      const basis = f.basis ?? 'ytd';
      if (target.kind === 'level' && basis !== 'ytd') {
        errors.push({ path: pathOf(i, 'basis'), message: '存量指标取期末值，口径须为 ytd (level targets take the period-end value)' });
      }
      const key = `${target.id}:${f.period}`;
      if (seen.has(key)) errors.push({ path: pathOf(i, 'period'), message: duplicate(seen.get(key)!) });
      seen.set(key, i);
      return { targetId: target.id, basis, ord: i };
    });
    return { denied, errors, rows };
  }

  /**
   * Checks every row (`check`; 403 when any target may not be written, 422 for any other error), then
   * writes all changed figures in one transaction, calls `afterWrite` in that transaction with the
   * revisions written (none when nothing changed: it may still write, e.g. audit; throwing rolls all
   * back), and queues the re-evaluation of the targets changed. All or nothing.
   */
  async writeAll(
    actor: Actor,
    figures: readonly FigureWrite[],
    paths: { pathOf: PathOf; rowOf?: (index: number) => number },
    afterWrite: (manager: EntityManager, revisions: WrittenRevision[]) => Promise<void>,
  ): Promise<WriteResult> {
    const { denied, errors, rows } = await this.resolve(actor, figures, paths.pathOf, paths.rowOf);
    if (denied.length) throw new DomainError('forbidden', '无权填报这些指标的数据，未写入任何数据 (forbidden; nothing was written)', denied);
    if (errors.length) throw invalid(errors, `${errors.length} 处错误，未写入任何数据 (nothing was written)`);
    const valid = rows.map((r, i) => ({ ...figures[i], ...r! }));

    const written: WrittenRevision[] = await this.dataSource.transaction(async (manager) => {
      // Serialise writers of the same figures (ordered, so two batches cannot deadlock).
      await manager.query(
        `SELECT pg_advisory_xact_lock(k) FROM (
           SELECT DISTINCT hashtextextended(t::text || ':' || p, 0) AS k FROM unnest($1::int[], $2::text[]) AS x(t, p)
           ORDER BY k) locks`,
        [valid.map((r) => r.targetId), valid.map((r) => r.period)],
      );
      const revisions: WrittenRevision[] = await manager.query(
        `WITH input AS (
           SELECT * FROM unnest($1::int[], $2::text[], $3::numeric[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
             AS i(target_id, period, value, basis, status, note, source, reason, ord)
         ), changed AS (
           INSERT INTO figure_revisions (target_id, period, value, basis, status, note, source, reason, recorded_by)
           SELECT i.target_id, i.period, i.value, i.basis, i.status, i.note, i.source, i.reason, $10
           FROM input i LEFT JOIN figures f ON f.target_id = i.target_id AND f.period = i.period
           WHERE f.target_id IS NULL
              OR (f.value, f.basis, f.status, f.note, f.source) IS DISTINCT FROM (i.value, i.basis, i.status, i.note, i.source)
           ORDER BY i.ord
           RETURNING id, target_id, period, value, basis, status, note, source, reason, recorded_at
         ), current AS (
           INSERT INTO figures (target_id, period, value, basis, status, note, source, revision_id, recorded_at)
           SELECT target_id, period, value, basis, status, note, source, id, recorded_at FROM changed
           ON CONFLICT (target_id, period) DO UPDATE SET value = EXCLUDED.value, basis = EXCLUDED.basis,
             status = EXCLUDED.status, note = EXCLUDED.note, source = EXCLUDED.source,
             revision_id = EXCLUDED.revision_id, recorded_at = EXCLUDED.recorded_at
           RETURNING target_id
         )
         SELECT c.id, c.target_id, t.code, c.period, c.value::text, c.basis, c.status, c.note, c.source, c.reason
           FROM changed c JOIN targets t ON t.id = c.target_id
          ORDER BY c.id`,
        [
          valid.map((r) => r.targetId), valid.map((r) => r.period), valid.map((r) => r.value),
          valid.map((r) => r.basis), valid.map((r) => r.status), valid.map((r) => r.note),
          valid.map((r) => r.source), valid.map((r) => r.reason), valid.map((r) => r.ord), actor.email,
        ],
      );
      await afterWrite(manager, revisions);
      return revisions;
    });
    await this.reevaluation.request([...new Set(written.map((w) => w.target_id))]);
    return { received: figures.length, written: written.length, unchanged: figures.length - written.length };
  }

  private async targetId(code: string, { active = false } = {}): Promise<number> {
    const [row]: { id: number }[] = await this.dataSource.query(
      `SELECT id FROM targets WHERE code = $1 AND ($2 = false OR archived_at IS NULL)`,
      [code, active],
    );
    if (!row) throw notFound(active ? `指标 ${code}（或已归档）` : `指标 ${code}`, 'code');
    return row.id;
  }
}
