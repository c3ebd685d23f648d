import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ROLES, type Role } from '../auth/role-names.js';

// The one place that reads process.env. A bad value stops the service with a message
// naming the variable.

export type { Role } from '../auth/role-names.js';

/** A key as API_KEYS gives it: the key itself, or its SHA-256 (then no file holds the key). */
export type ApiKeyConfig = { name: string; role: Role } & ({ key: string } | { sha256: string });

/** The SHA-256 (hex) the service holds of a key, whichever way it was given. */
export function sha256Of(entry: ApiKeyConfig): string {
  return 'sha256' in entry ? entry.sha256 : keyHash(entry.key);
}

/** A key's SHA-256, in hex: what the service keeps of it. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `sha256:` and 64 hex digits, in API_KEYS: the key's hash, not the key. */
const KEY_HASH = /^sha256:([0-9a-f]{64})$/i;

const apiKeys = z
  .string()
  .transform((value, ctx): ApiKeyConfig[] => {
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    // Set but empty would close every route without a word.
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no name:role:key entry' });
    const keys: ApiKeyConfig[] = [];
    for (const [index, entry] of entries.entries()) {
      const [name, role, ...rest] = entry.split(':');
      const key = rest.join(':');
      const hash = KEY_HASH.exec(key)?.[1]?.toLowerCase();
      const given: ApiKeyConfig = hash === undefined ? { name, role: role as Role, key } : { name, role: role as Role, sha256: hash };
      // A name is the principal events record, and a key must say who uses it: both unique.
      const sameKey = key ? keys.find((other) => sha256Of(other) === sha256Of(given)) : undefined;
      if (!name || !role || !key) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} is not name:role:key` });
      } else if (!(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} has role "${role}"; roles are ${ROLES.join(', ')}` });
      } else if (hash === undefined && key.length < 16) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ("${name}") has a key shorter than 16 characters` });
      } else if (keys.some((other) => other.name === name)) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} repeats the name "${name}"` });
      } else if (sameKey) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ("${name}") repeats the key of "${sameKey.name}"` });
      } else {
        keys.push(given);
      }
    }
    return keys;
  });

const port = z.coerce.number().int().min(0).max(65535);
const requestsPerMinute = z.coerce.number().int().min(0).max(10_000_000);

/** 32 bytes in base64: an AES-256 key. */
const masterKey = z
  .string()
  .transform((value) => Buffer.from(value.trim(), 'base64'))
  .refine((key) => key.length === 32, 'must be 32 bytes in base64 (`openssl rand -base64 32`)');

/** A PEM (newlines may be written `\n`) or the base64 of its DER: PKCS#8, Ed25519. */
const ed25519PrivateKey = z.string().transform((value, ctx): KeyObject => {
  let key: KeyObject;
  try {
    const pem = value.replaceAll('\\n', '\n');
    key = pem.includes('-----BEGIN') ? createPrivateKey(pem) : createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a PKCS#8 private key, in PEM or as base64 DER' });
    return z.NEVER;
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    ctx.addIssue({ code: 'custom', message: `is an ${key.asymmetricKeyType ?? 'unknown'} key; the audit log signs with Ed25519` });
    return z.NEVER;
  }
  return key;
});

const schema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./.data'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    EMBEDDED_POSTGRES_PORT: port.default(54329),
    API_KEYS: apiKeys.optional(),
    EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
    EVENTSTORE_CONNECTION_STRING: z.string().regex(/^(esdb|kurrentdb)(\+discover)?:\/\//, 'must start with esdb:// or kurrentdb://').optional(),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
    // `json`: one JSON object a line, for a log pipeline; `text` is for a person at a terminal.
    LOG_FORMAT: z.enum(['text', 'json']).default('text'),
    // A bearer token that opens GET /metrics (and nothing else) to a scraper holding no API key.
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain spaces').optional(),
    // Whether this process takes its turn at projecting and sealing (one process at a time
    // does, by lock): `off` for API processes beside a process that does (docs/deployment.md).
    BACKGROUND_WORK: z.enum(['on', 'off']).default('on'),
    // The audit log signs a checkpoint once this many events were sealed since the last
    // one, or once this many seconds passed with some sealed and not yet signed.
    AUDIT_CHECKPOINT_EVERY_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    AUDIT_CHECKPOINT_EVERY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    // Required with DATABASE_URL (checked where the key is read, src/audit/audit-signing-key.ts:
    // tools that sign nothing run without it); the embedded default makes one in DATA_DIR.
    AUDIT_SIGNING_KEY: ed25519PrivateKey.optional(),
    // Wraps each source's own key (src/sources/erasure/source-keys.ts): 32 random bytes in
    // base64. Required with DATABASE_URL, as the audit key is; the embedded default makes one in DATA_DIR.
    SOURCE_KEYS_MASTER_KEY: masterKey.optional(),
    // The newsroom that publishes the desk's grades as schema.org ClaimReviews: their `author`.
    NEWSROOM_NAME: z.string().trim().min(1).max(200).default('Incident Ledger newsroom'),
    NEWSROOM_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    // Requests a minute that one API key, one address, and one address presenting keys the
    // service does not know may make before 429 (0: no limit). Counted by each process.
    RATE_LIMIT_PER_KEY: requestsPerMinute.default(6000),
    RATE_LIMIT_PER_ADDRESS: requestsPerMinute.default(12000),
    RATE_LIMIT_FAILED_AUTH: requestsPerMinute.default(30),
    // Webhooks (src/alerts/delivery/): hosts (names or addresses) that may be reached over
    // plain http, and at private, loopback or link-local addresses, which are otherwise refused.
    WEBHOOK_ALLOWED_HOSTS: z
      .string()
      .transform((value) => value.split(',').map((host) => host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')).filter(Boolean))
      .default([]),
    // A receiver that has not answered in this long is cut off, and the delivery tried again.
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(10),
    // Retries back off exponentially, with jitter, up to this wait between two attempts…
    WEBHOOK_RETRY_MAX_DELAY_SECONDS: z.coerce.number().min(0.1).max(86_400).default(3600),
    // …for this long after a delivery's first attempt; then its subscription is paused and its owner told.
    WEBHOOK_RETRY_FOR_SECONDS: z.coerce.number().min(1).max(30 * 86_400).default(86_400),
  })
  .refine((env) => env.EVENT_STORE !== 'eventstoredb' || env.EVENTSTORE_CONNECTION_STRING, {
    path: ['EVENTSTORE_CONNECTION_STRING'],
    message: 'is required when EVENT_STORE=eventstoredb',
  });

export type AppConfig = z.infer<typeof schema>;

/** Stops the service, or a tool, at start with its message alone: a setting, or a state of its data, it cannot run with. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
