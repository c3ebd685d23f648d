import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import { EVENT_STORE, type EventStore, type EventToAppend } from '../src/event-store/event-store.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// What an auditor outside the newsroom can check with nothing but the public key and the
// HTTP API. The verifier below is written from RFC 9162 §2.1 and RFC 8785, not taken from
// src/audit: the service's proofs must convince code that shares nothing with it.

// ---- the outside auditor's verifier ----

const sha256 = (...parts: Buffer[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();
const hashChildren = (left: Buffer, right: Buffer) => sha256(Buffer.from([0x01]), left, right);

/** RFC 8785, for values parsed from JSON: keys sorted by UTF-16 code units, ECMAScript numbers and strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

interface LedgerEvent {
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** docs/audit.md: SHA-256(0x00 || UTF-8 of the canonical JSON of these six members). */
function leafHashOf({ eventId, streamId, revision, type, data, metadata }: LedgerEvent): Buffer {
  return sha256(Buffer.from([0x00]), Buffer.from(canonical({ eventId, streamId, revision, type, data, metadata }), 'utf8'));
}

/** RFC 9162 §2.1.1 MTH, over leaf hashes. */
function treeHash(leafHashes: Buffer[]): Buffer {
  if (leafHashes.length === 0) return sha256();
  if (leafHashes.length === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return hashChildren(treeHash(leafHashes.slice(0, k)), treeHash(leafHashes.slice(k)));
}

/** RFC 9162 §2.1.3.2: verifying an inclusion proof. */
function verifyInclusion(leafIndex: number, treeSize: number, leafHash: Buffer, path: Buffer[], rootHash: Buffer): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(rootHash);
}

/** RFC 9162 §2.1.4.2: verifying consistency between two tree heads. */
function verifyConsistency(first: number, second: number, firstHash: Buffer, secondHash: Buffer, path: Buffer[]): boolean {
  if (first === second) return path.length === 0 && firstHash.equals(secondHash);
  if (path.length === 0) return false;
  const proof = (first & (first - 1)) === 0 ? [firstHash, ...path] : path;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = proof[0];
  let sr = proof[0];
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

interface CheckpointBody {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  signature: string;
}

/** docs/audit.md: Ed25519 over "incident-ledger/audit/v1\n<size>\n<root, base64>\n<timestamp>\n". */
function verifyCheckpoint({ treeSize, rootHash, timestamp, signature }: CheckpointBody, publicKeyPem: string): boolean {
  const message = `incident-ledger/audit/v1\n${treeSize}\n${rootHash}\n${timestamp}\n`;
  return verify(null, Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
}

const fromBase64 = (hashes: string[]) => hashes.map((hash) => Buffer.from(hash, 'base64'));

// ---- the ledger under test ----

let api: TestApp;
let publicKeyPem: string;

beforeAll(async () => {
  api = await startTestApp({ AUDIT_CHECKPOINT_EVERY_EVENTS: '100' });
  const publicKey = await api.http('none', 'GET', '/audit/public-key');
  expect(publicKey.status).toBe(200);
  publicKeyPem = publicKey.body.pem;
  // The raw key and the PEM are one key.
  expect(createPublicKey(publicKeyPem).export({ format: 'jwk' }).x).toBe(Buffer.from(publicKey.body.raw, 'base64').toString('base64url'));
});

afterAll(async () => {
  await api.close();
});

/** Appends `count` events in appends of up to five, with data that exercises the canonical form. */
async function appendEvents(count: number): Promise<void> {
  const store = api.app.get<EventStore>(EVENT_STORE);
  for (let done = 0; done < count; ) {
    const batch: EventToAppend[] = Array.from({ length: Math.min(5, count - done) }, (_, i) => ({
      id: randomUUID(),
      type: 'AuditProbe',
      data: { n: done + i, ratio: (done + i) / 7, big: 1e21, text: `café ☕ "quoted" \u0007 ${done + i}`, '10': 'ten', '9': 'nine', nested: { b: [true, null, -0.5], a: {} } },
      metadata: { recordedBy: 'audit-test', recordedAt: new Date().toISOString(), schemaVersion: 1 },
    }));
    await store.appendToStream(`probe-${randomUUID()}`, batch, { expectedRevision: 'no_stream' });
    done += batch.length;
  }
}

async function ledger(): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for (let after = ''; ; ) {
    const page = await api.http('auditor', 'GET', `/ledger?limit=1000${after && `&after=${after}`}`);
    events.push(...page.body.events);
    if (!page.body.next) return events;
    after = encodeURIComponent(page.body.next);
  }
}

it('proves inclusion and consistency, as RFC 9162 verifies them, for every tree size from 1 to 300', async () => {
  await appendEvents(300);
  await api.sealed();
  const events = await ledger();
  expect(events).toHaveLength(300);
  const leaves = events.map(leafHashOf);

  for (let size = 1; size <= 300; size++) {
    const root = treeHash(leaves.slice(0, size));
    const inclusions = [...new Set([0, Math.floor(size / 3), Math.floor(size / 2), size - 1])].map(async (leafIndex) => {
      const proof = await api.http('auditor', 'GET', `/audit/proofs/inclusion?position=${encodeURIComponent(events[leafIndex].position)}&treeSize=${size}`);
      expect(proof.status).toBe(200);
      expect(proof.body).toMatchObject({ leafIndex, eventId: events[leafIndex].eventId, leafHash: leaves[leafIndex].toString('base64'), tree: { treeSize: size, rootHash: root.toString('base64') } });
      expect(verifyInclusion(leafIndex, size, leaves[leafIndex], fromBase64(proof.body.auditPath), root)).toBe(true);
      // The same path does not prove another leaf.
      if (size > 1) expect(verifyInclusion(leafIndex, size, leaves[(leafIndex + 1) % size], fromBase64(proof.body.auditPath), root)).toBe(false);
    });
    const consistencies = [...new Set([1, Math.max(1, Math.floor(size / 3)), Math.max(1, size - 1), size])].map(async (from) => {
      const proof = await api.http('auditor', 'GET', `/audit/proofs/consistency?from=${from}&to=${size}`);
      expect(proof.status).toBe(200);
      const fromRoot = treeHash(leaves.slice(0, from));
      expect(proof.body.from.rootHash).toBe(fromRoot.toString('base64'));
      expect(verifyConsistency(from, size, fromRoot, root, fromBase64(proof.body.proof))).toBe(true);
    });
    await Promise.all([...inclusions, ...consistencies]);
  }
}, 120_000);

it('signs a checkpoint every 100 events, and a checkpoint kept from before 1,000 more events is proven consistent with the later tree', async () => {
  const before = await api.http('auditor', 'GET', '/audit/checkpoints');
  expect(before.status).toBe(200);
  const kept: CheckpointBody = before.body.latest;
  expect(kept.treeSize).toBe(300);
  expect(verifyCheckpoint(kept, publicKeyPem)).toBe(true);

  await appendEvents(1000);
  await api.sealed();
  const after = await api.http('auditor', 'GET', '/audit/checkpoints?limit=5');
  expect(after.body.checkpoints.map(({ treeSize }: CheckpointBody) => treeSize)).toEqual([1300, 1200, 1100, 1000, 900]);
  const latest: CheckpointBody = after.body.latest;
  expect(verifyCheckpoint(latest, publicKeyPem)).toBe(true);

  const proof = await api.http('auditor', 'GET', `/audit/proofs/consistency?from=${kept.treeSize}`);
  expect(proof.status).toBe(200);
  expect(proof.body.to.treeSize).toBe(1300);
  expect(proof.body.to.checkpoint).toEqual(latest);
  expect(verifyConsistency(kept.treeSize, latest.treeSize, Buffer.from(kept.rootHash, 'base64'), Buffer.from(latest.rootHash, 'base64'), fromBase64(proof.body.proof))).toBe(true);
  // The signed root is the root of the ledger as it stands.
  expect(treeHash((await ledger()).map(leafHashOf)).toString('base64')).toBe(latest.rootHash);

  // A tampered checkpoint does not verify, and neither does a proof against a root never signed.
  expect(verifyCheckpoint({ ...kept, treeSize: kept.treeSize + 1 }, publicKeyPem)).toBe(false);
  expect(verifyConsistency(kept.treeSize, latest.treeSize, sha256(Buffer.from('forged')), Buffer.from(latest.rootHash, 'base64'), fromBase64(proof.body.proof))).toBe(false);
}, 60_000);

it('pages through the checkpoints, newest first', async () => {
  const seen: number[] = [];
  for (let before = ''; ; ) {
    const page = await api.http('auditor', 'GET', `/audit/checkpoints?limit=4${before && `&before=${before}`}`);
    expect(page.status).toBe(200);
    for (const checkpoint of page.body.checkpoints) {
      expect(verifyCheckpoint(checkpoint, publicKeyPem)).toBe(true);
      seen.push(checkpoint.treeSize);
    }
    if (page.body.next === null) break;
    before = String(page.body.next);
  }
  expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => 1300 - i * 100));
});

it('proves inclusion against the latest checkpoint by default', async () => {
  const [, second] = await ledger();
  const proof = await api.http('auditor', 'GET', `/audit/proofs/inclusion?position=${encodeURIComponent(second.position)}`);
  expect(proof.status).toBe(200);
  expect(proof.body.tree.checkpoint.treeSize).toBe(1300);
  expect(verifyCheckpoint(proof.body.tree.checkpoint, publicKeyPem)).toBe(true);
  expect(verifyInclusion(1, 1300, leafHashOf(second), fromBase64(proof.body.auditPath), Buffer.from(proof.body.tree.checkpoint.rootHash, 'base64'))).toBe(true);
});

it('answers what it cannot prove with a problem naming the parameter', async () => {
  const events = await ledger();
  const position = encodeURIComponent(events[5].position);
  const cases: [string, number, string][] = [
    ['/audit/proofs/inclusion?position=0%3A1', 404, 'leaf_not_found'],
    [`/audit/proofs/inclusion?position=${position}&treeSize=99999`, 422, 'tree_not_sealed'],
    [`/audit/proofs/inclusion?position=${position}&treeSize=5`, 422, 'leaf_not_in_tree'],
    ['/audit/proofs/consistency?from=5&to=4', 400, 'validation_failed'],
    ['/audit/proofs/consistency?from=0&to=4', 400, 'validation_failed'],
    ['/audit/proofs/consistency?from=1400', 422, 'tree_order'],
  ];
  for (const [path, status, code] of cases) {
    const answer = await api.http('auditor', 'GET', path);
    expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status, code });
  }
});

it('lets auditors and admins read the log, and nobody else but for the public key', async () => {
  expect((await api.http('none', 'GET', '/audit/checkpoints')).status).toBe(401);
  expect((await api.http('reader', 'GET', '/audit/checkpoints')).status).toBe(403);
  expect((await api.http('editor', 'GET', '/audit/verify')).status).toBe(403);
  expect((await api.http('admin', 'GET', '/audit/checkpoints')).status).toBe(200);
});

it('documents its routes and their parameters in the OpenAPI document', async () => {
  const { body } = await api.http('none', 'GET', '/openapi.json');
  const parameters = (path: string) => body.paths[path].get.parameters.map(({ name, required }: { name: string; required: boolean }) => ({ name, required }));
  expect(parameters('/audit/proofs/inclusion')).toEqual([{ name: 'position', required: true }, { name: 'treeSize', required: false }]);
  expect(parameters('/audit/proofs/consistency')).toEqual([{ name: 'from', required: true }, { name: 'to', required: false }]);
  expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/audit/public-key', '/audit/checkpoints', '/audit/verify', '/audit/replay-check']));
});
