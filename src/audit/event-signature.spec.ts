import { AuditPublicKey, AuditSigningKey } from './audit-signing-key.js';
import { EVENT_SIGNATURE_PREFIX, eventSignatureMessage, eventSignatureProblem, SignedHere, signEvent } from './event-signature.js';

// What makes an event the service's own: its signature, made as it is appended, holds for
// the event as stored and for nothing else.

const key = AuditSigningKey.generate();
const streamId = 'incident-0193a1c2-0000-7000-8000-000000000001';
const appended = {
  id: '0193A1C2-0000-7000-8000-0000000000AA',
  type: 'ClaimRetracted',
  data: { claimId: 'c-1', reason: 'withdrawn by JNIM' },
  metadata: { recordedBy: 'desk-editor', recordedAt: '2024-07-30T09:03:00.000Z', schemaVersion: 1 },
};
/** The event as the store hands it back: with its stream, and its id in lower case. */
const recorded = { ...(await signEvent(key, streamId, appended)), id: appended.id.toLowerCase(), streamId };

it('signs an event in its metadata, with the key’s id, and the signature holds for the event as recorded', async () => {
  expect(recorded.metadata).toEqual({ ...appended.metadata, signature: { keyId: key.keyId, value: expect.any(String) } });
  expect(await eventSignatureProblem(key, recorded)).toBeUndefined();
  // The public key alone checks it.
  expect(await eventSignatureProblem(AuditPublicKey.parse(key.publicKeyPem), recorded)).toBeUndefined();
});

it('signs the prefix and the canonical JSON of id, stream, type, data and metadata without the signature', () => {
  expect(eventSignatureMessage(recorded).toString('utf8')).toBe(
    `${EVENT_SIGNATURE_PREFIX}{"data":{"claimId":"c-1","reason":"withdrawn by JNIM"},"id":"0193a1c2-0000-7000-8000-0000000000aa",` +
      `"metadata":{"recordedAt":"2024-07-30T09:03:00.000Z","recordedBy":"desk-editor","schemaVersion":1},"streamId":"${streamId}","type":"ClaimRetracted"}`,
  );
});

it.each([
  ['its id', { id: '0193a1c2-0000-7000-8000-0000000000ab' }],
  ['its stream', { streamId: 'incident-0193a1c2-0000-7000-8000-000000000002' }],
  ['its type', { type: 'ClaimReported' }],
  ['one byte of its data', { data: { claimId: 'c-1', reason: 'withdrawn by JNIn' } }],
  ['its metadata', { metadata: { ...recorded.metadata, recordedBy: 'someone-else' } }],
])('does not hold once %s changed', async (_, change) => {
  expect(await eventSignatureProblem(key, { ...recorded, ...change })).toBe('its signature does not match its id, stream, type, data or metadata');
});

it('does not hold with another key, nor with another key’s id on it', async () => {
  const other = AuditSigningKey.generate();
  expect(await eventSignatureProblem(other, recorded)).toBe(`it is signed with key ${key.keyId}, not with key ${other.keyId}`);
  const forged = { ...(await signEvent(other, streamId, appended)), streamId };
  forged.metadata.signature = { ...(forged.metadata.signature as object), keyId: key.keyId };
  expect(await eventSignatureProblem(key, forged)).toBe('its signature does not match its id, stream, type, data or metadata');
});

it('finds no signature on an event that carries none, or a malformed one', async () => {
  expect(await eventSignatureProblem(key, { ...appended, streamId })).toBe('it carries no signature');
  expect(await eventSignatureProblem(key, { ...recorded, metadata: { ...recorded.metadata, signature: 'yes' } })).toBe('it carries no signature');
});

it('signs the data and metadata as JSON gives them back', async () => {
  const withDate = { ...appended, data: { at: new Date('2024-07-30T09:03:00.000Z'), gone: undefined } };
  const signed = await signEvent(key, streamId, withDate);
  expect(signed.data).toEqual({ at: '2024-07-30T09:03:00.000Z' });
  expect(await eventSignatureProblem(key, { ...JSON.parse(JSON.stringify(signed)), streamId })).toBeUndefined();
});

describe('events this process signed', () => {
  const signedHere = new SignedHere();
  let mine: typeof recorded;

  beforeAll(async () => {
    mine = { ...(await signEvent(key, streamId, appended, signedHere)), id: appended.id.toLowerCase(), streamId };
  });

  it('vouches for the event it signed, byte for byte, and only for it', () => {
    expect(signedHere.made(mine.id, eventSignatureMessage(mine), (mine.metadata.signature as { value: string }).value)).toBe(true);
    expect(signedHere.made(mine.id, eventSignatureMessage({ ...mine, type: 'ClaimReported' }), (mine.metadata.signature as { value: string }).value)).toBe(false);
    expect(signedHere.made(mine.id, eventSignatureMessage(mine), 'another signature')).toBe(false);
  });

  it.each([
    ['one byte of its data', { data: { claimId: 'c-1', reason: 'withdrawn by JNIn' } }],
    ['its metadata', { metadata: { ...appended.metadata, recordedBy: 'someone-else', signature: undefined as unknown } }],
  ])('still finds the event changed once %s changed, by checking the signature', async (_, change) => {
    const changed = { ...mine, ...change };
    if ('metadata' in change) changed.metadata = { ...change.metadata, signature: mine.metadata.signature };
    expect(await eventSignatureProblem(key, changed, signedHere)).toBe('its signature does not match its id, stream, type, data or metadata');
  });
});
