import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/config.js';

/** The Ed25519 key that signs the audit log's checkpoints. */
export class AuditSigningKey {
  private readonly publicKey: KeyObject;
  /** The public key as its 32 raw bytes (RFC 8032). */
  readonly publicKeyRaw: Buffer;
  readonly publicKeyPem: string;
  /** The first 8 bytes of SHA-256 of the raw public key, in hex: names the key a checkpoint was signed with. */
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.publicKeyRaw = Buffer.from(this.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = createHash('sha256').update(this.publicKeyRaw).digest().subarray(0, 8).toString('hex');
  }

  static generate(): AuditSigningKey {
    return new AuditSigningKey(generateKeyPairSync('ed25519').privateKey);
  }

  sign(message: Uint8Array): Buffer {
    return sign(null, message, this.privateKey);
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return verify(null, message, this.publicKey, signature);
  }
}

const KEY_FILE = 'audit-signing-key.pem';

/**
 * AUDIT_SIGNING_KEY, or the key kept in DATA_DIR: made there on first start unless
 * `create` is false (tools that only verify must not make up a key).
 */
export async function auditSigningKeyFor(config: AppConfig, { create = true, log = console.log }: { create?: boolean; log?: (line: string) => void } = {}): Promise<AuditSigningKey> {
  if (config.AUDIT_SIGNING_KEY) return new AuditSigningKey(config.AUDIT_SIGNING_KEY);
  const file = join(resolve(config.DATA_DIR), KEY_FILE);
  if (existsSync(file)) return new AuditSigningKey(createPrivateKey(await readFile(file, 'utf8')));
  if (!create) throw new Error(`No audit signing key: set AUDIT_SIGNING_KEY, or start the service once with DATA_DIR=${config.DATA_DIR} to make ${file}`);
  const key = generateKeyPairSync('ed25519').privateKey;
  await mkdir(resolve(config.DATA_DIR), { recursive: true });
  await writeFile(file, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const made = new AuditSigningKey(key);
  log(`No AUDIT_SIGNING_KEY set: made the audit log's signing key (id ${made.keyId}) in ${file}. Keep that file: checkpoints signed with it verify only against it.`);
  return made;
}
