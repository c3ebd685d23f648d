import type { MigrationInterface, QueryRunner } from 'typeorm';

// Group commit: appends that arrive together are written by one call in one transaction —
// one commit, one flush of the WAL to disk for all of them — each still checked against its
// own expected revision, a failed check failing only its own append
// (src/event-store/postgres/append-queue.ts). append_to_stream becomes the group of one.
export class GroupCommit1732500007000 implements MigrationInterface {
  name = 'GroupCommit1732500007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // p_appends: [{ stream, expected, events: [{ id, type, data, metadata }] }], expected being
    // 'any', 'no_stream', 'stream_exists' or a revision. One row per append, by its place n
    // (from 1): 'appended', 'unchanged' (no events, the expectation held), 'conflict' (it did
    // not: last_revision is the stream's), or 'stored' (some of its event ids are stored
    // already: a retry of an append whose answer was lost, for the caller to look up).
    await queryRunner.query(`
      CREATE FUNCTION append_to_streams(p_appends jsonb)
      RETURNS TABLE (n int, outcome text, last_revision bigint, last_transaction_id xid8, last_position bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_lock bigint;
        v_append record;
        v_stream text;
        v_count int;
        v_actual bigint;
        v_stored uuid[];
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_streams must not run in a transaction that has written already'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Append in a transaction of its own: the streams'' locks must come before the transaction id, or the global order breaks.';
        END IF;
        -- Every stream's lock before this transaction has an id (see append_to_stream in
        -- 1732500000000-event-store-schema.ts), taken in one order by every caller: no deadlock.
        FOR v_lock IN SELECT DISTINCT hashtextextended(a->>'stream', 0) FROM jsonb_array_elements(p_appends) AS a ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(v_lock);
        END LOOP;
        SELECT array_agg(event_id) INTO v_stored FROM events
         WHERE event_id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_appends) AS a, jsonb_array_elements(a->'events') AS e);

        FOR v_append IN SELECT a.value AS body, a.ordinality::int AS place FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS a LOOP
          n := v_append.place;
          v_stream := v_append.body->>'stream';
          v_count := jsonb_array_length(v_append.body->'events');
          last_transaction_id := NULL;
          last_position := NULL;
          -- Under the stream's lock, which every writer of it takes first: no row lock needed.
          SELECT revision INTO v_actual FROM streams WHERE stream_id = v_stream;
          v_actual := coalesce(v_actual, -1);
          last_revision := v_actual;
          IF v_stored IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements(v_append.body->'events') AS e WHERE (e->>'id')::uuid = ANY (v_stored)) THEN
            outcome := 'stored';
          ELSIF NOT (CASE v_append.body->>'expected'
                       WHEN 'any' THEN true
                       WHEN 'no_stream' THEN v_actual = -1
                       WHEN 'stream_exists' THEN v_actual >= 0
                       ELSE v_actual = (v_append.body->>'expected')::bigint
                     END) THEN
            outcome := 'conflict';
          ELSIF v_count = 0 THEN
            outcome := 'unchanged';
            SELECT transaction_id, position INTO last_transaction_id, last_position FROM events WHERE stream_id = v_stream AND revision = v_actual;
          ELSE
            IF v_actual >= 0 THEN
              UPDATE streams SET revision = v_actual + v_count WHERE stream_id = v_stream;
            ELSE
              INSERT INTO streams (stream_id, revision) VALUES (v_stream, v_count - 1);
            END IF;
            INSERT INTO events (event_id, stream_id, revision, type, data, metadata)
            SELECT e.id, v_stream, v_actual + e.place, e.type, e.data, e.metadata
              FROM ROWS FROM (jsonb_to_recordset(v_append.body->'events') AS (id uuid, type text, data jsonb, metadata jsonb))
                   WITH ORDINALITY AS e (id, type, data, metadata, place)
             ORDER BY e.place;
            outcome := 'appended';
            last_revision := v_actual + v_count;
            last_transaction_id := pg_current_xact_id();
            -- Rows were inserted in order, so the identity's last value is the last event's.
            last_position := lastval();
          END IF;
          RETURN NEXT;
        END LOOP;
      END $$`);

    // The append of one stream, as a group of one: for tools and tests that append in SQL.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION append_to_stream(
        p_stream_id text, p_expected text, p_events jsonb,
        OUT outcome text, OUT last_revision bigint, OUT last_transaction_id xid8, OUT last_position bigint
      ) LANGUAGE sql AS $$
        SELECT a.outcome, a.last_revision, a.last_transaction_id, a.last_position
          FROM append_to_streams(jsonb_build_array(jsonb_build_object('stream', p_stream_id, 'expected', p_expected, 'events', p_events))) AS a
      $$`);
    await queryRunner.query('DROP FUNCTION append_to_stream_unguarded(text, text, jsonb)');
  }

  async down(): Promise<void> {
    throw new Error('GroupCommit1732500007000 cannot be reverted: restore the backup taken before it.');
  }
}
