import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Actor } from '../access/actor.js';
import type { Method, Status } from '../evaluation/evaluation.types.js';
import { latestPeriodEndedBy } from '../evaluation/periods.js';
import { type Colour, COLOUR_STATUSES, STATUS_COLOUR } from './i18n.js';
import { type StatusStreak, statusStreaks } from './streaks.js';
import { Clock } from '../common/clock.js';

const SORTS = {
  code: 't.code', name: 't.name', department: 'd.name', completion: 'e.completion', elapsed: 'e.elapsed',
  pace: 'e.pace', gap: 'e.gap', status: 'severity', latest: 'e.latest_value',
} as const;

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
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]]).default('status').catch('status'),
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

// Worst first: the order a planner reads a status list in.
const SEVERITY = `CASE e.status WHEN 'deteriorating' THEN 0 WHEN 'missed' THEN 1 WHEN 'lagging' THEN 2 WHEN 'at_risk' THEN 3
  WHEN 'no_data' THEN 4 WHEN 'on_track' THEN 5 WHEN 'ahead' THEN 6 WHEN 'achieved' THEN 7 ELSE 8 END`;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The dashboard's read model: one query for the rows, one for the counts, one for the streaks of the red and amber ones. */
@Injectable()
export class DashboardService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource, private readonly clock: Clock) {}

  async load(query: DashboardQuery, actor: Actor | null, tz: string): Promise<Dashboard> {
    const ownId = actor?.role === 'department' && actor.departmentId !== null && query.scope !== 'all' && !query.department
      ? actor.departmentId : null;
    const base = [
      query.department ?? null, query.category ?? null, query.binding === undefined ? null : query.binding === 'true',
      query.q ? likePattern(query.q) : null, ownId,
    ];
    const from = `targets t JOIN departments d ON d.id = t.department_id
      LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id`;
    const where = `t.archived_at IS NULL AND ($1::text IS NULL OR d.code = $1) AND ($2::text IS NULL OR t.category = $2)
      AND ($3::bool IS NULL OR t.binding = $3) AND ($4::text IS NULL OR t.code ILIKE $4 OR t.name ILIKE $4)
      AND ($5::int IS NULL OR t.department_id = $5
           OR EXISTS (SELECT 1 FROM target_supporting_departments s WHERE s.target_id = t.id AND s.department_id = $5))`;
    const statuses = query.status && query.status !== 'overdue' ? COLOUR_STATUSES[query.status] : null;
    const noEvaluation = query.status === 'grey';
    const dir = query.dir ?? 'asc';
    const order = `${query.sort === 'status' ? SEVERITY : SORTS[query.sort]} ${dir.toUpperCase()} NULLS LAST, t.code`;
    const period = latestPeriodEndedBy('quarterly', this.clock.now(), tz);
    const [rows, [counts], departments, categories, toFill] = await Promise.all([
      this.dataSource.query(
        `SELECT t.id, t.code, t.name, t.unit, t.category, t.binding, t.comparator, d.code AS department, d.name AS department_name,
                t.department_id = $5 AS lead, t.baseline_value IS NULL AS no_baseline, t.target_value, t.target_period, e.status, coalesce(e.overdue, false) AS overdue,
                e.completion, e.elapsed, e.pace, e.pace_method, e.expected, e.lag, e.projected, e.gap, e.latest_value,
                e.latest_period, e.evaluated_at, f.period AS figure_period, f.value AS figure_value, ${SEVERITY} AS severity
           FROM ${from}
           LEFT JOIN LATERAL (SELECT f.period, f.value FROM figures f WHERE f.target_id = t.id
                               ORDER BY tm_period_t(f.period) DESC LIMIT 1) f ON e.latest_value IS NULL
          WHERE ${where} AND ($6::text[] IS NULL OR e.status = ANY($6) OR ($7 AND e.id IS NULL)) AND ($8 = false OR e.overdue)
          ORDER BY ${order} LIMIT 1000`,
        [...base, statuses, noEvaluation, query.status === 'overdue'],
      ),
      this.dataSource.query(
        `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE e.status IN ('lagging', 'deteriorating', 'missed'))::int AS red,
                count(*) FILTER (WHERE e.status = 'at_risk')::int AS amber,
                count(*) FILTER (WHERE e.status IN ('achieved', 'ahead', 'on_track'))::int AS green,
                count(*) FILTER (WHERE e.status = 'no_data' OR e.id IS NULL)::int AS grey,
                count(*) FILTER (WHERE e.overdue)::int AS overdue
           FROM ${from} WHERE ${where}`,
        base,
      ),
      this.dataSource.query(`SELECT code, name FROM departments ORDER BY name`),
      this.dataSource.query(`SELECT DISTINCT category FROM targets WHERE category IS NOT NULL AND archived_at IS NULL ORDER BY 1`),
      actor?.role === 'department' && actor.departmentId !== null ? this.toFill(actor.departmentId, period) : null,
    ]);
    const num = (v: string | number | null) => (v === null ? null : Number(v));
    const flagged = rows.filter((r: any) => r.status && ['red', 'amber'].includes(STATUS_COLOUR[r.status as Status]));
    const streaks = await statusStreaks(this.dataSource, flagged.map((r: any) => r.id));
    const ownName = ownId === null ? null
      : ((await this.dataSource.query(`SELECT name FROM departments WHERE id = $1`, [ownId]))[0]?.name ?? null);
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
      categories: categories.map((c: { category: string }) => c.category),
      mine: ownName === null ? null : { name: ownName, period, toFill: toFill ?? 0 },
    };
  }

  /** Quarterly targets the department leads or supports without a figure for `period` (本期待填). */
  private async toFill(departmentId: number, period: string): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM targets t
        WHERE t.archived_at IS NULL AND t.frequency = 'quarterly'
          AND (t.department_id = $1 OR EXISTS (SELECT 1 FROM target_supporting_departments s WHERE s.target_id = t.id AND s.department_id = $1))
          AND NOT EXISTS (SELECT 1 FROM figures f WHERE f.target_id = t.id AND f.period = $2)`,
      [departmentId, period],
    );
    return row.n;
  }
}
