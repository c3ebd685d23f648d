import { resolve } from 'node:path';
import type { AppConfig } from '../config/config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { newClient } from './pool.js';

const EMBEDDED_DATABASE = 'incident_ledger';

/** DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (started, and its database created, if need be). */
export async function databaseUrlFor(config: AppConfig, log: (line: string) => void = console.log): Promise<string> {
  return (await openDatabase(config, log)).url;
}

/**
 * As databaseUrlFor, with `stop` for command-line tools: the embedded server they start is
 * a child process that would keep Node running. It stops only a server this process
 * started, not one it shares with a running service.
 */
export async function openDatabase(config: AppConfig, log: (line: string) => void = console.log): Promise<{ url: string; stop: () => Promise<void> }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => {} };
  const dataDir = resolve(config.DATA_DIR);
  const postgres = await startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_POSTGRES_PORT });
  await ensureDatabase(postgres.url('postgres'), EMBEDDED_DATABASE);
  log(`Embedded PostgreSQL in ${dataDir}`);
  return { url: postgres.url(EMBEDDED_DATABASE), stop: postgres.stop };
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = newClient(serverUrl);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}
