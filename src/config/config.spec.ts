import { createHash, generateKeyPairSync } from 'node:crypto';
import { ApiKeys } from '../auth/api-keys.js';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to the embedded PostgreSQL event store on port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './.data', EVENT_STORE: 'postgres' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('parses API_KEYS as name:role:key triples', () => {
    const config = loadConfig({ API_KEYS: 'desk:editor:0123456789abcdef, audit:auditor:fedcba9876543210' });
    expect(config.API_KEYS).toEqual([
      { name: 'desk', role: 'editor', key: '0123456789abcdef' },
      { name: 'audit', role: 'auditor', key: 'fedcba9876543210' },
    ]);
  });

  it('takes a key’s SHA-256 instead of the key, and finds the key by it', () => {
    const key = 'desk-editor-key-0123456789';
    const hash = createHash('sha256').update(key).digest('hex');
    const config = loadConfig({ API_KEYS: `desk:editor:sha256:${hash.toUpperCase()}, audit:auditor:fedcba9876543210` });
    expect(config.API_KEYS).toEqual([
      { name: 'desk', role: 'editor', sha256: hash },
      { name: 'audit', role: 'auditor', key: 'fedcba9876543210' },
    ]);
    expect(ApiKeys.fromConfig(config.API_KEYS!).principalFor(key)).toEqual({ name: 'desk', role: 'editor' });
    // The same key given once plainly and once by its hash is one key given twice.
    expect(() => loadConfig({ API_KEYS: `desk:editor:${key}, other:reader:sha256:${hash}` })).toThrow(/entry 2 \("other"\) repeats the key of "desk"/);
  });

  it('limits request rates by default, and takes 0 for no limit', () => {
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_PER_KEY: 6000, RATE_LIMIT_PER_ADDRESS: 12000, RATE_LIMIT_FAILED_AUTH: 30 });
    expect(loadConfig({ RATE_LIMIT_PER_KEY: '0' })).toMatchObject({ RATE_LIMIT_PER_KEY: 0 });
    expect(() => loadConfig({ RATE_LIMIT_FAILED_AUTH: '-1' })).toThrow(/RATE_LIMIT_FAILED_AUTH/);
  });

  it('reads AUDIT_SIGNING_KEY as an Ed25519 PEM (newlines possibly written \\n) or base64 DER', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    for (const value of [pem, pem.replaceAll('\n', '\\n'), der]) {
      expect(loadConfig({ AUDIT_SIGNING_KEY: value }).AUDIT_SIGNING_KEY?.equals(privateKey)).toBe(true);
    }
  });

  it('names the entries that repeat a name or a key, without showing the key', () => {
    const keys = 'desk:editor:0123456789abcdef, desk:reader:fedcba9876543210, audit:auditor:0123456789abcdef';
    expect(() => loadConfig({ API_KEYS: keys })).toThrow(/API_KEYS: entry 2 repeats the name "desk"\n\s*API_KEYS: entry 3 \("audit"\) repeats the key of "desk"$/);
  });

  it('names the newsroom that publishes claim reviews, by default and as configured', () => {
    expect(loadConfig({})).toMatchObject({ NEWSROOM_NAME: 'Incident Ledger newsroom' });
    expect(loadConfig({}).NEWSROOM_URL).toBeUndefined();

    expect(loadConfig({ NEWSROOM_NAME: 'Sahel Desk', NEWSROOM_URL: 'https://news.example.org/' })).toMatchObject({ NEWSROOM_NAME: 'Sahel Desk', NEWSROOM_URL: 'https://news.example.org/' });
  });

  it('refuses a NEWSROOM_URL that is not a web address', () => {
    expect(() => loadConfig({ NEWSROOM_URL: 'news.example.org' })).toThrow(/^Invalid configuration:\n\s*NEWSROOM_URL: must be an http:\/\/ or https:\/\/ URL$/);
  });

  it('refuses a short METRICS_TOKEN without showing it', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'scrape-me-0123' })).toThrow(/^Invalid configuration:\n\s*METRICS_TOKEN: must be at least 16 characters$/);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ API_KEYS: 'desk:chief:0123456789abcdef' }, 'API_KEYS'],
    [{ API_KEYS: 'desk:editor:short' }, 'API_KEYS'],
    [{ API_KEYS: ',' }, 'API_KEYS'],
    [{ API_KEYS: ' , ,' }, 'API_KEYS'],
    [{ API_KEYS: 'desk:editor:0123456789abcdef,desk:reader:fedcba9876543210' }, 'API_KEYS'],
    [{ API_KEYS: 'desk:editor:0123456789abcdef,audit:auditor:0123456789abcdef' }, 'API_KEYS'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ AUDIT_SIGNING_KEY: 'not a key' }, 'AUDIT_SIGNING_KEY'],
    [{ AUDIT_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, 'AUDIT_SIGNING_KEY'],
    [{ SOURCE_KEYS_MASTER_KEY: Buffer.alloc(16).toString('base64') }, 'SOURCE_KEYS_MASTER_KEY'],
    [{ AUDIT_CHECKPOINT_EVERY_EVENTS: '0' }, 'AUDIT_CHECKPOINT_EVERY_EVENTS'],
    [{ BACKGROUND_WORK: 'sometimes' }, 'BACKGROUND_WORK'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ METRICS_TOKEN: 'scrape me, prometheus 0123' }, 'METRICS_TOKEN'],
    [{ NEWSROOM_URL: 'ftp://news.example.org/' }, 'NEWSROOM_URL'],
    [{ NEWSROOM_NAME: '   ' }, 'NEWSROOM_NAME'],
  ])('stops on %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
