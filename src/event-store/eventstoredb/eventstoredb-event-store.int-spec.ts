import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { eventually } from '../../../test/support/caught-up.js';
import { freePort } from '../../database/free-port.js';
import { eventStoreContract } from '../event-store.contract.js';
import { EventStoreUnavailableError, type EventToAppend, InvalidPositionError, type Position, type RecordedEvent } from '../event-store.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';
import { EventStoreDbProtocolDouble } from './protocol-double/eventstoredb-protocol-double.js';

eventStoreContract('EventStoreDB protocol double (not EventStoreDB: the wire mapping)', async () => {
  const double = new EventStoreDbProtocolDouble();
  await double.start();
  const store = new EventStoreDbEventStore({ connectionString: double.connectionString });
  return {
    store,
    holdAppendOpen: null,
    teardown: async () => {
      await store.close();
      await double.stop();
    },
  };
});

// A real server runs only where one is given (`docker compose up eventstore`, then
// EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false): none can run on the CI machines.
const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
(realServer ? describe : describe.skip)(
  realServer ? `EventStoreDB at ${realServer}` : 'EventStoreDB, real server: skipped because EVENTSTORE_CONNECTION_STRING is not set',
  () => {
    eventStoreContract('EventStoreDB', async () => {
      const store = new EventStoreDbEventStore({ connectionString: realServer! });
      return { store, holdAppendOpen: null, teardown: () => store.close() };
    });
  },
);

