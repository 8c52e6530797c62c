import type pg from 'pg';

/**
 * `targets` level targets (linear, 2019 → 2026) of a department DRILL, each with 8 quarterly figures
 * (2023Q1–2024Q4) spread around its pace, written in SQL in one transaction: the load of the fault
 * drills (`npm run faults`) and the recovery tests.
 */
export async function seedDrill(db: pg.Pool, targets: number, recipient = 'drill@example.org'): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO departments (code, name, emails) VALUES ('DRILL', '演练部门', ARRAY[$1])`, [recipient]);
    await client.query(
      `INSERT INTO targets (code, name, unit, kind, comparator, method, frequency, department_id,
                            baseline_period, baseline_value, target_period, target_value)
       SELECT 'DRILL-' || lpad(i::text, 6, '0'), '演练指标 ' || i, '家', 'level', '>=', 'linear', 'quarterly',
              (SELECT id FROM departments WHERE code = 'DRILL'), '2019', 100 + i % 50, '2026', 300 + i % 37
         FROM generate_series(1, $1::int) i`,
      [targets],
    );
    await client.query(
      `INSERT INTO figure_revisions (target_id, period, value, basis, status, source, recorded_by, recorded_at)
       SELECT t.id, (2023 + q / 4) || 'Q' || (q % 4 + 1),
              round(t.baseline_value + (t.target_value - t.baseline_value) * ((t.id % 11) * 0.15 - 0.1) * (q + 17) / 28, 2),
              'ytd', 'final', 'drill', 'drill', now() - interval '1 day'
         FROM targets t CROSS JOIN generate_series(0, 7) q ORDER BY q, t.id`,
    );
    await client.query(
      `INSERT INTO figures (target_id, period, value, basis, status, note, source, revision_id, recorded_at)
       SELECT target_id, period, value, basis, status, note, source, id, recorded_at FROM figure_revisions ORDER BY id`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await db.query('ANALYZE');
}
