import { createHash } from 'node:crypto';
import { appendLeaves, consistencyProof, EMPTY_TREE_HASH, foldSubtrees, type HashedSubtree, inclusionPath, leafHash, rangeHashes, type Subtree, subtreesOf } from './merkle.js';

// RFC 9162 §2.1's definitions written out literally (recursion over arrays of leaves), and
// the Certificate Transparency test vectors: the log's range-based functions must agree.

const sha256 = (...parts: Uint8Array[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return sha256(Buffer.from([0]), leaves[0]);
  const k = split(leaves.length);
  return sha256(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function subproof(m: number, leaves: Buffer[], complete: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [mth(leaves)];
  const k = split(n);
  return m <= k ? [...subproof(m, leaves.slice(0, k), complete), mth(leaves.slice(k))] : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

const data = (count: number) => Array.from({ length: count }, (_, i) => Buffer.from(`leaf ${i}`));

/** Every perfect subtree's hash for these leaves, as the log stores them. */
function storedTree(leaves: Buffer[]): (subtree: Subtree) => Buffer {
  const { frontier, completed } = appendLeaves([], leaves.map(leafHash));
  const known = new Map<string, Buffer>();
  for (const { level, index, hash } of [...completed, ...frontier]) known.set(`${level}/${index}`, hash);
  leaves.forEach((leaf, index) => known.set(`0/${index}`, leafHash(leaf)));
  return ({ level, index }) => {
    const hash = known.get(`${level}/${index}`);
    if (!hash) throw new Error(`no subtree ${level}/${index}`);
    return hash;
  };
}

const hex = (hashes: Buffer[]) => hashes.map((hash) => hash.toString('hex'));

describe('the Certificate Transparency test vectors', () => {
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  const lookup = storedTree(leaves);

  it('gives the published root for every size from 0 to 8', () => {
    expect(EMPTY_TREE_HASH.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    let frontier: HashedSubtree[] = [];
    for (const [size, leaf] of leaves.entries()) {
      frontier = appendLeaves(frontier, [leafHash(leaf)]).frontier;
      expect(foldSubtrees(frontier.map(({ hash }) => hash)).toString('hex')).toBe(roots[size]);
    }
  });

  it.each([
    [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
    [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
    [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
    [0, 1, []],
  ])('gives the published audit path of leaf %i in the tree of %i', (m, n, expected) => {
    expect(hex(rangeHashes(inclusionPath(m, n), lookup))).toEqual(expected);
  });

  it.each([
    [1, 1, []],
    [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
    [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
    [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  ])('gives the published consistency proof from %i to %i leaves', (m, n, expected) => {
    expect(hex(rangeHashes(consistencyProof(m, n), lookup))).toEqual(expected);
  });
});

describe('against the RFC’s recursive definitions, for every tree of up to 70 leaves', () => {
  const leaves = data(70);
  const lookup = storedTree(leaves);
  const sizes = Array.from({ length: 70 }, (_, i) => i + 1);

  it.each(sizes)('MTH and every audit path and consistency proof of the tree of %i', (n) => {
    const tree = leaves.slice(0, n);
    expect(rangeHashes([{ start: 0, end: n }], lookup)[0]).toEqual(mth(tree));
    for (let m = 0; m < n; m++) expect(hex(rangeHashes(inclusionPath(m, n), lookup))).toEqual(hex(path(m, tree)));
    for (let m = 1; m <= n; m++) expect(hex(rangeHashes(consistencyProof(m, n), lookup))).toEqual(hex(subproof(m, tree, true)));
  });

  it('completes each perfect subtree exactly once, with the hash of its leaves, however the leaves arrive', () => {
    let frontier: HashedSubtree[] = [];
    const completed: HashedSubtree[] = [];
    for (const batch of [[0, 1], [1, 6], [6, 7], [7, 33], [33, 70]]) {
      const appended = appendLeaves(frontier, leaves.slice(batch[0], batch[1]).map(leafHash));
      frontier = appended.frontier;
      completed.push(...appended.completed);
    }
    expect(completed).toHaveLength(70 - 3); // one node per merge: n leaves in, popcount(n) subtrees left (70 = 1000110b)
    for (const { level, index, hash } of completed) expect(hash).toEqual(mth(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)));
    expect(frontier.map(({ level, index }) => ({ level, index }))).toEqual(subtreesOf({ start: 0, end: 70 }));
  });
});

describe('refusals', () => {
  it('has no audit path for a leaf outside the tree, and no consistency proof from an empty or larger tree', () => {
    expect(() => inclusionPath(3, 3)).toThrow(RangeError);
    expect(() => consistencyProof(0, 3)).toThrow(RangeError);
    expect(() => consistencyProof(4, 3)).toThrow(RangeError);
  });

  it('refuses a range that does not start on a subtree boundary', () => {
    expect(() => subtreesOf({ start: 1, end: 3 })).toThrow(RangeError);
  });
});
