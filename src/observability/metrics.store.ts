import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Completed runs' durations: how many took at most each bucket's seconds, and their count and sum. */
export interface RunDurations { buckets: number[]; count: number; sum: number }

export interface MetricsTotals {
  targets: { status: string; n: number; overdue: number }[];
  runs: { state: string; n: number; last: number | null }[];
  durations: RunDurations[];
  outbox: { status: string; n: number; oldest: number | null }[];
}

/** The totals /metrics reports, read at scrape time (four queries at once). */
@Injectable()
export class MetricsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `runBuckets`: the upper bounds, in seconds, of the run duration histogram. */
  async totals(runBuckets: number[]): Promise<MetricsTotals> {
    const [targets, runs, durations, outbox] = await Promise.all([
      this.dataSource.query(
        `SELECT coalesce(e.status, 'unevaluated') AS status, count(*)::int AS n, count(*) FILTER (WHERE e.overdue)::int AS overdue
           FROM targets t LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id
          WHERE t.archived_at IS NULL GROUP BY 1`,
      ) as Promise<MetricsTotals['targets']>,
      this.dataSource.query(
        `SELECT state, count(*)::int AS n, extract(epoch FROM max(finished_at))::float8 AS last FROM evaluation_runs GROUP BY state`,
      ) as Promise<MetricsTotals['runs']>,
      this.dataSource.query(
        `WITH r AS (SELECT extract(epoch FROM finished_at - coalesce(started_at, created_at))::float8 AS d
                      FROM evaluation_runs WHERE state = 'completed' AND finished_at IS NOT NULL)
         SELECT (SELECT count(*)::int FROM r) AS count, (SELECT coalesce(sum(d), 0)::float8 FROM r) AS sum,
                array(SELECT (SELECT count(*)::int FROM r WHERE d <= u.b) FROM unnest($1::float8[]) WITH ORDINALITY u(b, i) ORDER BY u.i) AS buckets`,
        [runBuckets],
      ) as Promise<RunDurations[]>,
      this.dataSource.query(
        `SELECT status, count(*)::int AS n,
                extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'sending')))::float8 AS oldest
           FROM outbox GROUP BY status`,
      ) as Promise<MetricsTotals['outbox']>,
    ]);
    return { targets, runs, durations, outbox };
  }
}
