import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Spreadsheet imports of figures: previewed (parsed and checked, nothing written), then applied once. */
export class Imports1764700000000 implements MigrationInterface {
  name = 'Imports1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id integer REFERENCES users (id),
        email text NOT NULL,
        file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        row_count integer NOT NULL CHECK (row_count >= 0),
        -- [{row, target, period, value, basis, note, errors: [{field, message}]}] as parsed and checked
        rows jsonb NOT NULL,
        -- [{path: 'rows[<row>].<field>', message}]: empty when the import may be applied
        errors jsonb NOT NULL DEFAULT '[]',
        -- preview: may be applied; rejected: has errors; applied: written (once)
        status text NOT NULL CHECK (status IN ('preview', 'applied', 'rejected')),
        created_at timestamptz NOT NULL DEFAULT now(),
        applied_at timestamptz,
        -- {received, written, unchanged} of the apply
        result jsonb,
        CONSTRAINT imports_applied CHECK ((status = 'applied') = (applied_at IS NOT NULL)),
        CONSTRAINT imports_rejected CHECK (status <> 'preview' OR jsonb_array_length(errors) = 0)
      );
      CREATE INDEX imports_user_idx ON imports (user_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE imports`);
  }
}
