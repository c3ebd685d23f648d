import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { eventStoreContract } from '../event-store.contract.js';
import { EventStoreUnavailableError, type EventToAppend, InvalidPositionError, type Position, WrongExpectedRevisionError } from '../event-store.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { newPool } from '../../database/pool.js';

eventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const pool = newPool(database.url, 25);
  const store = new PostgresEventStore(pool);
  return {
    store,
    holdAppendOpen: (streamId, events) => holdAppendOpen(pool, streamId, events),
    teardown: async () => {
      await store.close();
      await pool.end();
      await database.drop();
    },
  };
});

describe('PostgresEventStore on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = newPool(database.url, 5);
    store = new PostgresEventStore(pool);
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('refuses to UPDATE, DELETE or TRUNCATE events', async () => {
    const event = anEvent();
    await store.appendToStream(newStream(), [event], { expectedRevision: 'no_stream' });

    await expect(pool.query("UPDATE events SET type = 'Rewritten' WHERE event_id = $1", [event.id])).rejects.toThrow('events is append-only: UPDATE refused');
    await expect(pool.query('DELETE FROM events WHERE event_id = $1', [event.id])).rejects.toThrow('events is append-only: DELETE refused');
    await expect(pool.query('TRUNCATE events')).rejects.toThrow('events is append-only: TRUNCATE refused');
    expect((await pool.query('SELECT type FROM events WHERE event_id = $1', [event.id])).rows).toEqual([{ type: event.type }]);
  });

  it('shows why the global log is not read by position alone: a reader after position n skips an append that commits late', async () => {
    const start = (await store.appendToStream(newStream(), [anEvent()], { expectedRevision: 'no_stream' })).position;
    const naiveStart = await maxPosition();
    const [early, late] = [anEvent(), anEvent()];

    const held = await holdAppendOpen(pool, newStream(), [early]); // takes the lower position
    await store.appendToStream(newStream(), [late], { expectedRevision: 'no_stream' }); // commits first
    const naiveFirst = await readNaively(naiveStart);
    await held.commit();
    const naiveSecond = await readNaively(naiveFirst[naiveFirst.length - 1].position);

    expect(naiveFirst.map((row) => row.event_id)).toEqual([late.id]);
    expect(naiveSecond).toEqual([]); // `early` is behind this reader for good
    expect((await readAllUntil(start, 2)).map((event) => event.id)).toEqual([early.id, late.id]);
  });

  it('leaves no trace of an append that conflicts: no rows, no position used', async () => {
    const stream = newStream();
    await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
    const before = await maxPosition();

    await expect(store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 5 })).rejects.toThrow(WrongExpectedRevisionError);
    await expect(store.appendToStream(newStream(), [anEvent()], { expectedRevision: 'stream_exists' })).rejects.toThrow(WrongExpectedRevisionError);

    expect(await maxPosition()).toBe(before);
    const appended = anEvent();
    await store.appendToStream(stream, [appended], { expectedRevision: 0 });
    expect((await pool.query('SELECT position, revision FROM events WHERE event_id = $1', [appended.id])).rows).toEqual([{ position: String(Number(before) + 1), revision: '1' }]);
  });

  it('stores nothing of an append that fails part-way', async () => {
    const stream = newStream();
    const unstorable = { ...anEvent(), data: { text: 'NUL \u0000 is not valid in jsonb' } };

    await expect(store.appendToStream(stream, [anEvent(), unstorable], { expectedRevision: 'no_stream' })).rejects.toThrow(/unsupported Unicode escape sequence/);

    expect(await store.readStream(stream)).toEqual([]);
    expect((await pool.query('SELECT 1 FROM streams WHERE stream_id = $1', [stream])).rows).toEqual([]);
    expect((await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(0);
  });

  it('writes appends that arrive together in one transaction, each checked against its own expected revision', async () => {
    const taken = newStream();
    await store.appendToStream(taken, [anEvent()], { expectedRevision: 'no_stream' });
    const fresh = Array.from({ length: 30 }, () => newStream());

    const outcomes = await Promise.allSettled([
      ...fresh.map((stream) => store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' })),
      store.appendToStream(taken, [anEvent()], { expectedRevision: 'no_stream' }),
    ]);

    expect(outcomes.slice(0, fresh.length).every(({ status }) => status === 'fulfilled')).toBe(true);
    expect(outcomes[fresh.length]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
    const { rows } = await pool.query<{ transactions: string; events: string }>(
      'SELECT count(DISTINCT transaction_id) AS transactions, count(*) AS events FROM events WHERE stream_id = ANY($1)',
      [fresh],
    );
    expect(Number(rows[0].events)).toBe(2 * fresh.length);
    // Thirty-one appends issued at once: the first two go as they come, the rest wait and go together.
    expect(Number(rows[0].transactions)).toBeLessThan(fresh.length / 3);
  });

  it('fails only the append whose data PostgreSQL refuses, not the others of its group', async () => {
    const fresh = Array.from({ length: 10 }, () => newStream());
    const unstorable = { ...anEvent(), data: { text: 'NUL \u0000 is not valid in jsonb' } };

    const outcomes = await Promise.allSettled([
      ...fresh.map((stream) => store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' })),
      store.appendToStream(newStream(), [unstorable], { expectedRevision: 'no_stream' }),
    ]);

    expect(outcomes.slice(0, fresh.length).every(({ status }) => status === 'fulfilled')).toBe(true);
    expect(outcomes[fresh.length]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/unsupported Unicode escape sequence/) }) });
    expect((await pool.query('SELECT 1 FROM events WHERE stream_id = ANY($1)', [fresh])).rowCount).toBe(fresh.length);
  });

  it('refuses to append inside a transaction that has written already, where the stream lock would come after its id', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()'); // as any write does, this gives the transaction its id
      await expect(client.query("SELECT append_to_stream($1, 'any', $2)", [newStream(), JSON.stringify([anEvent()])])).rejects.toThrow(
        'must not run in a transaction that has written already',
      );
      await client.query('ROLLBACK');

      const stream = newStream();
      await client.query('BEGIN');
      await client.query("SELECT append_to_stream($1, 'any', $2)", [stream, JSON.stringify([anEvent()])]);
      await client.query('COMMIT');
      expect(await store.readStream(stream)).toHaveLength(1);
    } finally {
      client.release();
    }
  });

  it('refuses to treat an append as a retry when only some of its event ids were stored before', async () => {
    const stream = newStream();
    const stored = anEvent();
    await store.appendToStream(stream, [stored], { expectedRevision: 'no_stream' });

    await expect(store.appendToStream(stream, [stored, anEvent()], { expectedRevision: 'any' })).rejects.toThrow('some of these event ids were already used by a different append');
    await expect(store.appendToStream(newStream(), [stored], { expectedRevision: 'any' })).rejects.toThrow('some of these event ids were already used by a different append');
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it.each(['0:0x1', '01:2', '1:02', '+1:2', '1:', ':1', '1:2:3', ' 1:2', '1:2 ', '1-2', '18446744073709551616:1', '1:9223372036854775808'])(
    'rejects the malformed position %p',
    async (position) => {
      await expect(store.readAll({ after: position as Position })).rejects.toThrow(InvalidPositionError);
    },
  );

  it('puts the head after an event committed before the call, even while an older transaction is still open', async () => {
    const held = await holdAppendOpen(pool, newStream(), [anEvent()]); // holds the read horizon back
    const before = anEvent();
    const { position } = await store.appendToStream(newStream(), [before], { expectedRevision: 'no_stream' });

    const head = store.headPosition();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await held.commit();

    expect(await head).toBe(position);
  });

  it('wakes a subscription through NOTIFY when another process appends', async () => {
    // A poll interval far beyond the test's timeout: only the notification can deliver.
    const subscriber = new PostgresEventStore(pool, { pollIntervalMs: 600_000 });
    const start = (await store.appendToStream(newStream(), [anEvent()], { expectedRevision: 'no_stream' })).position;
    const controller = new AbortController();
    const subscription = subscriber.subscribeToAll({ after: start, signal: controller.signal })[Symbol.asyncIterator]();
    const next = subscription.next();
    await waitForListener();

    const event = anEvent();
    await store.appendToStream(newStream(), [event], { expectedRevision: 'no_stream' });

    expect((await next).value).toMatchObject({ id: event.id });
    await subscriber.close();
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });

  it('reports an unreachable server as EventStoreUnavailableError', async () => {
    const unreachable = newPool('postgres://ledger@127.0.0.1:1/ledger', 10);
    const offline = new PostgresEventStore(unreachable);
    try {
      await expect(offline.appendToStream(newStream(), [anEvent()], { expectedRevision: 'any' })).rejects.toThrow(EventStoreUnavailableError);
      await expect(offline.readStream(newStream())).rejects.toThrow(EventStoreUnavailableError);
      await expect(offline.readAll()).rejects.toThrow(EventStoreUnavailableError);
    } finally {
      await offline.close();
      await unreachable.end();
    }
  });

  async function maxPosition(): Promise<string> {
    return (await pool.query<{ max: string }>('SELECT max(position) FROM events')).rows[0].max;
  }

  /** What a reader going by position alone would read next. */
  async function readNaively(after: string): Promise<{ event_id: string; position: string }[]> {
    return (await pool.query('SELECT event_id, position FROM events WHERE position > $1 ORDER BY position', [after])).rows;
  }

  async function readAllUntil(after: Position, count: number) {
    for (const deadline = Date.now() + 5000; ; await new Promise((resolve) => setTimeout(resolve, 10))) {
      const events = await store.readAll({ after });
      if (events.length >= count || Date.now() > deadline) return events;
    }
  }

  async function waitForListener(): Promise<void> {
    const listening = "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ledger_events'";
    while ((await pool.query(listening)).rowCount === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

/** An append inside a transaction that stays open until `commit()`. */
async function holdAppendOpen(pool: pg.Pool, streamId: string, events: EventToAppend[]): Promise<{ commit: () => Promise<void> }> {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query("SELECT append_to_stream($1, 'any', $2)", [streamId, JSON.stringify(events)]);
  return {
    commit: async () => {
      await client.query('COMMIT');
      client.release();
    },
  };
}

function newStream(): string {
  return `pg-${randomUUID()}`;
}

function anEvent(): EventToAppend {
  return { id: randomUUID(), type: 'ClaimReported', data: { summary: 'Attack on the garrison' }, metadata: { recordedAt: new Date().toISOString() } };
}
