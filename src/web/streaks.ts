import type { DataSource } from 'typeorm';

/** How long a target has been red (滞后/倒退/未完成) or amber (需加快): since `since`, `periods` periods in a row. */
export interface StatusStreak {
  colour: 'red' | 'amber';
  since: string;
  periods: number;
}

/**
 * From the evaluation history: per period of data, the last evaluation of it; then back from the latest
 * period while the colour stays the latest one's. Only targets whose latest period is red or amber get one.
 */
export async function statusStreaks(dataSource: DataSource, targetIds: number[]): Promise<Map<number, StatusStreak>> {
  if (!targetIds.length) return new Map();
  const rows: { target_id: number; colour: 'red' | 'amber'; since: string; periods: number }[] = await dataSource.query(
    `WITH per_period AS (
       SELECT DISTINCT ON (e.target_id, e.latest_period) e.target_id, e.latest_period AS period, tm_period_t(e.latest_period) AS t,
              CASE WHEN e.status IN ('lagging', 'deteriorating', 'missed') THEN 'red' WHEN e.status = 'at_risk' THEN 'amber' ELSE 'other' END AS colour
         FROM evaluations e
        WHERE e.target_id = ANY($1) AND e.latest_period IS NOT NULL
        ORDER BY e.target_id, e.latest_period, e.as_of DESC, e.evaluated_at DESC, e.id DESC
     ), marked AS (
       SELECT p.*, first_value(colour) OVER (PARTITION BY target_id ORDER BY t DESC) AS latest_colour FROM per_period p
     ), run AS (
       SELECT m.*, bool_and(colour = latest_colour) OVER w2 AS same
         FROM marked m
       WINDOW w2 AS (PARTITION BY target_id ORDER BY t DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
     )
     SELECT target_id, latest_colour AS colour, (array_agg(period ORDER BY t))[1] AS since, count(*)::int AS periods
       FROM run WHERE same AND latest_colour IN ('red', 'amber')
      GROUP BY target_id, latest_colour`,
    [targetIds],
  );
  return new Map(rows.map((r) => [r.target_id, { colour: r.colour, since: r.since, periods: r.periods }]));
}
