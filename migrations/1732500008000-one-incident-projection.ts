import type { MigrationInterface, QueryRunner } from 'typeorm';

// incident-view now keeps the narrative timeline and the sources' names as well, telling each
// timeline entry from the views it stores (src/incidents/projections/incident-view/): the
// incident-timeline projection, and its own copy of every view, go.
export class OneIncidentProjection1732500008000 implements MigrationInterface {
  name = 'OneIncidentProjection1732500008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The timeline and the names were kept at incident-timeline's checkpoint. Where it was not
    // incident-view's, or either had stopped, the three tables no longer tell one moment:
    // incident-view starts over from position zero (the runner replays the ledger into it).
    await queryRunner.query(`
      DO $$
      DECLARE
        v_view projection_checkpoints;
        v_timeline projection_checkpoints;
      BEGIN
        SELECT * INTO v_view FROM projection_checkpoints WHERE name = 'incident-view';
        SELECT * INTO v_timeline FROM projection_checkpoints WHERE name = 'incident-timeline';
        IF v_view.name IS NULL AND v_timeline.name IS NULL THEN
          RETURN;
        ELSIF v_view.position IS NOT DISTINCT FROM v_timeline.position AND v_view.status = 'running' AND v_timeline.status = 'running' THEN
          -- incident-timeline handled the source events too: its count is the merged one's.
          UPDATE projection_checkpoints SET events_applied = v_timeline.events_applied WHERE name = 'incident-view';
        ELSE
          TRUNCATE incident_views, incident_timeline, incident_source_names;
          UPDATE projection_checkpoints SET position = NULL, events_applied = 0, status = 'running', error = NULL, last_recorded_at = NULL WHERE name = 'incident-view';
        END IF;
        DELETE FROM projection_checkpoints WHERE name = 'incident-timeline';
      END $$`);
    await queryRunner.query('DROP TABLE incident_timeline_state');
  }

  async down(): Promise<void> {
    throw new Error('OneIncidentProjection1732500008000 cannot be reverted: restore the backup taken before it.');
  }
}
