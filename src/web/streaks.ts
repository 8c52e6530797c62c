import type { DataSource } from 'typeorm';

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

/**
 * From the evaluation history: per period of data, the last evaluation of it; then back from the latest
 * period while the colour stays the latest one's. Only targets whose latest period is red or amber get one.
 */
export async function statusStreaks(dataSource: DataSource, targetIds: number[]): Promise<Map<number, StatusStreak>> {
  if (!targetIds.length) return new Map();
  const rows: { target_id: number; colour: 'red' | 'amber'; since: string; periods: number; at_least: boolean }[] = await dataSource.query(
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
