import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  WrongExpectedRevisionError,
} from '../event-store/event-store.js';
import { ExecuteCrossIncidentCommand, ExecuteCrossIncidentCommandHandler } from '../incidents/commands/execute-cross-incident-command.js';
import { ExecuteIncidentCommand, ExecuteIncidentCommandHandler } from '../incidents/commands/execute-incident-command.js';
import { ExecuteSourceCommandHandler } from '../sources/commands/execute-source-command.js';
import { RegisteredSources } from '../sources/registered-sources.js';
import { generateWorkload, type WorkloadCommands } from './generate-workload.js';

export interface StoredLedger {
  events: number;
  incidentIds: string[];
  sourceIds: string[];
  seconds: number;
}

/**
 * Stores the synthetic newsroom workload (generate-workload.ts) of at least `events` events,
 * for the benchmarks and the tests that need a large ledger. The real command handlers
 * decide every command against a draft held in memory, so the events obey every rule; each
 * stream is then appended in one or two round trips, which takes seconds where a command at
 * a time would take minutes. The events are not signed: store them through a
 * SigningEventStore for a service whose audit log is to seal them.
 */
export async function storeLedger(store: EventStore, events: number, concurrency: number): Promise<StoredLedger> {
  const draft = new DraftStore();
  // No source of the workload is erased, and none is erased in it.
  const keys = { erasedAmong: () => Promise.resolve(new Set<string>()), destroy: () => Promise.reject(new Error('the workload erases no source')) };
  const incidents = new ExecuteIncidentCommandHandler(draft, new RegisteredSources(draft, keys));
  const crossIncidents = new ExecuteCrossIncidentCommandHandler(draft);
  const sources = new ExecuteSourceCommandHandler(draft, keys);
  const commands: WorkloadCommands = {
    execute: (command) =>
      command instanceof ExecuteIncidentCommand ? incidents.execute(command) : command instanceof ExecuteCrossIncidentCommand ? crossIncidents.execute(command) : sources.execute(command),
  };
  const workload = await generateWorkload(commands, { events });

  const started = performance.now();
  const streams = [...draft.streams];
  const append = (streamId: string, recorded: RecordedEvent[], expectedRevision: ExpectedRevision) =>
    store.appendToStream(
      streamId,
      recorded.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
      { expectedRevision },
    );
  const byPrefix = (prefix: string) => streams.filter(([streamId]) => streamId.startsWith(prefix));
  const incidentStreams = byPrefix('incident-');
  // Sources first: the timeline names a source as the ledger had it when a claim was recorded.
  await inParallel(byPrefix('source-'), concurrency, ([streamId, recorded]) => append(streamId, recorded, 'no_stream'));
  // Then every incident's opening, and then the rest of its stream: an incident is opened in
  // the ledger before any link names it, as when the desk links incidents through the
  // service. Stored whole and side by side, a stream could land after a link to it, and a
  // headline would name the incident by its title or by its id as the projection's batches
  // happened to fall.
  await inParallel(incidentStreams, concurrency, ([streamId, recorded]) => append(streamId, recorded.slice(0, 1), 'no_stream'));
  await inParallel(
    incidentStreams.filter(([, recorded]) => recorded.length > 1),
    concurrency,
    ([streamId, recorded]) => append(streamId, recorded.slice(1), recorded[0].revision),
  );
  return { events: workload.events, incidentIds: workload.incidents, sourceIds: workload.sources, seconds: (performance.now() - started) / 1000 };
}

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = items.values();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (const item of queue) await work(item);
    }),
  );
}

/** Streams in memory, in the order they were first appended to. Only what the command handlers use. */
class DraftStore implements EventStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  private appended = 0;

  async appendToStream(streamId: string, events: EventToAppend[], { expectedRevision }: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return this.append(streamId, events, expectedRevision);
  }

  // Checked, then appended, with nothing in between: one change, as the real stores make it.
  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    for (const { streamId, expectedRevision } of appends) this.append(streamId, [], expectedRevision);
    return appends.map(({ streamId, events, expectedRevision }) => this.append(streamId, events, expectedRevision));
  }

  async finishChangesAcrossStreams(): Promise<void> {}

  private append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): AppendResult {
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length - 1;
    const expected = expectedRevision === 'any' || (expectedRevision === 'no_stream' ? actual === -1 : expectedRevision === 'stream_exists' ? actual >= 0 : expectedRevision === actual);
    if (!expected) throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
    for (const event of events) {
      stream.push({ ...event, streamId, revision: stream.length, position: String(++this.appended) as Position });
    }
    this.streams.set(streamId, stream);
    return { nextExpectedRevision: stream.length - 1, position: String(this.appended) as Position };
  }

  async readStream(streamId: string, { direction = 'forwards', fromRevision, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    const ordered = direction === 'forwards' ? stream.slice(fromRevision ?? 0) : stream.slice(0, (fromRevision ?? stream.length) + 1).reverse();
    return ordered.slice(0, maxCount);
  }

  readAll(): Promise<RecordedEvent[]> {
    throw new Error('A draft is read a stream at a time');
  }

  headPosition(): Promise<Position | undefined> {
    throw new Error('A draft is read a stream at a time');
  }

  subscribeToAll(): AsyncIterable<RecordedEvent> {
    throw new Error('A draft is read a stream at a time');
  }

  async close(): Promise<void> {}
}
