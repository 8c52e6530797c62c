import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox carries the issued 季度通报 to the leaders: reason `report`. */
export class ReportEmails1765640000000 implements MigrationInterface {
  name = 'ReportEmails1765640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox DROP CONSTRAINT outbox_reason_check;
      ALTER TABLE outbox ADD CONSTRAINT outbox_reason_check CHECK (reason IN ('digest', 'reminder', 'binding_alert', 'report'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM outbox_attachments WHERE outbox_id IN (SELECT id FROM outbox WHERE reason = 'report');
      DELETE FROM outbox WHERE reason = 'report';
      ALTER TABLE outbox DROP CONSTRAINT outbox_reason_check;
      ALTER TABLE outbox ADD CONSTRAINT outbox_reason_check CHECK (reason IN ('digest', 'reminder', 'binding_alert'));
    `);
  }
}
