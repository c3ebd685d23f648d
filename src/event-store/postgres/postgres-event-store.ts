import pg from 'pg';
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
import { followedAbort, linkedAbort } from '../../common/linked-abort.js';
import { pause } from '../../common/pause.js';
import { isPostgresUnavailable } from '../../database/unavailable.js';
import { decodePosition, encodePosition, LOG_START, type LogPosition } from './log-position.js';
import { GroupCommit } from '../../common/group-commit.js';
import { LedgerNotifications } from './ledger-notifications.js';

export interface PostgresEventStoreOptions {
  /** How often an idle subscription reads even without a notification. */
  pollIntervalMs?: number;
}

interface EventRow {
  transaction_id: string;
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

interface Append {
  streamId: string;
  events: EventToAppend[];
  expectedRevision: ExpectedRevision;
}

/** One append's outcome in append_to_streams (migrations/1732500007000-group-commit.ts). */
interface GroupRow {
  n: number;
  outcome: 'appended' | 'unchanged' | 'conflict' | 'stored';
  last_revision: string;
  last_transaction_id: string | null;
  last_position: string | null;
}

/**
 * Appends in flight at once, each a group: two, so that one group's round trip and flush
 * overlap the next one's (docs/performance.md).
 */
const GROUPS_IN_FLIGHT = 2;
/** A group's size bound: a statement of a few hundred appends stays well under a second. */
const LARGEST_GROUP = 200;

const COLUMNS = 'transaction_id, position, event_id, stream_id, revision, type, data, metadata';
const SUBSCRIPTION_PAGE = 500;
const FIRST_RETRY_MS = 10;
/** How long headPosition waits for the transactions running at the call to end. */
const HEAD_WAIT_MS = 1_000;

/**
 * The event store on PostgreSQL: schema and append function in
 * migrations/1732500000000-event-store-schema.ts.
 *
 * The caller owns the pool. close() stops this store's subscriptions, its LISTEN connection
 * (a client of its own, made from the pool's options) and its timers, and waits for its last
 * NOTIFY; the pool stays open, so end it after close().
 */
export class PostgresEventStore implements EventStore {
  private readonly notifications: LedgerNotifications;
  private readonly closing = followedAbort();
  private readonly pollIntervalMs: number;
  private readonly appends = new GroupCommit<Append, AppendResult>((group) => this.writeGroup(group), { groupsInFlight: GROUPS_IN_FLIGHT, largestGroup: LARGEST_GROUP });

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.notifications = new LedgerNotifications(pool);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  appendToStream(streamId: string, events: EventToAppend[], { expectedRevision }: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return this.appends.add({ streamId, events, expectedRevision });
  }

