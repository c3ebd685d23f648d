// Jest loads this file outside its module system (no moduleNameMapper), so it and what it
// imports name their TypeScript files directly; test-database.ts does the rest per worker.
import { startTestPostgres } from './postgres-server.ts';
import { newClient } from '../../src/database/pool.ts';

// One PostgreSQL for the whole run: the embedded one, or TEST_DATABASE_URL's server.
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const server = await startTestPostgres();
    (globalThis as { __ledgerPostgres?: unknown }).__ledgerPostgres = server;
    serverUrl = server.url('postgres');
  }
  process.env.LEDGER_TEST_SERVER_URL = serverUrl;

  // A template left by an earlier run on a shared server may predate today's migrations.
  const admin = newClient(serverUrl);
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS ledger_template WITH (FORCE)');
  await admin.end();
}
