import { randomUUID } from 'node:crypto';
import {
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  InvalidPositionError,
  type Position,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from './event-store.js';

// The behaviour every EventStore adapter must show. An adapter's int-spec calls
// eventStoreContract with a setup that gives a working store on an empty or shared log.

export interface ContractSubject {
  store: EventStore;
  /**
   * Starts an append of `events` (expected revision `any`) and keeps its transaction open
   * until `commit()`, so that the suite can commit two appends in the reverse of the order
   * they were given positions. `null` for an adapter that cannot hold an append open (an
   * EventStoreDB append is ordered as it commits): the late-commit test then checks nothing,
   * as its name says.
   */
  holdAppendOpen: ((streamId: string, events: EventToAppend[]) => Promise<{ commit: () => Promise<void> }>) | null;
  /** Closes the store and frees what setup made. */
  teardown: () => Promise<void>;
}

export function eventStoreContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
    });

    afterAll(async () => {
      await subject?.teardown();
    });

    /** Appends one event to a new stream: its position marks "now" in the global log. */
    async function mark(): Promise<Position> {
      return (await store.appendToStream(newStream(), [anEvent('Marked')], { expectedRevision: 'no_stream' })).position;
    }

    describe('appendToStream', () => {
      it('with no_stream, starts a stream at revision 0 and stores the events as given', async () => {
        const stream = newStream();
        const events = [anEvent('IncidentOpened'), anEvent('ClaimReported')];

        const result = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });

        expect(result.nextExpectedRevision).toBe(1);
        const stored = await store.readStream(stream);
        expect(stored.map(withoutPosition)).toEqual(events.map((event, revision) => ({ ...event, streamId: stream, revision })));
        expect(result.position).toBe(stored[1].position);
      });

      it('with no_stream, conflicts when the stream exists', async () => {
        const stream = await streamWith(2);
        await expectConflict(store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' }), stream, 'no_stream', 1);
      });

      it('with a revision, appends when it is the last event’s', async () => {
        const stream = await streamWith(2);
        const result = await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 1 });
        expect(result.nextExpectedRevision).toBe(3);
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0, 1, 2, 3]);
      });

      it.each([0, 2])('with revision %i, conflicts when the stream is at 1, and stores nothing', async (expected) => {
        const stream = await streamWith(2);
        await expectConflict(store.appendToStream(stream, [anEvent()], { expectedRevision: expected }), stream, expected, 1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('with a revision, conflicts when the stream does not exist (actual -1)', async () => {
        const stream = newStream();
        await expectConflict(store.appendToStream(stream, [anEvent()], { expectedRevision: 0 }), stream, 0, -1);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('with stream_exists, appends to an existing stream and conflicts on a missing one', async () => {
        const existing = await streamWith(1);
        expect((await store.appendToStream(existing, [anEvent()], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(1);

        const missing = newStream();
        await expectConflict(store.appendToStream(missing, [anEvent()], { expectedRevision: 'stream_exists' }), missing, 'stream_exists', -1);
        expect(await store.readStream(missing)).toEqual([]);
      });

      it('with any, starts a stream or appends to it', async () => {
        const stream = newStream();
        expect((await store.appendToStream(stream, [anEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
      });

      it.each<[string, ExpectedRevision, number]>([
        ['no_stream on a new stream', 'no_stream', 0],
        ['the same revision', 2, 3],
      ])('lets exactly one of 20 concurrent appends with %s succeed; the others conflict', async (_, expected, initialEvents) => {
        const stream = await streamWith(initialEvents);
        const attempts = Array.from({ length: 20 }, () => anEvent());

        const outcomes = await Promise.allSettled(attempts.map((event) => store.appendToStream(stream, [event], { expectedRevision: expected })));

        const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [attempts[index].id] : []));
        const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(19);
        for (const error of losers) expect(error).toEqual(expect.any(WrongExpectedRevisionError));
        for (const error of losers) expect(error).toMatchObject({ streamId: stream, expected, actual: initialEvents });
        const stored = await store.readStream(stream);
        expect(stored).toHaveLength(initialEvents + 1);
        expect(stored[initialEvents].id).toBe(winners[0]);
      });

      it('answers a retried append (same event ids) with the first result and stores one copy, even once its expected revision is stale', async () => {
        const stream = newStream();
        const events = [anEvent(), anEvent()];
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });

        expect(await store.appendToStream(stream, events, { expectedRevision: 'no_stream' })).toEqual(first);
        await store.appendToStream(stream, [anEvent()], { expectedRevision: 1 });
        expect(await store.appendToStream(stream, events, { expectedRevision: 'no_stream' })).toEqual(first);
        expect(await store.appendToStream(stream, events, { expectedRevision: 'any' })).toEqual(first);

        expect((await store.readStream(stream)).map((event) => event.id)).toEqual([...events.map((event) => event.id), expect.any(String)]);
      });

      it.each<ExpectedRevision>(['any', 'no_stream'])('stores one copy when two identical appends (%s) race, and answers both alike', async (expected) => {
        const stream = newStream();
        const events = [anEvent(), anEvent()];

        const [one, other] = await Promise.all([0, 1].map(() => store.appendToStream(stream, events, { expectedRevision: expected })));

        expect(other).toEqual(one);
        expect((await store.readStream(stream)).map((event) => event.id)).toEqual(events.map((event) => event.id));
      });

      it('with no events, answers the current revision, or the conflict', async () => {
        const stream = await streamWith(2);
        const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
        expect(await store.appendToStream(stream, [], { expectedRevision: 1 })).toEqual({ nextExpectedRevision: 1, position: last.position });
        await expectConflict(store.appendToStream(stream, [], { expectedRevision: 5 }), stream, 5, 1);

        const missing = newStream();
        expect((await store.appendToStream(missing, [], { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(-1);
        await expectConflict(store.appendToStream(missing, [], { expectedRevision: 'stream_exists' }), missing, 'stream_exists', -1);
        expect(await store.readStream(missing)).toEqual([]);
      });
    });

    describe('appendToStreams', () => {
      it('appends to every stream as one change, answering each as appendToStream would', async () => {
        const [merged, survivor] = [newStream(), newStream()];
        await store.appendToStream(survivor, [anEvent('IncidentOpened')], { expectedRevision: 'no_stream' });
        const [own, other] = [[anEvent('IncidentMerged')], [anEvent('IncidentAbsorbed'), anEvent('IncidentLinkedFrom')]];

        const results = await store.appendToStreams([
          { streamId: merged, events: own, expectedRevision: 'no_stream' },
          { streamId: survivor, events: other, expectedRevision: 0 },
        ]);

        expect(results.map((result) => result.nextExpectedRevision)).toEqual([0, 2]);
        expect(ids(await store.readStream(merged))).toEqual(appendedIds(own));
        expect(ids(await store.readStream(survivor)).slice(1)).toEqual(appendedIds(other));
        expect(results[1].position).toBe((await store.readStream(survivor))[2].position);
      });

      it('appends nothing when any stream is not where expected, and names that stream', async () => {
        const [first, second] = [newStream(), newStream()];
        await store.appendToStream(second, [anEvent()], { expectedRevision: 'no_stream' });

        const change = store.appendToStreams([
          { streamId: first, events: [anEvent()], expectedRevision: 'no_stream' },
          { streamId: second, events: [anEvent()], expectedRevision: 'no_stream' },
        ]);

        await expect(change).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', streamId: second, actual: 0 });
        expect(await store.readStream(first)).toEqual([]);
        expect(await store.readStream(second)).toHaveLength(1);
      });

      it('stores a retried change once, answering as it first did', async () => {
        const appends = [
          { streamId: newStream(), events: [anEvent()], expectedRevision: 'no_stream' as const },
          { streamId: newStream(), events: [anEvent(), anEvent()], expectedRevision: 'no_stream' as const },
        ];
        const first = await store.appendToStreams(appends);

        expect(await store.appendToStreams(appends)).toEqual(first);
        expect(await store.readStream(appends[1].streamId)).toHaveLength(2);
      });
    });

    describe('readStream', () => {
      it('returns [] for a stream that does not exist', async () => {
        expect(await store.readStream(newStream())).toEqual([]);
      });

      it('reads forwards from a revision (inclusive), up to maxCount', async () => {
        const stream = await streamWith(5);
        expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
        expect(revisions(await store.readStream(stream, { direction: 'forwards', fromRevision: 3 }))).toEqual([3, 4]);
      });

      it('reads backwards from the end or from a revision (inclusive), up to maxCount', async () => {
        const stream = await streamWith(5);
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).toEqual([3, 2]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([4]);
      });
    });

    describe('readAll', () => {
      it('returns the events after a position in the order they were appended, across streams', async () => {
        const start = await mark();
        const [first, second] = [newStream(), newStream()];
        const a = [anEvent(), anEvent()];
        const b = [anEvent()];
        const appendedA = await store.appendToStream(first, a, { expectedRevision: 'no_stream' });
        await store.appendToStream(second, b, { expectedRevision: 'no_stream' });

        const read = await readAllUntil(start, (events) => events.length >= 3);

        expect(read.map(withoutPosition)).toEqual([
          { ...a[0], streamId: first, revision: 0 },
          { ...a[1], streamId: first, revision: 1 },
          { ...b[0], streamId: second, revision: 0 },
        ]);
        expect(read[1].position).toBe(appendedA.position);
        expect(ids(await store.readAll({ after: read[0].position, maxCount: 1 }))).toEqual([a[1].id]);
        expect(await store.readAll({ after: read[2].position })).toEqual([]);
      });

      it('reads from the beginning without `after`, and pages through the log without gaps or repeats', async () => {
        const stream = await streamWith(1);
        const [last] = await store.readStream(stream);
        const everything = await readAllUntil(undefined, (events) => ids(events).includes(last.id));

        const paged: RecordedEvent[] = [];
        for (let page = await store.readAll({ maxCount: 4 }); page.length > 0; page = await store.readAll({ after: page[page.length - 1].position, maxCount: 4 })) {
          paged.push(...page);
        }

        expect(everything.length).toBeGreaterThanOrEqual(3);
        expect(ids(paged)).toEqual(ids(everything));
      });

      it('holds every event appended, whatever its stream is called', async () => {
        const start = await mark();
        const event = anEvent();
        await store.appendToStream(`Audit.Probe_${randomUUID()}`, [event], { expectedRevision: 'no_stream' });

        expect(ids(await readAllUntil(start, (events) => events.length >= 1))).toEqual([event.id]);
      });

      it.each(['', 'not a position', '-1', '1e3', '🙂'])('rejects the position %p with InvalidPositionError', async (position) => {
        await expect(store.readAll({ after: position as Position })).rejects.toThrow(InvalidPositionError);
        await expect(firstOf(store.subscribeToAll({ after: position as Position }))).rejects.toThrow(InvalidPositionError);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up from a position, then delivers live events, and ends when its signal aborts', async () => {
        const start = await mark();
        const stream = newStream();
        const [old, live] = [anEvent(), anEvent()];
        await store.appendToStream(stream, [old], { expectedRevision: 'no_stream' });
        const controller = new AbortController();
        const subscription = store.subscribeToAll({ after: start, signal: controller.signal })[Symbol.asyncIterator]();

        expect((await subscription.next()).value).toMatchObject({ id: old.id, streamId: stream, revision: 0 });
        const next = subscription.next();
        await store.appendToStream(stream, [live], { expectedRevision: 0 });
        expect((await next).value).toMatchObject({ id: live.id, streamId: stream, revision: 1 });

        const waiting = subscription.next();
        controller.abort();
        expect(await waiting).toEqual({ done: true, value: undefined });
      });

      it('after headPosition(), delivers only what is recorded from then on', async () => {
        const before = await streamWith(1);
        const [seen] = await readAllUntil(undefined, (events) => events.some((event) => event.streamId === before)).then((events) => events.filter((event) => event.streamId === before));
        expect(seen).toBeDefined();
        const head = await store.headPosition();
        expect(head).toBeDefined();
        const controller = new AbortController();
        const subscription = store.subscribeToAll({ after: head, signal: controller.signal })[Symbol.asyncIterator]();
        const next = subscription.next();
        const later = await streamWith(1);
        expect((await next).value).toMatchObject({ streamId: later, revision: 0 });
        controller.abort();
      });

      it('ends at once when its signal is already aborted', async () => {
        await streamWith(1);
        const controller = new AbortController();
        controller.abort();
        expect(await firstOf(store.subscribeToAll({ signal: controller.signal }))).toBeUndefined();
      });
    });

    it('never skips an event whose append commits after a later one’s (checks nothing when holdAppendOpen is null)', async () => {
      if (!subject.holdAppendOpen) return;
      const start = await mark();
      const [early, late] = [anEvent(), anEvent()];
      const controller = new AbortController();
      const subscription = store.subscribeToAll({ after: start, signal: controller.signal })[Symbol.asyncIterator]();
      const firstReceived = subscription.next();

      const held = await subject.holdAppendOpen(newStream(), [early]);
      await store.appendToStream(newStream(), [late], { expectedRevision: 'no_stream' });
      const readBeforeCommit = await store.readAll({ after: start });
      await held.commit();
      const readAfterCommit = await readAllUntil(readBeforeCommit.at(-1)?.position ?? start, (events) => readBeforeCommit.length + events.length >= 2);

      expect(ids([...readBeforeCommit, ...readAfterCommit]).sort()).toEqual([early.id, late.id].sort());
      const received = [(await firstReceived).value, (await subscription.next()).value] as RecordedEvent[];
      expect(ids(received).sort()).toEqual([early.id, late.id].sort());
      controller.abort();
    });

    /**
     * readAll, repeated until `done` (for a few seconds at most). An event need not be in the
     * global log as soon as its append returns: on PostgreSQL it waits there for every
     * transaction on the server that started before it to end.
     */
    async function readAllUntil(after: Position | undefined, done: (events: RecordedEvent[]) => boolean): Promise<RecordedEvent[]> {
      for (const deadline = Date.now() + 5000; ; await new Promise((resolve) => setTimeout(resolve, 10))) {
        const events = await store.readAll({ after });
        if (done(events) || Date.now() > deadline) return events;
      }
    }

    /** A new stream with `count` events. */
    async function streamWith(count: number): Promise<string> {
      const stream = newStream();
      if (count > 0) await store.appendToStream(stream, Array.from({ length: count }, () => anEvent()), { expectedRevision: 'no_stream' });
      return stream;
    }
  });
}

function newStream(): string {
  return `contract-${randomUUID()}`;
}

function anEvent(type = 'ClaimReported'): EventToAppend {
  return {
    id: randomUUID(),
    type,
    data: { claimId: randomUUID(), summary: 'Attack on the garrison', figures: [{ outcome: 'killed', value: 12 }] },
    metadata: { recordedBy: 'contract', recordedAt: new Date().toISOString(), schemaVersion: 1 },
  };
}

async function expectConflict(append: Promise<unknown>, streamId: string, expected: ExpectedRevision, actual: number): Promise<void> {
  const error = await append.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject({ streamId, expected, actual });
}

async function firstOf<T>(iterable: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of iterable) return item;
  return undefined;
}

function withoutPosition({ position: _, ...event }: RecordedEvent): Omit<RecordedEvent, 'position'> {
  return event;
}

function appendedIds(events: EventToAppend[]): string[] {
  return events.map((event) => event.id);
}

function ids(events: RecordedEvent[]): string[] {
  return events.map((event) => event.id);
}

function revisions(events: RecordedEvent[]): number[] {
  return events.map((event) => event.revision);
}
