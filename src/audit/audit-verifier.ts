import { Inject, Injectable } from '@nestjs/common';
import { STORED_EVENTS, type EventStore, type Position, type RecordedEvent } from '../event-store/event-store.js';
import { checkpointMessage, eventLeaf } from './audit-format.js';
import { AuditLog, type Checkpoint, type SealedLeaf } from './audit-log.js';
import { AuditPublicKey, AuditSigningKey } from './audit-signing-key.js';
import { eventSignatureProblem } from './event-signature.js';
import { appendLeaves, foldSubtrees, type HashedSubtree, leafHash } from './merkle.js';

/**
 * Where the ledger and the sealed log first disagree, or the first event the service did
 * not record:
 * - changed: the event sealed there is there, but no longer hashes to its leaf;
 * - missing: the event sealed there is gone from the ledger;
 * - reordered: another sealed event stands there, and the one sealed there comes later;
 * - extra: an event that was never sealed stands among sealed ones;
 * - duplicate: an event stands there a second time (a copied row, same id);
 * - unsigned: an event, sealed or not, without a valid signature of the service's key.
 * A sealed event that no longer matches its leaf is named by the leaf (changed, …), even
 * though its signature fails too.
 */
export interface LedgerMismatch {
  kind: 'changed' | 'missing' | 'reordered' | 'extra' | 'duplicate' | 'unsigned';
  /** The leaf where they disagree; for an event after the sealed ones, the leaf it would be. */
  leafIndex: number;
  /**
   * The ledger position where they disagree: the event's for `extra`, `duplicate` and
   * `unsigned`, else the sealed leaf's (when audit_leaves lacks the leaf, the event's found
   * there; null if none is).
   */
  position: string | null;
  /** What the log sealed as this leaf (null when audit_leaves lacks the row, or for an event after the sealed ones). */
  sealed: { position: string; eventId: string } | null;
  /** What the ledger holds there now (null when it ends before). */
  found: { position: string; eventId: string } | null;
  detail: string;
}

export interface CheckpointProblem {
  treeSize: number;
  /** root: the events give another root; signature: it does not verify; unknown_key: signed with another key than the one verify checks with. */
  problem: 'root' | 'signature' | 'unknown_key';
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Leaves sealed when the run began: what was checked against the events. */
  treeSize: number;
  eventsRead: number;
  /** Events after the last sealed leaf (not yet sealed, so not yet covered); null after a mismatch. */
  unsealedEvents: number | null;
  firstMismatch: LedgerMismatch | null;
  checkpoints: { total: number; valid: number; firstInvalid: CheckpointProblem | null };
}

export interface VerifyProgress {
  eventsRead: number;
  treeSize: number;
}

const PAGE = 1000;

