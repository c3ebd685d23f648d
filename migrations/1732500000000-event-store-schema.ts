import type { MigrationInterface, QueryRunner } from 'typeorm';

// The PostgreSQL event store (src/event-store/postgres/): an append-only log of events, one
// row per stream holding its revision, and the function every append runs as one statement.
export class EventStoreSchema1732500000000 implements MigrationInterface {
  name = 'EventStoreSchema1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL
      )`);

    // Positions come from a sequence, handed out before commit: a reader going by position
    // alone can pass an event whose transaction commits late. The global feed is therefore
    // ordered by (transaction_id, position) and read only below the oldest transaction still
    // running (see PostgresEventStore.readPage).
    await queryRunner.query(`
      CREATE TABLE events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL CONSTRAINT events_event_id_key UNIQUE, -- named: the adapter reads it off a violation
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
      )`);
    await queryRunner.query('CREATE INDEX events_global_order ON events (transaction_id, position)');

    await queryRunner.query(`
      CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events is append-only: % refused', TG_OP
          USING HINT = 'A change to an event is a new event.';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION refuse_event_change()`);
    await queryRunner.query(`
      CREATE TRIGGER events_not_truncated BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change()`);

    // One round trip per append. The stream's row lock orders appends to one stream, so the
    // expected revision is checked against the stream as it is; a failed check writes nothing
    // and uses up no positions. p_expected: 'any', 'no_stream', 'stream_exists' or a revision.
    // No NOTIFY here: committing a NOTIFY takes a global lock that serialises those commits
    // (it measured about half the appends per second at 16 clients); the adapter sends it.
    await queryRunner.query(`
      CREATE FUNCTION append_to_stream(
        p_stream_id text, p_expected text, p_events jsonb,
        OUT outcome text, OUT last_revision bigint, OUT last_transaction_id xid8, OUT last_position bigint
      ) LANGUAGE plpgsql AS $$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_actual bigint;
      BEGIN
        -- Appends to one stream queue here, before this transaction has an id. Ids are handed
        -- out in order, so a stream's later events get a later transaction id and the global
        -- order (transaction_id, position) keeps each stream's revisions in order. The row lock
        -- below would not do it alone: FOR UPDATE takes the transaction id before it waits.
        PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id, 0));
        LOOP
          SELECT revision INTO v_actual FROM streams WHERE stream_id = p_stream_id FOR UPDATE;
          v_actual := coalesce(v_actual, -1);
          IF NOT (CASE p_expected
                    WHEN 'any' THEN true
                    WHEN 'no_stream' THEN v_actual = -1
                    WHEN 'stream_exists' THEN v_actual >= 0
                    ELSE v_actual = p_expected::bigint
                  END) THEN
            outcome := 'conflict';
            last_revision := v_actual;
            RETURN;
          END IF;
          IF v_count = 0 THEN
            outcome := 'unchanged';
            last_revision := v_actual;
            SELECT transaction_id, position INTO last_transaction_id, last_position
              FROM events WHERE stream_id = p_stream_id AND revision = v_actual;
            RETURN;
          END IF;
          IF v_actual >= 0 THEN
            UPDATE streams SET revision = v_actual + v_count WHERE stream_id = p_stream_id;
            EXIT;
          END IF;
          INSERT INTO streams (stream_id, revision) VALUES (p_stream_id, v_count - 1) ON CONFLICT DO NOTHING;
          EXIT WHEN FOUND;
          -- Another append created the stream since we looked: check again under its lock.
        END LOOP;

        INSERT INTO events (event_id, stream_id, revision, type, data, metadata)
        SELECT e.id, p_stream_id, v_actual + e.n, e.type, e.data, e.metadata
          FROM ROWS FROM (jsonb_to_recordset(p_events) AS (id uuid, type text, data jsonb, metadata jsonb))
               WITH ORDINALITY AS e (id, type, data, metadata, n)
         ORDER BY e.n;
        outcome := 'appended';
        last_revision := v_actual + v_count;
        last_transaction_id := pg_current_xact_id();
        -- Rows were inserted in order, so the identity's last value is the last event's.
        last_position := lastval();
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION append_to_stream(text, text, jsonb)');
    await queryRunner.query('DROP TABLE events');
    await queryRunner.query('DROP FUNCTION refuse_event_change()');
    await queryRunner.query('DROP TABLE streams');
  }
}
