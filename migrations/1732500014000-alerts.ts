import type { MigrationInterface, QueryRunner } from 'typeorm';

// Watchers (src/alerts/): subscriptions are configuration, kept per API key, not facts of
// the ledger; the outbox holds every alert derived for them, the desk's as delivered, the
// webhooks' until their receiver took them, and stays as their delivery log. No foreign key
// from the outbox: the projection writing it must never fail on a subscription deleted
// while its batch ran (such rows are simply never delivered).
export class Alerts1732500014000 implements MigrationInterface {
  name = 'Alerts1732500014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subscriptions (
        id             uuid        PRIMARY KEY,
        version        integer     NOT NULL,
        owner          text        NOT NULL,
        target_kind    text        NOT NULL CHECK (target_kind IN ('desk', 'webhook')),
        url            text,
        secret         text,
        filters        jsonb       NOT NULL,
        triggers       text[]      NOT NULL,
        description    text,
        status         text        NOT NULL CHECK (status IN ('active', 'paused')),
        paused_reason  text,
        since          timestamptz NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        CHECK ((target_kind = 'webhook') = (url IS NOT NULL AND secret IS NOT NULL))
      )`);
    await queryRunner.query('CREATE INDEX subscriptions_owner ON subscriptions (owner, created_at)');
    await queryRunner.query(`
      CREATE TABLE alert_deliveries (
        id               uuid        PRIMARY KEY,
        seq              bigserial   NOT NULL UNIQUE,
        subscription_id  uuid        NOT NULL,
        target_kind      text        NOT NULL,
        alert            jsonb       NOT NULL,
        status           text        NOT NULL CHECK (status IN ('pending', 'delivered')),
        created_at       timestamptz NOT NULL DEFAULT now(),
        attempts         integer     NOT NULL DEFAULT 0,
        failures         integer     NOT NULL DEFAULT 0,
        first_attempt_at timestamptz,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        delivered_at     timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX alert_deliveries_pending ON alert_deliveries (subscription_id, seq) WHERE status = 'pending'`);
    await queryRunner.query('CREATE INDEX alert_deliveries_by_subscription ON alert_deliveries (subscription_id, seq)');
    await queryRunner.query(`
      CREATE TABLE alert_delivery_attempts (
        delivery_id       uuid        NOT NULL,
        attempt           integer     NOT NULL,
        at                timestamptz NOT NULL,
        status_code       integer,
        latency_ms        integer     NOT NULL,
        error             text,
        response_excerpt  text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_delivery_attempts');
    await queryRunner.query('DROP TABLE alert_deliveries');
    await queryRunner.query('DROP TABLE subscriptions');
  }
}
