import { randomUUID } from 'node:crypto';
import { addAbortSignal } from 'node:stream';
import {
  type AppendResult as AppendedEvents,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  isCommandError,
  jsonEvent,
  NotLeaderError,
  type ReadPosition,
  type RecordedEvent as ClientRecordedEvent,
  START,
  type StreamingRead,
  StreamNotFoundError,
  streamNameFilter,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { followedAbort, linkedAbort } from '../../common/linked-abort.js';
import { pause } from '../../common/pause.js';
import { Logger } from '@nestjs/common';
import {
  type AppendResult,
  type EventStore,
  EventStoreUnavailableError,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store.js';
import { decodePosition, encodePosition, isAfter, LOG_START } from './log-position.js';

export interface EventStoreDbEventStoreOptions {
  /** esdb://host:2113?tls=false, or a cluster's esdb://a:2113,b:2113,c:2113 or esdb+discover://. */
  connectionString: string;
  /** How long any one call may take before the store counts as unavailable. */
  deadlineMs?: number;
}

/** How many events of $all one read asks for; every page is a call of its own, under its own deadline. */
const READ_PAGE = 500;
const FIRST_RESUBSCRIBE_DELAY_MS = 100;
const MAX_RESUBSCRIBE_DELAY_MS = 5000;
/**
 * The journal of changes across streams (appendToStreams): the store's own, out of the
 * ledger. Not under `$`, where a secured server lets only admins write. Its events are
 * `ChangeRecorded` (the appends, to be carried out), then `ChangeCompleted`, or
 * `ChangeAbandoned` (its first stream had moved on: nothing of it was written).
 */
const CHANGES = 'ledger-changes-across-streams';
const CHANGE_RECORDED = 'ChangeRecorded';
const CHANGE_COMPLETED = 'ChangeCompleted';
const CHANGE_ABANDONED = 'ChangeAbandoned';
/**
 * The ledger is every stream but the server's own, whose names start with `$` (statistics,
 * stream metadata, projections' links), and the journal: as in the PostgreSQL store,
 * whatever is appended through this port is in the global log. Give the service a server
 * of its own.
 */
const LEDGER_STREAMS = new RegExp(`^(?!\\$|${CHANGES}$)`);
/** How soon a change left halfway (the server stopped answering) is looked at again, at first. */
const FIRST_FINISH_RETRY_MS = 1_000;

/** What a server before 22.6 gives as the $all position of an event read from its stream. */
const NO_POSITION = 2n ** 64n - 1n;

/**
 * The event store on EventStoreDB / KurrentDB (22.6 or later), through @eventstore/db-client.
 * Streams, revisions and event ids map one to one; positions are $all's (commit, prepare).
 *
 * Two things the server does not give, and this store adds: a deadline on every call (the
 * client waits for ever on a server that accepted the connection but never answers), and
 * exact idempotency for a retried append (the server recognises one only while it can: see
 * appendExpecting and appendAtAnyRevision).
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly logger = new Logger('EventStoreDB');
  private readonly connectionString: string;
  private readonly deadlineMs: number;
  private readonly closing = followedAbort();
  /** Replaced when a call misses its deadline: see reconnect(). */
  private client: EventStoreDBClient;

  constructor({ connectionString, deadlineMs = 5000 }: EventStoreDbEventStoreOptions) {
    this.connectionString = connectionString;
    this.deadlineMs = deadlineMs;
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async appendToStream(streamId: string, events: EventToAppend[], { expectedRevision }: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (events.length === 0) return this.whereStreamIs(streamId, expectedRevision);
    if (expectedRevision === 'any') return this.appendAtAnyRevision(streamId, events);
    return this.appendExpecting(streamId, events, expectedRevision);
  }

  /**
   * A process manager over the journal (CHANGES): the change is recorded there first,
   * expecting the journal where it was found, so that changes across streams take turns,
   * each decided on what the one before left; then carried out (carryOut), every step
   * idempotent, by whoever comes next should this process die halfway.
   */
  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    for (;;) {
      const journal = await this.finishedJournal();
      const earlier = await this.storedChange(appends);
      if (earlier) return earlier;
      for (const { streamId, expectedRevision } of appends) await this.whereStreamIs(streamId, expectedRevision);
      const change = { id: randomUUID(), type: CHANGE_RECORDED, data: { appends } as unknown as JsonObject, metadata: {} };
      try {
        await this.appendExpecting(CHANGES, [change], journal === -1 ? 'no_stream' : journal);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && error.streamId === CHANGES) continue; // another change went first
        throw error;
      }
      let results: AppendResult[] | undefined;
      try {
        results = await this.carryOut(journal + 1, appends);
      } catch (error) {
        // Recorded, not all carried out: finished as soon as the server answers again.
        this.finishLater();
        throw error;
      }
      if (results) return results;
      const { streamId, expectedRevision } = appends[0];
      const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      throw new WrongExpectedRevisionError(streamId, expectedRevision, last ? last.revision : -1);
    }
  }

  /** Carries out the journal's last change if a crash or a failure cut it short. */
  async finishChangesAcrossStreams(): Promise<void> {
    await this.finishedJournal();
  }

  /** finishChangesAcrossStreams, answering the journal's last revision then (-1 while it is empty). */
  private async finishedJournal(): Promise<number> {
    for (;;) {
      const [last] = await this.readStream(CHANGES, { direction: 'backwards', maxCount: 1 });
      if (last === undefined || last.type !== CHANGE_RECORDED) return last?.revision ?? -1;
      // Carried out (now or before), the change is marked completed: the journal moves on.
      await this.carryOut(last.revision, (last.data as unknown as { appends: StreamAppend[] }).appends);
    }
  }

  private finishing?: NodeJS.Timeout;

  /** Tries finishChangesAcrossStreams until it succeeds, backing off, while the store is open. */
  private finishLater(delayMs = FIRST_FINISH_RETRY_MS): void {
    if (this.finishing !== undefined || this.closing.signal.aborted) return;
    this.finishing = setTimeout(() => {
      this.finishing = undefined;
      this.finishChangesAcrossStreams().catch(() => this.finishLater(Math.min(delayMs * 2, 30_000)));
    }, delayMs).unref();
  }

  /**
   * The change's appends, in order, each skipped when its events are in already. The first
   * must find its stream where expected: if it does not, nothing was written, and the change
   * is abandoned (undefined). Once it is in, the others go in wherever their streams are.
   * Either way the journal records the outcome, unless another process recorded it first.
   */
  private async carryOut(revision: number, appends: StreamAppend[]): Promise<AppendResult[] | undefined> {
    const results: AppendResult[] = [];
    for (const [index, { streamId, events, expectedRevision }] of appends.entries()) {
      const stored = sameAppend(streamId, await this.readStream(streamId), events);
      if (stored) {
        results.push(stored);
      } else if (index > 0) {
        results.push(await this.appendToStream(streamId, events, { expectedRevision: 'any' }));
      } else {
        try {
          results.push(await this.appendToStream(streamId, events, { expectedRevision }));
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          await this.recordOutcome(revision, CHANGE_ABANDONED);
          return undefined;
        }
      }
    }
    await this.recordOutcome(revision, CHANGE_COMPLETED);
    return results;
  }

  private async recordOutcome(revision: number, type: typeof CHANGE_COMPLETED | typeof CHANGE_ABANDONED): Promise<void> {
    await this.appendExpecting(CHANGES, [{ id: randomUUID(), type, data: { revision }, metadata: {} }], revision).catch((raced: unknown) => {
      if (!(raced instanceof WrongExpectedRevisionError)) throw raced; // another process recorded it first
    });
  }

  /** The results of this very change, when it is stored already (a retry whose answer was lost). */
  private async storedChange(appends: StreamAppend[]): Promise<AppendResult[] | undefined> {
    const [first] = appends;
    if (!sameAppend(first.streamId, await this.readStream(first.streamId), first.events)) return undefined;
    return Promise.all(
      appends.map(async ({ streamId, events }) => {
        const stored = events.length === 0 ? await this.whereStreamIs(streamId, 'any') : sameAppend(streamId, await this.readStream(streamId), events);
        if (!stored) throw new Error(`A change across streams is stored in ${first.streamId} but not in ${streamId}`);
        return stored;
      }),
    );
  }

  async readStream(streamId: string, { direction = 'forwards', fromRevision, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = direction === 'backwards';
    const from = fromRevision === undefined ? (backwards ? END : START) : BigInt(fromRevision);
    return this.call(`a read of ${streamId}`, async (client, deadline) => {
      try {
        const read = client.readStream(streamId, { direction: backwards ? BACKWARDS : FORWARDS, fromRevision: from, maxCount });
        return (await collect(read, deadline)).flatMap(({ event }) => (event ? [toRecordedEvent(event)] : []));
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
    });
  }

  async readAll({ after, maxCount }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    let from = after === undefined ? undefined : decodePosition(after);
    const events: RecordedEvent[] = [];
    for (;;) {
      const page = await this.pageOfAll(from ?? START, FORWARDS);
      // A read from a position starts with the event at it.
      for (const event of page) {
        if (from && !isAfter(event.position, from)) continue;
        if (isLedgerStream(event.streamId)) events.push(toRecordedEvent(event));
        if (events.length === maxCount) return events;
      }
      if (page.length < READ_PAGE) return events;
      from = page[page.length - 1].position;
    }
  }

  async headPosition(): Promise<Position | undefined> {
    for (let before: ReadPosition = END; ; ) {
      const page = await this.pageOfAll(before, BACKWARDS);
      const last = page.find((event) => isLedgerStream(event.streamId));
      if (last) return encodePosition(last.position);
      if (page.length < READ_PAGE) return undefined;
      before = page[page.length - 1].position;
    }
  }

  /**
   * A catch-up subscription to $all, filtered by the server to the ledger's streams. When it
   * drops (server restart, leader change, lost connection) it subscribes again after the last
   * event it delivered, backing off while the server stays away: no gap, and an event that
   * comes again is passed over.
   */
  async *subscribeToAll({ after, signal }: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    let last = after === undefined ? undefined : decodePosition(after);
    const linked = linkedAbort(signal ? [signal, this.closing.signal] : this.closing.signal);
    const stop = linked.signal;
    try {
      for (let failures = 0; !stop.aborted; failures++) {
        let subscription: AllStreamSubscription | undefined;
        try {
          subscription = await this.subscription(last ?? START, stop);
          for await (const { event } of subscription as AsyncIterable<AllStreamResolvedEvent>) {
            if (!event || (last && !isAfter(event.position, last))) continue;
            last = event.position;
            failures = 0;
            yield toRecordedEvent(event);
          }
        } catch (error) {
          if (stop.aborted) return;
          if (!(error instanceof EventStoreUnavailableError || isUnavailable(error))) throw error;
          this.logger.warn(`Subscription to $all dropped (${errorMessage(error)}); subscribing again after ${last ? encodePosition(last) : 'the start'}`);
        } finally {
          await subscription?.unsubscribe();
        }
        await pause(Math.min(FIRST_RESUBSCRIBE_DELAY_MS * 2 ** failures, MAX_RESUBSCRIBE_DELAY_MS), stop);
      }
    } finally {
      linked.release();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.finishing);
    this.closing.abort();
    await this.client.dispose();
    closeChannel(this.client);
  }

  /**
   * One append with an exact expectation. The server answers a repeat of an append it wrote
   * as a success without a position, or, once the stream has moved on, as a conflict; either
   * way the first append's result is read from the stream, right after the expected revision,
   * where that append put its events.
   */
  private async appendExpecting(streamId: string, events: EventToAppend[], expected: Exclude<ExpectedRevision, 'any'>): Promise<AppendResult> {
    const after = typeof expected === 'number' ? expected : -1;
    let appended: AppendedEvents;
    try {
      appended = await this.call(`an append to ${streamId}`, (client) =>
        client.appendToStream(streamId, events.map(toEventData), { expectedRevision: typeof expected === 'number' ? BigInt(expected) : expected, deadline: this.deadlineMs }),
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const earlier = await this.earlierAppend(streamId, events, after);
      if (earlier) return earlier;
      throw new WrongExpectedRevisionError(streamId, expected, error.actualVersion === 'no_stream' ? -1 : Number(error.actualVersion));
    }
    if (appended.position) return { nextExpectedRevision: Number(appended.nextExpectedRevision), position: encodePosition(appended.position) };
    const earlier = await this.earlierAppend(streamId, events, after);
    if (!earlier) throw new Error(`EventStoreDB acknowledged an append to ${streamId} as a repeat, but its events are not in the stream`);
    return earlier;
  }

  /**
   * `any`, made exact: the server's duplicate check for `any` is best effort, so look for an
   * earlier copy in the stream first, then append expecting the revision just read. If the
   * stream moved on meanwhile, appendExpecting finds this very append there or conflicts,
   * and the stream is looked at again: each round needs another append to have succeeded.
   */
  private async appendAtAnyRevision(streamId: string, events: EventToAppend[]): Promise<AppendResult> {
    for (;;) {
      const stored = await this.readStream(streamId);
      const earlier = sameAppend(streamId, stored, events);
      if (earlier) return earlier;
      const revision = stored.length ? stored[stored.length - 1].revision : -1;
      try {
        return await this.appendExpecting(streamId, events, revision === -1 ? 'no_stream' : revision);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
  }

  /** The answer to an append of nothing: the expectation checked against the stream's last event. */
  private async whereStreamIs(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const actual = last ? last.revision : -1;
    if (!meets(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return { nextExpectedRevision: actual, position: last ? last.position : encodePosition(LOG_START) };
  }

  private async earlierAppend(streamId: string, events: EventToAppend[], afterRevision: number): Promise<AppendResult | undefined> {
    return sameAppend(streamId, await this.readStream(streamId, { fromRevision: afterRevision + 1 }), events);
  }

  /** One page of $all, every stream's: the client reads $all unfiltered. */
  private pageOfAll(from: ReadPosition, direction: typeof FORWARDS | typeof BACKWARDS): Promise<AllStreamRecordedEvent[]> {
    return this.call('a read of $all', async (client, deadline) => {
      const read = client.readAll({ fromPosition: from, direction, maxCount: READ_PAGE });
      return (await collect(read, deadline)).flatMap(({ event }) => (event ? [event] : []));
    });
  }

  /** A subscription to the ledger's streams in $all, once the server confirmed it (before any event). */
  private subscription(from: ReadPosition, stop: AbortSignal): Promise<AllStreamSubscription> {
    return this.call('a subscription to $all', async (client, deadline) => {
      const filter = streamNameFilter({ regex: LEDGER_STREAMS.source });
      const subscription = addAbortSignal(AbortSignal.any([stop, deadline]), client.subscribeToAll({ fromPosition: from, filter }));
      try {
        await new Promise((resolve, reject) => subscription.once('confirmation', resolve).once('error', reject));
      } catch (error) {
        await subscription.unsubscribe();
        throw error;
      }
      return subscription;
    });
  }

  /**
   * Runs one call under this store's own deadline. The client's deadlines do not cover it
   * all: its first call on a connection (ServerFeatures) has none, and a connection to a
   * server that accepted it but never answers stays "connecting" for ever, for every client
   * in the process (they share connections). On a miss the client is replaced.
   */
  private async call<T>(what: string, operation: (client: EventStoreDBClient, deadline: AbortSignal) => Promise<T>): Promise<T> {
    const client = this.client;
    const deadline = new AbortController();
    const missed = new Promise<never>((_, reject) =>
      deadline.signal.addEventListener('abort', () => reject(new EventStoreUnavailableError(`EventStoreDB did not answer ${what} within ${this.deadlineMs} ms`)), { once: true }),
    );
    const timer = setTimeout(() => deadline.abort(), this.deadlineMs);
    try {
      return await Promise.race([operation(client, deadline.signal), missed]);
    } catch (error) {
      if (deadline.signal.aborted) this.reconnect(client);
      // A call caught out by a replaced client's closed channel fails with a plain Error from grpc-js.
      const unavailable = isUnavailable(error) || (client !== this.client && !(error instanceof Error && isCommandError(error)));
      throw unavailable ? new EventStoreUnavailableError(`EventStoreDB unavailable for ${what}: ${errorMessage(error)}`, { cause: error }) : error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Gives up on a client whose call missed its deadline: a new client for the calls to come,
   * and the old one's channel closed, failing its calls, so that its connection is given up
   * too (connections are pooled per address: a new channel would wait on the stuck one).
   */
  private reconnect(stale: EventStoreDBClient): void {
    if (stale !== this.client) return;
    this.client = EventStoreDBClient.connectionString(this.connectionString);
    closeChannel(stale);
  }
}

/** getChannel is protected: the client has no public way to give up on its connection. */
function closeChannel(client: EventStoreDBClient): void {
  void (client as unknown as { getChannel(): Promise<{ close(): void }> }).getChannel().then((channel) => channel.close());
}

function isLedgerStream(streamId: string): boolean {
  return LEDGER_STREAMS.test(streamId);
}

function meets(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1;
    case 'stream_exists':
      return actual >= 0;
    default:
      return actual === expected;
  }
}

/** The result of an earlier append of exactly these events among `stored`, if there was one. */
function sameAppend(streamId: string, stored: RecordedEvent[], events: EventToAppend[]): AppendResult | undefined {
  const ids = events.map((event) => event.id.toLowerCase());
  const found = stored.filter((event) => ids.includes(event.id.toLowerCase()));
  if (found.length === 0) return undefined;
  const whole = found.length === ids.length && found.every((event, index) => event.id.toLowerCase() === ids[index] && event.revision === found[0].revision + index);
  if (!whole) throw new Error(`Appending to ${streamId}: some of these event ids were already used by a different append`);
  const last = found[found.length - 1];
  return { nextExpectedRevision: last.revision, position: last.position };
}

function toEventData(event: EventToAppend) {
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata });
}

function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  if (!event.position || event.position.commit === NO_POSITION) {
    throw new Error(`EventStoreDB gave ${event.streamId}@${event.revision} without its $all position: this store needs EventStoreDB 22.6 or later`);
  }
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: encodePosition(event.position),
    type: event.type,
    data: event.data as JsonObject,
    metadata: (event.metadata ?? {}) as JsonObject,
  };
}

/** Reads a read to its end; cancels it (on the server too) when `signal` aborts. */
async function collect<E>(read: StreamingRead<E>, signal: AbortSignal): Promise<E[]> {
  signal.addEventListener('abort', () => void read.cancel(), { once: true });
  return addAbortSignal(signal, read).toArray();
}

// gRPC status codes that mean "not now": the client reports an unreachable server on an
// append as a raw gRPC error, not as its own UnavailableError.
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** The server could not be reached, gave up, or is not the leader: try again later. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError || error instanceof TimeoutError || error instanceof NotLeaderError || error instanceof CancelledError) {
    return true;
  }
  const { code } = error as { code?: unknown };
  return code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
