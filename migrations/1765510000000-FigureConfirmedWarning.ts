import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A revision keeps the plausibility warnings its writer confirmed (issue 12): NULL when there were none. */
export class FigureConfirmedWarning1765510000000 implements MigrationInterface {
  name = 'FigureConfirmedWarning1765510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE figure_revisions ADD COLUMN confirmed_warning text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE figure_revisions DROP COLUMN confirmed_warning`);
  }
}
