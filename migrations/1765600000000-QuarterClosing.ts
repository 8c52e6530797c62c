import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closing a quarter (issue 17): figures reviewed before they count, explanations owed for flagged
 * targets, evidence files, the quarterly 通报 and the periods it locks.
 *
 * - figure_submissions: a department's figure waits here (pending) until a planner approves it (its
 *   revision is then appended to figure_revisions and becomes the current figure) or returns it with a
 *   reason. A figure has at most one open submission (pending or returned); approved and superseded
 *   ones are kept as the review's history.
 * - explanations: 情况说明 (原因分析、下步措施) a lead department owes for a target flagged at a run,
 *   by reporting quarter.
 * - evidence: 佐证材料 attached to a figure (a target's period) or to an explanation, stored here
 *   with its SHA-256.
 * - reports: a quarter's 通报, drafted from a run; `model` is the data it was drawn from (rendering
 *   it again gives the same document), `document` the .docx.
 * - period_locks: a quarter whose 通报 was issued; a later change to its figures needs a planner and
 *   a reason, and is listed in the next 通报 as a revision of a published figure.
 */
export class QuarterClosing1765600000000 implements MigrationInterface {
  name = 'QuarterClosing1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE figure_submissions (
        id bigserial PRIMARY KEY,
        target_id integer NOT NULL REFERENCES targets (id),
        period tm_period NOT NULL,
        value numeric NOT NULL CHECK (abs(value) <= 1e15),
        basis text NOT NULL CHECK (basis IN ('ytd', 'period')),
        status text NOT NULL CHECK (status IN ('preliminary', 'final')),
        note text,
        source text,
        reason text,
        confirmed_warning text,
        submitted_by text NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'returned', 'approved', 'superseded')),
        reviewed_by text,
        reviewed_at timestamptz,
        review_reason text,
        -- the revision its approval appended
        revision_id bigint REFERENCES figure_revisions (id),
        CHECK (state <> 'returned' OR length(btrim(coalesce(review_reason, ''))) > 0),
        CHECK (state <> 'approved' OR revision_id IS NOT NULL)
      );
      CREATE UNIQUE INDEX figure_submissions_open_idx ON figure_submissions (target_id, period)
        WHERE state IN ('pending', 'returned');
      CREATE INDEX figure_submissions_queue_idx ON figure_submissions (period, state) WHERE state = 'pending';

      CREATE TABLE explanations (
        target_id integer NOT NULL REFERENCES targets (id),
        -- the reporting quarter, e.g. 2026Q1
        period tm_period NOT NULL CHECK (period ~ '^\\d{4}Q[1-4]$'),
        department_id integer NOT NULL REFERENCES departments (id),
        run_id uuid REFERENCES evaluation_runs (id) ON DELETE SET NULL,
        -- the status that made it owed: lagging, deteriorating, missed or at_risk
        flagged_status text NOT NULL CHECK (flagged_status IN ('at_risk', 'lagging', 'deteriorating', 'missed')),
        due_at timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'submitted', 'returned', 'accepted')),
        cause text,
        measures text,
        submitted_by text,
        submitted_at timestamptz,
        reviewed_by text,
        reviewed_at timestamptz,
        review_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (target_id, period),
        CHECK (state = 'due' OR (length(btrim(coalesce(cause, ''))) > 0 AND length(btrim(coalesce(measures, ''))) > 0)),
        CHECK (state <> 'returned' OR length(btrim(coalesce(review_reason, ''))) > 0)
      );
      CREATE INDEX explanations_period_idx ON explanations (period, state);

      CREATE TABLE evidence (
        id bigserial PRIMARY KEY,
        target_id integer NOT NULL REFERENCES targets (id),
        period tm_period NOT NULL,
        subject text NOT NULL CHECK (subject IN ('figure', 'explanation')),
        -- for a figure: the revision or the submission current when it was uploaded
        revision_id bigint REFERENCES figure_revisions (id),
        submission_id bigint REFERENCES figure_submissions (id),
        filename text NOT NULL CHECK (length(btrim(filename)) > 0 AND length(filename) <= 255),
        content_type text NOT NULL,
        size integer NOT NULL CHECK (size >= 0),
        sha256 bytea NOT NULL CHECK (length(sha256) = 32),
        content bytea NOT NULL,
        uploaded_by text NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (length(content) = size)
      );
      CREATE INDEX evidence_subject_idx ON evidence (target_id, period, subject);

      CREATE TABLE reports (
        id bigserial PRIMARY KEY,
        period tm_period NOT NULL CHECK (period ~ '^\\d{4}Q[1-4]$'),
        run_id uuid REFERENCES evaluation_runs (id) ON DELETE RESTRICT,
        state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'issued')),
        model jsonb NOT NULL,
        document bytea NOT NULL,
        sha256 bytea NOT NULL CHECK (length(sha256) = 32),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        issued_by text,
        issued_at timestamptz,
        CHECK (state <> 'issued' OR issued_at IS NOT NULL)
      );
      CREATE INDEX reports_period_idx ON reports (period, created_at DESC);

      CREATE TABLE period_locks (
        period tm_period PRIMARY KEY CHECK (period ~ '^\\d{4}Q[1-4]$'),
        report_id bigint NOT NULL REFERENCES reports (id),
        locked_by text NOT NULL,
        locked_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );

      -- A 通报 travels as a plain attachment (no Content-ID) beside the digest's inline charts.
      ALTER TABLE outbox_attachments ALTER COLUMN cid DROP NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM outbox_attachments WHERE cid IS NULL;
      ALTER TABLE outbox_attachments ALTER COLUMN cid SET NOT NULL;
      DROP TABLE period_locks;
      DROP TABLE reports;
      DROP TABLE evidence;
      DROP TABLE explanations;
      DROP TABLE figure_submissions;
    `);
  }
}
