import type { RecordedEvent } from '../event-store/event-store.js';

/** A statement and its parameters, as node-postgres takes them ($1, $2, …). */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/**
 * A read model's builder: the event types it handles, the tables it owns, and what a batch
 * of those events does to them, in three steps that apply-batch.ts runs for every projection:
 * - load: one SELECT of one value, the JSON of what the batch needs from the tables;
 * - fold: given that, the batch's events applied in memory in ledger order — a redelivered
 *   event changing nothing — into the rows to write: one statement per table, each row once;
 * - and the writes, which the runner sends with every other projection's, and the checkpoint
 *   they move, as one statement.
 * Only through these, with unqualified table names: a rebuild points the same code at fresh
 * copies of the tables (search_path) and swaps them in when done.
 */
export interface Projection {
  name: string;
  eventTypes: readonly string[];
  /** The tables it owns, in the public schema; a rebuild replaces them all at once. */
  tables: readonly string[];
  load(events: readonly RecordedEvent[]): Statement;
  /**
   * `loaded` is what load's statement returned, parsed from JSON. The writes must be
   * INSERT, UPDATE or DELETE statements (they run as parts of one statement, each seeing the
   * tables as they were before the batch): none for a table the batch leaves as it is.
   */
  fold(events: readonly RecordedEvent[], loaded: unknown): Statement[];
}
