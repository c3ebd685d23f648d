import { createHash } from 'node:crypto';

// The Merkle tree of RFC 9162 (Certificate Transparency 2.0) §2.1, as pure functions.
//
// The RFC defines the tree hash MTH, audit paths and consistency proofs recursively over
// ranges of leaves, splitting a range of n leaves at k, the largest power of two below n.
// Every range that recursion visits is a run of *perfect* subtrees (2^level leaves starting
// at a multiple of 2^level), largest first; a perfect subtree's hash never changes once its
// last leaf exists. So the log stores those hashes as they complete, and any root, path or
// proof is a few lookups and hashes, not a pass over every leaf.

/** The 2^level leaves from index × 2^level on. Level 0 is one leaf. */
export interface Subtree {
  level: number;
  index: number;
}

export interface HashedSubtree extends Subtree {
  hash: Buffer;
}

/** Leaves start (inclusive) to end (exclusive): the RFC's D[start:end]. */
export interface LeafRange {
  start: number;
  end: number;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}): the hash of the empty tree. */
export const EMPTY_TREE_HASH = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * The perfect subtrees that make up D[start:end] in the RFC's recursion, left to right.
 * `start` must be a multiple of the first one's size, as it is for every range the RFC's
 * definitions visit.
 */
export function subtreesOf({ start, end }: LeafRange): Subtree[] {
  const subtrees: Subtree[] = [];
  while (start < end) {
    let level = 0;
    while (2 ** (level + 1) <= end - start) level++;
    if (start % 2 ** level !== 0) throw new RangeError(`Leaves ${start}..${end} do not start on a subtree boundary`);
    subtrees.push({ level, index: start / 2 ** level });
    start += 2 ** level;
  }
  return subtrees;
}

/** MTH of a range from the hashes of its subtreesOf(), in that order. */
export function foldSubtrees(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_TREE_HASH;
  return hashes.reduceRight((right, left) => nodeHash(left, right));
}

/** The hash of each range, from a lookup that knows every subtree in subtreesOf(range). */
export function rangeHashes(ranges: readonly LeafRange[], hashOf: (subtree: Subtree) => Buffer): Buffer[] {
  return ranges.map((range) => foldSubtrees(subtreesOf(range).map(hashOf)));
}

/** Where the RFC splits n > 1 leaves: the largest power of two smaller than n. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * RFC 9162 §2.1.3.1 PATH(m, D[0:n]): the ranges whose hashes make leaf m's audit path in
 * the tree of n leaves, from the leaf's sibling up to the root's other child.
 */
export function inclusionPath(m: number, n: number): LeafRange[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n)) throw new RangeError(`No leaf ${m} in a tree of ${n}`);
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = n;
  while (end - start > 1) {
    const k = split(end - start);
    if (m < start + k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[0:n]): the ranges whose hashes prove that the tree of n
 * leaves extends the tree of its first m, in the RFC's order.
 */
export function consistencyProof(m: number, n: number): LeafRange[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 1 && m <= n)) throw new RangeError(`No consistency proof from ${m} to ${n} leaves`);
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = n;
  // SUBPROOF's flag: true while the current range starts where the old tree does, whose
  // root the verifier already holds.
  let fromOldRoot = true;
  while (m !== end) {
    const k = split(end - start);
    if (m - start <= k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
      fromOldRoot = false;
    }
  }
  if (!fromOldRoot) topDown.push({ start, end });
  return topDown.reverse();
}

/**
 * Appends leaves to a tree held as its frontier (the hashed subtreesOf({0, size})): returns
 * the perfect subtrees above the leaves that the new leaves complete, and the new frontier,
 * whose folded hashes are the new root.
 */
export function appendLeaves(frontier: readonly HashedSubtree[], leafHashes: readonly Buffer[]): { completed: HashedSubtree[]; frontier: HashedSubtree[] } {
  const next = [...frontier];
  const completed: HashedSubtree[] = [];
  let size = frontier.reduce((leaves, subtree) => leaves + 2 ** subtree.level, 0);
  for (const hash of leafHashes) {
    let node: HashedSubtree = { level: 0, index: size++, hash };
    while (next.length > 0 && next[next.length - 1].level === node.level) {
      const left = next.pop()!;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      completed.push(node);
    }
    next.push(node);
  }
  return { completed, frontier: next };
}
