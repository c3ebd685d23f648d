import type { MigrationInterface, QueryRunner } from 'typeorm';

// A merged incident stays on record (its frozen view, its stream), but search and exports
// list only the incident it was merged into: incident_search keeps where it went, and when
// (an export as of an earlier time lists it as it was then).
export class MergedIncidents1732500010000 implements MigrationInterface {
  name = 'MergedIncidents1732500010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE incident_search ADD COLUMN merged_into uuid, ADD COLUMN merged_at timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE incident_search DROP COLUMN merged_into, DROP COLUMN merged_at');
  }
}
