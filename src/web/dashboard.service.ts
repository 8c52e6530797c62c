import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { Actor } from '../access/actor.js';
import type { Method, Status } from '../evaluation/evaluation.types.js';
import { latestPeriodEndedBy } from '../evaluation/periods.js';
import { DASHBOARD_SORTS, OverviewStore, type StatusStreak } from '../evaluations/overview.store.js';
import { type Colour, COLOUR_STATUSES, STATUS_COLOUR } from './i18n.js';
import { Clock } from '../common/clock.js';

/** The dashboard's filters, search and sort, from the query string; anything unknown is ignored, not an error. */
export const dashboardQuerySchema = z.object({
  department: z.string().max(40).optional().catch(undefined),
  category: z.string().max(100).optional().catch(undefined),
  status: z.enum(['red', 'amber', 'green', 'grey', 'overdue']).optional().catch(undefined),
  binding: z.enum(['true', 'false']).optional().catch(undefined),
  /** code or name, part of it */
  q: z.string().trim().max(100).optional().catch(undefined),
  /** a department user sees its own targets unless it asks for all */
  scope: z.enum(['mine', 'all']).optional().catch(undefined),
  sort: z.enum(DASHBOARD_SORTS).default('status').catch('status'),
  dir: z.enum(['asc', 'desc']).optional().catch(undefined),
});
export type DashboardQuery = z.output<typeof dashboardQuerySchema>;

export interface DashboardRow {
  code: string; name: string; unit: string; category: string | null; binding: boolean; comparator: string;
  department: string; departmentName: string; targetValue: number; targetPeriod: string;
  status: Status | null; overdue: boolean; completion: number | null; elapsed: number | null; pace: number | null;
  paceMethod: Method | null; expected: number | null; lag: number | null; projected: number | null;
  gap: number | null; latestValue: number | null; latestPeriod: string | null; evaluatedAt: Date | null;
  /** no figure after the base yet (no baseline: the first figure is the base): the last figure entered */
  firstFigure: { period: string; value: number } | null;
  /** no baseline: the first figure is the base */
  noBaseline: boolean;
  /** the red or amber status held since this period, for this many periods in a row */
  streak: StatusStreak | null;
  /** for a department user: its department leads the target (else it supports it); null for others */
  lead: boolean | null;
}

export interface Dashboard {
  rows: DashboardRow[];
  counts: Record<Colour | 'overdue' | 'total', number>;
  departments: { code: string; name: string }[];
  categories: string[];
  /** a department user's own targets only (牵头 and 配合) */
  mine: { name: string; period: string; toFill: number } | null;
}

/** The dashboard's read model: one query for the rows, one for the counts, one for the streaks of the red and amber ones. */
@Injectable()
export class DashboardService {
  constructor(private readonly store: OverviewStore, private readonly clock: Clock) {}

  async load(query: DashboardQuery, actor: Actor | null, tz: string): Promise<Dashboard> {
    const ownId = actor?.role === 'department' && actor.departmentId !== null && query.scope !== 'all' && !query.department
      ? actor.departmentId : null;
    const filter = {
      department: query.department ?? null, category: query.category ?? null, binding: query.binding === undefined ? null : query.binding === 'true',
      q: query.q || null, ownDepartmentId: ownId,
    };
    const statuses = query.status && query.status !== 'overdue' ? COLOUR_STATUSES[query.status] : null;
    const period = latestPeriodEndedBy('quarterly', this.clock.now(), tz);
    const [rows, counts, departments, categories, toFill] = await Promise.all([
      this.store.dashboardRows(filter, {
        statuses, noEvaluation: query.status === 'grey', overdueOnly: query.status === 'overdue', sort: query.sort, dir: query.dir ?? 'asc',
      }),
      this.store.dashboardCounts(filter),
      this.store.departments(),
      this.store.categories(),
      actor?.role === 'department' && actor.departmentId !== null ? this.store.toFill(actor.departmentId, period) : null,
    ]);
    const num = (v: string | number | null) => (v === null ? null : Number(v));
    const flagged = rows.filter((r: any) => r.status && ['red', 'amber'].includes(STATUS_COLOUR[r.status as Status]));
    const streaks = await this.store.statusStreaks(flagged.map((r: any) => r.id));
    const ownName = ownId === null ? null : await this.store.departmentName(ownId);
    return {
      rows: rows.map((r: any): DashboardRow => ({
        code: r.code, name: r.name, unit: r.unit, category: r.category, binding: r.binding, comparator: r.comparator,
        department: r.department, departmentName: r.department_name, targetValue: Number(r.target_value),
        targetPeriod: r.target_period, status: r.status, overdue: r.overdue, completion: r.completion, elapsed: r.elapsed,
        pace: r.pace, paceMethod: r.pace_method, expected: r.expected, lag: r.lag, projected: r.projected,
        gap: r.gap, latestValue: num(r.latest_value), latestPeriod: r.latest_period, evaluatedAt: r.evaluated_at,
        noBaseline: r.no_baseline,
        firstFigure: r.figure_period ? { period: r.figure_period, value: Number(r.figure_value) } : null,
        streak: streaks.get(r.id) ?? null,
        lead: ownId === null ? null : r.lead,
      })),
      counts,
      departments,
      categories,
      mine: ownName === null ? null : { name: ownName, period, toFill: toFill ?? 0 },
    };
  }
}
