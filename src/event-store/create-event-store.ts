import { Logger } from '@nestjs/common';
import type pg from 'pg';
import type { AppConfig } from '../config/config.js';
import type { EventStore } from './event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

/**
 * The event store EVENT_STORE names. The PostgreSQL one lives in the service's database,
 * through `pool`. The EventStoreDB client (gRPC and its generated code, about 20 MB of a
 * process's memory) is loaded only when it is the one named.
 */
export async function createEventStore(config: AppConfig, pool: pg.Pool): Promise<EventStore> {
  if (config.EVENT_STORE === 'postgres') return new PostgresEventStore(pool);
  const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store.js');
  // The configuration refuses eventstoredb without a connection string.
  const store = new EventStoreDbEventStore({ connectionString: config.EVENTSTORE_CONNECTION_STRING! });
  // A change across streams that the last run left halfway is finished now; should the
  // server not answer yet, the next change across streams finishes it first.
  await store.finishChangesAcrossStreams().catch((error: unknown) => new Logger('EventStoreDB').warn(`Changes across streams not looked at on start: ${String(error)}`));
  return store;
}
