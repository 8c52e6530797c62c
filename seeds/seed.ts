import type { DataSource } from 'typeorm';
import { ARTICLE_TARGETS } from './data/article-targets.js';
import { DEMO_FIGURES, DEMO_NOTE } from './data/demo-figures.js';
import { DEPARTMENTS } from './data/departments.js';

export interface SeedReport { departments: number; targets: number; figures: number }

/**
 * Departments and the article's targets, each with its quoted clause. Idempotent: what exists
 * (by code) is left as it is, so a planner's edits survive a re-seed.
 */
export async function seedArticle(dataSource: DataSource): Promise<SeedReport> {
  return dataSource.transaction(async (m) => {
    const departments = await m.query(
      `INSERT INTO departments (code, name, emails)
       SELECT code, name, string_to_array(emails, ',') FROM unnest($1::text[], $2::text[], $3::text[]) AS d(code, name, emails)
       ON CONFLICT (code) DO NOTHING RETURNING id`,
      [DEPARTMENTS.map((d) => d.code), DEPARTMENTS.map((d) => d.name), DEPARTMENTS.map((d) => d.emails.join(','))],
    );
    // Department contacts hear about their department's targets (alerts, reminders, digests).
    await m.query(
      `INSERT INTO recipients (email, department_id)
       SELECT lower(e), d.id FROM departments d, unnest(d.emails) AS e WHERE d.code = ANY($1)
       ON CONFLICT (email) DO NOTHING`,
      [DEPARTMENTS.map((d) => d.code)],
    );
    let targets = 0;
    for (const t of ARTICLE_TARGETS) {
      const [inserted] = await m.query(
        `INSERT INTO targets (code, name, unit, kind, comparator, method, frequency, expectation, binding, department_id,
           category, baseline_period, baseline_value, target_period, target_value, source_document, source_quote,
           source_url, notes)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, d.id, $11, $12, $13, $14, $15, $16, $17, $18, $19
           FROM departments d WHERE d.code = $10
         ON CONFLICT (code) DO NOTHING RETURNING id`,
        [t.code, t.name, t.unit, t.kind, t.comparator, t.method, t.frequency, t.expectation, t.binding, t.department,
          t.category, t.baseline?.period ?? null, t.baseline?.value ?? null, t.target.period, t.target.value,
          t.source.document, t.source.quote, t.source.url, t.notes],
      );
      if (!inserted) continue;
      targets += 1;
      await m.query(
        `INSERT INTO target_supporting_departments (target_id, department_id)
         SELECT $1, id FROM departments WHERE code = ANY($2)`,
        [inserted.id, t.supporting],
      );
      await m.query(
        `INSERT INTO milestones (target_id, period, value) SELECT $1, * FROM unnest($2::text[], $3::numeric[])`,
        [inserted.id, t.milestones.map((x) => x.period), t.milestones.map((x) => x.value)],
      );
    }
    return { departments: departments.length, targets, figures: 0 };
  });
}

/** Loads the article's targets into an empty database (SEED, on by default). */
export async function seedIfEmpty(dataSource: DataSource): Promise<SeedReport | null> {
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM targets`);
  return n === 0 ? seedArticle(dataSource) : null;
}

/** Demo figures, labelled 示例数据; figures that exist already are not touched. */
export async function seedDemoFigures(dataSource: DataSource): Promise<number> {
  const rows = Object.entries(DEMO_FIGURES).flatMap(([code, figures]) => figures.map(([period, value]) => ({ code, period, value })));
  return dataSource.transaction(async (m) => {
    const written = await m.query(
      `WITH input AS (
         SELECT t.id AS target_id, i.period, i.value FROM unnest($1::text[], $2::text[], $3::numeric[]) AS i(code, period, value)
         JOIN targets t ON t.code = i.code
         WHERE NOT EXISTS (SELECT 1 FROM figures f WHERE f.target_id = t.id AND f.period = i.period)
       ), revisions AS (
         INSERT INTO figure_revisions (target_id, period, value, basis, status, note, recorded_by)
         SELECT target_id, period, value, 'ytd', 'final', $4, 'seed --demo' FROM input
         RETURNING id, target_id, period, value, basis, status, note, source, recorded_at
       )
       INSERT INTO figures (target_id, period, value, basis, status, note, source, revision_id, recorded_at)
       SELECT target_id, period, value, basis, status, note, source, id, recorded_at FROM revisions RETURNING 1`,
      [rows.map((r) => r.code), rows.map((r) => r.period), rows.map((r) => r.value), DEMO_NOTE],
    );
    return written.length;
  });
}
