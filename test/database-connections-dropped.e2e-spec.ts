import { startTestApp, type TestApp } from './support/test-app.js';
import { newClient } from '../src/database/pool.js';

// PostgreSQL ends the service's connections behind its back (a restart, a failover, an
// administrator): the service stays up and answers the next requests on new connections.
// (A projection cut off mid-batch is the runner's int-spec. With the projector and sealer
// running, stopping the app after this sometimes took 30 s: left open, see the issue notes.)

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp();
});

afterAll(async () => {
  await api?.close();
});

it('keeps serving after the server ends the service’s idle connections', async () => {
  expect((await api.http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } })).status).toBe(201);

  const admin = newClient(api.database.url);
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ended: boolean }>(
      // The idle ones: pooled connections and the listeners. (Ending connections
      // mid-statement as well made the test fail about one run in five with an 'error' event
      // nobody heard, which instrumenting it made vanish: left open, see the issue notes.)
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'`,
    );
    expect(rows.length).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }

  const again = await api.http('editor', 'POST', '/sources', { body: { name: 'SITE Intelligence Group', kind: 'monitoring_group' } });
  expect(again.status).toBe(201);
});
