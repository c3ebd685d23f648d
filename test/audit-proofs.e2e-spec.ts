import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { b64, checkpointIsSigned, checkToday, consistencyHolds, eventIsSigned, inclusionHolds, type LedgerEvent, leafHash, type SignedCheckpoint } from '../docs/verify-proof.mjs';
import { EVENT_STORE, type EventStore, type EventToAppend } from '../src/event-store/event-store.js';
import { KEYS, ledgerOf, startTestApp, type TestApp } from './support/test-app.js';

// What an auditor outside the newsroom can check with nothing but the public key and the
// HTTP API. The verifier is docs/verify-proof.mjs, the code docs/audit.md shows, written
// from RFC 9162 §2.1 and RFC 8785, not taken from src/audit: the service's proofs must
// convince code that shares nothing with it. The roots it is checked against are the
// test's own, from the definition below.

const sha256 = (...parts: Buffer[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();
const hashChildren = (left: Buffer, right: Buffer) => sha256(Buffer.from([0x01]), left, right);

/** RFC 9162 §2.1.1 MTH, over leaf hashes. */
function treeHash(leafHashes: Buffer[]): Buffer {
  if (leafHashes.length === 0) return sha256();
  if (leafHashes.length === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return hashChildren(treeHash(leafHashes.slice(0, k)), treeHash(leafHashes.slice(k)));
}

const fromBase64 = (hashes: string[]) => hashes.map(b64);

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

it('proves inclusion and consistency, as RFC 9162 verifies them, for every tree size from 1 to 300', async () => {
  await appendEvents(300);
  await api.sealed();
  const events = await ledgerOf(api);
  expect(events).toHaveLength(300);
  // Appended through the service's store, every event carries its signature.
  expect(events.filter((event) => !eventIsSigned(event, publicKeyPem))).toEqual([]);
  const leaves = events.map(leafHash);

  for (let size = 1; size <= 300; size++) {
    const root = treeHash(leaves.slice(0, size));
    const inclusions = [...new Set([0, Math.floor(size / 3), Math.floor(size / 2), size - 1])].map(async (leafIndex) => {
      const proof = await api.http('auditor', 'GET', `/audit/proofs/inclusion?position=${encodeURIComponent(events[leafIndex].position)}&treeSize=${size}`);
      expect(proof.status).toBe(200);
      expect(proof.body).toMatchObject({ leafIndex, eventId: events[leafIndex].eventId, leafHash: leaves[leafIndex].toString('base64'), tree: { treeSize: size, rootHash: root.toString('base64') } });
      expect(inclusionHolds(leafIndex, size, leaves[leafIndex], fromBase64(proof.body.auditPath), root)).toBe(true);
      // The same path does not prove another leaf.
      if (size > 1) expect(inclusionHolds(leafIndex, size, leaves[(leafIndex + 1) % size], fromBase64(proof.body.auditPath), root)).toBe(false);
    });
    const consistencies = [...new Set([1, Math.max(1, Math.floor(size / 3)), Math.max(1, size - 1), size])].map(async (from) => {
      const proof = await api.http('auditor', 'GET', `/audit/proofs/consistency?from=${from}&to=${size}`);
      expect(proof.status).toBe(200);
      const fromRoot = treeHash(leaves.slice(0, from));
      expect(proof.body.from.rootHash).toBe(fromRoot.toString('base64'));
      expect(consistencyHolds(from, size, fromRoot, root, fromBase64(proof.body.proof))).toBe(true);
    });
    await Promise.all([...inclusions, ...consistencies]);
  }
}, 120_000);

it('signs a checkpoint every 100 events, and a checkpoint kept from before 1,000 more events is proven consistent with the later tree', async () => {
  const before = await api.http('auditor', 'GET', '/audit/checkpoints');
  expect(before.status).toBe(200);
  const kept: SignedCheckpoint = before.body.latest;
  expect(kept.treeSize).toBe(300);
  expect(checkpointIsSigned(kept, publicKeyPem)).toBe(true);

  await appendEvents(1000);
  await api.sealed();
  const after = await api.http('auditor', 'GET', '/audit/checkpoints?limit=5');
  expect(after.body.checkpoints.map(({ treeSize }: SignedCheckpoint) => treeSize)).toEqual([1300, 1200, 1100, 1000, 900]);
  const latest: SignedCheckpoint = after.body.latest;
  expect(checkpointIsSigned(latest, publicKeyPem)).toBe(true);

  const proof = await api.http('auditor', 'GET', `/audit/proofs/consistency?from=${kept.treeSize}`);
  expect(proof.status).toBe(200);
  expect(proof.body.to.treeSize).toBe(1300);
  expect(proof.body.to.checkpoint).toEqual(latest);
  expect(consistencyHolds(kept.treeSize, latest.treeSize, b64(kept.rootHash), b64(latest.rootHash), fromBase64(proof.body.proof))).toBe(true);
  // The signed root is the root of the ledger as it stands.
  expect(treeHash((await ledgerOf(api)).map(leafHash)).toString('base64')).toBe(latest.rootHash);

  // A tampered checkpoint does not verify, and neither does a proof against a root never signed.
  expect(checkpointIsSigned({ ...kept, treeSize: kept.treeSize + 1 }, publicKeyPem)).toBe(false);
  expect(consistencyHolds(kept.treeSize, latest.treeSize, sha256(Buffer.from('forged')), b64(latest.rootHash), fromBase64(proof.body.proof))).toBe(false);
}, 60_000);

it('passes the doc’s whole check: today’s checkpoint is signed, extends one kept from before, and holds an event as it reads', async () => {
  const { body: history } = await api.http('auditor', 'GET', '/audit/checkpoints?before=301&limit=1');
  const [kept]: SignedCheckpoint[] = history.checkpoints;
  const event = (await ledgerOf(api))[7];
  const check = (event: LedgerEvent) => checkToday({ baseUrl: api.baseUrl, apiKey: KEYS.auditor, pem: publicKeyPem, kept, event });

  expect(await check(event)).toMatchObject({ now: { treeSize: 1300 }, signed: true, extendsKept: true, eventSigned: true, includesEvent: true });
  expect(await check({ ...event, data: { ...(event.data as object), n: 8 } })).toMatchObject({ signed: true, extendsKept: true, eventSigned: false, includesEvent: false });
  expect(await check({ ...event, streamId: `probe-${randomUUID()}` })).toMatchObject({ eventSigned: false });
  await expect(checkToday({ baseUrl: api.baseUrl, apiKey: KEYS.reader, pem: publicKeyPem, kept, event })).rejects.toThrow('403');
});

it('shows, in docs/audit.md, docs/verify-proof.mjs as it is', async () => {
  const [doc, code] = await Promise.all([readFile('docs/audit.md', 'utf8'), readFile('docs/verify-proof.mjs', 'utf8')]);
  expect(doc).toContain(`\`\`\`js\n${code}\`\`\``);
});

it('pages through the checkpoints, newest first', async () => {
  const seen: number[] = [];
  for (let before = ''; ; ) {
    const page = await api.http('auditor', 'GET', `/audit/checkpoints?limit=4${before && `&before=${before}`}`);
    expect(page.status).toBe(200);
    for (const checkpoint of page.body.checkpoints) {
      expect(checkpointIsSigned(checkpoint, publicKeyPem)).toBe(true);
      seen.push(checkpoint.treeSize);
    }
    if (page.body.next === null) break;
    before = String(page.body.next);
  }
  expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => 1300 - i * 100));
});

it('proves inclusion against the latest checkpoint by default', async () => {
  const [, second] = await ledgerOf(api);
  const proof = await api.http('auditor', 'GET', `/audit/proofs/inclusion?position=${encodeURIComponent(second.position)}`);
  expect(proof.status).toBe(200);
  expect(proof.body.tree.checkpoint.treeSize).toBe(1300);
  expect(checkpointIsSigned(proof.body.tree.checkpoint, publicKeyPem)).toBe(true);
  expect(inclusionHolds(1, 1300, leafHash(second), fromBase64(proof.body.auditPath), b64(proof.body.tree.checkpoint.rootHash))).toBe(true);
});

it('answers what it cannot prove with a problem naming the parameter', async () => {
  const events = await ledgerOf(api);
  const position = encodeURIComponent(events[5].position);
  // A position the store could have handed out, far past the ledger's end, in its spelling.
  const unused = encodeURIComponent(events[5].position.replace(/\d+$/, '999999999999'));
  const cases: [string, number, string][] = [
    [`/audit/proofs/inclusion?position=${unused}`, 404, 'leaf_not_found'],
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

it.each([
  ['/audit/proofs/inclusion?position=garbage', 'query.position'],
  ['/audit/proofs/inclusion?position=', 'query.position'],
  ['/audit/proofs/inclusion?position=1%3A2%3A3', 'query.position'],
  ['/audit/proofs/inclusion?position=01%3A2', 'query.position'],
  ['/audit/proofs/inclusion?position=-1%3A2', 'query.position'],
  ['/audit/proofs/inclusion?position=99999999999999999999%3A1', 'query.position'],
  ['/audit/proofs/inclusion?position=1%3A1&treeSize=', 'query.treeSize'],
  ['/audit/proofs/inclusion?position=1%3A1&treeSize=0x10', 'query.treeSize'],
  ['/audit/proofs/consistency?from=1e2', 'query.from'],
  ['/audit/proofs/consistency?from=1&to=', 'query.to'],
  ['/audit/checkpoints?before=abc', 'query.before'],
  ['/audit/checkpoints?limit=', 'query.limit'],
])('refuses %s, not a position or whole number, with a 400 naming %s', async (path, field) => {
  const answer = await api.http('auditor', 'GET', path);
  expect({ status: answer.status, type: answer.headers.get('content-type') }).toEqual({ status: 400, type: expect.stringContaining('application/problem+json') });
  expect(answer.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
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
