import { Logger } from '@nestjs/common';
import pg from 'pg';
import { eventually } from '../../test/support/caught-up.js';
import { createTestDatabase, ON_THIS_DATABASE, type TestDatabase } from '../../test/support/test-database.js';
import { whileLeader } from './leadership.js';
import { newClient, newPool } from './pool.js';

// One projector and one sealer among every process on the database: whoever holds the lock
// leads, the others wait, and one of them takes over when the leader stops or its
// connection dies (as when its process is killed, or the server ends it).

let database: TestDatabase;
let pool: pg.Pool;
let admin: pg.Client;

beforeEach(async () => {
  database = await createTestDatabase();
  pool = newPool(database.url, 10);
  admin = newClient(database.url);
  await admin.connect();
});

afterEach(async () => {
  await admin.end();
  await pool.end();
  await database.drop();
});

/** A process that would lead: it notes when it leads, and leads until told or cut off. */
function contender(name: string, leading: Set<string>, log: string[]) {
  const stopping = new AbortController();
  const options = { lockName: 'test:leader', role: name, retryMs: 50, logger: new Logger(name, { timestamp: false }), signal: stopping.signal };
  const running = whileLeader(pool, options, async (active) => {
    if (leading.size > 0) log.push(`${name} led beside ${[...leading].join(', ')}`);
    leading.add(name);
    log.push(`${name} leads`);
    await new Promise((resolve) => active.addEventListener('abort', resolve, { once: true }));
    leading.delete(name);
  });
  return { name, stop: () => (stopping.abort(), running) };
}

beforeAll(() => Logger.overrideLogger(false));

it('lets one process lead at a time, and another take over when it stops', async () => {
  const leading = new Set<string>();
  const log: string[] = [];
  const contenders = ['a', 'b', 'c'].map((name) => contender(name, leading, log));
  await eventually(async () => leading.size === 1, 'a leader');
  await new Promise((resolve) => setTimeout(resolve, 300)); // several retry rounds of the others

  const first = contenders.find((candidate) => leading.has(candidate.name))!;
  await first.stop();
  await eventually(async () => leading.size === 1 && !leading.has(first.name), 'another leader');

  await Promise.all(contenders.map((candidate) => candidate.stop()));
  expect(log.filter((line) => line.includes('beside'))).toEqual([]);
  expect(log).toHaveLength(2);
});

// The old leader learns of its loss only when its connection's end reaches it, so for that
// moment two may think they lead: the projector's and sealer's own row locks cover it.
it('is led again when the leader’s connection is ended from the server, as in a failover', async () => {
  const leading = new Set<string>();
  const log: string[] = [];
  const contenders = ['a', 'b'].map((name) => contender(name, leading, log));
  await eventually(async () => leading.size === 1, 'a leader');
  const [first] = leading;

  // The lock's connection is the one holding an advisory lock: end it from outside.
  const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() AND ${ON_THIS_DATABASE}`);
  expect(rowCount).toBe(1);

  await eventually(async () => log.filter((line) => line.endsWith('leads')).length === 2 && leading.size === 1, 'a leader again');
  // Stopped the moment another leads, while the one that lost the lock may be asking for it again.
  await Promise.all(contenders.map((candidate) => candidate.stop()));
  expect(log[0]).toBe(`${first} leads`);
  expect(leading.size).toBe(0);
});