describe('EventStoreDbEventStore', () => {
  describe('on the protocol double', () => {
    let double: EventStoreDbProtocolDouble;
    let store: EventStoreDbEventStore;

    beforeEach(async () => {
      double = new EventStoreDbProtocolDouble();
      await double.start();
      store = new EventStoreDbEventStore({ connectionString: double.connectionString });
    });

    afterEach(async () => {
      await store.close();
      await double.stop();
    });

    it('leaves the server’s own $ streams out of the global log', async () => {
      const start = await mark(store);
      const [ours, servers] = [anEvent(), anEvent()];
      await store.appendToStream(newStream(), [ours], { expectedRevision: 'no_stream' });
      await store.appendToStream(`$stats-${randomUUID()}`, [servers], { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({ after: start })[Symbol.asyncIterator]();

      const read = await store.readAll({ after: start });
      expect(ids(read)).toEqual([ours.id]);
      expect(await store.headPosition()).toBe(read[0].position);
      expect((await subscription.next()).value).toMatchObject({ id: ours.id });
      const next = subscription.next();
      const later = anEvent();
      await store.appendToStream(newStream(), [later], { expectedRevision: 'no_stream' });
      expect((await next).value).toMatchObject({ id: later.id });
      await subscription.return(undefined);
    });

    it('finishes a change across streams that a crash cut short, when the store starts again', async () => {
      const [merged, survivor] = [newStream(), newStream()];
      const appends = [
        { streamId: merged, events: [anEvent()], expectedRevision: 'no_stream' as const },
        { streamId: survivor, events: [anEvent()], expectedRevision: 'no_stream' as const },
      ];
      // The process dies after the journal and the first stream, before the second.
      const crashing = new EventStoreDbEventStore({ connectionString: double.connectionString });
      const append = crashing.appendToStream.bind(crashing);
      crashing.appendToStream = (streamId, events, options) =>
        streamId === survivor ? Promise.reject(new EventStoreUnavailableError('the process died')) : append(streamId, events, options);
      await expect(crashing.appendToStreams(appends)).rejects.toThrow('the process died');
      await crashing.close();
      expect(ids(await store.readStream(merged))).toEqual([appends[0].events[0].id]);
      expect(await store.readStream(survivor)).toEqual([]);

      await store.finishChangesAcrossStreams();

      expect(ids(await store.readStream(survivor))).toEqual([appends[1].events[0].id]);
      // Carried out once: finishing again, or the client retrying the change, adds nothing.
      await store.finishChangesAcrossStreams();
      await store.appendToStreams(appends);
      expect(await store.readStream(merged)).toHaveLength(1);
      expect(await store.readStream(survivor)).toHaveLength(1);
    });

    it('keeps its journal of changes across streams out of the global log', async () => {
      const start = await mark(store);
      const appends = [newStream(), newStream()].map((streamId) => ({ streamId, events: [anEvent()], expectedRevision: 'no_stream' as const }));
      await store.appendToStreams(appends);

      const read = await store.readAll({ after: start });
      expect(read.map((event) => event.streamId)).toEqual(appends.map((append) => append.streamId));
      expect(await store.headPosition()).toBe(read[1].position);
    });

    it('finishes a change the server left halfway as soon as it answers again, in the background', async () => {
      const [merged, survivor] = [newStream(), newStream()];
      const appends = [
        { streamId: merged, events: [anEvent()], expectedRevision: 'no_stream' as const },
        { streamId: survivor, events: [anEvent()], expectedRevision: 'no_stream' as const },
      ];
      const append = store.appendToStream.bind(store);
      store.appendToStream = (streamId, events, options) => {
        if (streamId !== survivor) return append(streamId, events, options);
        store.appendToStream = append; // the server answers again from the next call on
        return Promise.reject(new EventStoreUnavailableError('the server did not answer in time'));
      };

      await expect(store.appendToStreams(appends)).rejects.toThrow('did not answer in time');

      await eventually(async () => (await store.readStream(survivor)).length === 1, 'the survivor’s part of the change');
      expect(ids(await store.readStream(survivor))).toEqual([appends[1].events[0].id]);
    });

    it('abandons a recorded change whose first stream moved on before it was carried out', async () => {
      const [first, second] = [newStream(), newStream()];
      const appends = [
        { streamId: first, events: [anEvent()], expectedRevision: 'no_stream' as const },
        { streamId: second, events: [anEvent()], expectedRevision: 'no_stream' as const },
      ];
      // Another writer reaches the first stream between the check and the append.
      const append = store.appendToStream.bind(store);
      store.appendToStream = async (streamId, events, options) => {
        store.appendToStream = append;
        await append(first, [anEvent()], { expectedRevision: 'no_stream' });
        return append(streamId, events, options);
      };

      await expect(store.appendToStreams(appends)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', streamId: first });
      expect(await store.readStream(first)).toHaveLength(1);
      expect(await store.readStream(second)).toEqual([]);
      await store.finishChangesAcrossStreams();
      expect(await store.readStream(second)).toEqual([]);
    });

    it('refuses a position of the PostgreSQL store', async () => {
      await expect(store.readAll({ after: '1:2' as Position })).rejects.toThrow(InvalidPositionError);
    });

    it('resumes a subscription the server drops, without gaps or duplicates', async () => {
      const start = await mark(store);
      const stream = newStream();
      const events = Array.from({ length: 5 }, () => anEvent());
      await store.appendToStream(stream, events.slice(0, 3), { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({ after: start })[Symbol.asyncIterator]();
      const received = [await nextEvent(subscription), await nextEvent(subscription)];

      double.dropSubscriptions();
      await store.appendToStream(stream, events.slice(3), { expectedRevision: 2 });
      for (let i = 0; i < 3; i++) received.push(await nextEvent(subscription));

      expect(ids(received)).toEqual(ids(events));
      await subscription.return(undefined);
    });

    it('resumes a subscription across a server restart, without gaps or duplicates', async () => {
      const start = await mark(store);
      const [before, after] = [anEvent(), anEvent()];
      await store.appendToStream(newStream(), [before], { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({ after: start })[Symbol.asyncIterator]();
      expect((await nextEvent(subscription)).id).toBe(before.id);
      const next = nextEvent(subscription);

      await double.stop();
      await expect(store.appendToStream(newStream(), [anEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow(EventStoreUnavailableError);
      await double.start();
      await store.appendToStream(newStream(), [after], { expectedRevision: 'no_stream' });

      expect((await next).id).toBe(after.id);
      await subscription.return(undefined);
    });
  });

  it('reports a server that is not there as EventStoreUnavailableError, at once', async () => {
    const store = new EventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${await freePort()}?tls=false` });
    const started = performance.now();
    try {
      await expect(store.appendToStream(newStream(), [anEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow(EventStoreUnavailableError);
      await expect(store.readStream(newStream())).rejects.toThrow(EventStoreUnavailableError);
      await expect(store.readAll()).rejects.toThrow(EventStoreUnavailableError);
      await expect(store.headPosition()).rejects.toThrow(EventStoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(2000); // the deadline is 5 s: refused, not timed out
    } finally {
      await store.close();
    }
  });

  it('gives up at its own deadline on a server that accepts the connection but never answers, and reconnects once one answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    const port = await listening(silent);
    const store = new EventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${port}?tls=false`, deadlineMs: 300 });
    const double = new EventStoreDbProtocolDouble(port);
    const stream = newStream();
    try {
      const started = performance.now();
      await expect(store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow(/did not answer an append .* within 300 ms/);
      expect(performance.now() - started).toBeLessThan(2000); // the client alone would wait for ever
      await expect(store.readStream(stream)).rejects.toThrow(/did not answer a read .* within 300 ms/);

      // The silent connections stay open, as half-open ones would: only a new one reaches the server.
      silent.close();
      await double.start();
      expect((await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(0);
    } finally {
      await store.close();
      await double.stop();
      for (const socket of sockets) socket.destroy();
    }
  });
});

async function mark(store: EventStoreDbEventStore): Promise<Position> {
  return (await store.appendToStream(newStream(), [anEvent()], { expectedRevision: 'no_stream' })).position;
}

async function nextEvent(subscription: AsyncIterator<RecordedEvent>): Promise<RecordedEvent> {
  const { value, done } = await subscription.next();
  if (done) throw new Error('the subscription ended');
  return value;
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function newStream(): string {
  return `esdb-${randomUUID()}`;
}

function anEvent(): EventToAppend {
  return { id: randomUUID(), type: 'ClaimReported', data: { summary: 'Attack on the garrison' }, metadata: { recordedAt: new Date().toISOString() } };
}

function ids(events: { id: string }[]): string[] {
  return events.map((event) => event.id);
}
