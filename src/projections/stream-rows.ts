import type { RecordedEvent } from '../event-store/event-store.js';

/**
 * The rows a projection keeps one per stream (an incident's view, a source's name), as a
 * batch folds into them: loaded once, each event applied in memory in ledger order — one
 * applied before (a redelivery) passed over, a gap refused — and each changed row written
 * once (projection.ts). Every projection folds its batches through these.
 */
export class StreamRows<Row> {
  private readonly changedKeys = new Set<string>();

  private constructor(
    private readonly rows: Map<string, Row>,
    private readonly versionOf: (row: Row) => number,
  ) {}

  /** The rows a projection loaded; `keyOf` and `versionOf` read a row's key and the revision it reflects. */
  static of<Row>(rows: readonly Row[], keyOf: (row: Row) => string, versionOf: (row: Row) => number): StreamRows<Row> {
    return new StreamRows(new Map(rows.map((row) => [keyOf(row), row])), versionOf);
  }

  get(key: string): Row | undefined {
    return this.rows.get(key);
  }

  /**
   * Folds `recorded` into the row of `key` (undefined before the stream's first event); false
   * when the row reflects it already. A gap means an event was missed: it throws, and the
   * projection stops, visibly, rather than keep a row that silently lacks it.
   */
  apply(key: string, recorded: Pick<RecordedEvent, 'streamId' | 'revision'>, fold: (row: Row | undefined) => Row): boolean {
    const row = this.rows.get(key);
    const expected = (row === undefined ? -1 : this.versionOf(row)) + 1;
    if (recorded.revision < expected) return false;
    if (recorded.revision > expected) throw new Error(`${recorded.streamId}: revision ${recorded.revision} arrived when ${expected} was due`);
    this.rows.set(key, fold(row));
    this.changedKeys.add(key);
    return true;
  }

  /** Rows changed by an event of another stream (a source erased), at the versions they stand at. */
  rewrite(change: (row: Row) => Row): void {
    for (const [key, row] of this.rows) {
      const after = change(row);
      if (after === row) continue;
      this.rows.set(key, after);
      this.changedKeys.add(key);
    }
  }

  /** The rows the batch changed, each once, as they stand now. */
  changed(): Row[] {
    return [...this.changedKeys].map((key) => this.rows.get(key)!);
  }
}
