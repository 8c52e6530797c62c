import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk ingest (issue 7 item 3): a batch of 100 000 figures appends 100 000 revisions and upserts 100 000
 * figures in one statement. Each row paid three foreign-key checks (figure_revisions.target_id → targets,
 * figures.target_id → targets, figures.revision_id → figure_revisions: a lookup and a row lock each, queued
 * as an after-trigger event per row) and the BEFORE INSERT row trigger `figure_revisions_period_fits` (a
 * PL/pgSQL call and a lookup of the target per row): ~3 s of the 6.2 s the batch took.
 *
 * They become statement-level AFTER triggers over transition tables, checking the same things set-based
 * (one join of the statement's rows against targets / figure_revisions) and raising the same kinds of
 * error: `check_violation` for a period that does not fit its target's frequency (checked first, as the
 * BEFORE row trigger came before the key checks), `foreign_key_violation` for a reference to a missing
 * row. On the referenced side, deleting or renumbering a target that has revisions or figures, or
 * truncating targets while there are any, is refused with `foreign_key_violation`. A revision cannot go
 * away under a figure: `figure_revisions` rejects UPDATE, DELETE and TRUNCATE (its append-only triggers,
 * kept), so figures.revision_id needs no referenced-side trigger. Unlike the keys, the checks do not lock
 * the target row against a concurrent DELETE (the app archives targets, never deletes them), as in
 * EvaluationAtScale1764900000000. The function `tm_check_figure_period` stays (unused) for `down`.
 *
 * The `period` columns of figure_revisions and figures take the "C" collation: the database's C.UTF-8
 * (like any libc locale but "C" itself) compares text through strcoll, and each revision's insert compares
 * periods all the way down two B-trees (figure_revisions_lookup_idx, figures_pkey): ~0.3 s of CPU at
 * 100 000 rows, a third of the statement. Nothing sorts or compares differently: periods are ASCII
 * (the tm_period domain: 4 digits, then nothing, `Qn` or `-MM`), C.UTF-8 orders by code point as "C"
 * does, and even a natural-language locale orders these strings as "C" does ('' < '-MM' < 'Qn' after the
 * year, digits before letters). It rebuilds those two indexes (no table rewrite) under an exclusive lock:
 * minutes at tens of millions of revisions.
 */
export class FastIngest1765100000000 implements MigrationInterface {
  name = 'FastIngest1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE figure_revisions ALTER COLUMN period TYPE tm_period COLLATE "C";
      ALTER TABLE figures ALTER COLUMN period TYPE tm_period COLLATE "C";

      ALTER TABLE figure_revisions DROP CONSTRAINT figure_revisions_target_id_fkey;
      DROP TRIGGER figure_revisions_period_fits ON figure_revisions;
      CREATE FUNCTION tm_figure_revisions_check() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE bad record;
        BEGIN
          -- Misfitting periods first (false sorts before true), then missing targets. tm_period_fits spelled
          -- out: a STRICT SQL function with a CASE body is not inlined, and calling it costs ~10 µs a row.
          SELECT n.target_id, n.period, t.frequency, t.id IS NULL AS missing INTO bad
            FROM new_revisions n LEFT JOIN targets t ON t.id = n.target_id
           WHERE t.id IS NULL
              OR NOT CASE t.frequency
                       WHEN 'yearly' THEN n.period ~ '^[0-9]{4}$'
                       WHEN 'quarterly' THEN n.period ~ '^[0-9]{4}Q[1-4]$'
                       WHEN 'monthly' THEN n.period ~ '^[0-9]{4}-[0-9]{2}$'
                       ELSE false
                     END
           ORDER BY t.id IS NULL LIMIT 1;
          IF NOT FOUND THEN
            RETURN NULL;
          ELSIF bad.missing THEN
            RAISE EXCEPTION 'figure_revisions.target_id % refers to a target that does not exist', bad.target_id
              USING ERRCODE = 'foreign_key_violation';
          ELSE
            RAISE EXCEPTION 'period % does not fit frequency %', bad.period, bad.frequency USING ERRCODE = 'check_violation';
          END IF;
        END $$;
      CREATE TRIGGER figure_revisions_checked_insert AFTER INSERT ON figure_revisions
        REFERENCING NEW TABLE AS new_revisions FOR EACH STATEMENT EXECUTE FUNCTION tm_figure_revisions_check();

