import { Injectable } from '@nestjs/common';
import { ReadReplicas } from '../database/replicas.js';

/** How long a target has been red (滞后/倒退/未完成) or amber (需加快): since `since`, `periods` periods in a row. */
export interface StatusStreak {
  colour: 'red' | 'amber';
  since: string;
  periods: number;
  /** the history read ended before the colour changed: at least this long */
  atLeast: boolean;
}

/** Evaluations read per target, newest first: about a year of daily runs, so a wide dashboard stays fast. */
export const STREAK_WINDOW = 400;

const SORTS = {
  code: 't.code', name: 't.name', department: 'd.name', completion: 'e.completion', elapsed: 'e.elapsed',
  pace: 'e.pace', gap: 'e.gap', status: 'severity', latest: 'e.latest_value',
} as const;
export type DashboardSort = keyof typeof SORTS;
/** The columns the dashboard sorts by; `status` is worst first. */
export const DASHBOARD_SORTS = Object.keys(SORTS) as [DashboardSort, ...DashboardSort[]];

/** Which active targets the dashboard shows; null filters nothing. */
export interface DashboardFilter {
  department: string | null;
  category: string | null;
  binding: boolean | null;
  /** part of the code or name */
  q: string | null;
  /** a department's own targets (lead or support) */
  ownDepartmentId: number | null;
}

/** The rows' further filters and order (the counts ignore them). */
export interface DashboardRowsQuery {
  statuses: readonly string[] | null;
  /** with `statuses`: targets never evaluated too */
  noEvaluation: boolean;
  overdueOnly: boolean;
  sort: DashboardSort;
  dir: 'asc' | 'desc';
}

// Worst first: the order a planner reads a status list in.
const SEVERITY = `CASE e.status WHEN 'deteriorating' THEN 0 WHEN 'missed' THEN 1 WHEN 'lagging' THEN 2 WHEN 'at_risk' THEN 3
  WHEN 'no_data' THEN 4 WHEN 'on_track' THEN 5 WHEN 'ahead' THEN 6 WHEN 'achieved' THEN 7 ELSE 8 END`;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const FROM = `targets t JOIN departments d ON d.id = t.department_id
      LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id`;
const WHERE = `t.archived_at IS NULL AND ($1::text IS NULL OR d.code = $1) AND ($2::text IS NULL OR t.category = $2)
      AND ($3::bool IS NULL OR t.binding = $3) AND ($4::text IS NULL OR t.code ILIKE $4 OR t.name ILIKE $4)
      AND ($5::int IS NULL OR t.department_id = $5
           OR EXISTS (SELECT 1 FROM target_supporting_departments s WHERE s.target_id = t.id AND s.department_id = $5))`;

const filterParams = (f: DashboardFilter) => [f.department, f.category, f.binding, f.q ? likePattern(f.q) : null, f.ownDepartmentId];

/** The reads of the latest evaluations the dashboard and the target page show: status lists, counts and streaks. */
@Injectable()
export class OverviewStore {
  constructor(
    /** the dashboard's reads may lag a moment: on a replica when there is one */
    private readonly reads: ReadReplicas,
  ) {}

  /** rows typed by each method, as with DataSource.query */
  private read = (sql: string, params: unknown[] = []): Promise<any[]> => this.reads.run((db) => db.query(sql, params));

  /** Active targets with their latest evaluation (and, before any, their last figure), at most 1000. */
  // Raw rows: the dashboard maps them.
  dashboardRows(filter: DashboardFilter, rows: DashboardRowsQuery): Promise<any[]> {
    const order = `${rows.sort === 'status' ? SEVERITY : SORTS[rows.sort]} ${rows.dir.toUpperCase()} NULLS LAST, t.code`;
    return this.read(
      `SELECT t.id, t.code, t.name, t.unit, t.category, t.binding, t.comparator, d.code AS department, d.name AS department_name,
                t.department_id = $5 AS lead, t.baseline_value IS NULL AS no_baseline, t.target_value, t.target_period, e.status, coalesce(e.overdue, false) AS overdue,
                e.completion, e.elapsed, e.pace, e.pace_method, e.expected, e.lag, e.projected, e.gap, e.latest_value,
                e.latest_period, e.evaluated_at, f.period AS figure_period, f.value AS figure_value, ${SEVERITY} AS severity
           FROM ${FROM}
           LEFT JOIN LATERAL (SELECT f.period, f.value FROM figures f WHERE f.target_id = t.id
                               ORDER BY tm_period_t(f.period) DESC LIMIT 1) f ON e.latest_value IS NULL
          WHERE ${WHERE} AND ($6::text[] IS NULL OR e.status = ANY($6) OR ($7 AND e.id IS NULL)) AND ($8 = false OR e.overdue)
          ORDER BY ${order} LIMIT 1000`,
      [...filterParams(filter), rows.statuses, rows.noEvaluation, rows.overdueOnly],
    );
  }

