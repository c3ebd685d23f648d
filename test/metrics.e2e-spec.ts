import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { newClient } from '../src/database/pool.js';
import { eventually } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// GET /metrics as Prometheus and an operator use it: an admin key or the metrics token
// opens it, and nothing else does; requests are counted by route pattern and status (never
// by URL), appends, conflicts and replays as they happen, and the lag, leadership, read
// horizon and pools are read at each scrape from what the service already holds in memory.

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp({ METRICS_TOKEN });
});

afterAll(async () => {
  await api?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** What `app` shows an admin at GET /metrics, as samples. */
async function scrape(app = api): Promise<{ text: string; samples: Sample[] }> {
  const response = await app.http('admin', 'GET', '/metrics');
  expect(response.status).toBe(200);
  const text = response.body as string;
  const samples = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, name, labels = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      return { name, labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, label, text]) => [label, text])), value: Number(value) };
    });
  return { text, samples };
}

/** The value of the one sample named `name` with these labels (among others), or undefined when there is none. */
function valueOf({ samples }: { samples: Sample[] }, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([label, text]) => sample.labels[label] === text));
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matching[0]?.value;
}

async function registerSource(app: TestApp, name: string, headers: Record<string, string> = {}) {
  return app.http('editor', 'POST', '/sources', { body: { name, kind: 'armed_group' }, headers });
}

