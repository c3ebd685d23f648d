import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { newClient } from '../src/database/pool.js';
import { sourceStreamId } from '../src/sources/domain/source.streams.js';
import { type ServiceProcess, startService } from './support/service-process.js';
import { KEYS, sourceKeysMasterKeyOf } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// LOG_FORMAT=json as a log pipeline reads the built service's output: every line is one
// JSON object; each answered request makes one line with its id, the name of the key that
// asked, the route's pattern, the status and how long it took; and no line holds an API
// key, the metrics token, the signing key or anything a client sent.

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';
const AUDIT_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Sent in request bodies: it must not reach the log. */
const MARKER = `body-marker-${randomUUID()}`;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

type LogLine = Record<string, unknown>;

interface Run {
  lines: LogLine[];
  output: string;
}

/** Runs the service with LOG_FORMAT=json and `env`, makes the requests of `session`, stops it, and hands back all it wrote. */
async function runService(env: Record<string, string>, session: (service: ServiceProcess) => Promise<void>): Promise<Run> {
  const service = await startService({
    DATABASE_URL: database.url,
    API_KEYS: `desk-editor:editor:${KEYS.editor},desk-auditor:auditor:${KEYS.auditor}`,
    AUDIT_SIGNING_KEY,
    SOURCE_KEYS_MASTER_KEY: sourceKeysMasterKeyOf(database.url).toString('base64'),
    METRICS_TOKEN,
    LOG_FORMAT: 'json',
    ...env,
  });
  try {
    await session(service);
  } finally {
    await service.stop();
  }
  const output = service.stdout() + service.stderr();
  const lines = output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`Not a JSON line: ${line}`);
      }
    });
  return { lines, output };
}

/** The causationId of the event that registered the source (read from the table: GET /ledger may not show it yet, behind another test's open transaction). */
async function causationIdOf(sourceId: string): Promise<string> {
  const client = newClient(database.url);
  await client.connect();
  try {
    const { rows } = await client.query<{ causation_id: string }>("SELECT metadata->>'causationId' AS causation_id FROM events WHERE stream_id = $1", [sourceStreamId(sourceId)]);
    return rows[0].causation_id;
  } finally {
    await client.end();
  }
}

function request(service: ServiceProcess, method: string, path: string, { key, body }: { key?: string; body?: string } = {}): Promise<Response> {
  return fetch(`${service.baseUrl}${path}`, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body,
  });
}

describe('at LOG_LEVEL=log', () => {
  let run: Run;
  let sourceId: string;
  let causationId: string;

  beforeAll(async () => {
    run = await runService({ LOG_LEVEL: 'log' }, async (service) => {
      const registered = await request(service, 'POST', '/sources', { key: KEYS.editor, body: JSON.stringify({ name: MARKER, kind: 'armed_group' }) });
      expect(registered.status).toBe(201);
      sourceId = ((await registered.json()) as { id: string }).id;
      expect((await request(service, 'GET', '/ledger', { key: KEYS.auditor })).status).toBe(200);

      expect((await request(service, 'GET', '/ledger', { key: KEYS.editor })).status).toBe(403);
      expect((await request(service, 'POST', '/sources', { key: KEYS.editor, body: `{"name": "${MARKER}", ` })).status).toBe(400);
      expect((await request(service, 'GET', '/metrics', { key: METRICS_TOKEN })).status).toBe(200);
      expect((await request(service, 'GET', '/sources', { key: `${MARKER}-not-a-key` })).status).toBe(401);
    });
    causationId = await causationIdOf(sourceId);
  }, 60_000);

  const requestLines = () => run.lines.filter((line) => line.context === 'Request');

  it('writes one line per request: its id (the causationId of the events it appended), the key’s name, the route, the status and the time taken', () => {
    expect(requestLines()).toHaveLength(6);
    expect(requestLines()[0]).toEqual({
      level: 'log',
      pid: expect.any(Number),
      timestamp: expect.any(Number),
      context: 'Request',
      message: 'request',
      requestId: causationId,
      principal: 'desk-editor',
      method: 'POST',
      route: '/sources',
      status: 201,
      durationMs: expect.any(Number),
    });
  });

  it('names the route’s pattern, and the key even when the route refused it; the metrics token and an unknown key name no one', () => {
    expect(requestLines().map(({ principal, method, route, status }) => ({ principal, method, route, status }))).toEqual([
      { principal: 'desk-editor', method: 'POST', route: '/sources', status: 201 },
      { principal: 'desk-auditor', method: 'GET', route: '/ledger', status: 200 },
      { principal: 'desk-editor', method: 'GET', route: '/ledger', status: 403 },
      // Refused as it was read, before its key was looked at.
      { principal: undefined, method: 'POST', route: '/sources', status: 400 },
      { principal: undefined, method: 'GET', route: '/metrics', status: 200 },
      { principal: undefined, method: 'GET', route: '/sources', status: 401 },
    ]);
  });

  it('writes Nest’s own lines, and where it listens, as JSON too', () => {
    expect(run.lines).toContainEqual(expect.objectContaining({ level: 'log', context: 'NestApplication', message: 'Nest application successfully started' }));
    expect(run.lines).toContainEqual(expect.objectContaining({ level: 'log', context: 'IncidentLedger', message: expect.stringMatching(/^Incident Ledger listening on http:/) }));
  });

  it('never logs a key, the metrics token, the signing key or a body, valid or not', () => {
    for (const secret of [KEYS.editor, KEYS.auditor, METRICS_TOKEN, MARKER, 'BEGIN PRIVATE KEY']) expect(run.output).not.toContain(secret);
    expect(run.output).not.toMatch(/authorization|bearer/i);
  });
});

it('respects LOG_LEVEL: at warn, no line per request', async () => {
  const run = await runService({ LOG_LEVEL: 'warn' }, async (service) => {
    expect((await request(service, 'GET', '/sources', { key: KEYS.editor })).status).toBe(200);
  });
  expect(run.lines.filter((line) => line.context === 'Request')).toEqual([]);
  // Only where it listens, which is printed whatever the level.
  expect(run.lines.filter((line) => line.level === 'log').map((line) => line.context)).toEqual(['IncidentLedger']);
}, 60_000);
