import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProjectionCheckpoints1732500002000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per projection: how far it has read the ledger (committed in the same
    // transaction as the read-model writes of that batch), and whether it is healthy.
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        name              text        PRIMARY KEY,
        position          text,
        status            text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed', 'rebuilding')),
        error             text,
        events_applied    bigint      NOT NULL DEFAULT 0,
        last_recorded_at  timestamptz,
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE projection_checkpoints');
  }
}
