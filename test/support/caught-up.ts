import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '../../src/event-store/event-store.js';
import { decodePosition } from '../../src/event-store/postgres/log-position.js';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store.js';

// What the ledger holds, asked so that the answer includes every acknowledged write. On
// the PostgreSQL store the events table is read directly: readAll stops at the oldest
// running transaction of the whole server, which another test file's work can hold back
// for a moment, so "readAll found nothing more" does not yet mean "everything is there".
// Other stores (the EventStoreDB protocol double of `npm run test:eventstoredb`) have no
// such horizon, and are read through the port.

function storeOf(app: INestApplicationContext): { store: EventStore; dataSource: DataSource; postgres: boolean } {
  const store = app.get<EventStore>(EVENT_STORE);
  return { store, dataSource: app.get(DataSource), postgres: adapterOf(store) instanceof PostgresEventStore };
}

/** The adapter under the service's wrappers (MeteredEventStore, SigningEventStore), each of which names the store it wraps `adapter`. */
function adapterOf(store: EventStore): EventStore {
  return 'adapter' in store ? adapterOf(store.adapter as EventStore) : store;
}

/** Whether every projection's checkpoint has reached the ledger's last event. */
export async function projectionsCaughtUp(app: INestApplicationContext): Promise<boolean> {
  const { store, dataSource, postgres } = storeOf(app);
  const checkpoints = (await dataSource.query<{ position: string | null }[]>('SELECT position FROM projection_checkpoints')).map(({ position }) => position);
  if (!postgres) {
    const head = await store.headPosition();
    return head === undefined || (checkpoints.length > 0 && checkpoints.every((position) => position === head));
  }
  const [last] = await dataSource.query<{ transaction_id: string; position: string }[]>(
    'SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
  );
  if (!last) return true;
  const target = [BigInt(last.transaction_id), BigInt(last.position)];
  return (
    checkpoints.length > 0 &&
    checkpoints.every((position) => {
      if (position === null) return false;
      const { transactionId, position: sequence } = decodePosition(position);
      const at = [BigInt(transactionId), BigInt(sequence)];
      return at[0] > target[0] || (at[0] === target[0] && at[1] >= target[1]);
    })
  );
}

/** How many events the ledger holds. */
export async function ledgerLength(app: INestApplicationContext): Promise<number> {
  const { store, dataSource, postgres } = storeOf(app);
  if (postgres) return Number((await dataSource.query<{ count: string }[]>('SELECT count(*) FROM events'))[0].count);
  let count = 0;
  for (let page = await store.readAll({ maxCount: 1000 }); page.length > 0; page = await store.readAll({ after: page[page.length - 1].position, maxCount: 1000 })) {
    count += page.length;
  }
  return count;
}

/** Whether the audit log has sealed every event of the ledger. */
export async function ledgerSealed(app: INestApplicationContext): Promise<boolean> {
  const [{ count }] = await app.get(DataSource).query<{ count: string }[]>('SELECT count(*) FROM audit_leaves');
  return Number(count) === (await ledgerLength(app));
}

/** Polls until `condition` holds, or fails naming what it waited for. */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
