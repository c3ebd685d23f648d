import { Logger } from '@nestjs/common';
import pg from 'pg';
import { linkedAbort } from '../common/linked-abort.js';
import { pause } from '../common/pause.js';
import { whileLeader } from '../database/leadership.js';
import { withConnection } from '../database/with-connection.js';
import type { EventStore, Position, RecordedEvent } from '../event-store/event-store.js';
import { type Lag, lagBehind } from '../event-store/lag.js';
import { checkpointMessage, eventLeaf } from './audit-format.js';
import { AuditLog } from './audit-log.js';
import type { AuditSigningKey } from './audit-signing-key.js';
import { eventSignatureProblem, type SignedHere } from './event-signature.js';
import { appendLeaves, foldSubtrees, type HashedSubtree, leafHash } from './merkle.js';

export interface SealerOptions {
  /** Sign a checkpoint once this many leaves were sealed since the last one… */
  checkpointEveryEvents: number;
  /** …or once a sealed leaf has waited this long for one. */
  checkpointEverySeconds: number;
  batchSize?: number;
  /** Idle wait between attempts at the sealer lock while another process holds it. */
  lockRetryMs?: number;
  /** What this process signed: those events need no check of their signature (SignedHere). */
  signedHere?: SignedHere;
}

// Idle, the sealer looks again this often even without a new event: a checkpoint may fall due by time.
const IDLE_WAKE_MS = 1000;
// Woken by an event, it lets others gather this long first: no reader waits on a leaf, and
// one batch for a burst of writes costs its round trips once (docs/performance.md).
const GATHER_MS = 100;

/** The event the sealer stopped at, because the service did not record it. */
export interface RefusedEvent {
  position: Position;
  eventId: string;
  reason: string;
}

/**
 * Seals the ledger into the audit log: each event becomes the next leaf, in ledger order
 * and only once readAll hands it out (below the commit horizon, so no late commit can
 * land before a sealed leaf); the subtrees it completes are stored with it, and a
 * checkpoint is signed every N leaves, or when a leaf has waited T seconds for one.
 * Only the service's own events are sealed: the first one without a valid signature of
 * the service's key, or with the id of one sealed already, stops the sealing until it is
 * gone; it is logged, and status() names it.
 * One process seals in the background at a time (an advisory lock, as for the projection
 * runner); every batch also holds a transaction lock, so that a catch-up run by a tool or
 * a test beside it can never hand out a leaf index twice.
 */
export class AuditSealer {
  private readonly logger = new Logger('AuditSealer');
  private readonly log: AuditLog;
  private readonly batchSize: number;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  /** The id of the event the last batch stopped at, if it stopped short of one. */
  private stoppedAt?: string;
  /** Whether this process holds the sealer lock now. */
  leading = false;

  constructor(
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
    private readonly key: AuditSigningKey,
    private readonly options: SealerOptions,
  ) {
    this.log = new AuditLog(pool);
    this.batchSize = options.batchSize ?? 500;
  }

