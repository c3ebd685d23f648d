import type pg from 'pg';
import type { AppConfig } from '../config/config.js';
import type { EventStore } from './event-store.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

/** The event store EVENT_STORE names. The PostgreSQL one lives in the service's database, through `pool`. */
export function createEventStore(config: AppConfig, pool: pg.Pool): EventStore {
  if (config.EVENT_STORE === 'postgres') return new PostgresEventStore(pool);
  // The configuration refuses eventstoredb without a connection string.
  return new EventStoreDbEventStore({ connectionString: config.EVENTSTORE_CONNECTION_STRING! });
}
