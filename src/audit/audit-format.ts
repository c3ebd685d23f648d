import { canonicalJson } from '../common/canonical-json.js';
import type { RecordedEvent } from '../event-store/event-store.js';

// What the audit log hashes and signs, byte for byte. docs/audit.md shows an outside auditor
// how to rebuild both: change nothing here without a new format (and origin line).

/**
 * An event's leaf: the UTF-8 bytes of the RFC 8785 canonical JSON of its id, stream,
 * revision, type, data and metadata. Not its position: the leaf index is its place in the
 * log, and a position is the event store's own encoding.
 */
export function eventLeaf(event: RecordedEvent): Buffer {
  const { id: eventId, streamId, revision, type, data, metadata } = event;
  return Buffer.from(canonicalJson({ eventId, streamId, revision, type, data, metadata }), 'utf8');
}

/** Names this log and its formats; the first line of every signed checkpoint. */
export const CHECKPOINT_ORIGIN = 'incident-ledger/audit/v1';

export interface CheckpointBody {
  treeSize: number;
  rootHash: Buffer;
  /** When it was signed: ISO-8601 UTC with milliseconds, e.g. `2024-07-28T09:00:00.000Z`. */
  timestamp: string;
}

/**
 * The bytes a checkpoint's Ed25519 signature covers, laid out as a C2SP tlog-checkpoint
 * body: origin, tree size in decimal, root hash in base64, then the timestamp; each line
 * ends in a newline.
 */
export function checkpointMessage({ treeSize, rootHash, timestamp }: CheckpointBody): Buffer {
  return Buffer.from(`${CHECKPOINT_ORIGIN}\n${treeSize}\n${rootHash.toString('base64')}\n${timestamp}\n`, 'utf8');
}
