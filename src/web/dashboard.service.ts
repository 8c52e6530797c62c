import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Status } from '../evaluation/evaluation.types.js';
import { type Colour, COLOUR_STATUSES } from './i18n.js';

const SORTS = {
  code: 't.code', name: 't.name', department: 'd.code', completion: 'e.completion', elapsed: 'e.elapsed',
  pace: 'e.pace', gap: 'e.gap', status: 'severity', latest: 'e.latest_value',
} as const;

/** The dashboard's filters and sort, from the query string; anything unknown is ignored, not an error. */
export const dashboardQuerySchema = z.object({
  department: z.string().max(40).optional().catch(undefined),
  category: z.string().max(100).optional().catch(undefined),
  status: z.enum(['red', 'amber', 'green', 'grey', 'overdue']).optional().catch(undefined),
  binding: z.enum(['true', 'false']).optional().catch(undefined),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]]).default('status').catch('status'),
  dir: z.enum(['asc', 'desc']).optional().catch(undefined),
});
export type DashboardQuery = z.output<typeof dashboardQuerySchema>;

export interface DashboardRow {
  code: string; name: string; unit: string; category: string | null; binding: boolean; comparator: string;
  department: string; departmentName: string; targetValue: number; targetPeriod: string;
  status: Status | null; overdue: boolean; completion: number | null; elapsed: number | null; pace: number | null;
  gap: number | null; latestValue: number | null; latestPeriod: string | null; evaluatedAt: Date | null;
}

export interface Dashboard {
  rows: DashboardRow[];
  counts: Record<Colour | 'overdue' | 'total', number>;
  departments: { code: string; name: string }[];
  categories: string[];
}

// Worst first: the order a planner reads a status list in.
const SEVERITY = `CASE e.status WHEN 'deteriorating' THEN 0 WHEN 'missed' THEN 1 WHEN 'lagging' THEN 2 WHEN 'at_risk' THEN 3
  WHEN 'no_data' THEN 4 WHEN 'on_track' THEN 5 WHEN 'ahead' THEN 6 WHEN 'achieved' THEN 7 ELSE 8 END`;

/** The dashboard's read model: one query for the rows, one for the counts. */
@Injectable()
export class DashboardService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(query: DashboardQuery): Promise<Dashboard> {
    const base = [query.department ?? null, query.category ?? null, query.binding === undefined ? null : query.binding === 'true'];
    const from = `targets t JOIN departments d ON d.id = t.department_id
      LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id`;
    const where = `t.archived_at IS NULL AND ($1::text IS NULL OR d.code = $1) AND ($2::text IS NULL OR t.category = $2)
      AND ($3::bool IS NULL OR t.binding = $3)`;
    const statuses = query.status && query.status !== 'overdue' ? COLOUR_STATUSES[query.status] : null;
    const noEvaluation = query.status === 'grey';
    const dir = query.dir ?? 'asc';
    const order = `${query.sort === 'status' ? SEVERITY : SORTS[query.sort]} ${dir.toUpperCase()} NULLS LAST, t.code`;
    const [rows, [counts], departments, categories] = await Promise.all([
      this.dataSource.query(
        `SELECT t.code, t.name, t.unit, t.category, t.binding, t.comparator, d.code AS department, d.name AS department_name,
                t.target_value, t.target_period, e.status, coalesce(e.overdue, false) AS overdue, e.completion, e.elapsed,
                e.pace, e.gap, e.latest_value, e.latest_period, e.evaluated_at, ${SEVERITY} AS severity
           FROM ${from}
          WHERE ${where} AND ($4::text[] IS NULL OR e.status = ANY($4) OR ($5 AND e.id IS NULL)) AND ($6 = false OR e.overdue)
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
      this.dataSource.query(`SELECT code, name FROM departments ORDER BY code`),
      this.dataSource.query(`SELECT DISTINCT category FROM targets WHERE category IS NOT NULL AND archived_at IS NULL ORDER BY 1`),
    ]);
    const num = (v: string | number | null) => (v === null ? null : Number(v));
    return {
      rows: rows.map((r: any): DashboardRow => ({
        code: r.code, name: r.name, unit: r.unit, category: r.category, binding: r.binding, comparator: r.comparator,
        department: r.department, departmentName: r.department_name, targetValue: Number(r.target_value),
        targetPeriod: r.target_period, status: r.status, overdue: r.overdue, completion: r.completion, elapsed: r.elapsed,
        pace: r.pace, gap: r.gap, latestValue: num(r.latest_value), latestPeriod: r.latest_period, evaluatedAt: r.evaluated_at,
      })),
      counts,
      departments,
      categories: categories.map((c: { category: string }) => c.category),
    };
  }
}
