import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.js';
import { sourceStreamId } from './domain/source.streams.js';

/**
 * What the sources slice tells the others: which of some source ids name registered sources,
 * the outside fact the incident rules need. How sources are kept stays this slice's
 * business. A source once registered stays registered (no event undoes it), so the answers
 * that were yes are kept, and most writes ask the store nothing.
 */
@Injectable()
export class RegisteredSources {
  private readonly known = new Set<string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async among(sourceIds: readonly string[]): Promise<ReadonlySet<string>> {
    const found = await Promise.all(
      sourceIds.map(async (id) => (this.known.has(id) || (await this.store.readStream(sourceStreamId(id), { maxCount: 1 })).length > 0 ? [id] : [])),
    );
    for (const id of found.flat()) this.known.add(id);
    return new Set(found.flat());
  }
}
