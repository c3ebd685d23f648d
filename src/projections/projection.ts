import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event-store/event-store.js';

/**
 * A read model's builder: the event types it handles and what they do to its tables.
 * It must be idempotent per event (a redelivered event changes nothing), and write only
 * through the given manager, with unqualified table names: a rebuild points the same
 * code at fresh copies of the tables (search_path) and swaps them in when done.
 */
export interface Projection {
  name: string;
  eventTypes: readonly string[];
  /** The tables it owns, in the public schema; a rebuild replaces them all at once. */
  tables: readonly string[];
  /**
   * Applies a batch of the events it handles, in ledger order, as one event at a time would.
   * Batches, because a few statements per batch instead of a few per event is what lets a
   * rebuild and the live projection keep up with the ledger (docs/performance.md).
   */
  apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void>;
}
