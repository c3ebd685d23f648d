import type { MigrationInterface, QueryRunner } from 'typeorm';

// Incident search (src/incidents/projections/incident-search/) and the source view
// (src/sources/projections/source-view/). Times are the events' recordedAt, never the
// wall clock, so that a rebuild produces the same rows; timestamptz(3) keeps them at the
// millisecond of the ISO strings they come from, which the page cursors carry.
export class SearchAndSourceReadModels1732500004000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // incident-search: one row per incident with what the filters and sorts read.
    // country and region follow location; occurred_from/occurred_to are the inclusive
    // bounds of when the incident may have happened (see occurred-bounds.ts); `search` is
    // the full-text document of title, description and claim summaries.
    await queryRunner.query(`
      CREATE TABLE incident_search (
        id             uuid            PRIMARY KEY,
        version        integer         NOT NULL,
        title          text            NOT NULL,
        description    text,
        location       jsonb           NOT NULL,
        country        text            NOT NULL GENERATED ALWAYS AS (location ->> 'country') STORED,
        region         text            GENERATED ALWAYS AS (location ->> 'region') STORED,
        occurred       jsonb           NOT NULL,
        occurred_from  timestamptz(3)  NOT NULL,
        occurred_to    timestamptz(3)  NOT NULL,
        tags           text[]          NOT NULL,
        claimant_ids   uuid[]          NOT NULL,
        search         tsvector        NOT NULL,
        opened_at      timestamptz(3)  NOT NULL,
        updated_at     timestamptz(3)  NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX incident_search_updated ON incident_search (updated_at, id)');
    await queryRunner.query('CREATE INDEX incident_search_occurred ON incident_search (occurred_from, id)');
    await queryRunner.query('CREATE INDEX incident_search_country ON incident_search (country, lower(region))');
    await queryRunner.query('CREATE INDEX incident_search_tags ON incident_search USING gin (tags)');
    await queryRunner.query('CREATE INDEX incident_search_claimants ON incident_search USING gin (claimant_ids)');
    await queryRunner.query('CREATE INDEX incident_search_text ON incident_search USING gin (search)');
    // The claims behind claimant_ids and the claim summaries in `search`, kept per claim
    // because amendments and corrections replace one claim's summary or claimant.
    await queryRunner.query(`
      CREATE TABLE incident_search_claims (
        incident_id  uuid  NOT NULL,
        claim_id     uuid  NOT NULL,
        claimant_id  uuid  NOT NULL,
        summary      text  NOT NULL,
        PRIMARY KEY (incident_id, claim_id)
      )`);

    // source-view: the source as its own stream describes it ...
    await queryRunner.query(`
      CREATE TABLE source_view (
        id             uuid            PRIMARY KEY,
        version        integer         NOT NULL,
        name           text            NOT NULL,
        kind           text            NOT NULL,
        aliases        text[]          NOT NULL,
        country        text,
        description    text,
        confidential   boolean         NOT NULL,
        registered_at  timestamptz(3)  NOT NULL,
        updated_at     timestamptz(3)  NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX source_view_registered ON source_view (registered_at, id)');
    await queryRunner.query('CREATE INDEX source_view_kind ON source_view (kind)');
    // ... and its track record, as rows keyed by what they record (a claim, a statement,
    // a stance), so that counts are derived and a redelivered event cannot add twice.
    // source_view_incidents holds how far each incident stream has been applied.
    await queryRunner.query(`
      CREATE TABLE source_view_incidents (
        incident_id  uuid     PRIMARY KEY,
        version      integer  NOT NULL
      )`);
    // status as the incident view has it; amended stays true once the claimant amended
    // the claim, even after a later retraction. grade is the desk's latest.
    await queryRunner.query(`
      CREATE TABLE source_view_claims (
        incident_id  uuid     NOT NULL,
        claim_id     uuid     NOT NULL,
        claimant_id  uuid     NOT NULL,
        via          uuid[]   NOT NULL,
        status       text     NOT NULL,
        amended      boolean  NOT NULL,
        grade        text,
        PRIMARY KEY (incident_id, claim_id)
      )`);
    await queryRunner.query('CREATE INDEX source_view_claims_claimant ON source_view_claims (claimant_id)');
    await queryRunner.query('CREATE INDEX source_view_claims_via ON source_view_claims USING gin (via)');
    await queryRunner.query(`
      CREATE TABLE source_view_statements (
        incident_id   uuid    NOT NULL,
        statement_id  uuid    NOT NULL,
        source_id     uuid    NOT NULL,
        via           uuid[]  NOT NULL,
        PRIMARY KEY (incident_id, statement_id)
      )`);
    await queryRunner.query('CREATE INDEX source_view_statements_source ON source_view_statements (source_id)');
    await queryRunner.query('CREATE INDEX source_view_statements_via ON source_view_statements USING gin (via)');
    await queryRunner.query(`
      CREATE TABLE source_view_stances (
        incident_id   uuid  NOT NULL,
        statement_id  uuid  NOT NULL,
        claim_id      uuid  NOT NULL,
        stance        text  NOT NULL,
        PRIMARY KEY (incident_id, claim_id, statement_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['source_view_stances', 'source_view_statements', 'source_view_claims', 'source_view_incidents', 'source_view', 'incident_search_claims', 'incident_search']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
