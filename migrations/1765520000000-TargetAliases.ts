import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Other names a target goes by in the bureau's sheets (imports match 指标名称 against the name and these). */
export class TargetAliases1765520000000 implements MigrationInterface {
  name = 'TargetAliases1765520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE targets ADD COLUMN aliases text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE targets DROP COLUMN aliases`);
  }
}
