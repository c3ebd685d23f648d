import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, StreamAppend, Position, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions } from '../event-store/event-store.js';
import type { AuditSigningKey } from './audit-signing-key.js';
import { type SignedHere, signEvent } from './event-signature.js';

/**
 * The service's event store: `adapter`, with every appended event signed with the audit
 * log's key (event-signature.ts), whatever path the append took. The sealer seals only
 * signed events, so a row written to the store by any other way is named, not sealed.
 */
export class SigningEventStore implements EventStore {
  constructor(
    readonly adapter: EventStore,
    private readonly key: AuditSigningKey,
    /** Told of each event signed, for the sealer of this process. */
    private readonly signedHere?: SignedHere,
  ) {}

  async appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return this.adapter.appendToStream(streamId, await Promise.all(events.map((event) => signEvent(this.key, streamId, event, this.signedHere))), options);
  }

  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    const signed = await Promise.all(
      appends.map(async (append) => ({ ...append, events: await Promise.all(append.events.map((event) => signEvent(this.key, append.streamId, event, this.signedHere))) })),
    );
    return this.adapter.appendToStreams(signed);
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