describe('access', () => {
  it('opens to an admin key and to the metrics token, in the Prometheus text format', async () => {
    const asAdmin = await api.http('admin', 'GET', '/metrics');
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(asAdmin.body).toContain('# TYPE incident_ledger_http_request_duration_seconds histogram');

    const asScraper = await api.http('none', 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(asScraper.status).toBe(200);
    expect(asScraper.body).toContain('# TYPE incident_ledger_appends_total counter');
  });

  it('refuses other roles (403), no key and a wrong token (401)', async () => {
    for (const who of ['reader', 'editor', 'auditor'] as const) expect([who, (await api.http(who, 'GET', '/metrics')).status]).toEqual([who, 403]);
    expect((await api.http('none', 'GET', '/metrics')).status).toBe(401);
    expect((await api.http('none', 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
  });

  it('takes the metrics token nowhere else', async () => {
    for (const path of ['/admin/projections', '/incidents', '/ledger']) {
      const response = await api.http('none', 'GET', path, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect([path, response.status]).toEqual([path, 401]);
    }
  });

  it('is refused to everyone but admins when no token is configured', async () => {
    const withoutToken = await startTestApp({}, { sharing: api });
    try {
      expect((await withoutToken.http('admin', 'GET', '/metrics')).status).toBe(200);
      expect((await withoutToken.http('none', 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);
    } finally {
      await withoutToken.close();
    }
  });
});

it('counts requests by method, route pattern and status with their latency, never by URL', async () => {
  const missing = randomUUID();
  const before = await scrape();
  const byRoute = { method: 'GET', route: '/incidents/:incidentId', status: '404' };
  const unmatched = { method: 'GET', route: 'unmatched', status: '404' };

  expect((await api.http('reader', 'GET', `/incidents/${missing}`)).status).toBe(404);
  expect((await api.http('reader', 'GET', `/incidents/${missing}`)).status).toBe(404);
  expect((await api.http('reader', 'GET', `/no-such-route/${missing}`)).status).toBe(404);

  const after = await scrape();
  const count = 'incident_ledger_http_request_duration_seconds_count';
  expect(valueOf(after, count, byRoute)! - (valueOf(before, count, byRoute) ?? 0)).toBe(2);
  expect(valueOf(after, count, unmatched)! - (valueOf(before, count, unmatched) ?? 0)).toBe(1);
  expect(valueOf(after, 'incident_ledger_http_request_duration_seconds_bucket', { ...byRoute, le: '+Inf' })).toBe(valueOf(after, count, byRoute));
  expect(valueOf(after, 'incident_ledger_http_request_duration_seconds_sum', byRoute)).toBeGreaterThan(0);
  expect(after.text).not.toContain(missing);
});

it('counts appends, the events they stored, and writes answered by an idempotent replay', async () => {
  const before = await scrape();
  const idempotencyKey = { 'idempotency-key': `register-${randomUUID()}` };

  const registered = await registerSource(api, 'JNIM', idempotencyKey);
  expect(registered.status).toBe(201);
  expect((await registerSource(api, 'JNIM', idempotencyKey)).headers.get('idempotent-replayed')).toBe('true');

  const after = await scrape();
  const delta = (name: string) => valueOf(after, name)! - valueOf(before, name)!;
  expect(delta('incident_ledger_appends_total')).toBe(1);
  expect(delta('incident_ledger_appended_events_total')).toBe(1);
  expect(delta('incident_ledger_idempotent_replays_total')).toBe(1);
  expect(delta('incident_ledger_append_conflicts_total')).toBe(0);
});

it('counts the appends another process beat to the stream, each process in its own registry', async () => {
  const other = await startTestApp({}, { sharing: api });
  try {
    const source = (await registerSource(api, 'Wagner Group')).body.id;
    const before = await scrape();
    // `api` remembers the source as it left it; `other` moves it on behind its back.
    expect((await other.http('editor', 'PATCH', `/sources/${source}`, { body: { name: 'Wagner', reason: 'short name' } })).status).toBe(201);

    const patched = await api.http('editor', 'PATCH', `/sources/${source}`, { body: { name: 'Africa Corps', reason: 'renamed' } });
    expect([patched.status, patched.body.version]).toEqual([201, 2]);

    const after = await scrape();
    expect(valueOf(after, 'incident_ledger_append_conflicts_total')! - valueOf(before, 'incident_ledger_append_conflicts_total')!).toBe(1);
    expect(valueOf(after, 'incident_ledger_appends_total')! - valueOf(before, 'incident_ledger_appends_total')!).toBe(1);
    expect(valueOf(await scrape(other), 'incident_ledger_appends_total')).toBe(1);
  } finally {
    await other.close();
  }
});

it('shows projection and audit-log lag from the last health check, and that this process leads neither', async () => {
  expect((await registerSource(api, 'SITE Intelligence Group')).status).toBe(201);
  const lagging = async () => {
    const now = await scrape();
    return (
      valueOf(now, 'incident_ledger_projection_lag_events', { projection: 'source-view' })! > 0 &&
      valueOf(now, 'incident_ledger_projection_lag_seconds', { projection: 'source-view' })! > 0 &&
      valueOf(now, 'incident_ledger_sealer_lag_events')! > 0 &&
      valueOf(now, 'incident_ledger_sealer_lag_seconds')! > 0
    );
  };
  await eventually(lagging, 'the lag of the unprojected, unsealed events', 10_000);

  const now = await scrape();
  expect(valueOf(now, 'incident_ledger_ready')).toBe(1);
  // This test app neither projects nor seals: the tests drive both by hand.
  expect([valueOf(now, 'incident_ledger_leader', { role: 'projector' }), valueOf(now, 'incident_ledger_leader', { role: 'sealer' })]).toEqual([0, 0]);

  await api.projected();
  await api.sealed();
  const caughtUp = async () => {
    const later = await scrape();
    const projections = later.samples.filter((sample) => sample.name === 'incident_ledger_projection_lag_events');
    return projections.length > 1 && projections.every((sample) => sample.value === 0) && valueOf(later, 'incident_ledger_sealer_lag_events') === 0;
  };
  await eventually(caughtUp, 'every lag back at 0', 10_000);
});

it('shows which process leads the projections and the sealing', async () => {
  const leader = await startTestApp({}, { sharing: api, project: true, seal: true });
  try {
    const leads = async (app: TestApp) => {
      const now = await scrape(app);
      return [valueOf(now, 'incident_ledger_leader', { role: 'projector' }), valueOf(now, 'incident_ledger_leader', { role: 'sealer' })];
    };
    await eventually(async () => (await leads(leader)).every((value) => value === 1), 'the leader to say it leads', 10_000);
    expect(await leads(api)).toEqual([0, 0]);
  } finally {
    await leader.close();
  }
});

it('shows how long the oldest open transaction on the server has held the readers of the ledger back', async () => {
  const holder = newClient(api.database.url);
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()');
    await eventually(async () => valueOf(await scrape(), 'incident_ledger_read_horizon_age_seconds')! >= 2, 'the open transaction to show its age', 10_000);
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
});

it('shows the connections in use and the queries waiting for one, in each pool', async () => {
  const readModels = (api.app.get(DataSource).driver as PostgresDriver).master as pg.Pool;
  const held = await Promise.all(Array.from({ length: 10 }, () => readModels.connect()));
  const mainHeld = await api.app.get(pg.Pool).connect();
  const waiting = api.app.get(DataSource).query('SELECT 1');
  try {
    const now = await scrape();
    expect(valueOf(now, 'incident_ledger_pool_connections_in_use', { pool: 'read_models' })).toBe(10);
    expect(valueOf(now, 'incident_ledger_pool_waiting_requests', { pool: 'read_models' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(now, 'incident_ledger_pool_connections_in_use', { pool: 'main' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(now, 'incident_ledger_pool_waiting_requests', { pool: 'main' })).toBe(0);
  } finally {
    for (const client of held) client.release();
    mainHeld.release();
  }
  await waiting;
  expect(valueOf(await scrape(), 'incident_ledger_pool_waiting_requests', { pool: 'read_models' })).toBe(0);
});

it('shows the event loop lag and the heap', async () => {
  const now = await scrape();
  expect(valueOf(now, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
  expect(valueOf(now, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
});
