import type { MigrationInterface, QueryRunner } from 'typeorm';

// The incident view and the narrative timeline (src/incidents/projections/). Each
// projection owns its tables and keeps its own copy of what it needs, so that neither
// depends on how far the other has read. Nothing here holds a wall-clock time: a
// rebuild must produce the same rows as the live projection.
export class IncidentReadModels1732500003000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // incident-view: the view as evolveView builds it; version = its stream revision.
    await queryRunner.query(`
      CREATE TABLE incident_views (
        incident_id  uuid     PRIMARY KEY,
        version      integer  NOT NULL,
        view         jsonb    NOT NULL
      )`);

    // incident-timeline: one entry per incident event; the last view of each incident,
    // which the next entry's headline and changes are computed against; and the names
    // of the sources, as SourceRegistered and SourceRevised give them.
    await queryRunner.query(`
      CREATE TABLE incident_timeline (
        incident_id  uuid     NOT NULL,
        version      integer  NOT NULL,
        entry        jsonb    NOT NULL,
        PRIMARY KEY (incident_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE incident_timeline_state (
        incident_id  uuid     PRIMARY KEY,
        version      integer  NOT NULL,
        view         jsonb    NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE incident_source_names (
        source_id    uuid     PRIMARY KEY,
        version      integer  NOT NULL,
        name         text     NOT NULL,
        kind         text     NOT NULL,
        confidential boolean  NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE incident_source_names');
    await queryRunner.query('DROP TABLE incident_timeline_state');
    await queryRunner.query('DROP TABLE incident_timeline');
    await queryRunner.query('DROP TABLE incident_views');
  }
}