  /** The filtered targets counted by colour, and the overdue ones. */
  async dashboardCounts(filter: DashboardFilter): Promise<{ total: number; red: number; amber: number; green: number; grey: number; overdue: number }> {
    const [counts] = await this.read(
      `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE e.status IN ('lagging', 'deteriorating', 'missed'))::int AS red,
                count(*) FILTER (WHERE e.status = 'at_risk')::int AS amber,
                count(*) FILTER (WHERE e.status IN ('achieved', 'ahead', 'on_track'))::int AS green,
                count(*) FILTER (WHERE e.status = 'no_data' OR e.id IS NULL)::int AS grey,
                count(*) FILTER (WHERE e.overdue)::int AS overdue
           FROM ${FROM} WHERE ${WHERE}`,
      filterParams(filter),
    );
    return counts;
  }

  /** Every department, by name: the dashboard's filter. */
  departments(): Promise<{ code: string; name: string }[]> {
    return this.read(`SELECT code, name FROM departments ORDER BY name`);
  }

  /** The categories of active targets. */
  async categories(): Promise<string[]> {
    const rows: { category: string }[] = await this.read(
      `SELECT DISTINCT category FROM targets WHERE category IS NOT NULL AND archived_at IS NULL ORDER BY 1`,
    );
    return rows.map((c) => c.category);
  }

  async departmentName(id: number): Promise<string | null> {
    return (await this.read(`SELECT name FROM departments WHERE id = $1`, [id]))[0]?.name ?? null;
  }

  /** Quarterly targets the department leads or supports without a figure for `period` (本期待填). */
  async toFill(departmentId: number, period: string): Promise<number> {
    const [row] = await this.read(
      `SELECT count(*)::int AS n FROM targets t
        WHERE t.archived_at IS NULL AND t.frequency = 'quarterly'
          AND (t.department_id = $1 OR EXISTS (SELECT 1 FROM target_supporting_departments s WHERE s.target_id = t.id AND s.department_id = $1))
          AND NOT EXISTS (SELECT 1 FROM figures f WHERE f.target_id = t.id AND f.period = $2)`,
      [departmentId, period],
    );
    return row.n;
  }

  /** How long the latest red or amber colour has held, walking back through the evaluation history. */
  async statusStreaks(targetIds: number[]): Promise<Map<number, StatusStreak>> {
    if (!targetIds.length) return new Map();
    const rows: { target_id: number; colour: 'red' | 'amber'; since: string; periods: number; at_least: boolean }[] = await this.read(
    `WITH recent AS (
       SELECT t.id AS target_id, w.* FROM unnest($1::int[]) AS t(id)
         CROSS JOIN LATERAL (SELECT e.id, e.latest_period, e.status, e.as_of, e.evaluated_at FROM evaluations e
                              WHERE e.target_id = t.id ORDER BY e.evaluated_at DESC LIMIT ${STREAK_WINDOW}) w
     ), read AS (
       SELECT target_id, count(*) AS n FROM recent GROUP BY target_id
     ), per_period AS (
       SELECT DISTINCT ON (target_id, latest_period) target_id, latest_period AS period, status
         FROM recent WHERE latest_period IS NOT NULL ORDER BY target_id, latest_period, as_of DESC, evaluated_at DESC, id DESC
     ), marked AS (
       SELECT target_id, period, tm_period_t(period) AS t,
              CASE WHEN status IN ('lagging', 'deteriorating', 'missed') THEN 'red' WHEN status = 'at_risk' THEN 'amber' ELSE 'other' END AS colour
         FROM per_period
     ), run AS (
       SELECT m.*, first_value(colour) OVER latest AS latest_colour FROM marked m
       WINDOW latest AS (PARTITION BY target_id ORDER BY t DESC)
     ), streak AS (
       SELECT r.*, bool_and(colour = latest_colour) OVER (PARTITION BY target_id ORDER BY t DESC ROWS UNBOUNDED PRECEDING) AS same,
              bool_and(colour = latest_colour) OVER (PARTITION BY target_id) AS all_same
         FROM run r
     )
     SELECT s.target_id, s.latest_colour AS colour, (array_agg(s.period ORDER BY s.t))[1] AS since, count(*)::int AS periods,
            bool_and(s.all_same AND read.n >= ${STREAK_WINDOW}) AS at_least
       FROM streak s JOIN read USING (target_id) WHERE s.same AND s.latest_colour IN ('red', 'amber')
      GROUP BY s.target_id, s.latest_colour`,
      [targetIds],
    );
    return new Map(rows.map((r) => [r.target_id, { colour: r.colour, since: r.since, periods: r.periods, atLeast: r.at_least }]));
  }
}
