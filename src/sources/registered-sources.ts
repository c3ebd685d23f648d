import { Inject, Injectable } from '@nestjs/common';
import { type EventStore, STORED_EVENTS } from '../event-store/event-store.js';
import { sourceStreamId } from './domain/source.streams.js';
import { SourceKeys } from './erasure/source-keys.js';

/**
 * What the sources slice tells the others: which of some source ids name registered sources,
 * and which of those were erased, the outside facts the incident rules need. How sources are
 * kept stays this slice's business. A source once registered stays registered (no event
 * undoes it), so the answers that were yes are kept, and most writes ask the store nothing;
 * erasure is asked of the keys (SourceKeys.erasedAmong), which follow erasures in any process.
 */
@Injectable()
export class RegisteredSources {
  private readonly known = new Set<string>();

  constructor(
    // Whether a stream exists: the events as stored will do, none of them opened.
    @Inject(STORED_EVENTS) private readonly store: EventStore,
    @Inject(SourceKeys) private readonly keys: Pick<SourceKeys, 'erasedAmong'>,
  ) {}

  async among(sourceIds: readonly string[]): Promise<{ registered: ReadonlySet<string>; erased: ReadonlySet<string> }> {
    if (sourceIds.length === 0) return { registered: new Set(), erased: new Set() };
    const [found, erased] = await Promise.all([
      Promise.all(sourceIds.map(async (id) => (this.known.has(id) || (await this.store.readStream(sourceStreamId(id), { maxCount: 1 })).length > 0 ? [id] : []))),
      this.keys.erasedAmong(sourceIds),
    ]);
    for (const id of found.flat()) this.known.add(id);
    return { registered: new Set(found.flat()), erased };
  }
}
