import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { newPool } from '../database/pool.js';
import type { RecordedEvent } from '../event-store/event-store.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { INCIDENT_EVENT_TYPES } from '../incidents/domain/incident.events.js';
import { incidentsNamedIn } from '../incidents/read-model/incident-view.js';
import { storedIncidentEvent } from '../incidents/read-model/stored-incident-event.js';
import { storeLedger } from './store-workload.js';

// The stored workload is the ledger the benchmarks and the large tests fold: it must read as
// one the service would have recorded, or their projections meet what no real ledger holds.

let database: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = newPool(database.url, 10);
  store = new PostgresEventStore(pool);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await database?.drop();
});

/** The whole ledger, in its order: read again until every event stored shows (another test file's open transaction can hold the readers back). */
async function ledgerOfLength(length: number): Promise<RecordedEvent[]> {
  for (;;) {
    const events: RecordedEvent[] = [];
    for (let page = await store.readAll({ maxCount: 5000 }); page.length > 0; page = await store.readAll({ after: page[page.length - 1].position, maxCount: 5000 })) events.push(...page);
    if (events.length >= length) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('opens every incident before any event of the ledger names it, as links recorded through the service do', async () => {
  const { events } = await storeLedger(store, 20_000, 8);

  const opened = new Set<string>();
  const namedBeforeOpened: string[] = [];
  for (const recorded of await ledgerOfLength(events)) {
    if (!(INCIDENT_EVENT_TYPES as readonly string[]).includes(recorded.type)) continue;
    const event = storedIncidentEvent(recorded);
    if (event.type === 'IncidentOpened') opened.add(event.data.incidentId);
    for (const named of incidentsNamedIn(event)) if (!opened.has(named)) namedBeforeOpened.push(`${event.type} on ${event.data.incidentId} names ${named}`);
  }
  expect(opened.size).toBeGreaterThan(1_000);
  expect(namedBeforeOpened).toEqual([]);
}, 120_000);
