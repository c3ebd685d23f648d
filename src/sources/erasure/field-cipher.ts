import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// AES-256-GCM for one text field, and for the source keys the master key wraps. The
// additional data binds a sealed value to where it belongs (its source and field, a wrapped
// key to its source): moved anywhere else, it fails to open instead of reading as genuine.

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** How a sealed field reads in an event: text no client can send (free text refuses ⟦ and ⟧, src/http/validation.ts). */
const SEALED = /^⟦sealed:([A-Za-z0-9_-]+)⟧$/;

export function encrypt(key: Buffer, additionalData: string, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(additionalData));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when `sealed` was not sealed with `key` for `additionalData`, or was altered. */
export function decrypt(key: Buffer, additionalData: string, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES)).setAAD(Buffer.from(additionalData));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

export function sealText(key: Buffer, additionalData: string, text: string): string {
  return `⟦sealed:${encrypt(key, additionalData, Buffer.from(text)).toString('base64url')}⟧`;
}

export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

export function openText(key: Buffer, additionalData: string, value: string): string {
  const [, sealed] = SEALED.exec(value) ?? [];
  if (sealed === undefined) throw new Error('not a sealed value');
  return decrypt(key, additionalData, Buffer.from(sealed, 'base64url')).toString();
}

/**
 * One key from several sources' keys (HKDF-SHA256 over them all, for these sources): what it
 * seals opens only while every one of them exists. One layer, however many sources, so a
 * value sealed for a speaker and nine conduits is no larger than one sealed for one.
 */
export function keyOfAll(keys: readonly Buffer[], sourceIds: readonly string[]): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.concat(keys), Buffer.alloc(0), sourceIds.join(','), 32));
}
