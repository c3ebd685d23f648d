import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/database/migrate.js';
import { newClient } from '../../src/database/pool.js';

const TEMPLATE_DATABASE = 'ledger_template';

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file: a clone of a template that the
 * first caller of the run creates and migrates (the others wait on a lock, then clone).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.LEDGER_TEST_SERVER_URL;
  if (!serverUrl) throw new Error('LEDGER_TEST_SERVER_URL is not set: run tests through `npm test` (jest globalSetup)');
  const name = `ledger_test_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [TEMPLATE_DATABASE]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DATABASE]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
      await migrate(withDatabase(serverUrl, TEMPLATE_DATABASE));
    }
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  });
  return {
    url: withDatabase(serverUrl, name),
    drop: () => onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = newClient(serverUrl);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A pg_locks condition for the locks on this test's database only: test files share one
 * server, and their databases, cloned from one template, give their tables the same oids.
 */
export const ON_THIS_DATABASE = 'database = (SELECT oid FROM pg_database WHERE datname = current_database())';

/**
 * Runs `sql` on the database as a superuser would tamper with it: with triggers off
 * (session_replication_role = replica), so that the events table's refusal of UPDATE and
 * DELETE does not apply.
 */
export async function asSuperuser(databaseUrl: string, sql: string, values: unknown[] = []): Promise<void> {
  const client = newClient(databaseUrl);
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(sql, values);
  } finally {
    await client.end();
  }
}
