import { randomUUID } from 'node:crypto';
import { newClient } from '../src/database/pool.js';
import { serviceEnv, serviceRefusal } from './support/service-process.js';
import { asSuperuser, createTestDatabase, type TestDatabase } from './support/test-database.js';

// A logical dump restored into a new cluster keeps its events' transaction ids, while the
// new cluster's counter starts low: new events would sort before the restored ones and
// every reader past them would skip them. The service refuses to start on such a ledger and
// says how to fix it, before it appends anything.

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

async function eventCount(): Promise<number> {
  const client = newClient(database.url);
  await client.connect();
  try {
    return Number((await client.query<{ count: string }>('SELECT count(*) FROM events')).rows[0].count);
  } finally {
    await client.end();
  }
}

it('refuses to start on events written with transaction ids ahead of its server, naming the fix', async () => {
  // As a restore would leave it: an event whose transaction id this server has not reached.
  await asSuperuser(
    database.url,
    `INSERT INTO events (transaction_id, event_id, stream_id, revision, type, data, metadata)
     VALUES ((pg_snapshot_xmax(pg_current_snapshot())::text::numeric + 1000000)::text::xid8, $1, $2, 0, 'SourceRegistered', '{}', '{}')`,
    [randomUUID(), `source-${randomUUID()}`],
  );
  const { code, stderr } = await serviceRefusal(serviceEnv(database.url));

  expect(code).toBe(1);
  expect(stderr).toContain('restored from a logical dump');
  expect(stderr).toContain('docs/deployment.md');
  expect(stderr).not.toMatch(/\n\s+at /); // a message for the operator, not a stack trace
  expect(await eventCount()).toBe(1);
}, 60_000);
