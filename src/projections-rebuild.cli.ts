import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './config/config.js';
import { databaseUrlFor } from './database/database-url.js';
import { migrate } from './database/migrate.js';
import { createEventStore } from './event-store/create-event-store.js';
import { ProjectionRunner } from './projections/projection-runner.js';
import { ReadModelChanges } from './projections/read-model-changes.js';
import { PROJECTIONS } from './read-models.js';

// `npm run projections:rebuild [-- name …]`: rebuilds the named projections (all without
// names) straight against the database, whether or not the service is running — a running
// service keeps serving the old tables until each rebuilt one is swapped in.
async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = await databaseUrlFor(config);
  await migrate(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  const dataSource = await new DataSource({ type: 'postgres', url: databaseUrl, logging: ['error'] }).initialize();
  // The ledger wherever the service keeps it (EVENT_STORE): the PostgreSQL events table is empty on EventStoreDB.
  const store = createEventStore(config, pool);
  // Announced, so that running services forget the views they hold in memory.
  const runner = new ProjectionRunner(store, dataSource, pool, PROJECTIONS, { changes: new ReadModelChanges(pool) });
  try {
    const names = process.argv.slice(2);
    // Side by side: while one projection waits on PostgreSQL, another folds its batch (docs/performance.md).
    const started = performance.now();
    await Promise.all(
      (names.length ? names : PROJECTIONS.map((projection) => projection.name)).map(async (name) => {
        const result = await runner.rebuild(name);
        console.log(`${result.name}: ${result.eventsApplied} events applied in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
  } finally {
    await store.close();
    await dataSource.destroy();
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});
