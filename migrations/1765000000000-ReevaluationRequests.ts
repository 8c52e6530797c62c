import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Targets whose figures changed and that wait for their re-evaluation: written in the figure's own
 * transaction, so a request survives Redis being down; queued from here when Redis is back, and deleted
 * in the transaction that saves the target's evaluation.
 */
export class ReevaluationRequests1765000000000 implements MigrationInterface {
  name = 'ReevaluationRequests1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reevaluation_requests (
        target_id integer PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
        -- the latest request; an evaluation deletes the row only if it is still the one it read
        requested_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reevaluation_requests`);
  }
}
