import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HeldBySize } from '../../../common/held-by-size.js';
import type { EarlyRead, HeldAnswer } from '../../../http/early-reads.js';
import { type ReadModelChange, ReadModelChanges } from '../../../projections/read-model-changes.js';
import { incidentSearchProjection } from '../../projections/incident-search/incident-search.projection.js';

/** The searches of a desk and of the pages that show the incidents: a few, asked again and again (a page of 100 incidents is about 60 KB). */
const MAX_HELD_BYTES = 16 * 1024 * 1024;
/** Bounds how long a change whose announcement was lost (a crash, a failed NOTIFY) can go unseen. */
const TTL_MS = 10_000;

/**
 * The answers to the searches asked lately, by the request's path and query as the client
 * wrote them, as the bytes sent. Any change the search projection announces forgets them all
 * (any incident may enter or leave any result); none is kept longer than ten seconds, and
 * none is held while this process is not listening for announcements.
 */
@Injectable()
export class HeldSearches implements OnModuleDestroy {
  private readonly held = new HeldBySize<{ body: Buffer; until: number }>(MAX_HELD_BYTES);
  /** Counts changes heard: a search that saw it move may hold what a change replaced. */
  private changesHeard = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly changes: ReadModelChanges) {
    this.unsubscribe = changes.subscribe((change) => this.forget(change));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** GET /incidents, answered before Nest's pipeline when its answer is held (early-reads.ts). */
  readonly early: EarlyRead = {
    route: '/incidents',
    answer: async (request: FastifyRequest): Promise<HeldAnswer | undefined> => {
      const entry = this.held.get(request.url);
      return entry && entry.until > performance.now() && this.changes.connected ? { body: entry.body } : undefined;
    },
  };

  /** The answer to the search at `url`: `search` runs, and its answer is held for the next time. */
  async answer(url: string, search: () => Promise<object>): Promise<Buffer> {
    const heard = this.changesHeard;
    const body = Buffer.from(JSON.stringify(await search()));
    if (heard === this.changesHeard && this.changes.connected) {
      this.held.set(url, { body, until: performance.now() + TTL_MS });
    }
    return body;
  }

  private forget({ projections }: ReadModelChange): void {
    if (!projections.includes(incidentSearchProjection.name) && !projections.includes('*')) return;
    this.changesHeard++;
    this.held.clear();
  }
}
