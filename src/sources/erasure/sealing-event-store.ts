import { DomainError } from '../../common/domain-error.js';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
} from '../../event-store/event-store.js';
import { isSealed, keyOfAll, openText, sealText } from './field-cipher.js';
import { erasedValue, fieldOf, sourcesIdentifiedIn, withIdentifyingFields } from './identifying-fields.js';
import { ERASED, type SourceKey, type SourceKeys } from './source-keys.js';

/**
 * The event store as the domain and the read side use it: what identifies a source
 * (identifying-fields.ts) is sealed with its sources' keys on its way in, below which events
 * are signed and stored as ciphertext, and opened on its way out, an erased source's fields
 * read as erased. Auditors read the store below (STORED_EVENTS), the events as stored and signed.
 */
export class SealingEventStore implements EventStore {
  constructor(
    readonly adapter: EventStore,
    private readonly keys: SourceKeys,
  ) {}

  async appendToStream(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return this.adapter.appendToStream(streamId, await this.sealed(events), options);
  }

  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    const sealed = await this.sealed(appends.flatMap((append) => append.events));
    let next = 0;
    return this.adapter.appendToStreams(appends.map((append) => ({ ...append, events: append.events.map(() => sealed[next++]) })));
  }

  finishChangesAcrossStreams(): Promise<void> {
    return this.adapter.finishChangesAcrossStreams();
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.opened(await this.adapter.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.opened(await this.adapter.readAll(options));
  }

  headPosition(): Promise<Position | undefined> {
    return this.adapter.headPosition();
  }

  async *subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent> {
    for await (const event of this.adapter.subscribeToAll(options)) yield* await this.opened([event]);
  }

  close(): Promise<void> {
    return this.adapter.close();
  }

  private async sealed(events: EventToAppend[]): Promise<EventToAppend[]> {
    const sourceIds = events.flatMap((event) => sourcesIdentifiedIn(event.type, event.data));
    if (sourceIds.length === 0) return events;
    const keys = await this.keys.forSealing(sourceIds);
    return events.map((event) => ({
      ...event,
      data: withIdentifyingFields(event.type, event.data, (identified, field, value) => {
        const erased = identified.find((sourceId) => keys.get(sourceId) === ERASED);
        if (erased === undefined) return sealText(keyOf(keys, identified), fieldOf(identified, field), value);
        // An erased source's fields are read as erased (opened below): a merge or a split
        // carrying its statements carries them so, and they may be written as they are.
        if (value === erasedValue(field)) return value;
        throw new DomainError('conflict', 'source_erased', `Source ${erased} was erased: it takes no more claims or statements`);
      }),
    }));
  }

  private async opened(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const sourceIds = events.flatMap((event) => sourcesIdentifiedIn(event.type, event.data));
    if (sourceIds.length === 0) return events;
    const keys = await this.keys.forOpening(sourceIds);
    return events.map((event) => ({
      ...event,
      data: withIdentifyingFields(event.type, event.data, (identified, field, value) => {
        if (identified.some((sourceId) => keys.get(sourceId) === ERASED)) return erasedValue(field);
        if (!isSealed(value)) return value; // recorded before sources were sealed
        const missing = identified.find((sourceId) => keys.get(sourceId) === undefined);
        if (missing !== undefined) throw new Error(`${event.streamId}@${event.revision}: ${field} is sealed for source ${missing}, which has no key`);
        return openText(keyOf(keys, identified), fieldOf(identified, field), value);
      }),
    }));
  }
}

/** The key for what identifies all of `sourceIds`, each of which has a key in `keys`. */
function keyOf(keys: ReadonlyMap<string, SourceKey>, sourceIds: readonly string[]): Buffer {
  return keyOfAll(sourceIds.map((sourceId) => keys.get(sourceId) as Buffer), sourceIds);
}
