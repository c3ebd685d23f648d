import type { MigrationInterface, QueryRunner } from 'typeorm';

// A projection batch is written as one statement that also moves the projections'
// checkpoints from where the batch began (src/projections/apply-batch.ts). When fewer moved
// than it applied to — someone else (a rebuild's swap, another runner) moved one meanwhile —
// this fails the statement, and nothing of the batch stays: serialization_failure, try again.
export class ProjectionBatchGuard1732500009000 implements MigrationInterface {
  name = 'ProjectionBatchGuard1732500009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION require_checkpoints_moved(p_moved bigint, p_expected int) RETURNS int LANGUAGE plpgsql AS $$
      BEGIN
        IF p_moved <> p_expected THEN
          RAISE EXCEPTION 'projection batch overtaken: % of % checkpoints were where it began', p_moved, p_expected
            USING ERRCODE = 'serialization_failure';
        END IF;
        RETURN p_moved;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION require_checkpoints_moved(bigint, int)');
  }
}
