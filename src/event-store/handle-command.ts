import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import type { DecisionContext, Decider } from '../common/decider.js';
import { DomainError } from '../common/domain-error.js';
import { type EventStore, type ExpectedRevision, type RecordedEvent, WrongExpectedRevisionError } from './event-store.js';

/** Who asked for a write, and why; becomes every appended event's metadata. */
export interface WriteRequest {
  /** From If-Match. Absent: the server may retry a write that races another. */
  expectedVersion?: number;
  recordedBy: string;
  correlationId: string;
  causationId: string;
  /**
   * Names this write across its retries (the principal, its Idempotency-Key and the request
   * itself): the ids the write makes are derived from it, see newId.
   */
  retryKey?: string;
  /** An earlier run of this very write may have stored its events: its answer was lost. */
  retried?: boolean;
}

export interface WriteResult {
  id: string;
  /** The stream revision of the entity's last event after the write. */
  version: number;
  /** False when the outcome already held and nothing was appended (a retry). */
  appended: boolean;
}

export const SCHEMA_VERSION = 1;

/**
 * Fixed for good, as are newId's recipe and the request fingerprint in the retry key
 * (src/http/idempotency.ts): a retry served by a later release must make the ids its
 * first run made.
 */
const RETRY_KEY_NAMESPACE = 'a5ac7181-e1a9-4cd0-9e01-9b4465b495f6';

/**
 * A new id for what this write makes (`purpose`: an event, a claim, an incident). A write
 * whose answer was lost (a 5xx after the commit, a dropped connection) may be retried with
 * its Idempotency-Key and run again: derived from that key and the request, the ids come
 * out the same, so the retry finds the events its first run stored (earlierRun) and the
 * domain sees the same claim again. Another request under the same key makes other ids.
 */
export function newId(request: WriteRequest, purpose: string): string {
  return request.retryKey === undefined ? uuidv7() : uuidv5(`${request.retryKey}\n${purpose}`, RETRY_KEY_NAMESPACE);
}

const MAX_ATTEMPTS = 20;

/**
 * Read, fold, decide, append with the expected revision. Without an expected version from
 * the client, a write that loses a race to another is decided again on the new state (so
 * it is never lost, and never applied to a state it was not checked against).
 *
 * A stream this process wrote to lately is not read again: the state its last write left
 * is remembered (see RememberedStates). The append still names the revision that state
 * was at, so if another process wrote in between, the append is refused and the command
 * decided again on the stream as it is; so is a refusal that a remembered state gave.
 */
