import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's chunk writes ~5 000 evaluations and as many latest_evaluations rows. Three foreign keys
 * checked those rows one by one (a lookup and a row lock each: evaluations.run_id → evaluation_runs,
 * latest_evaluations.evaluation_id → evaluations, latest_evaluations.target_id → targets), about half of
 * the database's time for the two writes (~55 of ~145 ms a chunk). As migration EvaluationAtScale did
 * for evaluations.target_id, each becomes a check per statement on its transition table, saying the same:
 *  - evaluations.run_id: every run named exists; the runs (one per statement, not one per row) are
 *    locked FOR KEY SHARE as the key locked them. Deleting a run deletes its evaluations (was ON DELETE
 *    CASCADE); changing a referenced run's id is refused (was NO ACTION).
 *  - latest_evaluations (target_id, evaluation_id): the evaluation exists and is one of that target —
 *    which implies the target exists (evaluations.target_id is checked, and a target with evaluations
 *    cannot be deleted), the old second key. Unlike the keys, the evaluations are not locked against a
 *    concurrent DELETE (the app never deletes evaluations but with their run). Deleting evaluations
 *    deletes the latest_evaluations rows pointing at them (was ON DELETE CASCADE; set-based now, where
 *    the key, with no index on evaluation_id, scanned latest_evaluations once per deleted row); changing
 *    the id or target of one that is pointed at is refused.
 */
export class EvaluationWriteChecks1765200000000 implements MigrationInterface {
  name = 'EvaluationWriteChecks1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE evaluations DROP CONSTRAINT evaluations_run_id_fkey;
      ALTER TABLE latest_evaluations DROP CONSTRAINT latest_evaluations_evaluation_id_fkey,
                                     DROP CONSTRAINT latest_evaluations_target_id_fkey;

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

      CREATE FUNCTION tm_evaluation_runs_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM evaluations e USING old_runs o WHERE e.run_id = o.id;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluation_runs_deleted AFTER DELETE ON evaluation_runs
        REFERENCING OLD TABLE AS old_runs FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluation_runs_deleted();
      CREATE FUNCTION tm_evaluation_runs_renumbered() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM old_runs o WHERE NOT EXISTS (SELECT 1 FROM new_runs n WHERE n.id = o.id)
                                                AND EXISTS (SELECT 1 FROM evaluations e WHERE e.run_id = o.id)) THEN
            RAISE EXCEPTION 'a run with evaluations cannot be renumbered'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluation_runs_renumbered AFTER UPDATE ON evaluation_runs
        REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluation_runs_renumbered();

      CREATE FUNCTION tm_latest_evaluations_valid() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM new_latest n LEFT JOIN evaluations e ON e.id = n.evaluation_id
                      WHERE e.id IS NULL OR e.target_id <> n.target_id) THEN
            RAISE EXCEPTION 'latest_evaluations must point at an existing evaluation of its target'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER latest_evaluations_valid_insert AFTER INSERT ON latest_evaluations
        REFERENCING NEW TABLE AS new_latest FOR EACH STATEMENT EXECUTE FUNCTION tm_latest_evaluations_valid();
      CREATE TRIGGER latest_evaluations_valid_update AFTER UPDATE ON latest_evaluations
        REFERENCING NEW TABLE AS new_latest FOR EACH STATEMENT EXECUTE FUNCTION tm_latest_evaluations_valid();

      CREATE FUNCTION tm_evaluations_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM latest_evaluations l USING old_evaluations o WHERE l.evaluation_id = o.id;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluations_deleted AFTER DELETE ON evaluations
        REFERENCING OLD TABLE AS old_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_deleted();
      CREATE FUNCTION tm_evaluations_still_latest() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM latest_evaluations l JOIN old_evaluations o ON o.id = l.evaluation_id
                      WHERE NOT EXISTS (SELECT 1 FROM new_evaluations n WHERE n.id = o.id AND n.target_id = l.target_id)) THEN
            RAISE EXCEPTION 'an evaluation that is a target''s latest cannot change its id or target'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER evaluations_still_latest AFTER UPDATE ON evaluations
        REFERENCING OLD TABLE AS old_evaluations NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION tm_evaluations_still_latest();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER evaluations_still_latest ON evaluations;
      DROP FUNCTION tm_evaluations_still_latest();
      DROP TRIGGER evaluations_deleted ON evaluations;
      DROP FUNCTION tm_evaluations_deleted();
      DROP TRIGGER latest_evaluations_valid_update ON latest_evaluations;
      DROP TRIGGER latest_evaluations_valid_insert ON latest_evaluations;
      DROP FUNCTION tm_latest_evaluations_valid();
      DROP TRIGGER evaluation_runs_renumbered ON evaluation_runs;
      DROP FUNCTION tm_evaluation_runs_renumbered();
      DROP TRIGGER evaluation_runs_deleted ON evaluation_runs;
      DROP FUNCTION tm_evaluation_runs_deleted();
      DROP TRIGGER evaluations_run_exists_update ON evaluations;
      DROP TRIGGER evaluations_run_exists_insert ON evaluations;
      DROP FUNCTION tm_evaluations_run_exists();
      ALTER TABLE latest_evaluations ADD CONSTRAINT latest_evaluations_target_id_fkey FOREIGN KEY (target_id) REFERENCES targets (id),
        ADD CONSTRAINT latest_evaluations_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE;
      ALTER TABLE evaluations ADD CONSTRAINT evaluations_run_id_fkey FOREIGN KEY (run_id) REFERENCES evaluation_runs (id) ON DELETE CASCADE;
    `);
  }
}
