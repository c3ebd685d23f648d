// The event-store port. Adapters (postgres/, eventstoredb/) implement it and pass
// event-store.contract.ts; nothing outside event-store/ knows which one runs.

/** Where an append expects the stream to be. A number is the exact revision of its last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/**
 * A position in the global log. Opaque: callers pass back what they were given and never
 * compare or compute with it (each adapter has its own encoding).
 */
export type Position = string & { readonly __brand: 'Position' };

export type JsonObject = Record<string, unknown>;

export interface EventToAppend {
  /** The event's own id (UUID); an append retried with the same ids stores one copy. */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/** One stream's part of a change across streams (EventStore.appendToStreams). */
export interface StreamAppend {
  streamId: string;
  events: EventToAppend[];
  expectedRevision: ExpectedRevision;
}

export interface RecordedEvent {
  id: string;
  streamId: string;
  /** Counts from 0 within the stream. */
  revision: number;
  position: Position;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface AppendResult {
  /** The revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** The global position of the append's last event. */
  position: Position;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. Omitted: from the beginning. */
  after?: Position;
  maxCount?: number;
}

export interface SubscribeOptions {
  after?: Position;
  /** Ends the subscription; the iterator then returns. */
  signal?: AbortSignal;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision; -1 when it does not exist. */
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store cannot be reached or did not answer in time; the caller may retry later. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** The position passed in was not one this store handed out. */
export class InvalidPositionError extends Error {
  constructor(readonly value: string) {
    super(`Not a position of this event store: ${value}`);
    this.name = 'InvalidPositionError';
  }
}

export interface EventStore {
  /**
   * Appends atomically. Throws WrongExpectedRevisionError when the stream is not where
   * `expectedRevision` says. Retrying an append whose events were already stored (same
   * event ids) returns the first append's result and stores nothing.
   */
  appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /**
   * One change to several streams (a merge changes two incidents): either every append is
   * stored or none is. Every stream's expectation is checked first; WrongExpectedRevisionError
   * names the first stream not where it was expected. Retrying with the same event ids
   * returns the first results and stores nothing. Results are in the order of `appends`.
   *
   * PostgreSQL appends in one transaction. EventStoreDB has no transaction across streams:
   * the change is first recorded in a journal stream of the store's own (one stream, so such
   * changes take turns) and then carried out stream by stream, each step idempotent. A change a
   * crash cut short is finished before the next change across streams, and when the store
   * starts. There, once the first stream's events are in, the rest are appended even if
   * single-stream appends reached their streams since the check: what they were checked for
   * must be something only changes across streams alter (whether an incident was merged).
   */
  appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]>;
  /**
   * Carries out a change across streams that was recorded but not all carried out (on
   * EventStoreDB; PostgreSQL has none): to be called before deciding on streams such a change
   * may touch, so that a decision never sees it half done.
   */
  finishChangesAcrossStreams(): Promise<void>;
  /** A stream's events; [] when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The global log in commit order, never skipping an event whose transaction commits late. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The position of the last event readAll can return now; undefined while the log is
   * empty. Subscribing after it follows what is recorded from now on ("live only").
   */
  headPosition(): Promise<Position | undefined>;
  /** Catch-up from `after`, then live; in the same order as readAll. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/**
 * The same store with events as they are stored and signed: what identifies a source sealed
 * (src/sources/erasure/). For those who check the record rather than read it: the raw-event
 * routes and the audit.
 */
export const STORED_EVENTS = Symbol('StoredEvents');
