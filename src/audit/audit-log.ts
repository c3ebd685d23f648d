import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { DomainError } from '../common/domain-error.js';
import type { Position } from '../event-store/event-store.js';
import { consistencyProof, foldSubtrees, type HashedSubtree, inclusionPath, type LeafRange, rangeHashes, type Subtree, subtreesOf } from './merkle.js';

// The audit log as stored (migrations/1732500005000-audit-log.ts): sealed leaves, the hashes
// of complete subtrees, signed checkpoints; and the roots and proofs they give.

type Queryable = pg.Pool | pg.PoolClient;

export interface Checkpoint {
  treeSize: number;
  rootHash: Buffer;
  timestamp: string;
  keyId: string;
  signature: Buffer;
}

export interface SealedLeaf {
  leafIndex: number;
  position: Position;
  eventId: string;
  leafHash: Buffer;
  sealedAt: Date;
}

/** A tree the log has sealed: its size, its root, and the checkpoint signed at that size, if any. */
export interface SealedTree {
  treeSize: number;
  rootHash: Buffer;
  checkpoint: Checkpoint | null;
}

interface LeafRow {
  leaf_index: string;
  position: Position;
  event_id: string;
  leaf_hash: Buffer;
  sealed_at: Date;
}

const LEAF_COLUMNS = 'leaf_index, position, event_id, leaf_hash, sealed_at';

interface CheckpointRow {
  tree_size: string;
  root_hash: Buffer;
  signed_at: Date;
  key_id: string;
  signature: Buffer;
}

const CHECKPOINT_COLUMNS = 'tree_size, root_hash, signed_at, key_id, signature';

@Injectable()
export class AuditLog {
  constructor(@Inject(pg.Pool) private readonly pool: pg.Pool) {}

  /** How many leaves are sealed, and the position of the last one's event. */
  async head(db: Queryable = this.pool): Promise<{ size: number; lastPosition: Position | undefined }> {
    const { rows } = await db.query<{ leaf_index: string; position: Position }>('SELECT leaf_index, position FROM audit_leaves ORDER BY leaf_index DESC LIMIT 1');
    return rows.length ? { size: Number(rows[0].leaf_index) + 1, lastPosition: rows[0].position } : { size: 0, lastPosition: undefined };
  }

  /** The tree of `size` leaves as its frontier: the hashed subtreesOf({0, size}), whose fold is its root. */
  async frontier(size: number, db: Queryable = this.pool): Promise<HashedSubtree[]> {
    const subtrees = subtreesOf({ start: 0, end: size });
    const hashOf = await this.subtreeHashes(subtrees, db);
    return subtrees.map((subtree) => ({ ...subtree, hash: hashOf(subtree) }));
  }

  async leafAt(position: string): Promise<SealedLeaf | undefined> {
    const { rows } = await this.pool.query<LeafRow>(`SELECT ${LEAF_COLUMNS} FROM audit_leaves WHERE position = $1`, [position]);
    return rows.map(toLeaf)[0];
  }

  /** Sealed leaves from `from` on, in order: their index, event and hash. */
  async leaves(from: number, limit: number): Promise<SealedLeaf[]> {
    const { rows } = await this.pool.query<LeafRow>(`SELECT ${LEAF_COLUMNS} FROM audit_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2`, [from, limit]);
    return rows.map(toLeaf);
  }

