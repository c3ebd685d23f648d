import type { MigrationInterface, QueryRunner } from 'typeorm';

// Timeline entries now name sources by reference, worded when read (src/incidents/read-model/
// source-references.ts): entries stored before named them as they were called then, and kept
// a source made confidential later by its name. incident-view starts over from position zero
// (the runner replays the ledger into it), so every entry is written anew.
export class TimelineNamesByReference1732500011000 implements MigrationInterface {
  name = 'TimelineNamesByReference1732500011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('TRUNCATE incident_views, incident_timeline, incident_source_names');
    await queryRunner.query(
      `UPDATE projection_checkpoints SET position = NULL, events_applied = 0, status = 'running', error = NULL, last_recorded_at = NULL WHERE name = 'incident-view'`,
    );
  }

  async down(): Promise<void> {
    throw new Error('TimelineNamesByReference1732500011000 cannot be reverted: restore the backup taken before it.');
  }
}
