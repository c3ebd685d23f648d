import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { eventually } from '../../test/support/caught-up.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import type { Projection } from './projection.js';
import { rowsWritten } from './write-rows.js';
import { ProjectionRunner } from './projection-runner.js';
import { newPool, openDataSource } from '../database/pool.js';

// The runner's own promises, with projections that know no incident: a projection that
// cannot handle an event stops alone and visibly. (Another process taking over after the
// projector dies is test/projection-crash.e2e-spec.ts.)

let database: TestDatabase;
let pool: pg.Pool;
let dataSource: DataSource;
let store: PostgresEventStore;

/** Notes every event it sees in a table of its own; refuses `Poison`. Needs nothing loaded. */
function counting(name: string, table: string): Projection {
  return {
    name,
    eventTypes: ['Counted', 'Poison'],
    tables: [table],
    load: () => ({ sql: 'SELECT 1', params: [] }),
    fold(events) {
      if (events.some((event) => event.type === 'Poison')) throw new Error(`${name} cannot read Poison`);
      return rowsWritten(
        `INSERT INTO ${table} (event_id) SELECT event_id FROM jsonb_to_recordset($1::jsonb) AS r (event_id uuid) ON CONFLICT DO NOTHING`,
        events.map((event) => ({ event_id: event.id })),
      );
    },
  };
}

/** One append (one transaction, so one batch sees all of it or none), of events of these types. */
/**
 * Appends, and waits until the ledger's readers see the events: a transaction that another
 * test file holds open on the server keeps them from readAll meanwhile, and a test that read
 * the ledger then would find other tests' events only.
 */
async function append(...types: string[]): Promise<string[]> {
  const events = types.map((type) => ({ id: randomUUID(), type, data: {}, metadata: { recordedAt: new Date().toISOString() } }));
  await store.appendToStream(`runner-${randomUUID()}`, events, { expectedRevision: 'no_stream' });
  const last = events[events.length - 1].id;
  await eventually(async () => (await store.readAll()).some((event) => event.id === last), 'the ledger to show the events appended');
  return events.map((event) => event.id);
}

async function count(table: string): Promise<number> {
  return Number((await dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0].n);
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = newPool(database.url, 10);
  // Not logging: these tests make statements fail on purpose, and check what follows.
  dataSource = await openDataSource(database.url, { logging: false });
  store = new PostgresEventStore(pool);
  for (const table of ['runner_a', 'runner_b', 'runner_c', 'runner_d', 'runner_e', 'runner_f', 'runner_g']) await dataSource.query(`CREATE TABLE ${table} (event_id uuid PRIMARY KEY)`);
  // What the projections below do to the database behind the runner's back, as a load can.
  await dataSource.query('CREATE FUNCTION runner_drop_schema(name text) RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE format($q$DROP SCHEMA %I CASCADE$q$, name); RETURN 1; END $$');
  await dataSource.query(
    'CREATE FUNCTION runner_set_checkpoint(projection text, checkpoint text) RETURNS int LANGUAGE sql AS $$ UPDATE projection_checkpoints SET position = checkpoint WHERE name = projection RETURNING 1 $$',
  );
});

afterAll(async () => {
  await store.close();
  await dataSource.destroy();
  await pool.end();
  await database.drop();
});

it('stops only the projection that cannot handle an event, with its error on record', async () => {
  const healthy: Projection = { ...counting('runner-healthy', 'runner_a'), eventTypes: ['Counted'] };
  const fragile = counting('runner-fragile', 'runner_b');
  const runner = new ProjectionRunner(store, dataSource, pool, [healthy, fragile]);
  await append('Counted', 'Poison', 'Counted');
  await eventually(async () => {
    await runner.catchUp();
    return (await count('runner_a')) === 2;
  }, 'the healthy projection to apply both events', 5000);

  const statuses = Object.fromEntries((await runner.status()).map((status) => [status.name, status]));
  expect(statuses['runner-healthy']).toMatchObject({ status: 'running', error: null });
  expect(statuses['runner-fragile']).toMatchObject({ status: 'failed', error: 'runner-fragile cannot read Poison' });
  // Its batch is rolled back whole: it stays at its last good checkpoint until rebuilt.
  expect(await count('runner_b')).toBe(0);
});

it('resumes a failed projection once another process rebuilt it, while it goes on projecting the others', async () => {
  const healthy: Projection = { ...counting('runner-busy', 'runner_f'), eventTypes: ['Counted'] };
  const fragile = counting('runner-mended', 'runner_g');
  const leader = new ProjectionRunner(store, dataSource, pool, [healthy, fragile]);
  await append('Counted', 'Poison');
  await leader.catchUp();
  expect((await leader.status()).find((status) => status.name === fragile.name)).toMatchObject({ status: 'failed' });

  // "Fix, then rebuild": a release whose projection reads Poison rebuilds it from another process.
  const mended: Projection = { ...fragile, fold: (events, loaded) => fragile.fold(events.filter((event) => event.type !== 'Poison'), loaded) };
  await new ProjectionRunner(store, dataSource, pool, [mended]).rebuild(fragile.name);

  const later = await append('Counted');
  await eventually(async () => {
    await leader.catchUp();
    return (await dataSource.query('SELECT 1 FROM runner_g WHERE event_id = $1', [later[0]])).length === 1;
  }, 'the leader to apply the rebuilt projection again', 5000);
  expect((await leader.status()).find((status) => status.name === fragile.name)).toMatchObject({ status: 'running', lag: { events: 0 } });
});

