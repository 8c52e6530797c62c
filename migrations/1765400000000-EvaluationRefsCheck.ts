import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's chunk COPYs ~5 000 evaluations; two statement-level checks then read the transition table
 * (migrations EvaluationAtScale, EvaluationWriteChecks): the runs named exist (locked FOR KEY SHARE)
 * and the targets named exist. Measured on a 5 000-row chunk: ~9 ms for the runs (a sort of 5 000
 * uuids for count(DISTINCT), a second pass for the IN list) and ~5–9 ms for the targets, ~20 % of the
 * COPY. They become one trigger function per event saying the same: the distinct runs by one hashed
 * GROUP BY (one run a chunk), locked FOR KEY SHARE and counted as before, then the same anti-join
 * against targets — ~7 ms a chunk. Errors, codes and locks are unchanged; the run check still comes
 * first. On UPDATE the target check now fires before evaluations_still_latest (triggers fire in name
 * order), so a statement breaking both reports the target first.
 */
export class EvaluationRefsCheck1765400000000 implements MigrationInterface {
  name = 'EvaluationRefsCheck1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER evaluations_run_exists_insert ON evaluations;
      DROP TRIGGER evaluations_run_exists_update ON evaluations;
      DROP FUNCTION tm_evaluations_run_exists();
      DROP TRIGGER evaluations_target_exists_insert ON evaluations;
      DROP TRIGGER evaluations_target_exists_update ON evaluations;
      DROP FUNCTION tm_evaluations_target_exists();

      CREATE FUNCTION tm_evaluations_refs_exist() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          runs uuid[] := ARRAY(SELECT n.run_id FROM new_evaluations n WHERE n.run_id IS NOT NULL GROUP BY n.run_id);
        BEGIN
          IF (SELECT count(*) FROM (SELECT r.id FROM evaluation_runs r WHERE r.id = ANY (runs) FOR KEY SHARE OF r) locked)
             < cardinality(runs) THEN
            RAISE EXCEPTION 'evaluations.run_id refers to a run that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          IF EXISTS (SELECT 1 FROM new_evaluations n WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.id = n.target_id)) THEN
            RAISE EXCEPTION 'evaluations.target_id refers to a target that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluations_refs_exist_insert AFTER INSERT ON evaluations
        REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_refs_exist();
      CREATE TRIGGER evaluations_refs_exist_update AFTER UPDATE ON evaluations
        REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_refs_exist();
    `);
  }

  /** The two functions and four triggers exactly as migrations EvaluationAtScale and EvaluationWriteChecks made them. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER evaluations_refs_exist_update ON evaluations;
      DROP TRIGGER evaluations_refs_exist_insert ON evaluations;
      DROP FUNCTION tm_evaluations_refs_exist();

      CREATE FUNCTION tm_evaluations_target_exists() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM new_evaluations n WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.id = n.target_id)) THEN
            RAISE EXCEPTION 'evaluations.target_id refers to a target that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluations_target_exists_insert AFTER INSERT ON evaluations
        REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_target_exists();
      CREATE TRIGGER evaluations_target_exists_update AFTER UPDATE ON evaluations
        REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_target_exists();

      CREATE FUNCTION tm_evaluations_run_exists() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT count(*) FROM (SELECT r.id FROM evaluation_runs r
                                     WHERE r.id IN (SELECT n.run_id FROM new_evaluations n) FOR KEY SHARE OF r) locked)
             < (SELECT count(DISTINCT n.run_id) FROM new_evaluations n) THEN
            RAISE EXCEPTION 'evaluations.run_id refers to a run that does not exist'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluations_run_exists_insert AFTER INSERT ON evaluations
        REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_run_exists();
      CREATE TRIGGER evaluations_run_exists_update AFTER UPDATE ON evaluations
        REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_run_exists();
    `);
  }
}
