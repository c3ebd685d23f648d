// An outside auditor's check of the Incident Ledger's audit log (docs/audit.md): Node 20 or
// later and nothing but node:crypto. test/audit-proofs.e2e-spec.ts runs it against the service.
import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify } from 'node:crypto';
/* global fetch -- Node's own, since Node 18 */

const sha256 = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const node = (left, right) => sha256(Buffer.from([1]), left, right);
export const b64 = (text) => Buffer.from(text, 'base64');

// RFC 8785, for values parsed from JSON.
const canonical = (v) =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
  : v !== null && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
  : JSON.stringify(v);

// An event from GET /ledger → its leaf hash.
export const leafHash = ({ eventId, streamId, revision, type, data, metadata }) =>
  sha256(Buffer.from([0]), Buffer.from(canonical({ eventId, streamId, revision, type, data, metadata })));

// An event from GET /ledger, with the PEM you kept: did the service record it? Its signature
// covers its id (lower-case), stream, type, data and metadata but for the signature.
export function eventIsSigned({ eventId, streamId, type, data, metadata }, pem) {
  const { signature, ...signed } = metadata;
  const message = `incident-ledger event v1\n${canonical({ id: eventId.toLowerCase(), streamId, type, data, metadata: signed })}`;
  return typeof signature?.value === 'string' && verify(null, Buffer.from(message), createPublicKey(pem), b64(signature.value));
}

// A checkpoint from GET /audit/checkpoints, with the PEM you kept.
export const checkpointIsSigned = ({ treeSize, rootHash, timestamp, signature }, pem) =>
  verify(null, Buffer.from(`incident-ledger/audit/v1\n${treeSize}\n${rootHash}\n${timestamp}\n`), createPublicKey(pem), b64(signature));

// RFC 9162 §2.1.3.2.
export function inclusionHolds(leafIndex, treeSize, leaf, path, root) {
  if (leafIndex >= treeSize) return false;
  let [fn, sn, r] = [leafIndex, treeSize - 1, leaf];
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else r = node(r, p);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return sn === 0 && r.equals(root);
}

// RFC 9162 §2.1.4.2.
export function consistencyHolds(first, second, firstRoot, secondRoot, path) {
  if (first === second) return path.length === 0 && firstRoot.equals(secondRoot);
  if (path.length === 0) return false;
  if ((first & (first - 1)) === 0) path = [firstRoot, ...path];
  let [fn, sn] = [first - 1, second - 1];
  while (fn % 2 === 1) [fn, sn] = [fn >> 1, sn >> 1];
  let [fr, sr] = [path[0], path[0]];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      [fr, sr] = [node(c, fr), node(c, sr)];
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else sr = node(sr, c);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

// With an auditor's API key, the public key's PEM and `kept`, a checkpoint you kept: is
// today's checkpoint signed, does its tree extend yours (nothing edited, dropped or
// reordered), and is `event` (as GET /ledger gave it to you) one the service recorded, and
// in it, as it reads?
export async function checkToday({ baseUrl, apiKey, pem, kept, event }) {
  const get = async (path) => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const { latest: now } = await get('/audit/checkpoints?limit=1');
  const c = await get(`/audit/proofs/consistency?from=${kept.treeSize}&to=${now.treeSize}`);
  const i = await get(`/audit/proofs/inclusion?position=${encodeURIComponent(event.position)}&treeSize=${now.treeSize}`);
  return {
    now,
    signed: checkpointIsSigned(kept, pem) && checkpointIsSigned(now, pem),
    extendsKept: consistencyHolds(kept.treeSize, now.treeSize, b64(kept.rootHash), b64(now.rootHash), c.proof.map(b64)),
    eventSigned: eventIsSigned(event, pem),
    includesEvent: inclusionHolds(i.leafIndex, now.treeSize, leafHash(event), i.auditPath.map(b64), b64(now.rootHash)),
  };
}
