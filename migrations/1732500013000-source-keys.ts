import type { MigrationInterface, QueryRunner } from 'typeorm';

// Each source's own key (src/sources/erasure/source-keys.ts), wrapped by the master key;
// erasure sets wrapped_key to NULL and keeps the row as the mark of an erased source. The
// source view tells which sources are erased.
export class SourceKeys1732500013000 implements MigrationInterface {
  name = 'SourceKeys1732500013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE source_keys (
        source_id    uuid        PRIMARY KEY,
        wrapped_key  bytea,
        erased_at    timestamptz,
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      )`);
    await queryRunner.query('ALTER TABLE source_view ADD COLUMN erased boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE source_view DROP COLUMN erased');
    await queryRunner.query('DROP TABLE source_keys');
  }
}
