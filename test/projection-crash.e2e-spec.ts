import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from '../src/projections/projection-runner.js';
import { PROJECTIONS } from '../src/read-models.js';
import { generateWorkload } from '../src/workload/generate-workload.js';
import { eventually, projectionsCaughtUp } from './support/caught-up.js';
import { differences, snapshotProjectionTables } from './support/projection-tables.js';
import { KEYS, sourceKeysMasterKeyOf, startTestApp, type TestApp } from './support/test-app.js';
import { ON_THIS_DATABASE } from './support/test-database.js';
import { newClient } from '../src/database/pool.js';

// The projecting process is killed (SIGKILL, mid-batch) and started again: the read models
// converge to what a rebuild from zero gives, nothing missing and nothing doubled. The
// projector is the built service (`npm test` builds it first), a real child process.

const SERVICE = 'dist/src/main.js';
let api: TestApp;

beforeAll(async () => {
  if (!existsSync(SERVICE)) throw new Error(`${SERVICE} is missing: run \`npm run build\` (npm test does it first)`);
  api = await startTestApp();
  await generateWorkload(api.app.get(CommandBus), { events: 4_000 });
}, 300_000);

afterAll(async () => {
  await api.close();
});

// The service requires a signing key with DATABASE_URL; both runs sign with this one.
const AUDIT_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function startService(): ChildProcess {
  return spawn(process.execPath, [SERVICE], {
    env: { ...process.env, ...api.eventStoreConfig, DATABASE_URL: api.database.url, API_KEYS: `admin:admin:${KEYS.admin}`, AUDIT_SIGNING_KEY, SOURCE_KEYS_MASTER_KEY: sourceKeysMasterKeyOf(api.database.url).toString('base64'), PORT: '0', LOG_LEVEL: 'error', NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function eventsApplied(): Promise<number> {
  const [row] = await api.app.get(DataSource).query<{ applied: string | null }[]>('SELECT sum(events_applied) AS applied FROM projection_checkpoints');
  return Number(row.applied ?? 0);
}

/** Transactions of other sessions waiting for a lock on `table`, which `holder` holds. */
async function batchesWaitingFor(table: string, holder: pg.Client): Promise<number> {
  const { rows } = await holder.query<{ waiting: string }>(
    `SELECT count(*) AS waiting FROM pg_locks WHERE relation = $1::regclass AND NOT granted AND pid <> pg_backend_pid() AND ${ON_THIS_DATABASE}`,
    [table],
  );
  return Number(rows[0].waiting);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

it('read models converge after the projector is killed mid-batch and restarted', async () => {
  const runner = api.app.get(ProjectionRunner);
  // Hold the search projection's table from the start, so that the projector's first batch
  // stops halfway: the incident view's rows written, the search's not yet, nothing committed
  // (the projections' batch is one transaction). Then kill it there.
  const holder = newClient(api.database.url);
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE incident_search IN ACCESS EXCLUSIVE MODE');
  const first = startService();
  try {
    await eventually(async () => (await batchesWaitingFor('incident_search', holder)) > 0, 'a batch to stop halfway', 60_000);
  } finally {
    first.kill('SIGKILL');
    await exited(first);
    await holder.query('ROLLBACK');
    await holder.end();
  }
  expect(await eventsApplied()).toBe(0); // killed before it committed anything

  const second = startService();
  try {
    await eventually(() => projectionsCaughtUp(api.app), 'the restarted projector to catch up', 120_000);
  } finally {
    second.kill('SIGTERM');
    await exited(second);
  }

  const dataSource = api.app.get(DataSource);
  const converged = await snapshotProjectionTables(dataSource, PROJECTIONS);
  await runner.rebuild(...PROJECTIONS.map(({ name }) => name));
  await api.projected(); // a rebuild stops at the log's horizon; the live runner goes on from there
  const fromZero = await snapshotProjectionTables(dataSource, PROJECTIONS);
  expect(differences(fromZero, converged)).toEqual({});
  expect(converged).toEqual(fromZero);
}, 300_000);