/**
 * Recomputes every leaf from the stored events in ledger order and compares it with the
 * sealed log; rebuilds the tree from those leaves and checks each checkpoint's root and
 * signature against it. What the events give is the truth checked against what was
 * signed: the stored leaves only name the first place they disagree. Every event, sealed
 * or not, must also carry the service's signature and an id of its own.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    @Inject(STORED_EVENTS) private readonly store: EventStore,
    private readonly log: AuditLog,
    // The service's own key; `npm run audit:verify` may check with the public half alone.
    @Inject(AuditSigningKey) private readonly key: AuditPublicKey,
  ) {}

  async verify({ onProgress }: { onProgress?: (progress: VerifyProgress) => void } = {}): Promise<VerifyReport> {
    // Checkpoints before the head: every checkpoint's tree is then sealed.
    const checkpoints = await this.log.allCheckpoints();
    const { size: treeSize } = await this.log.head();
    const leaves = sealedLeaves(this.log, treeSize);
    let firstMismatch: LedgerMismatch | null = null;
    let firstInvalid: CheckpointProblem | null = null;
    let valid = 0;
    let frontier: HashedSubtree[] = [];
    let eventsRead = 0;
    let nextCheckpoint = 0;
    // The ids of the events after the sealed ones, so far: the sealed ones have ids of their
    // own (audit_leaves.event_id is unique), and a later event must not repeat any.
    const unsealedIds = new Set<string>();

    for await (const page of ledgerPages(this.store)) {
      const unsealed = page.slice(Math.max(0, treeSize - eventsRead)).map(({ id }) => id.toLowerCase());
      const idsSealed = unsealed.length > 0 && !firstMismatch ? await this.log.sealedEventIds(unsealed) : new Set<string>();
      // A page's signatures checked side by side, in the threadpool; none once something was found.
      const signatureProblems = firstMismatch ? [] : await Promise.all(page.map((event) => eventSignatureProblem(this.key, event)));
      for (const [index, event] of page.entries()) {
        const hash = leafHash(eventLeaf(event));
        if (!firstMismatch && eventsRead < treeSize) {
          const leaf = (await leaves.next()).value as SealedLeaf | undefined;
          if (!leaf || leaf.leafIndex !== eventsRead || leaf.eventId !== event.id || leaf.position !== event.position || !leaf.leafHash.equals(hash)) {
            firstMismatch = await this.mismatch(eventsRead, leaf, event);
          }
        } else if (!firstMismatch) {
          const id = event.id.toLowerCase();
          if (idsSealed.has(id) || unsealedIds.has(id)) firstMismatch = await this.copy(eventsRead, event);
          unsealedIds.add(id);
        }
        if (!firstMismatch) firstMismatch = this.unsigned(eventsRead, event, eventsRead < treeSize, signatureProblems[index]);
        frontier = appendLeaves(frontier, [hash]).frontier;
        eventsRead++;
        for (; checkpoints[nextCheckpoint]?.treeSize === eventsRead; nextCheckpoint++) {
          const problem = await this.checkCheckpoint(checkpoints[nextCheckpoint], foldSubtrees(frontier.map((subtree) => subtree.hash)));
          if (problem) firstInvalid ??= problem;
          else valid++;
        }
      }
      onProgress?.({ eventsRead, treeSize });
    }

    if (!firstMismatch && eventsRead < treeSize) {
      const leaf = (await leaves.next()).value as SealedLeaf | undefined;
      firstMismatch = await this.mismatch(eventsRead, leaf, undefined);
    }
    for (const checkpoint of checkpoints.slice(nextCheckpoint)) {
      firstInvalid ??= { treeSize: checkpoint.treeSize, problem: 'root', detail: `The ledger holds ${eventsRead} events; this checkpoint signed a tree of ${checkpoint.treeSize}.` };
    }
    return {
      ok: !firstMismatch && !firstInvalid,
      treeSize,
      eventsRead,
      unsealedEvents: firstMismatch ? null : eventsRead - treeSize,
      firstMismatch,
      checkpoints: { total: checkpoints.length, valid, firstInvalid },
    };
  }

  private async checkCheckpoint(checkpoint: Checkpoint, rootFromEvents: Buffer): Promise<CheckpointProblem | undefined> {
    const { treeSize } = checkpoint;
    if (!rootFromEvents.equals(checkpoint.rootHash)) return { treeSize, problem: 'root', detail: `The events give another root for the tree of ${treeSize} than the one signed.` };
    if (checkpoint.keyId !== this.key.keyId) return { treeSize, problem: 'unknown_key', detail: `Signed with key ${checkpoint.keyId}; verified with key ${this.key.keyId}.` };
    if (!(await this.key.verify(checkpointMessage(checkpoint), checkpoint.signature))) {
      return { treeSize, problem: 'signature', detail: 'The signature does not cover this tree size, root hash and time.' };
    }
    return undefined;
  }

  /** Event `event`, at leaf `index`, when it lacks a valid signature of the service's key (`problem`). */
  private unsigned(index: number, event: RecordedEvent, sealed: boolean, problem: string | undefined): LedgerMismatch | null {
    if (!problem) return null;
    const found = { position: event.position, eventId: event.id };
    return { kind: 'unsigned', leafIndex: index, position: event.position, sealed: sealed ? found : null, found, detail: `Event ${event.id}: ${problem}; the service did not record it.` };
  }

  /** An event after the sealed ones, as leaf `index` would be, whose id an earlier event has. */
  private async copy(index: number, event: RecordedEvent): Promise<LedgerMismatch> {
    const sealedAs = await this.log.leafIndexOf(event.id);
    const original = sealedAs === undefined ? 'an event not sealed yet' : `leaf ${sealedAs}`;
    const found = { position: event.position, eventId: event.id };
    return { kind: 'duplicate', leafIndex: index, position: event.position, sealed: null, found, detail: `Event ${event.id} stands here a second time (the first is ${original}): a copied row.` };
  }

  /** Names what is wrong at leaf `index`, where `leaf` was sealed and `found` stands now. */
  private async mismatch(index: number, leaf: SealedLeaf | undefined, found: RecordedEvent | undefined): Promise<LedgerMismatch> {
    const foundThere = found ? { position: found.position, eventId: found.id } : null;
    if (!leaf || leaf.leafIndex !== index) {
      return { kind: 'missing', leafIndex: index, position: found?.position ?? null, sealed: null, found: foundThere, detail: `audit_leaves has no row for leaf ${index}: the log itself was changed.` };
    }
    const at = { leafIndex: index, position: leaf.position, sealed: { position: leaf.position, eventId: leaf.eventId }, found: foundThere };
    if (!found) return { kind: 'missing', ...at, detail: `The ledger ends before leaf ${index}: event ${leaf.eventId} and every later sealed event are gone.` };
    if (found.id === leaf.eventId) {
      const moved = found.position !== leaf.position ? `now stands at ${found.position}, not where it was sealed` : '';
      const edited = leafHash(eventLeaf(found)).equals(leaf.leafHash) ? '' : 'no longer hashes to its sealed leaf (its stream, revision, type, data or metadata changed)';
      return { kind: 'changed', ...at, detail: `Event ${found.id} ${[moved, edited].filter(Boolean).join(' and ')}.` };
    }
    const foundSealedAs = await this.log.leafIndexOf(found.id);
    // Every leaf before this one held its event: one sealed before is here a second time.
    if (foundSealedAs !== undefined && foundSealedAs < index) {
      return { kind: 'duplicate', ...at, position: found.position, detail: `Event ${found.id}, sealed as leaf ${foundSealedAs}, stands here again, before leaf ${index} (event ${leaf.eventId}): a copied row.` };
    }
    const sealedStillLater = await inLedgerAfter(this.store, leaf.eventId, found.position);
    if (foundSealedAs !== undefined && sealedStillLater) {
      return { kind: 'reordered', ...at, detail: `Leaf ${index} is event ${leaf.eventId}, which now comes later; event ${found.id} (leaf ${foundSealedAs}) stands here.` };
    }
    if (foundSealedAs !== undefined) return { kind: 'missing', ...at, detail: `Event ${leaf.eventId}, sealed as leaf ${index}, is no longer in the ledger.` };
    if (sealedStillLater) {
      return { kind: 'extra', ...at, position: found.position, detail: `Event ${found.id}, never sealed, stands before leaf ${index} (event ${leaf.eventId}): a row added to the sealed past.` };
    }
    return { kind: 'changed', ...at, detail: `Event ${leaf.eventId}, sealed as leaf ${index}, is gone, and event ${found.id}, never sealed, stands in its place.` };
  }
}

async function* ledgerPages(store: EventStore, after?: Position): AsyncGenerator<RecordedEvent[]> {
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].position;
  }
}

async function* sealedLeaves(log: AuditLog, treeSize: number): AsyncGenerator<SealedLeaf> {
  for (let from = 0; from < treeSize; ) {
    const page = await log.leaves(from, Math.min(PAGE, treeSize - from));
    if (page.length === 0) return;
    yield* page;
    from = page[page.length - 1].leafIndex + 1;
  }
}

async function inLedgerAfter(store: EventStore, eventId: string, after: Position): Promise<boolean> {
  for await (const page of ledgerPages(store, after)) if (page.some((event) => event.id === eventId)) return true;
  return false;
}
