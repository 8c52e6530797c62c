import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core schema. The database enforces what it can: codes, enums and period formats by CHECK,
 * references by foreign keys, and the append-only revision log by a trigger.
 */
export class InitialSchema1764400000000 implements MigrationInterface {
  name = 'InitialSchema1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE DOMAIN tm_period AS text
        CHECK (VALUE ~ '^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$');
      CREATE DOMAIN tm_code AS text
        CHECK (VALUE ~ '^[A-Z][A-Z0-9-]{1,39}$');

      -- End of a period in fractional years (DESIGN.md "Periods"): t(2023) = t(2023Q4) = 2024.0.
      CREATE FUNCTION tm_period_t(p text) RETURNS double precision
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
          SELECT CASE
            WHEN p ~ '^[0-9]{4}$' THEN substr(p, 1, 4)::float8 + 1
            WHEN p ~ '^[0-9]{4}Q[1-4]$' THEN substr(p, 1, 4)::float8 + substr(p, 6, 1)::float8 / 4
            ELSE substr(p, 1, 4)::float8 + substr(p, 6, 2)::float8 / 12
          END $$;

      CREATE FUNCTION tm_period_fits(frequency text, p text) RETURNS boolean
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
          SELECT CASE frequency
            WHEN 'yearly' THEN p ~ '^[0-9]{4}$'
            WHEN 'quarterly' THEN p ~ '^[0-9]{4}Q[1-4]$'
            WHEN 'monthly' THEN p ~ '^[0-9]{4}-[0-9]{2}$'
            ELSE false
          END $$;

      CREATE TABLE departments (
        id serial PRIMARY KEY,
        code tm_code NOT NULL UNIQUE,
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        emails text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE targets (
        id serial PRIMARY KEY,
        code tm_code NOT NULL UNIQUE,
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        unit text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('level', 'flow')),
        comparator text NOT NULL CHECK (comparator IN ('>=', '>', '<=', '<')),
        method text NOT NULL DEFAULT 'linear' CHECK (method IN ('linear', 'cagr')),
        frequency text NOT NULL DEFAULT 'quarterly' CHECK (frequency IN ('quarterly', 'monthly', 'yearly')),
        expectation text NOT NULL DEFAULT 'time' CHECK (expectation IN ('time', 'seasonal')),
        binding boolean NOT NULL DEFAULT false,
        department_id integer NOT NULL REFERENCES departments (id),
        category text,
        baseline_period tm_period,
        baseline_value numeric,
        target_period tm_period NOT NULL,
        target_value numeric NOT NULL,
        grace_days integer NOT NULL DEFAULT 20 CHECK (grace_days BETWEEN 0 AND 366),
        source_document text,
        source_quote text,
        source_url text,
        notes text,
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT targets_baseline_complete CHECK ((baseline_period IS NULL) = (baseline_value IS NULL)),
        CONSTRAINT targets_deadline_after_baseline
          CHECK (baseline_period IS NULL OR tm_period_t(target_period) > tm_period_t(baseline_period)),
        CONSTRAINT targets_values_bounded
          CHECK (abs(target_value) <= 1e15 AND (baseline_value IS NULL OR abs(baseline_value) <= 1e15))
      );
      CREATE INDEX targets_department_idx ON targets (department_id);

      CREATE TABLE target_supporting_departments (
        target_id integer NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
        department_id integer NOT NULL REFERENCES departments (id),
        PRIMARY KEY (target_id, department_id)
      );

      CREATE TABLE milestones (
        target_id integer NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
        period tm_period NOT NULL,
        value numeric NOT NULL CHECK (abs(value) <= 1e15),
        PRIMARY KEY (target_id, period)
      );