  /** Seals in the background until stop(), whenever this process holds the sealer lock. */
  start(): void {
    const leadership = { lockName: 'incident-ledger:audit-sealer', role: 'audit sealer', retryMs: this.options.lockRetryMs ?? 1000, logger: this.logger, signal: this.stopping.signal };
    this.running ??= whileLeader(this.pool, leadership, async (active) => {
      this.leading = true;
      try {
        while (!active.aborted) {
          const sealed = await this.sealBatch();
          // No new event lets it past one it refused: it looks again each second, not on every append.
          if (this.stoppedAt !== undefined) await pause(IDLE_WAKE_MS, active);
          else if (sealed === 0) await this.waitForEvents(active);
          // Under a steady flow of writes, a batch for every few events would cost its round
          // trips each time: short of a full batch, the next one waits for more to gather.
          else if (sealed < this.batchSize) await pause(GATHER_MS, active);
        }
      } finally {
        this.leading = false;
      }
    }).catch((error: unknown) => this.logger.error(`Audit sealer stopped: ${String(error)}`));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Seals everything readAll hands out now, signing the checkpoints that fall due. */
  async catchUp(): Promise<void> {
    while ((await this.sealBatch()) > 0) {
      // until a batch finds nothing new
    }
  }

  /**
   * How far the audit log is behind the ledger, and the event after its last leaf when the
   * sealer will not seal it (null when it will, or none is there).
   */
  async status(): Promise<{ lag: Lag; refused: RefusedEvent | null }> {
    const { lastPosition } = await this.log.head();
    const { next, ...lag } = await lagBehind(this.store, lastPosition);
    const reason = next && refusal(await eventSignatureProblem(this.key, next, this.options.signedHere), next, await this.log.sealedEventIds([next.id]));
    return { lag, refused: reason ? { position: next.position, eventId: next.id, reason } : null };
  }

  /** Resolves (after a moment for others to gather) on the first event after the last sealed leaf, after a second, or on abort. */
  private async waitForEvents(signal: AbortSignal): Promise<void> {
    const { lastPosition } = await this.log.head();
    const waiting = linkedAbort(signal, IDLE_WAKE_MS);
    try {
      for await (const _event of this.store.subscribeToAll({ after: lastPosition, signal: waiting.signal })) break;
    } finally {
      waiting.release();
    }
    await pause(GATHER_MS, signal);
  }

  /** One batch of leaves and, when due, a checkpoint, in one transaction; how many it sealed. */
  private async sealBatch(): Promise<number> {
    return withConnection(this.pool, async (client) => {
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['incident-ledger:audit-sealing']);
        const { size, lastPosition } = await this.log.head(client);
        const signed = (await this.log.latestCheckpoint(client))?.treeSize ?? 0;
        // A batch ends where a checkpoint falls due by count, so that they land every N leaves.
        const room = Math.max(1, this.options.checkpointEveryEvents - (size - signed));
        const events = await this.ownEvents(client, await this.store.readAll({ after: lastPosition, maxCount: Math.min(this.batchSize, room) }));
        const newSize = size + events.length;
        const due = newSize > signed && (newSize - signed >= this.options.checkpointEveryEvents || (size > signed && (await this.unsignedFor(client, signed)) >= this.options.checkpointEverySeconds));
        if (events.length > 0 || due) {
          let frontier = await this.log.frontier(size, client);
          if (events.length > 0) frontier = await this.append(client, size, frontier, events);
          if (due) await this.signCheckpoint(client, newSize, foldSubtrees(frontier.map(({ hash }) => hash)));
        }
        await client.query('COMMIT');
        return events.length;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** The events up to the first one the service did not record; that one is logged, once. */
  private async ownEvents(client: pg.PoolClient, events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const seen = events.length > 0 ? await this.log.sealedEventIds(events.map(({ id }) => id), client) : new Set<string>();
    // Checked side by side, in the threadpool: the batch waits for the slowest only.
    const signatureProblems = await Promise.all(events.map((event) => eventSignatureProblem(this.key, event, this.options.signedHere)));
    const stoppedBefore = this.stoppedAt;
    this.stoppedAt = undefined;
    for (const [index, event] of events.entries()) {
      const reason = refusal(signatureProblems[index], event, seen);
      if (reason) {
        this.stoppedAt = event.id;
        if (event.id !== stoppedBefore) {
          this.logger.error(`Not sealing the event at position ${event.position} (${event.id}), nor any after it: ${reason}. A row written behind the service's back? (docs/audit.md)`);
        }
        return events.slice(0, index);
      }
      seen.add(event.id.toLowerCase());
    }
    return events;
  }

  /** Stores the events' leaves from index `size` on and the subtrees they complete; returns the new frontier. */
  private async append(client: pg.PoolClient, size: number, frontier: HashedSubtree[], events: RecordedEvent[]): Promise<HashedSubtree[]> {
    const hashes = events.map((event) => leafHash(eventLeaf(event)));
    const appended = appendLeaves(frontier, hashes);
    await client.query('INSERT INTO audit_leaves (leaf_index, position, event_id, leaf_hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::uuid[], $4::bytea[])', [
      events.map((_, offset) => size + offset),
      events.map(({ position }) => position),
      events.map(({ id }) => id),
      hashes,
    ]);
    await client.query('INSERT INTO audit_nodes (level, node_index, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])', [
      appended.completed.map(({ level }) => level),
      appended.completed.map(({ index }) => index),
      appended.completed.map(({ hash }) => hash),
    ]);
    return appended.frontier;
  }

  /** Seconds since the first leaf no checkpoint covers was sealed. */
  private async unsignedFor(client: pg.PoolClient, firstUnsigned: number): Promise<number> {
    const { rows } = await client.query<{ seconds: number }>('SELECT extract(epoch FROM now() - sealed_at)::float8 AS seconds FROM audit_leaves WHERE leaf_index = $1', [firstUnsigned]);
    return rows[0].seconds;
  }

  private async signCheckpoint(client: pg.PoolClient, treeSize: number, rootHash: Buffer): Promise<void> {
    const body = { treeSize, rootHash, timestamp: new Date().toISOString() };
    const signature = await this.key.sign(checkpointMessage(body));
    await client.query('INSERT INTO audit_checkpoints (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)', [
      treeSize,
      rootHash,
      body.timestamp,
      this.key.keyId,
      signature,
    ]);
  }
}

/** Why the sealer will not seal `event`, given what is wrong with its signature and the ids sealed before it; undefined when it will. */
function refusal(signatureProblem: string | undefined, event: RecordedEvent, sealedIds: Set<string>): string | undefined {
  if (signatureProblem) return `it carries no valid signature of the service's key (${signatureProblem})`;
  if (sealedIds.has(event.id.toLowerCase())) return 'its id is that of an event sealed before it: a copy';
  return undefined;
}
