import type { Checkpoint, SealedTree } from './audit-log.js';

// How auditors see the log: hashes and signatures in standard base64, as in the signed
// checkpoint text (docs/audit.md).

const base64 = (bytes: Buffer) => bytes.toString('base64');

export function toCheckpointResponse(checkpoint: Checkpoint) {
  return {
    treeSize: checkpoint.treeSize,
    rootHash: base64(checkpoint.rootHash),
    timestamp: checkpoint.timestamp,
    keyId: checkpoint.keyId,
    signature: base64(checkpoint.signature),
  };
}

export function toTreeResponse(tree: SealedTree) {
  return { treeSize: tree.treeSize, rootHash: base64(tree.rootHash), checkpoint: tree.checkpoint && toCheckpointResponse(tree.checkpoint) };
}

export function toProofResponse(hashes: Buffer[]): string[] {
  return hashes.map(base64);
}