  /** Where the event with this id was sealed, if it was. */
  async leafIndexOf(eventId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ leaf_index: string }>('SELECT leaf_index FROM audit_leaves WHERE event_id = $1', [eventId]);
    return rows.length ? Number(rows[0].leaf_index) : undefined;
  }

  /** Which of these event ids are sealed already. */
  async sealedEventIds(eventIds: string[], db: Queryable = this.pool): Promise<Set<string>> {
    const { rows } = await db.query<{ event_id: string }>('SELECT event_id FROM audit_leaves WHERE event_id = ANY($1::uuid[])', [eventIds]);
    return new Set(rows.map(({ event_id }) => event_id));
  }

  async latestCheckpoint(db: Queryable = this.pool): Promise<Checkpoint | undefined> {
    const { rows } = await db.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1`);
    return rows.map(toCheckpoint)[0];
  }

  /** Newest first, below the tree size `before` when given. */
  async checkpoints({ before, limit }: { before?: number; limit: number }): Promise<Checkpoint[]> {
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size < $1 ORDER BY tree_size DESC LIMIT $2`, [
      before ?? Number.MAX_SAFE_INTEGER,
      limit,
    ]);
    return rows.map(toCheckpoint);
  }

  /** Every checkpoint, smallest tree first. */
  async allCheckpoints(): Promise<Checkpoint[]> {
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size`);
    return rows.map(toCheckpoint);
  }

  /**
   * Leaf `position`'s audit path in a sealed tree: by default the latest checkpoint's.
   * Throws not_found for a position that is no sealed event's, and invalid for a tree that
   * is not sealed yet or that ends before the leaf.
   */
  async inclusionProof(position: string, treeSize?: number): Promise<{ leaf: SealedLeaf; tree: SealedTree; auditPath: Buffer[] }> {
    const leaf = await this.leafAt(position);
    if (!leaf) throw new DomainError('not_found', 'leaf_not_found', `No sealed event at position ${position}: not an event's position, or not sealed yet.`, 'query.position');
    const tree = await this.sealedTree(treeSize, 'query.treeSize');
    if (leaf.leafIndex >= tree.treeSize) {
      throw new DomainError('invalid', 'leaf_not_in_tree', `The event is leaf ${leaf.leafIndex}, after the tree of ${tree.treeSize} leaves: ask for a larger tree.`, 'query.treeSize');
    }
    return { leaf, tree, auditPath: await this.rangeHashes(inclusionPath(leaf.leafIndex, tree.treeSize)) };
  }

  /** The proof that the sealed tree `to` (by default the latest checkpoint's) extends the tree `from`. */
  async consistencyProof(from: number, to?: number): Promise<{ from: SealedTree; to: SealedTree; proof: Buffer[] }> {
    const newer = await this.sealedTree(to, 'query.to');
    if (from > newer.treeSize) throw new DomainError('invalid', 'tree_order', `The tree of ${from} leaves is larger than the tree of ${newer.treeSize}.`, 'query.from');
    const older = await this.sealedTree(from, 'query.from');
    return { from: older, to: newer, proof: await this.rangeHashes(consistencyProof(from, newer.treeSize)) };
  }

  private async sealedTree(size: number | undefined, field: string): Promise<SealedTree> {
    if (size === undefined) {
      const latest = await this.latestCheckpoint();
      if (!latest) throw new DomainError('not_found', 'no_checkpoint', 'No checkpoint has been signed yet: give a tree size, or try again shortly.', field);
      return { treeSize: latest.treeSize, rootHash: latest.rootHash, checkpoint: latest };
    }
    const { size: sealed } = await this.head();
    if (size > sealed) throw new DomainError('invalid', 'tree_not_sealed', `The log has sealed ${sealed} leaves so far: there is no tree of ${size} yet.`, field);
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size = $1`, [size]);
    return { treeSize: size, rootHash: foldSubtrees((await this.frontier(size)).map(({ hash }) => hash)), checkpoint: rows.map(toCheckpoint)[0] ?? null };
  }

  private async rangeHashes(ranges: LeafRange[]): Promise<Buffer[]> {
    return rangeHashes(ranges, await this.subtreeHashes(ranges.flatMap(subtreesOf), this.pool));
  }

  /** One query for any set of subtrees: leaves from audit_leaves, the rest from audit_nodes. */
  private async subtreeHashes(subtrees: Subtree[], db: Queryable): Promise<(subtree: Subtree) => Buffer> {
    const nodes = subtrees.filter(({ level }) => level > 0);
    const { rows } = await db.query<{ level: number; node_index: string; hash: Buffer }>(
      `SELECT 0 AS level, leaf_index AS node_index, leaf_hash AS hash FROM audit_leaves WHERE leaf_index = ANY($1::bigint[])
       UNION ALL
       SELECT level, node_index, n.hash FROM audit_nodes n JOIN unnest($2::smallint[], $3::bigint[]) AS wanted (level, node_index) USING (level, node_index)`,
      [subtrees.filter(({ level }) => level === 0).map(({ index }) => index), nodes.map(({ level }) => level), nodes.map(({ index }) => index)],
    );
    const known = new Map(rows.map((row) => [`${row.level}/${row.node_index}`, row.hash]));
    return ({ level, index }) => {
      const hash = known.get(`${level}/${index}`);
      if (!hash) throw new Error(`The audit log has no hash for leaves ${index * 2 ** level} to ${(index + 1) * 2 ** level - 1}`);
      return hash;
    };
  }
}

function toLeaf(row: LeafRow): SealedLeaf {
  return { leafIndex: Number(row.leaf_index), position: row.position, eventId: row.event_id, leafHash: row.leaf_hash, sealedAt: row.sealed_at };
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { treeSize: Number(row.tree_size), rootHash: row.root_hash, timestamp: row.signed_at.toISOString(), keyId: row.key_id, signature: row.signature };
}
