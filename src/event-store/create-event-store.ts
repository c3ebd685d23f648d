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
  return new EventStoreDbEventStore({ connectionString: config.EVENTSTORE_CONNECTION_STRING! });
}
