import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type AppConfig, ConfigError } from '../config/config.js';

/** The public half of the audit log's Ed25519 key: all it takes to check a checkpoint's or an event's signature. */
export class AuditPublicKey {
  /** The public key as its 32 raw bytes (RFC 8032). */
  readonly publicKeyRaw: Buffer;
  readonly publicKeyPem: string;
  /** The first 8 bytes of SHA-256 of the raw public key, in hex: names the key a checkpoint was signed with. */
  readonly keyId: string;

  constructor(private readonly publicKey: KeyObject) {
    this.publicKeyRaw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = createHash('sha256').update(this.publicKeyRaw).digest().subarray(0, 8).toString('hex');
  }

  /** An SPKI PEM, or the raw 32 bytes in base64: the `pem` or the `raw` of GET /audit/public-key. */
  static parse(text: string): AuditPublicKey {
    const key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(text.trim(), 'base64').toString('base64url') }, format: 'jwk' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`is an ${key.asymmetricKeyType ?? 'unknown'} key; the audit log signs with Ed25519`);
    return new AuditPublicKey(key);
  }

  /** In libuv's threadpool, off the event loop: the sealer checks every event's signature (docs/performance.md). */
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return new Promise((resolve, reject) => verify(null, message, this.publicKey, signature, (error, valid) => (error ? reject(error) : resolve(valid))));
  }
}

/** The Ed25519 key that signs the audit log's checkpoints and every event the service appends. */
export class AuditSigningKey extends AuditPublicKey {
  constructor(private readonly privateKey: KeyObject) {
    super(createPublicKey(privateKey));
  }

  static generate(): AuditSigningKey {
    return new AuditSigningKey(generateKeyPairSync('ed25519').privateKey);
  }

  /** In libuv's threadpool, off the event loop: every appended event is signed. */
  sign(message: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => sign(null, message, this.privateKey, (error, signature) => (error ? reject(error) : resolve(signature))));
  }
}

const KEY_FILE = 'audit-signing-key.pem';

// As docs/deployment.md shows it.
const HOW_TO_MAKE_A_KEY =
  "make one with `openssl genpkey -algorithm ed25519` (a PEM; its newlines may be written \\n), or as one line of base64 with `node -e \"console.log(require('node:crypto').generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'))\"`";

/**
 * AUDIT_SIGNING_KEY; in the embedded default (no DATABASE_URL), the key kept in DATA_DIR,
 * made there on first start unless `create` is false (tools that only verify must not
 * make up a key).
 */
export async function auditSigningKeyFor(config: AppConfig, { create = true, log = console.log }: { create?: boolean; log?: (line: string) => void } = {}): Promise<AuditSigningKey> {
  if (config.AUDIT_SIGNING_KEY) return new AuditSigningKey(config.AUDIT_SIGNING_KEY);
  // Every process on a shared database must sign with the one key: a key made in each
  // container's DATA_DIR would differ between replicas and restarts, and its checkpoints
  // would verify only against itself.
  if (config.DATABASE_URL) {
    throw new ConfigError(`Invalid configuration:\n  AUDIT_SIGNING_KEY: is required with DATABASE_URL, so that every process of the service signs with the same key; ${HOW_TO_MAKE_A_KEY}`);
  }
  const file = join(resolve(config.DATA_DIR), KEY_FILE);
  if (existsSync(file)) return new AuditSigningKey(createPrivateKey(await readFile(file, 'utf8')));
  if (!create) throw new ConfigError(`No audit signing key: set AUDIT_SIGNING_KEY, or start the service once with DATA_DIR=${config.DATA_DIR} to make ${file}`);
  const key = generateKeyPairSync('ed25519').privateKey;
  await mkdir(resolve(config.DATA_DIR), { recursive: true });
  await writeFile(file, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const made = new AuditSigningKey(key);
  log(`No AUDIT_SIGNING_KEY set: made the audit log's signing key (id ${made.keyId}) in ${file}. Keep that file: checkpoints signed with it verify only against it.`);
  return made;
}
