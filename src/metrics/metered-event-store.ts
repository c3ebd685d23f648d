import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store/event-store.js';
import type { Metrics } from './metrics.js';

/** The service's event store: `adapter`, with its appends and their conflicts counted for GET /metrics, whichever path the write took. */
export class MeteredEventStore implements EventStore {
  constructor(
    readonly adapter: EventStore,
    private readonly metrics: Metrics,
  ) {}

  async appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    try {
      const result = await this.adapter.appendToStream(streamId, events, options);
      this.metrics.appends.inc();
      this.metrics.appendedEvents.inc(events.length);
      return result;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) this.metrics.appendConflicts.inc();
      throw error;
    }
  }

  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    try {
      const results = await this.adapter.appendToStreams(appends);
      this.metrics.appends.inc();
      this.metrics.appendedEvents.inc(appends.reduce((count, append) => count + append.events.length, 0));
      return results;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) this.metrics.appendConflicts.inc();
      throw error;
    }
  }

  finishChangesAcrossStreams(): Promise<void> {
    return this.adapter.finishChangesAcrossStreams();
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.adapter.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.adapter.readAll(options);
  }

  headPosition(): Promise<Position | undefined> {
    return this.adapter.headPosition();
  }

  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent> {
    return this.adapter.subscribeToAll(options);
  }

  close(): Promise<void> {
    return this.adapter.close();
  }
}