      -- Every change of a figure, never updated or deleted.
      CREATE TABLE figure_revisions (
        id bigserial PRIMARY KEY,
        target_id integer NOT NULL REFERENCES targets (id),
        period tm_period NOT NULL,
        value numeric NOT NULL CHECK (abs(value) <= 1e15),
        basis text NOT NULL CHECK (basis IN ('ytd', 'period')),
        status text NOT NULL CHECK (status IN ('preliminary', 'final')),
        note text,
        source text,
        reason text,
        recorded_by text,
        -- clock_timestamp, not now(): writers serialised by a lock must get increasing times.
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX figure_revisions_lookup_idx ON figure_revisions (target_id, period, recorded_at DESC, id DESC);

      CREATE FUNCTION tm_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$;
      CREATE TRIGGER figure_revisions_append_only BEFORE UPDATE OR DELETE ON figure_revisions
        FOR EACH ROW EXECUTE FUNCTION tm_reject_change();
      CREATE TRIGGER figure_revisions_no_truncate BEFORE TRUNCATE ON figure_revisions
        FOR EACH STATEMENT EXECUTE FUNCTION tm_reject_change();

      CREATE FUNCTION tm_check_figure_period() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE freq text;
        BEGIN
          SELECT frequency INTO freq FROM targets WHERE id = NEW.target_id;
          IF NOT tm_period_fits(freq, NEW.period) THEN
            RAISE EXCEPTION 'period % does not fit frequency %', NEW.period, freq USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER figure_revisions_period_fits BEFORE INSERT ON figure_revisions
        FOR EACH ROW EXECUTE FUNCTION tm_check_figure_period();

      -- The current value of each figure: the latest revision, kept beside the log for fast reads.
      CREATE TABLE figures (
        target_id integer NOT NULL REFERENCES targets (id),
        period tm_period NOT NULL,
        value numeric NOT NULL,
        basis text NOT NULL,
        status text NOT NULL,
        note text,
        source text,
        revision_id bigint NOT NULL REFERENCES figure_revisions (id),
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (target_id, period)
      );

      CREATE TABLE evaluation_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule')),
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed')),
        as_of timestamptz NOT NULL,
        chunks_total integer,
        chunks_done integer NOT NULL DEFAULT 0,
        targets_total integer,
        counts jsonb NOT NULL DEFAULT '{}',
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX evaluation_runs_created_idx ON evaluation_runs (created_at DESC);

      CREATE TABLE evaluation_run_chunks (
        run_id uuid NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
        chunk integer NOT NULL,
        targets integer NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (run_id, chunk)
      );

      CREATE TABLE evaluations (
        id bigserial PRIMARY KEY,
        run_id uuid REFERENCES evaluation_runs (id) ON DELETE CASCADE,
        target_id integer NOT NULL REFERENCES targets (id),
        as_of timestamptz NOT NULL,
        evaluated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        status text NOT NULL CHECK (status IN
          ('achieved', 'ahead', 'on_track', 'at_risk', 'lagging', 'deteriorating', 'missed', 'no_data')),
        early boolean NOT NULL DEFAULT false,
        pace double precision,
        pace_method text CHECK (pace_method IN ('linear', 'cagr')),
        completion double precision,
        elapsed double precision,
        expected double precision,
        gap double precision,
        lag double precision,
        projected double precision,
        year_target double precision,
        latest_period tm_period,
        latest_value numeric,
        overdue boolean NOT NULL DEFAULT false,
        due_period tm_period,
        UNIQUE (run_id, target_id)
      );
      CREATE INDEX evaluations_target_idx ON evaluations (target_id, evaluated_at DESC);

      -- Each target's most recent evaluation by as-of moment, whichever run or figure change made it.
      CREATE TABLE latest_evaluations (
        target_id integer PRIMARY KEY REFERENCES targets (id),
        evaluation_id bigint NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
        as_of timestamptz NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE latest_evaluations;
      DROP TABLE evaluations;
      DROP TABLE evaluation_run_chunks;
      DROP TABLE evaluation_runs;
      DROP TABLE figures;
      DROP TABLE figure_revisions;
      DROP FUNCTION tm_check_figure_period();
      DROP FUNCTION tm_reject_change();
      DROP TABLE milestones;
      DROP TABLE target_supporting_departments;
      DROP TABLE targets;
      DROP TABLE departments;
      DROP FUNCTION tm_period_fits(text, text);
      DROP FUNCTION tm_period_t(text);
      DROP DOMAIN tm_code;
      DROP DOMAIN tm_period;
    `);
  }
}
