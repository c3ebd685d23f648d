import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { eventually } from '../../test/support/caught-up.js';
import { asSuperuser, createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import type { EventStore, Position } from '../event-store/event-store.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { checkpointMessage } from './audit-format.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditSigningKey } from './audit-signing-key.js';
import { SigningEventStore } from './signing-event-store.js';
import { newPool } from '../database/pool.js';

// The sealer's own promises: one leaf per event, in ledger order, whoever seals; and a
// checkpoint by count or by time.

let database: TestDatabase;
let pool: pg.Pool;
/** The service's store: every event appended through it is signed, as the sealer requires. */
let store: SigningEventStore;
const key = AuditSigningKey.generate();

beforeEach(async () => {
  database = await createTestDatabase();
  pool = newPool(database.url, 10);
  store = new SigningEventStore(new PostgresEventStore(pool), key);
});

afterEach(async () => {
  await store.close();
  await pool.end();
  await database.drop();
});

async function append(count: number, through: EventStore = store): Promise<void> {
  for (let n = 0; n < count; n++) {
    await through.appendToStream(`probe-${randomUUID()}`, [{ id: randomUUID(), type: 'AuditProbe', data: { n }, metadata: {} }], { expectedRevision: 'no_stream' });
  }
}

async function leafCount(): Promise<number> {
  return (await new AuditLog(pool).head()).size;
}

it('hands out each leaf once and in ledger order, however many catch up at once', async () => {
  await append(40);
  const sealers = [0, 1, 2].map(() => new AuditSealer(store, pool, key, { checkpointEveryEvents: 9, checkpointEverySeconds: 3600, batchSize: 4 }));
  await eventually(async () => {
    await Promise.all(sealers.map((sealer) => sealer.catchUp()));
    return (await leafCount()) === 40;
  }, 'all 40 events to be sealed');

  const ledger = await store.readAll();
  const { rows } = await pool.query<{ position: Position }>('SELECT position FROM audit_leaves ORDER BY leaf_index');
  expect(rows.map(({ position }) => position)).toEqual(ledger.map(({ position }) => position));
  const checkpoints = await new AuditLog(pool).allCheckpoints();
  expect(checkpoints.map(({ treeSize }) => treeSize)).toEqual([9, 18, 27, 36]);
  for (const checkpoint of checkpoints) expect(await key.verify(checkpointMessage(checkpoint), checkpoint.signature)).toBe(true);
});

it('seals in the background, and signs what waited a checkpoint interval though fewer than N came', async () => {
  const sealer = new AuditSealer(store, pool, key, { checkpointEveryEvents: 1000, checkpointEverySeconds: 1, lockRetryMs: 50 });
  sealer.start();
  try {
    await append(3);
    await eventually(async () => (await leafCount()) === 3, 'the background sealer to seal 3 events');
    await eventually(async () => (await new AuditLog(pool).latestCheckpoint())?.treeSize === 3, 'a checkpoint of the 3 leaves', 10_000);
  } finally {
    await sealer.stop();
  }
});

it('seals only the service’s own events: stops at the first one not signed with its key, names it, and goes on once it is gone', async () => {
  await append(3);
  await append(1, store.adapter);
  await append(1, new SigningEventStore(store.adapter, AuditSigningKey.generate()));
  await append(2);
  const sealer = new AuditSealer(store, pool, key, { checkpointEveryEvents: 2, checkpointEverySeconds: 3600 });
  await eventually(async () => (await store.readAll()).length === 7, 'the 7 events within the read horizon');
  const ledger = await store.readAll();
  const refusedAt = (index: number) => ({ position: ledger[index].position, eventId: ledger[index].id, reason: expect.stringContaining("no valid signature of the service's key") });

  await sealer.catchUp();
  expect(await leafCount()).toBe(3);
  expect((await new AuditLog(pool).latestCheckpoint())?.treeSize).toBe(2);
  expect(await sealer.status()).toEqual({ refused: refusedAt(3), lag: expect.objectContaining({ events: 4 }) });

  // A superuser takes the rows out: never sealed, the log is none the worse.
  for (const index of [3, 4]) {
    await asSuperuser(database.url, 'DELETE FROM events WHERE event_id = $1', [ledger[index].id]);
    await sealer.catchUp();
    expect((await sealer.status()).refused).toEqual(index === 3 ? refusedAt(4) : null);
  }
  expect(await leafCount()).toBe(5);
});
