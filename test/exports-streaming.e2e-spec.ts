import { QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.js';
import { OpenExportQuery } from '../src/exports/export-snapshot.js';
import { storeLedger } from '../src/workload/store-workload.js';
import { eventually } from './support/caught-up.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// An export streams a page of incidents at a time from one snapshot: it reads a page when its
// reader asks for more, and a client that leaves mid-way ends the snapshot and frees its
// connection. (How far ahead of a slow client it runs is up to the sockets' buffers, which
// hold a few megabytes on loopback: more than this test's ledger.)

let api: TestApp;
// Who opens the snapshots the tests open themselves.
const READER = { name: 'reader-desk', role: 'reader' } as const;

/** Transactions open and waiting on this test's database: an export's snapshot between two pages (nothing else here holds one). */
async function exportsWaiting(): Promise<number> {
  const [{ count }] = await api.app.get(DataSource).query("SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'");
  return count;
}

beforeAll(async () => {
  api = await startTestApp();
  await storeLedger(api.app.get<EventStore>(EVENT_STORE), 20_000, 4);
  await api.projected();
}, 120_000);

afterAll(async () => {
  await api?.close();
}, 120_000); // dropping a database this size makes PostgreSQL write a checkpoint

it('streams the whole export to a client that reads it all', async () => {
  const response = await fetch(`${api.baseUrl}/exports/figures.ndjson`, { headers: { authorization: `Bearer ${KEYS.reader}` } });
  const lines = (await response.text()).trimEnd().split('\n');

  const [{ count }] = await api.app.get(DataSource).query(
    "SELECT count(*)::int AS count FROM incident_views, jsonb_array_elements(view->'claims') AS claim, LATERAL (SELECT greatest(jsonb_array_length(claim->'figures'), 1)) AS rows (n), generate_series(1, rows.n)",
  );
  expect(lines.length - 1).toBe(count);
});

it('keeps its snapshot open, a page read, while its reader waits, and ends it when the reader leaves', async () => {
  const snapshot = await api.app.get(QueryBus).execute(new OpenExportQuery({}, READER));
  await snapshot.views.next(); // one incident read, and then no more

  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await exportsWaiting()).toBe(1);

  await snapshot.views.return(undefined); // as Fastify ends the stream when its client leaves
  expect(await exportsWaiting()).toBe(0);
});

it('ends a snapshot closed before its first incident was read, as when a client leaves at once', async () => {
  const snapshot = await api.app.get(QueryBus).execute(new OpenExportQuery({}, READER));
  expect(await exportsWaiting()).toBe(1);

  await snapshot.close();

  expect(await exportsWaiting()).toBe(0);
  expect(await snapshot.views.next()).toEqual({ done: true, value: undefined });
});

it('keeps a few exports under way at once, and answers 503 with Retry-After to one more', async () => {
  const queries = api.app.get(QueryBus);
  const open = await Promise.all(Array.from({ length: 4 }, () => queries.execute(new OpenExportQuery({}, READER))));

  const refused = await fetch(`${api.baseUrl}/exports/figures.csv`, { headers: { authorization: `Bearer ${KEYS.reader}` } });
  expect([refused.status, refused.headers.get('retry-after'), ((await refused.json()) as { code: string }).code]).toEqual([503, '10', 'exports_busy']);

  await Promise.all(open.map((snapshot) => snapshot.close()));
  const admitted = await fetch(`${api.baseUrl}/exports/figures.csv?country=FR`, { headers: { authorization: `Bearer ${KEYS.reader}` } });
  expect(admitted.status).toBe(200);
  // Read to its end, so that its snapshot is not still open in the next test's count.
  await admitted.text();
  await eventually(async () => (await exportsWaiting()) === 0, 'the admitted export to end', 5_000);
});

it('answers HEAD with the headers only, opening no snapshot', async () => {
  const head = await fetch(`${api.baseUrl}/exports/figures.csv`, { method: 'HEAD', headers: { authorization: `Bearer ${KEYS.reader}` } });

  expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'text/csv; charset=utf-8; header=present', '']);
  expect(await exportsWaiting()).toBe(0);
});

it('ends the export when its client leaves mid-way, leaving no transaction open', async () => {
  const leaving = new AbortController();
  const response = await fetch(`${api.baseUrl}/exports/figures.csv`, { headers: { authorization: `Bearer ${KEYS.reader}` }, signal: leaving.signal });
  await response.body!.getReader().read();
  leaving.abort();

  await eventually(async () => (await exportsWaiting()) === 0, 'the export to end', 5_000);
});
