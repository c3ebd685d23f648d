import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1732500001000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per (principal, Idempotency-Key): pending while the first request runs,
    // then the response it got, replayed to every retry with the same body.
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        principal     text        NOT NULL,
        key           text        NOT NULL,
        request_hash  text        NOT NULL,
        status        integer,
        headers       jsonb,
        body          text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, key)
      )`);
    await queryRunner.query('CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE idempotency_keys');
  }
}
