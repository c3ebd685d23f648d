import { createHash } from 'node:crypto';
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
export async function signEvent(key: AuditSigningKey, streamId: string, event: EventToAppend, signedHere?: SignedHere): Promise<EventToAppend> {
  const { data, metadata } = JSON.parse(JSON.stringify({ data: event.data, metadata: event.metadata })) as Pick<EventToAppend, 'data' | 'metadata'>;
  const recorded = { ...event, data, metadata };
  const message = eventSignatureMessage({ ...recorded, streamId });
  const signature: EventSignature = { keyId: key.keyId, value: (await key.sign(message)).toString('base64') };
  signedHere?.remember(event.id, message, signature.value);
  return { ...recorded, metadata: { ...metadata, signature } };
}

/**
 * Why `event` is not one the holder of `key` recorded; undefined when its signature holds.
 * An event `signedHere` vouches for, byte for byte, needs no check of its signature: this
 * process made it over these very bytes.
 */
export async function eventSignatureProblem(key: AuditPublicKey, event: SignableEvent, signedHere?: SignedHere): Promise<string | undefined> {
  const signature = event.metadata.signature as Partial<EventSignature> | undefined;
  if (typeof signature?.value !== 'string') return 'it carries no signature';
  if (signature.keyId !== key.keyId) return `it is signed with key ${String(signature.keyId)}, not with key ${key.keyId}`;
  const message = eventSignatureMessage(event);
  if (signedHere?.made(event.id, message, signature.value)) return undefined;
  return (await key.verify(message, Buffer.from(signature.value, 'base64'))) ? undefined : 'its signature does not match its id, stream, type, data or metadata';
}

/** Enough for the events appended while the sealer catches up, at a few hundred bytes each. */
const SIGNED_HERE = 20_000;

/**
 * The events this process signed lately: the digest of each one's message and its
 * signature. The sealer checks every event's signature before sealing it (about 0.1 ms of
 * CPU each, as much as the rest of an append); for an event that this process signed, that
 * the stored bytes are the bytes it signed (a digest of a few microseconds) proves as much.
 */
export class SignedHere {
  private readonly signed = new Map<string, { digest: string; signature: string }>();

  remember(eventId: string, message: Buffer, signature: string): void {
    this.signed.set(eventId.toLowerCase(), { digest: digestOf(message), signature });
    // Maps iterate in insertion order: the first key is the oldest.
    if (this.signed.size > SIGNED_HERE) this.signed.delete(this.signed.keys().next().value!);
  }

  /** Whether this process signed exactly `message` for this event, with this signature. */
  made(eventId: string, message: Buffer, signature: string): boolean {
    const known = this.signed.get(eventId.toLowerCase());
    return known !== undefined && known.signature === signature && known.digest === digestOf(message);
  }
}

function digestOf(message: Buffer): string {
  return createHash('sha256').update(message).digest('base64');
}