  /**
   * The appends in one transaction of their own (append_to_streams checks them all under their
   * streams' locks): committed when every one was appended, rolled back otherwise. Not part of a
   * group, whose appends each stand alone.
   */
  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw this.unavailable(error);
    });
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<GroupRow>('SELECT n, outcome, last_revision, last_transaction_id, last_position FROM append_to_streams($1) ORDER BY n', [
        JSON.stringify(appends.map(({ streamId, events, expectedRevision }) => ({ stream: streamId, expected: String(expectedRevision), events }))),
      ]);
      const conflict = rows.findIndex((row) => row.outcome === 'conflict');
      const stored = rows.filter((row) => row.outcome === 'stored').length;
      if (conflict !== -1 || stored > 0) {
        await client.query('ROLLBACK');
        if (conflict !== -1) throw new WrongExpectedRevisionError(appends[conflict].streamId, appends[conflict].expectedRevision, Number(rows[conflict].last_revision));
        // The retry of a change whose answer was lost: every part of it is stored, and answered as it was.
        if (stored !== appends.filter((append) => append.events.length > 0).length) throw new Error('Appending across streams: some of these event ids were used by a different change');
        return await Promise.all(appends.map((append, index) => this.resultOf(append, rows[index])));
      }
      await client.query('COMMIT');
      this.notifications.announce();
      return await Promise.all(appends.map((append, index) => this.resultOf(append, rows[index])));
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => undefined);
      throw isPostgresUnavailable(error) ? this.unavailable(error) : error;
    } finally {
      client.release(broken !== undefined && isPostgresUnavailable(broken) ? broken : undefined);
    }
  }

  /** Each change across streams is one transaction here: none is ever left halfway. */
  async finishChangesAcrossStreams(): Promise<void> {}

  /**
   * One statement for the group. Should it fail as a whole (one append's data PostgreSQL
   * refuses, two appends racing with the same new event ids), each append goes again on its
   * own, so that each meets only its own fault.
   */
  private async writeGroup(group: Append[]): Promise<(AppendResult | Error)[]> {
    let rows: GroupRow[];
    try {
      rows = await this.query<GroupRow>('SELECT n, outcome, last_revision, last_transaction_id, last_position FROM append_to_streams($1) ORDER BY n', [
        JSON.stringify(group.map(({ streamId, events, expectedRevision }) => ({ stream: streamId, expected: String(expectedRevision), events }))),
      ]);
    } catch (error) {
      if (group.length === 1 || error instanceof EventStoreUnavailableError) return group.map(() => asError(error));
      const alone: (AppendResult | Error)[] = [];
      for (const append of group) alone.push(...(await this.writeGroup([append])));
      return alone;
    }
    if (rows.some((row) => row.outcome === 'appended')) this.notifications.announce();
    return Promise.all(rows.map((row, index) => this.resultOf(group[index], row).catch(asError)));
  }

  private async resultOf({ streamId, events, expectedRevision }: Append, row: GroupRow): Promise<AppendResult> {
    switch (row.outcome) {
      case 'conflict':
        // Refused with the stream's revision in hand: no second query before the answer.
        throw new WrongExpectedRevisionError(streamId, expectedRevision, Number(row.last_revision));
      case 'stored': {
        // An identical append was stored before (this is its retry): answer as it was answered.
        const earlier = await this.earlierAppend(streamId, events);
        if (!earlier) throw new Error(`Appending to ${streamId}: its event ids were stored, and then were not`);
        return earlier;
      }
      case 'appended':
      case 'unchanged': {
        // Only an empty append to a missing stream has no last event: it answers the log's start.
        const last = row.last_transaction_id === null || row.last_position === null ? LOG_START : { transactionId: row.last_transaction_id, position: row.last_position };
        return { nextExpectedRevision: Number(row.last_revision), position: encodePosition(last) };
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
        WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2
        ORDER BY revision ${backwards ? 'DESC' : 'ASC'}
        LIMIT $3`,
      [streamId, options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0), options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after === undefined ? LOG_START : decodePosition(options.after);
    return (await this.readPage(after, options.maxCount)).events;
  }

  /**
   * Waits (briefly) for the transactions running at the call to end: until they have, the
   * read horizon also hides events committed before the call, and a subscription "from now
   * on" would start before them and deliver them. A transaction that outlasts the wait (a
   * long one anywhere on the server) leaves the head where the horizon is.
   */
  async headPosition(): Promise<Position | undefined> {
    const [{ xmax }] = await this.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot()) AS xmax', []);
    const deadline = Date.now() + HEAD_WAIT_MS;
    for (let retryMs = FIRST_RETRY_MS; ; retryMs = Math.min(retryMs * 2, 100)) {
      // Transactions begun after the call (ids from xmax on) are after "now", whenever they commit.
      const [head] = await this.query<{ passed: boolean; transaction_id: string | null; position: string | null }>(
        `SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS passed, last.transaction_id, last.position
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (SELECT transaction_id, position FROM events
                               WHERE transaction_id < LEAST(pg_snapshot_xmin(pg_current_snapshot()), $1::xid8)
                               ORDER BY transaction_id DESC, position DESC
                               LIMIT 1) AS last ON true`,
        [xmax],
      );
      if (head.passed || Date.now() > deadline || this.closing.signal.aborted) {
        return head.transaction_id === null || head.position === null ? undefined : encodePosition({ transactionId: head.transaction_id, position: head.position });
      }
      await pause(retryMs, this.closing.signal);
    }
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    let after = options.after === undefined ? LOG_START : decodePosition(options.after);
    const stop = linkedAbort(options.signal ? [options.signal, this.closing.signal] : this.closing.signal);
    const signal = stop.signal;
    const doorbell = this.notifications.addDoorbell();
    let retryMs = 0;
    try {
      while (!signal.aborted) {
        await this.notifications.listen();
        let page: { events: RecordedEvent[]; waiting: boolean };
        try {
          page = await this.readPage(after, SUBSCRIPTION_PAGE);
        } catch (error) {
          // The database went away (a restart, a failover): the subscription waits for it,
          // backing off, and goes on from where it was, as EventStoreDB's resubscribes.
          if (!(error instanceof EventStoreUnavailableError)) throw error;
          retryMs = Math.min(retryMs ? retryMs * 2 : FIRST_RETRY_MS, this.pollIntervalMs);
          await doorbell.wait(retryMs, signal);
          continue;
        }
        const { events, waiting } = page;
        for (const event of events) {
          if (signal.aborted) return;
          yield event;
        }
        if (events.length > 0) after = decodePosition(events[events.length - 1].position);
        if (events.length === SUBSCRIPTION_PAGE) continue;
        // Committed events wait behind an older transaction still open. When that one ends
        // no NOTIFY may follow (it need not be an append): look again soon, backing off
        // while it stays open.
        retryMs = waiting ? Math.min(retryMs ? retryMs * 2 : FIRST_RETRY_MS, this.pollIntervalMs) : 0;
        await doorbell.wait(retryMs || this.pollIntervalMs, signal);
      }
    } finally {
      stop.release();
      this.notifications.removeDoorbell(doorbell);
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.notifications.close();
  }

  /**
   * The global log after `after`, in (transaction_id, position) order, up to the horizon:
   * the oldest transaction still running when this statement's snapshot was taken.
   * Positions alone would not do: they are handed out before commit, so position 5 can
   * commit after 6 has been read. Every transaction below the horizon has ended, so no event
   * can ever appear among or before the rows returned, and a cursor past them is safe. At
   * or above it, a transaction with a lower id than a committed one may still commit, so
   * committed rows there are held back (`waiting`). One statement, so that the horizon and
   * the rows come from the same snapshot.
   */
  private async readPage(after: LogPosition, maxCount: number | undefined): Promise<{ events: RecordedEvent[]; waiting: boolean }> {
    const rows = await this.query<EventRow & { below_horizon: boolean }>(
      `SELECT ${COLUMNS}, transaction_id < horizon.xmin AS below_horizon
         FROM events, (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) AS horizon
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
        ORDER BY transaction_id, position
        LIMIT $3`,
      [after.transactionId, after.position, maxCount ?? null],
    );
    // In this order, rows below the horizon come first.
    const visible = rows.filter((row) => row.below_horizon);
    return { events: visible.map(toRecordedEvent), waiting: visible.length < rows.length };
  }

  /** The result of an earlier append of exactly these events to this stream, if there was one. */
  private async earlierAppend(streamId: string, events: EventToAppend[]): Promise<AppendResult | undefined> {
    const rows = await this.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY position`, [events.map((event) => event.id)]);
    if (rows.length === 0) return undefined;
    const last = rows[rows.length - 1];
    const sameAppend =
      rows.length === events.length &&
      rows.every((row, index) => row.event_id === events[index].id.toLowerCase() && row.stream_id === streamId && row.transaction_id === last.transaction_id);
    if (!sameAppend) throw new Error(`Appending to ${streamId}: some of these event ids were already used by a different append`);
    return { nextExpectedRevision: Number(last.revision), position: encodePosition({ transactionId: last.transaction_id, position: last.position }) };
  }

  private async query<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw isPostgresUnavailable(error) ? this.unavailable(error) : error;
    }
  }

  private unavailable(error: unknown): EventStoreUnavailableError {
    return new EventStoreUnavailableError(`PostgreSQL event store unavailable: ${String(error)}`, { cause: error });
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: encodePosition({ transactionId: row.transaction_id, position: row.position }),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
