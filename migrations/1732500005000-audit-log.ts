import type { MigrationInterface, QueryRunner } from 'typeorm';

// The audit log (src/audit/, docs/audit.md): an RFC 9162 Merkle tree over the ledger, kept
// beside the events table, which stays as it is. Append-only like the events: a sealed leaf,
// a stored subtree hash or a signed checkpoint is never changed.
export class AuditLog1732500005000 implements MigrationInterface {
  name = 'AuditLog1732500005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per event, in ledger order: leaf_index is the event's place in the tree.
    // `position` is the event store's opaque position, kept to find an event's leaf.
    await queryRunner.query(`
      CREATE TABLE audit_leaves (
        leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
        position   text   NOT NULL UNIQUE,
        event_id   uuid   NOT NULL UNIQUE,
        leaf_hash  bytea  NOT NULL CHECK (length(leaf_hash) = 32),
        sealed_at  timestamptz NOT NULL DEFAULT now()
      )`);

    // The hash of every complete perfect subtree above the leaves: leaves
    // [node_index × 2^level, (node_index + 1) × 2^level). Any root or proof is then a few
    // of these (src/audit/merkle.ts) instead of a pass over every leaf.
    await queryRunner.query(`
      CREATE TABLE audit_nodes (
        level      smallint NOT NULL CHECK (level > 0),
        node_index bigint   NOT NULL CHECK (node_index >= 0),
        hash       bytea    NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, node_index)
      )`);

    // Signed tree heads: at most one per tree size.
    await queryRunner.query(`
      CREATE TABLE audit_checkpoints (
        tree_size bigint      PRIMARY KEY CHECK (tree_size > 0),
        root_hash bytea       NOT NULL CHECK (length(root_hash) = 32),
        signed_at timestamptz NOT NULL,
        key_id    text        NOT NULL,
        signature bytea       NOT NULL
      )`);

    await queryRunner.query(`
      CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
      END $$`);
    for (const table of ['audit_leaves', 'audit_nodes', 'audit_checkpoints']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()`);
      await queryRunner.query(`CREATE TRIGGER ${table}_not_truncated BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_checkpoints, audit_nodes, audit_leaves');
    await queryRunner.query('DROP FUNCTION refuse_audit_change()');
  }
}
