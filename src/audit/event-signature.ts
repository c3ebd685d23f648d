import { canonicalJson } from '../common/canonical-json.js';
import type { EventToAppend } from '../event-store/event-store.js';
import type { AuditPublicKey, AuditSigningKey } from './audit-signing-key.js';

// Every event the service appends is signed with the audit log's key, so that a row written
// behind the service's back is told from its own, sealed or not (docs/audit.md). Like
// audit-format.ts, this is a format an outside auditor rebuilds byte for byte: change
// nothing here without a new prefix.

/** Separates an event's signature from a checkpoint's, made with the same key. */
export const EVENT_SIGNATURE_PREFIX = 'incident-ledger event v1\n';

/** `metadata.signature` of a signed event: the signing key's id and the Ed25519 signature in base64. */
export interface EventSignature {
  keyId: string;
  value: string;
}

/** An event as the store records it: what an event's signature covers, and where it sits. */
export type SignableEvent = Pick<EventToAppend, 'id' | 'type' | 'data' | 'metadata'> & { streamId: string };

/**
 * The bytes an event's signature covers: the prefix, then the RFC 8785 canonical JSON of
 * its id (lower-case, as either store may spell it otherwise), stream, type, data and its
 * metadata without the signature. Not its revision or position, which the append decides:
 * the event's place is the audit log's to prove, once sealed.
 */
export function eventSignatureMessage({ id, streamId, type, data, metadata }: SignableEvent): Buffer {
  const { signature: _, ...unsigned } = metadata;
  return Buffer.from(EVENT_SIGNATURE_PREFIX + canonicalJson({ id: id.toLowerCase(), streamId, type, data, metadata: unsigned }), 'utf8');
}

/**
 * The event to append, with its signature in its metadata. Its data and metadata are taken
 * as JSON gives them back (a Date becomes its ISO string, an undefined member goes): the
 * signature must hold for the event as the store returns it, or the sealer would refuse
 * the service's own event.
 */
export async function signEvent(key: AuditSigningKey, streamId: string, event: EventToAppend): Promise<EventToAppend> {
  const { data, metadata } = JSON.parse(JSON.stringify({ data: event.data, metadata: event.metadata })) as Pick<EventToAppend, 'data' | 'metadata'>;
  const recorded = { ...event, data, metadata };
  const signature: EventSignature = { keyId: key.keyId, value: (await key.sign(eventSignatureMessage({ ...recorded, streamId }))).toString('base64') };
  return { ...recorded, metadata: { ...metadata, signature } };
}

/** Why `event` is not one the holder of `key` recorded; undefined when its signature holds. */
export async function eventSignatureProblem(key: AuditPublicKey, event: SignableEvent): Promise<string | undefined> {
  const signature = event.metadata.signature as Partial<EventSignature> | undefined;
  if (typeof signature?.value !== 'string') return 'it carries no signature';
  if (signature.keyId !== key.keyId) return `it is signed with key ${String(signature.keyId)}, not with key ${key.keyId}`;
  return (await key.verify(eventSignatureMessage(event), Buffer.from(signature.value, 'base64'))) ? undefined : 'its signature does not match its id, stream, type, data or metadata';
}
