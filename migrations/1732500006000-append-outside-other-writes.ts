import type { MigrationInterface, QueryRunner } from 'typeorm';

// append_to_stream keeps each stream's events in the global order only if it takes the
// stream's lock before its transaction has an id (1732500000000-event-store-schema.ts): a
// transaction that wrote something first already holds an id, which may be older than the
// id of an append that committed to the same stream while it waited for the lock, and its
// events would then sort before that append's. Refused rather than left to chance.
export class AppendOutsideOtherWrites1732500006000 implements MigrationInterface {
  name = 'AppendOutsideOtherWrites1732500006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER FUNCTION append_to_stream(text, text, jsonb) RENAME TO append_to_stream_unguarded');
    await queryRunner.query(`
      CREATE FUNCTION append_to_stream(
        p_stream_id text, p_expected text, p_events jsonb,
        OUT outcome text, OUT last_revision bigint, OUT last_transaction_id xid8, OUT last_position bigint
      ) LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'append_to_stream must not run in a transaction that has written already'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Append in a transaction of its own: the stream''s lock must come before the transaction id, or the global order breaks.';
        END IF;
        SELECT * INTO outcome, last_revision, last_transaction_id, last_position FROM append_to_stream_unguarded(p_stream_id, p_expected, p_events);
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION append_to_stream(text, text, jsonb)');
    await queryRunner.query('ALTER FUNCTION append_to_stream_unguarded(text, text, jsonb) RENAME TO append_to_stream');
  }
}
