import pg from 'pg';
import { newClient } from '../src/database/pool.js';
import { eventually } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// GET /health, as a load balancer and an operator use it: anyone may poll readiness as often
// as they like, answered from what the service last saw of itself (no query per poll, no
// detail, no error text); admins get the detail, including the oldest transaction on the
// server, which holds every reader of the ledger back while it stays open.

let api: TestApp;
let admin: pg.Client;

beforeAll(async () => {
  api = await startTestApp();
  admin = newClient(api.database.url);
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await api?.close();
});

/** Transactions committed in the test's database so far: every statement outside a transaction is one. */
async function transactionsCommitted(): Promise<number> {
  const { rows } = await admin.query<{ commits: string }>('SELECT pg_stat_get_db_xact_commit(oid) AS commits FROM pg_database WHERE datname = current_database()');
  return Number(rows[0].commits);
}

it('tells anyone whether it is live and ready, and nothing more', async () => {
  for (const who of ['none', 'reader', 'editor', 'auditor'] as const) {
    const response = await api.http(who, 'GET', '/health');
    expect([who, response.status, response.body]).toEqual([who, 200, { status: 'ready', live: true, ready: true }]);
    expect(response.headers.get('cache-control')).toBe('no-store');
  }
});

it('answers a poll from memory: two hundred polls cost the database no more than its own checks every two seconds', async () => {
  // Statistics reach pg_stat_database when a backend reports them: a moment's wait after each reading.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_200));
  await settle();
  const before = await transactionsCommitted();
  await Promise.all(Array.from({ length: 200 }, () => api.http('none', 'GET', '/health')));
  await settle();
  // A check is a handful of statements; one or two checks fall inside the window.
  expect((await transactionsCommitted()) - before).toBeLessThan(40);
});

it('refuses a wrong key, even here', async () => {
  const response = await fetch(`${api.baseUrl}/health`, { headers: { authorization: 'Bearer not-a-key-of-this-service' } });
  expect(response.status).toBe(401);
});

it('gives admins the detail: each probe, projection and audit-log lag, who leads, and the oldest open transaction', async () => {
  const { status, body } = await api.http('admin', 'GET', '/health');
  expect(status).toBe(200);
  expect(body).toMatchObject({
    ready: true,
    checks: {
      checkedAt: expect.any(String),
      database: { status: 'up' },
      eventStore: { status: 'up' },
      projections: { status: 'up', failed: [], lag: expect.arrayContaining([expect.objectContaining({ name: 'incident-view', events: 0 })]) },
      auditLog: { status: 'up', refused: null, lag: { events: 0, eventsCapped: false, seconds: 0 } },
      // This test app neither projects nor seals (the tests drive both by hand).
      leader: { projector: false, sealer: false },
      horizon: { status: 'up' },
    },
  });
});

it('names a transaction left open outside the service, with its age and pid, while it holds the ledger back', async () => {
  const holder = newClient(api.database.url);
  await holder.connect();
  try {
    await holder.query('BEGIN');
    const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_current_xact_id()');
    const shown = async () => (await api.http('admin', 'GET', '/health')).body.checks.horizon.oldest;
    await eventually(async () => (await shown())?.pid === rows[0].pid && (await shown()).ageSeconds > 1, 'the open transaction in the health detail', 10_000);
    expect(await shown()).toMatchObject({ pid: rows[0].pid, database: expect.stringMatching(/^ledger_test_/), state: 'idle in transaction' });
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
});