export async function handleCommand<State, Command, Event extends { type: string; data: object }, Context extends DecisionContext>(
  store: EventStore,
  target: { streamId: string; entityId: string },
  decider: Decider<State, Command, Event, Context>,
  command: Command,
  request: WriteRequest,
  context: Omit<Context, 'now'>,
  {
    beforeAppend,
  }: {
    /**
     * What must be done, for good, once the rules allow the write and before it is appended
     * (an erasure destroys a key). Once done, the write is recorded whatever raced it: If-Match
     * was checked before, and a race makes it decide again, not fail.
     */
    beforeAppend?: () => Promise<void>;
  } = {},
): Promise<WriteResult> {
  const remembered = rememberedStatesOf(store);
  let committed = false;
  return serialisedPerStream(target.streamId, async () => {
    for (let attempt = 1; ; attempt++) {
      const now = new Date();
      // A retry is checked against the stream as stored, not as remembered.
      const known = request.retried ? undefined : remembered.take<State>(target.streamId);
      const { state, revision, events } = known ? { ...known, events: [] } : await readState(store, target.streamId, decider);
      const earlier = earlierRun(events, request);
      if (earlier !== undefined) return { id: target.entityId, version: earlier, appended: false };
      if (request.expectedVersion !== undefined && request.expectedVersion !== revision && !committed) {
        if (known) continue; // the remembered state may be behind: look before refusing
        throw new WrongExpectedRevisionError(target.streamId, request.expectedVersion, revision);
      }
      let decided: Event[];
      try {
        // The caller's facts, and the time as of this attempt: the whole of the decider's context.
        decided = decider.decide(command, state, { ...context, now } as Context);
      } catch (error) {
        if (known) continue;
        throw error;
      }
      if (decided.length === 0) {
        remembered.keep(target.streamId, { state, revision });
        return { id: target.entityId, version: revision, appended: false };
      }

      if (beforeAppend && !known) {
        await beforeAppend();
        committed = true;
      } else if (beforeAppend) continue; // decided on a remembered state: decide again on the stream as stored first
      const metadata = metadataOf(request, now);
      try {
        const result = await store.appendToStream(
          target.streamId,
          decided.map((event, index) => ({ id: newId(request, `event ${index}`), type: event.type, data: event.data as Record<string, unknown>, metadata })),
          { expectedRevision: expectedFrom(revision) },
        );
        // Events with these ids already stored (a retry whose first run was appended): the
        // store answers with that append, and the state it left is not this decision's.
        if (result.nextExpectedRevision === revision + decided.length) {
          remembered.keep(target.streamId, { state: decided.reduce((folded, event) => decider.evolve(folded, event), state), revision: result.nextExpectedRevision });
        }
        return { id: target.entityId, version: result.nextExpectedRevision, appended: true };
      } catch (error) {
        const raced = error instanceof WrongExpectedRevisionError;
        if (raced && known) continue;
        if (!raced || (request.expectedVersion !== undefined && !committed)) throw error;
        if (attempt === MAX_ATTEMPTS) {
          throw new DomainError('conflict', 'concurrent_modification', `${target.streamId} kept changing under this write; try again.`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  });
}

/**
 * handleCommand for a command that changes two streams at once (a merge, a split, a link that
 * both incidents show): both are read and folded, `decide` answers each one's events from
 * both states (and the target's events), and both are appended as one change
 * (EventStore.appendToStreams), each expected where it was read, so the facts of both hold
 * when it lands. A race with another write is decided again, as in handleCommand; If-Match
 * (expectedVersion) names the target's version. Nothing is remembered across writes here.
 */
export async function handleCommandAcrossStreams<State, Event extends { type: string; data: object }>(
  store: EventStore,
  target: { streamId: string; entityId: string; otherStreamId: string },
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
  decide: (own: { state: State; events: RecordedEvent[] }, other: State, now: Date) => { own: Event[]; other: Event[] },
  request: WriteRequest,
): Promise<WriteResult> {
  const remembered = rememberedStatesOf(store);
  // In one order everywhere, so that two changes of the same two streams never wait on each other.
  return serialisedPerStreams([...new Set([target.streamId, target.otherStreamId])].sort(), async () => {
    for (let attempt = 1; ; attempt++) {
      const now = new Date();
      // Whatever this process remembers of either stream is about to be out of date.
      remembered.take(target.streamId);
      remembered.take(target.otherStreamId);
      // A change of these streams left halfway (EventStoreDB) is finished before anything is decided on them.
      await store.finishChangesAcrossStreams();
      const [own, other] = await Promise.all([readState(store, target.streamId, decider), readState(store, target.otherStreamId, decider)]);
      const earlier = earlierRun(own.events, request);
      if (earlier !== undefined) return { id: target.entityId, version: earlier, appended: false };
      if (request.expectedVersion !== undefined && request.expectedVersion !== own.revision) {
        throw new WrongExpectedRevisionError(target.streamId, request.expectedVersion, own.revision);
      }
      const decided = decide(own, other.state, now);
      if (decided.own.length + decided.other.length === 0) return { id: target.entityId, version: own.revision, appended: false };
      const metadata = metadataOf(request, now);
      const toAppend = (events: Event[], purpose: string) =>
        events.map((event, index) => ({ id: newId(request, `${purpose} ${index}`), type: event.type, data: event.data as Record<string, unknown>, metadata }));
      try {
        const [result] = await store.appendToStreams([
          { streamId: target.streamId, events: toAppend(decided.own, 'event'), expectedRevision: expectedFrom(own.revision) },
          { streamId: target.otherStreamId, events: toAppend(decided.other, 'other event'), expectedRevision: expectedFrom(other.revision) },
        ]);
        return { id: target.entityId, version: result.nextExpectedRevision, appended: true };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || (request.expectedVersion !== undefined && error.streamId === target.streamId)) throw error;
        if (attempt === MAX_ATTEMPTS) {
          throw new DomainError('conflict', 'concurrent_modification', `${target.streamId} and ${target.otherStreamId} kept changing under this write; try again.`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  });
}

function metadataOf(request: WriteRequest, now: Date) {
  return {
    recordedBy: request.recordedBy,
    recordedAt: now.toISOString(),
    correlationId: request.correlationId,
    causationId: request.causationId,
    schemaVersion: SCHEMA_VERSION,
  };
}

function expectedFrom(revision: number): ExpectedRevision {
  return revision === -1 ? 'no_stream' : revision;
}

async function readState<State, Event>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
): Promise<{ state: State; revision: number; events: RecordedEvent[] }> {
  const events = await store.readStream(streamId);
  return {
    state: events.reduce((folded, event) => decider.evolve(folded, { type: event.type, data: event.data } as Event), decider.initialState()),
    revision: events.length ? events[events.length - 1].revision : -1,
    events,
  };
}

/**
 * The version an earlier run of this very write left the stream at, when its events are
 * stored (its answer was lost, and the client retried with the same Idempotency-Key). The
 * store alone would not always tell: EventStoreDB takes ids it already holds at the
 * stream's current revision as new events.
 */
function earlierRun(events: RecordedEvent[], request: WriteRequest): number | undefined {
  if (!request.retried) return undefined;
  const revisions = new Map(events.map((event) => [event.id.toLowerCase(), event.revision]));
  let last: number | undefined;
  for (let index = 0; revisions.has(newId(request, `event ${index}`)); index++) last = revisions.get(newId(request, `event ${index}`));
  return last;
}

/**
 * The state each stream was left in by this process's last write to it, for the streams
 * written to most recently: reading and folding a stream is most of a write's work, and
 * the store's round trip most of its time (docs/performance.md). take() hands a state out
 * once; the write puts back the state it leaves. A stream's id fixes its decider, so the
 * state it is taken as is the one it was kept as.
 */
class RememberedStates {
  private readonly states = new Map<string, { state: unknown; revision: number }>();

  take<State>(streamId: string): { state: State; revision: number } | undefined {
    const known = this.states.get(streamId);
    this.states.delete(streamId);
    return known as { state: State; revision: number } | undefined;
  }

  keep(streamId: string, known: { state: unknown; revision: number }): void {
    this.states.set(streamId, known);
    // Maps iterate in insertion order: the first key is the least recently written.
    if (this.states.size > REMEMBERED_STREAMS) this.states.delete(this.states.keys().next().value!);
  }
}

/** Enough for the incidents a newsroom works on at once; each state is a few kilobytes. */
const REMEMBERED_STREAMS = 1000;
// Per store: tests and tools may open several stores, on several databases, in one process.
const rememberedStates = new WeakMap<EventStore, RememberedStates>();

function rememberedStatesOf(store: EventStore): RememberedStates {
  let states = rememberedStates.get(store);
  if (!states) rememberedStates.set(store, (states = new RememberedStates()));
  return states;
}

// Writes to one stream from this process queue up rather than race: each would otherwise
// re-read and retry. Races with other processes are still caught by the expected revision.
const streamQueues = new Map<string, Promise<unknown>>();

function serialisedPerStreams<T>(streamIds: readonly string[], work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = streamIds;
  return first === undefined ? work() : serialisedPerStream(first, () => serialisedPerStreams(rest, work));
}

async function serialisedPerStream<T>(streamId: string, work: () => Promise<T>): Promise<T> {
  const previous = streamQueues.get(streamId) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(work);
  streamQueues.set(streamId, current);
  try {
    return await current;
  } finally {
    if (streamQueues.get(streamId) === current) streamQueues.delete(streamId);
  }
}
