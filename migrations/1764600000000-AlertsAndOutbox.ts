import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Recipients, alert state with its history, silences, and the email outbox. */
export class AlertsAndOutbox1764600000000 implements MigrationInterface {
  name = 'AlertsAndOutbox1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Who hears: department contacts (alerts and reminders of the targets their department leads,
      -- in copy for those it supports) and subscribers (leaders: the whole-district digest).
      CREATE TABLE recipients (
        id serial PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
        name text,
        department_id integer REFERENCES departments (id),
        subscriber boolean NOT NULL DEFAULT false,
        language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
        enabled boolean NOT NULL DEFAULT true,
        last_digest_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recipients_hear_something CHECK (department_id IS NOT NULL OR subscriber)
      );
      CREATE UNIQUE INDEX recipients_email_key ON recipients (email);
      INSERT INTO recipients (email, department_id)
      SELECT DISTINCT ON (lower(e)) lower(e), d.id FROM departments d, unnest(d.emails) AS e
      ORDER BY lower(e), d.id;

      CREATE TABLE alerts (
        id serial PRIMARY KEY,
        target_id integer NOT NULL REFERENCES targets (id),
        kind text NOT NULL CHECK (kind IN ('lagging', 'at_risk', 'data_overdue')),
        state text NOT NULL CHECK (state IN ('firing', 'resolved')),
        -- data_overdue of the same target suppresses lagging/at_risk: their status rests on stale data
        inhibited boolean NOT NULL DEFAULT false,
        status text,
        firing_since timestamptz NOT NULL,
        resolved_at timestamptz,
        last_notified_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (target_id, kind)
      );
      CREATE INDEX alerts_state_idx ON alerts (state);

      CREATE TABLE alert_events (
        id bigserial PRIMARY KEY,
        alert_id integer NOT NULL REFERENCES alerts (id),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        event text NOT NULL CHECK (event IN ('fired', 'resolved', 'inhibited', 'released', 'notified')),
        status text,
        details jsonb
      );
      CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, at);

      CREATE TABLE silences (
        id serial PRIMARY KEY,
        target_id integer REFERENCES targets (id),
        department_id integer REFERENCES departments (id),
        until timestamptz NOT NULL,
        reason text NOT NULL CHECK (length(btrim(reason)) > 0),
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT silences_one_scope CHECK ((target_id IS NULL) <> (department_id IS NULL))
      );

      -- Every email, written before it is sent; the key makes each one happen once.
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        recipient text NOT NULL,
        cc text[] NOT NULL DEFAULT '{}',
        reason text NOT NULL CHECK (reason IN ('digest', 'reminder', 'binding_alert')),
        subject text NOT NULL,
        html text NOT NULL,
        text text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        claimed_at timestamptz,
        sent_at timestamptz
      );
      CREATE INDEX outbox_unsent_idx ON outbox (status) WHERE status IN ('pending', 'sending');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE outbox;
      DROP TABLE silences;
      DROP TABLE alert_events;
      DROP TABLE alerts;
      DROP TABLE recipients;
    `);
  }
}