      ALTER TABLE figures DROP CONSTRAINT figures_target_id_fkey, DROP CONSTRAINT figures_revision_id_fkey;
      CREATE FUNCTION tm_figures_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- count(*), not EXISTS: planned for all rows (a hash anti-join), not for a first bad row soon
          -- (an index probe per row).
          IF (SELECT count(*) FROM new_figures n LEFT JOIN targets t ON t.id = n.target_id WHERE t.id IS NULL) > 0 THEN
            RAISE EXCEPTION 'figures.target_id refers to a target that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          IF (SELECT count(*) FROM new_figures n LEFT JOIN figure_revisions r ON r.id = n.revision_id WHERE r.id IS NULL) > 0 THEN
            RAISE EXCEPTION 'figures.revision_id refers to a revision that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER figures_references_exist_insert AFTER INSERT ON figures
        REFERENCING NEW TABLE AS new_figures FOR EACH STATEMENT EXECUTE FUNCTION tm_figures_references_exist();
      CREATE TRIGGER figures_references_exist_update AFTER UPDATE ON figures
        REFERENCING NEW TABLE AS new_figures FOR EACH STATEMENT EXECUTE FUNCTION tm_figures_references_exist();

      CREATE FUNCTION tm_targets_without_figures() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM old_targets o
                      WHERE NOT EXISTS (SELECT 1 FROM new_targets n WHERE n.id = o.id)
                        AND (EXISTS (SELECT 1 FROM figure_revisions r WHERE r.target_id = o.id)
                             OR EXISTS (SELECT 1 FROM figures f WHERE f.target_id = o.id))) THEN
            RAISE EXCEPTION 'a target with figures cannot be deleted or renumbered'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE FUNCTION tm_targets_deleted_without_figures() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM old_targets o
                      WHERE EXISTS (SELECT 1 FROM figure_revisions r WHERE r.target_id = o.id)
                         OR EXISTS (SELECT 1 FROM figures f WHERE f.target_id = o.id)) THEN
            RAISE EXCEPTION 'a target with figures cannot be deleted'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE FUNCTION tm_targets_truncated_without_figures() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM figure_revisions) OR EXISTS (SELECT 1 FROM figures) THEN
            RAISE EXCEPTION 'targets cannot be truncated while there are figures'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER targets_without_figures_delete AFTER DELETE ON targets
        REFERENCING OLD TABLE AS old_targets FOR EACH STATEMENT EXECUTE FUNCTION tm_targets_deleted_without_figures();
      CREATE TRIGGER targets_without_figures_update AFTER UPDATE ON targets
        REFERENCING OLD TABLE AS old_targets NEW TABLE AS new_targets FOR EACH STATEMENT EXECUTE FUNCTION tm_targets_without_figures();
      CREATE TRIGGER targets_without_figures_truncate BEFORE TRUNCATE ON targets
        FOR EACH STATEMENT EXECUTE FUNCTION tm_targets_truncated_without_figures();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER targets_without_figures_truncate ON targets;
      DROP TRIGGER targets_without_figures_update ON targets;
      DROP TRIGGER targets_without_figures_delete ON targets;
      DROP FUNCTION tm_targets_truncated_without_figures();
      DROP FUNCTION tm_targets_deleted_without_figures();
      DROP FUNCTION tm_targets_without_figures();
      DROP TRIGGER figures_references_exist_update ON figures;
      DROP TRIGGER figures_references_exist_insert ON figures;
      DROP FUNCTION tm_figures_references_exist();
      ALTER TABLE figures ADD CONSTRAINT figures_target_id_fkey FOREIGN KEY (target_id) REFERENCES targets (id),
        ADD CONSTRAINT figures_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES figure_revisions (id);
      DROP TRIGGER figure_revisions_checked_insert ON figure_revisions;
      DROP FUNCTION tm_figure_revisions_check();
      CREATE TRIGGER figure_revisions_period_fits BEFORE INSERT ON figure_revisions
        FOR EACH ROW EXECUTE FUNCTION tm_check_figure_period();
      ALTER TABLE figure_revisions ADD CONSTRAINT figure_revisions_target_id_fkey FOREIGN KEY (target_id) REFERENCES targets (id);

      ALTER TABLE figures ALTER COLUMN period TYPE tm_period;
      ALTER TABLE figure_revisions ALTER COLUMN period TYPE tm_period;
    `);
  }
}