it('keeps a projection running when the database goes away under it, and applies the batch once it is back', async () => {
  let databaseDown = true;
  const steady = counting('runner-steady', 'runner_c');
  const interrupted: Projection = {
    ...steady,
    eventTypes: ['Counted'], // the ledger also holds the other test's Poison
    fold(events, loaded) {
      if (databaseDown) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      return steady.fold(events, loaded);
    },
  };
  const runner = new ProjectionRunner(store, dataSource, pool, [interrupted]);
  await append('Counted');

  // As often as a failover or an administrator ends its connections: never the projection's fault.
  for (let cutOff = 0; cutOff < 5; cutOff++) await expect(runner.catchUp()).rejects.toThrow('terminating connection');
  expect((await runner.status())[0]).toMatchObject({ status: 'running', error: null });

  databaseDown = false;
  await eventually(async () => {
    await runner.catchUp();
    return (await count('runner_c')) > 0;
  }, 'the batch to be applied once the database is back', 5000);
});

it('stops a projection whose batch keeps running out of time, though a statement timeout looks like the database’s failing', async () => {
  const timingOut: Projection = {
    ...counting('runner-timing-out', 'runner_c'),
    eventTypes: ['Counted'],
    fold() {
      throw Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    },
  };
  const runner = new ProjectionRunner(store, dataSource, pool, [timingOut]);
  await append('Counted');

  await expect(runner.catchUp()).rejects.toThrow('statement timeout');
  await expect(runner.catchUp()).rejects.toThrow('statement timeout');
  await runner.catchUp(); // the third time, it is the projection's
  expect((await runner.status())[0]).toMatchObject({ status: 'failed', error: 'canceling statement due to statement timeout' });
});

it('lets no replayed write reach the live tables, even should the scratch schema vanish mid-rebuild', async () => {
  const counted = counting('runner-vanishing', 'runner_d');
  const vanishing: Projection = {
    ...counted,
    eventTypes: ['Counted'],
    // As a second rebuild starting afresh did, before rebuilds took turns.
    load: () => ({ sql: 'SELECT public.runner_drop_schema($1)', params: ['rebuild_runner_vanishing'] }),
  };
  const runner = new ProjectionRunner(store, dataSource, pool, [vanishing]);
  await append('Counted');

  await expect(runner.rebuild('runner-vanishing')).rejects.toThrow('relation "runner_d" does not exist');
  expect(await count('runner_d')).toBe(0);
});

it('rolls a batch back whole when its checkpoint moved while it was applied, as a rebuild’s swap moves it, and goes on from there', async () => {
  const counted = counting('runner-overtaken', 'runner_e');
  let ours: string[] = [];
  let overtaken = false;
  const overtakable: Projection = {
    ...counted,
    eventTypes: ['Counted'],
    // Between the batch's load and its write, another transaction moves the checkpoint on, to
    // the first of this test's events.
    load(events) {
      const first = events.find((event) => event.id === ours[0]);
      if (overtaken || !first) return counted.load(events);
      overtaken = true;
      return { sql: "SELECT public.runner_set_checkpoint($1, $2)", params: [counted.name, first.position] };
    },
  };
  const runner = new ProjectionRunner(store, dataSource, pool, [overtakable]);
  ours = await append('Counted', 'Counted', 'Counted');
  // Until the projection has applied the events after the one it was moved to (the overtaken batch goes again).
  await eventually(async () => {
    await runner.catchUp();
    const [{ applied }] = await dataSource.query<{ applied: number }[]>('SELECT count(*)::int AS applied FROM runner_e WHERE event_id = ANY($1::uuid[])', [ours]);
    return applied === 2 && (await runner.status())[0].lag.events === 0;
  }, 'the projection to catch up', 5000);

  expect(overtaken).toBe(true);
  // Nothing of the batch that was overtaken stayed; the next began where the checkpoint was moved to.
  expect((await dataSource.query<{ event_id: string }[]>('SELECT event_id FROM runner_e ORDER BY event_id')).map((row) => row.event_id)).toEqual(ours.slice(1).sort());
  const [{ events_applied: applied }] = await dataSource.query('SELECT events_applied FROM projection_checkpoints WHERE name = $1', [counted.name]);
  expect(Number(applied)).toBe(2);
});
