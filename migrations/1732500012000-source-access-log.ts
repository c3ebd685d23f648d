import type { MigrationInterface, QueryRunner } from 'typeorm';

// Who was shown which confidential source (src/sources/source-access-log.ts): appended as it
// happens, never changed.
export class SourceAccessLog1732500012000 implements MigrationInterface {
  name = 'SourceAccessLog1732500012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE source_access_log (
        id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_id uuid        NOT NULL,
        principal text        NOT NULL,
        route     text        NOT NULL,
        shown_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX source_access_log_by_source ON source_access_log (source_id, id)');
    await queryRunner.query(`
      CREATE FUNCTION refuse_access_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'source_access_log is append-only: % refused', TG_OP;
      END $$`);
    await queryRunner.query('CREATE TRIGGER source_access_log_append_only BEFORE UPDATE OR DELETE ON source_access_log FOR EACH ROW EXECUTE FUNCTION refuse_access_log_change()');
    await queryRunner.query('CREATE TRIGGER source_access_log_not_truncated BEFORE TRUNCATE ON source_access_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_access_log_change()');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE source_access_log');
    await queryRunner.query('DROP FUNCTION refuse_access_log_change()');
  }
}
