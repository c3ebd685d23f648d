import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { AuditPublicKey, AuditSigningKey, auditSigningKeyFor } from './audit-signing-key.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ledger-key-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const quiet = { log: () => {} };

describe('auditSigningKeyFor', () => {
  it('refuses to run on DATABASE_URL without AUDIT_SIGNING_KEY, naming it and how to make one, and writes nothing to DATA_DIR', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://ledger@db:5432/ledger', DATA_DIR: dataDir });
    const refused = auditSigningKeyFor(config, quiet);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/AUDIT_SIGNING_KEY: is required with DATABASE_URL.*openssl genpkey -algorithm ed25519/s);
    expect(existsSync(join(dataDir, 'audit-signing-key.pem'))).toBe(false);
  });

  it('signs with AUDIT_SIGNING_KEY, with or without DATABASE_URL', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const expected = new AuditSigningKey(privateKey).keyId;
    for (const env of [{ DATABASE_URL: 'postgres://ledger@db:5432/ledger' }, {}]) {
      const config = loadConfig({ ...env, DATA_DIR: dataDir, AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
      expect((await auditSigningKeyFor(config, quiet)).keyId).toBe(expected);
    }
  });

  it('in the embedded default, makes a key in DATA_DIR on first start and keeps it', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    await expect(auditSigningKeyFor(config, { ...quiet, create: false })).rejects.toThrow(/No audit signing key/);
    const made = await auditSigningKeyFor(config, quiet);
    expect(existsSync(join(dataDir, 'audit-signing-key.pem'))).toBe(true);
    expect((await auditSigningKeyFor(config, { ...quiet, create: false })).keyId).toBe(made.keyId);
  });
});

describe('AuditPublicKey.parse', () => {
  it('reads what GET /audit/public-key gives, the PEM or the raw key, and verifies what the private half signed', async () => {
    const key = AuditSigningKey.generate();
    const message = Buffer.from('incident-ledger/audit/v1\n1\nroot\ntime\n');
    const signature = await key.sign(message);
    for (const text of [key.publicKeyPem, key.publicKeyRaw.toString('base64')]) {
      const parsed = AuditPublicKey.parse(text);
      expect(parsed.keyId).toBe(key.keyId);
      expect(await parsed.verify(message, signature)).toBe(true);
      expect(await parsed.verify(Buffer.from('another message'), signature)).toBe(false);
    }
  });

  it('refuses what is not an Ed25519 public key', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => AuditPublicKey.parse(p256)).toThrow(/Ed25519/);
    expect(() => AuditPublicKey.parse('not a key')).toThrow();
    expect(() => AuditPublicKey.parse('')).toThrow();
  });
});
