import { freePort } from '../src/database/free-port.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// An event store that cannot be reached makes the service say so, at once: writes answer 503
// with Retry-After (never a 500), and readiness fails so that a load balancer looks elsewhere.

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${await freePort()}?tls=false` });
});

afterAll(async () => {
  await api?.close();
});

it('answers a write with 503 and Retry-After when EventStoreDB is not there', async () => {
  const started = performance.now();
  const response = await api.http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } });

  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('5');
  expect(response.body).toMatchObject({ status: 503, code: 'event_store_unavailable' });
  expect(performance.now() - started).toBeLessThan(3000); // well inside the 5 s deadline: refused, not timed out
});

it('keeps the Idempotency-Key of a write it could not finish for that write alone, which may retry at once', async () => {
  const headers = { 'idempotency-key': `unavailable-${crypto.randomUUID()}` };
  const body = { name: 'SITE Intelligence Group', kind: 'monitoring_group' };
  expect((await api.http('editor', 'POST', '/sources', { body, headers })).status).toBe(503);

  const another = await api.http('editor', 'POST', '/sources', { body: { ...body, name: 'SITE' }, headers });
  expect([another.status, another.body.code]).toEqual([422, 'idempotency_key_reused']);
  const started = performance.now();
  const retry = await api.http('editor', 'POST', '/sources', { body, headers });
  expect(retry.status).toBe(503); // run again, not told the first run is still in progress
  expect(performance.now() - started).toBeLessThan(3000);
});

it('fails the readiness check while EventStoreDB is not there, and stays live; only admins are told why', async () => {
  const response = await api.http('none', 'GET', '/health');
  expect(response.status).toBe(503);
  expect(response.body).toEqual({ status: 'not_ready', live: true, ready: false });

  const detail = await api.http('admin', 'GET', '/health');
  expect(detail.status).toBe(503);
  expect(detail.body.checks).toMatchObject({ database: { status: 'up' }, eventStore: { status: 'down', error: expect.any(String) } });
});
