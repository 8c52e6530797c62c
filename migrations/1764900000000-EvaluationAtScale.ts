import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evaluation at scale (issue 7): a run's chunk reads each target's latest few figures
 * (src/evaluation/window.ts) backwards along the figures primary key. With the columns the rules read
 * carried in the key's index (INCLUDE), that read is an index-only scan: a few index entries a target
 * instead of a heap page per figure (the figures of one target lie on as many pages as it has figures,
 * since they arrive quarter by quarter). One index still, so figure writes maintain no extra one; they
 * do lose HOT updates, the included columns changing with every revision.
 *
 * A run writes one evaluations row per target. The foreign key evaluations.target_id → targets checked
 * each row on its own (a lookup and a row lock of the target, ~10–20 µs a row: a second of a 100k run);
 * it becomes one set-based check per statement (an anti-join of the inserted rows against targets) and,
 * on the other side, a check that no deleted target was evaluated. Both say the same as the key;
 * unlike it they do not lock the target row against a concurrent DELETE (targets are archived, never
 * deleted, by the app).
 */
export class EvaluationAtScale1764900000000 implements MigrationInterface {
  name = 'EvaluationAtScale1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE figures DROP CONSTRAINT figures_pkey,
        ADD CONSTRAINT figures_pkey PRIMARY KEY (target_id, period) INCLUDE (value, basis, recorded_at);

      ALTER TABLE evaluations DROP CONSTRAINT evaluations_target_id_fkey;
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
      CREATE FUNCTION tm_targets_not_evaluated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM old_targets o WHERE NOT EXISTS (SELECT 1 FROM new_targets n WHERE n.id = o.id)
                                                   AND EXISTS (SELECT 1 FROM evaluations e WHERE e.target_id = o.id)) THEN
            RAISE EXCEPTION 'a target with evaluations cannot be deleted or renumbered'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE FUNCTION tm_targets_deleted_not_evaluated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM old_targets o JOIN evaluations e ON e.target_id = o.id) THEN
            RAISE EXCEPTION 'a target with evaluations cannot be deleted'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER targets_not_evaluated_delete AFTER DELETE ON targets
        REFERENCING OLD TABLE AS old_targets FOR EACH STATEMENT EXECUTE FUNCTION tm_targets_deleted_not_evaluated();
      CREATE TRIGGER targets_not_evaluated_update AFTER UPDATE ON targets
        REFERENCING OLD TABLE AS old_targets NEW TABLE AS new_targets FOR EACH STATEMENT EXECUTE FUNCTION tm_targets_not_evaluated();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER targets_not_evaluated_update ON targets;
      DROP TRIGGER targets_not_evaluated_delete ON targets;
      DROP FUNCTION tm_targets_deleted_not_evaluated();
      DROP FUNCTION tm_targets_not_evaluated();
      DROP TRIGGER evaluations_target_exists_update ON evaluations;
      DROP TRIGGER evaluations_target_exists_insert ON evaluations;
      DROP FUNCTION tm_evaluations_target_exists();
      ALTER TABLE evaluations ADD CONSTRAINT evaluations_target_id_fkey FOREIGN KEY (target_id) REFERENCES targets (id);
      ALTER TABLE figures DROP CONSTRAINT figures_pkey, ADD CONSTRAINT figures_pkey PRIMARY KEY (target_id, period);
    `);
  }
}
