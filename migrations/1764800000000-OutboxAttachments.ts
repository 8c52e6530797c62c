import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Files an outbox email carries (inline chart PNGs of the digest), stored with it before it is sent. */
export class OutboxAttachments1764800000000 implements MigrationInterface {
  name = 'OutboxAttachments1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_attachments (
        id bigserial PRIMARY KEY,
        outbox_id bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        -- the Content-ID an <img src="cid:…"> of the HTML refers to
        cid text NOT NULL CHECK (cid ~ '^[A-Za-z0-9._@-]+$'),
        filename text NOT NULL CHECK (length(btrim(filename)) > 0),
        content_type text NOT NULL CHECK (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
        content bytea NOT NULL,
        UNIQUE (outbox_id, cid)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_attachments`);
  }
}
