import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LedgerEvent } from '../../docs/verify-proof.mjs';
import { createApp } from '../../src/app.js';
import { AuditSealer } from '../../src/audit/audit-sealer.js';
import { AuditSigningKey } from '../../src/audit/audit-signing-key.js';
import { ApiKeys } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config/config.js';
import { EventStoreDbProtocolDouble } from '../../src/event-store/eventstoredb/protocol-double/eventstoredb-protocol-double.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { eventually, ledgerSealed, projectionsCaughtUp } from './caught-up.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const KEYS = {
  admin: 'test-admin-key-0123456789',
  editor: 'test-editor-key-0123456789',
  auditor: 'test-auditor-key-0123456789',
  reader: 'test-reader-key-0123456789',
} as const;

export type KeyName = keyof typeof KEYS;

export interface TestApp {
  app: NestFastifyApplication;
  database: TestDatabase;
  /** The event store settings the app runs with, for a child process that shares its store. */
  eventStoreConfig: Record<string, string>;
  baseUrl: string;
  /** A request as `who` (a role's key, or `none`), JSON in and out. */
  http: (who: KeyName | 'none', method: string, path: string, options?: RequestOptions) => Promise<TestResponse>;
  /** Brings every read model up to date with the ledger (the app does not project on its own unless asked). */
  projected: () => Promise<void>;
  /** Seals every stored event into the audit log, signing the checkpoints due (the app does not seal on its own unless asked). */
  sealed: () => Promise<void>;
  close: () => Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as it is, instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read what the API answered
}

/**
 * Tests call faster than any person from one address and a few keys: the limits are off
 * but where a test sets them (test/request-limits.e2e-spec.ts).
 */
export const NO_REQUEST_LIMITS = { RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_FAILED_AUTH: '0' };

/** The whole service on its own fresh database (or another app's), listening on a free port. */
export async function startTestApp(
  configOverrides: Record<string, string> = {},
  { project = false, seal = false, deliver = false, sharing }: { project?: boolean; seal?: boolean; deliver?: boolean; sharing?: TestApp } = {},
): Promise<TestApp> {
  // A second process of the same service: another app on the first one's database and store.
  const database = sharing ? { url: sharing.database.url, drop: async () => undefined } : await createTestDatabase();
  const eventStore = sharing ? { config: sharing.eventStoreConfig, stop: async () => undefined } : await testEventStore();
  const config = loadConfig({ LOG_LEVEL: 'error', ...NO_REQUEST_LIMITS, ...eventStore.config, ...configOverrides });
  const apiKeys = ApiKeys.fromConfig(Object.entries(KEYS).map(([role, key]) => ({ name: `${role}-desk`, role: role as KeyName, key })));
  // Every process of a deployment signs with the one key: the audit log seals only events signed with it.
  const signingKey = sharing ? sharing.app.get(AuditSigningKey) : AuditSigningKey.generate();
  const app = await createApp({ config, databaseUrl: database.url, apiKeys, project, seal, deliver, signingKey, sourceKeysMasterKey: sourceKeysMasterKeyOf(database.url) });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    app,
    database,
    eventStoreConfig: eventStore.config,
    baseUrl,
    http: httpClient(baseUrl),
    projected: () =>
      eventually(async () => {
        await app.get(ProjectionRunner).catchUp();
        return projectionsCaughtUp(app);
      }, 'the read models to reach the last event'),
    sealed: () =>
      eventually(async () => {
        await app.get(AuditSealer).catchUp();
        return ledgerSealed(app);
      }, 'the audit log to seal the last event'),
    close: async () => {
      await app.close();
      await eventStore.stop();
      await database.drop();
    },
  };
}

/** A POST that must be recorded (201), as `who` (an editor by default): what it answered. */
export async function recorded(api: Pick<TestApp, 'http'>, path: string, body: unknown, who: KeyName = 'editor'): Promise<TestResponse['body']> {
  const answer = await api.http(who, 'POST', path, { body });
  expect(answer.status).toBe(201);
  return answer.body;
}

/**
 * The whole ledger as an auditor pages through it, the events as stored. On PostgreSQL the
 * ledger's readers stop at the server's oldest open transaction, which another test file
 * can hold: after a write, wait with `api.projected()` or `api.sealed()` before reading.
 */
export async function ledgerOf(api: Pick<TestApp, 'http'>): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for (let after = ''; ; ) {
    const page = await api.http('auditor', 'GET', `/ledger?limit=1000${after && `&after=${after}`}`);
    events.push(...page.body.events);
    if (!page.body.next) return events;
    after = encodeURIComponent(page.body.next);
  }
}

/** The sources' master key of every test process on the database at `databaseUrl` (each test database is new). */
export function sourceKeysMasterKeyOf(databaseUrl: string): Buffer {
  return createHash('sha256').update(databaseUrl).digest();
}

/** Requests to the service at `baseUrl` as one of the test keys' holders (KEYS), JSON in and out. */
export function httpClient(baseUrl: string): TestApp['http'] {
  return async (who, method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (who !== 'none') headers.authorization = `Bearer ${KEYS[who]}`;
    const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    // A redirect (GET of a merged incident) is answered to the test as it was sent.
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload, redirect: 'manual' });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body };
  };
}

/**
 * The event store configuration: PostgreSQL, or with TEST_EVENT_STORE=eventstoredb an
 * EventStoreDB protocol double of the app's own (npm run test:eventstoredb).
 */
async function testEventStore(): Promise<{ config: Record<string, string>; stop: () => Promise<void> }> {
  if (process.env.TEST_EVENT_STORE !== 'eventstoredb') return { config: {}, stop: async () => undefined };
  const double = new EventStoreDbProtocolDouble();
  await double.start();
  return { config: { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: double.connectionString }, stop: () => double.stop() };
}
