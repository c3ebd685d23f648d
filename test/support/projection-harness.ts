// Drives one projection against a real PostgreSQL without the runner, so a test can
// choose how events arrive (twice, replayed) and compare the tables it leaves.
import type { DataSource } from 'typeorm';
import type { JsonObject, Position, RecordedEvent } from '../../src/event-store/event-store.js';
import type { Projection } from '../../src/projections/projection.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { openDataSource } from '../../src/database/pool.js';
import { applyBatch, queryWith } from '../../src/projections/apply-batch.js';

export interface ProjectionHarness {
  dataSource: DataSource;
  /** Applies each event the projection handles, each in its own transaction. */
  deliver(events: readonly RecordedEvent[]): Promise<void>;
  /** Applies the events the projection handles in batches of `size`, each batch in one transaction, as the runner does. */
  deliverInBatches(events: readonly RecordedEvent[], size: number): Promise<void>;
  /** Every row of the projection's tables, by table, in a fixed order. */
  tables(): Promise<Record<string, unknown[]>>;
  /** Empties the projection's tables. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function projectionHarness(projection: Projection): Promise<ProjectionHarness> {
  const database: TestDatabase = await createTestDatabase();
  const dataSource = await openDataSource(database.url);
  const deliverInBatches = async (events: readonly RecordedEvent[], size: number) => {
    const handled = events.filter((candidate) => projection.eventTypes.includes(candidate.type));
    for (let start = 0; start < handled.length; start += size) {
      await dataSource.transaction((manager) => applyBatch(queryWith(manager), [projection], handled.slice(start, start + size)));
    }
  };
  return {
    dataSource,
    deliver: (events) => deliverInBatches(events, 1),
    deliverInBatches,
    async tables() {
      const entries = await Promise.all(
        projection.tables.map(async (table) => [table, await dataSource.query(`SELECT * FROM ${table} AS row ORDER BY row::text`)] as const),
      );
      return Object.fromEntries(entries);
    },
    async reset() {
      await dataSource.query(`TRUNCATE ${projection.tables.join(', ')}`);
    },
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A ledger, as the store would hand it over: events of several streams in one global order. */
export class LedgerBuilder {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, number>();

  /** Appends to `streamId` at its next revision, recorded at `recordedAt`. */
  append(streamId: string, event: { type: string; data: object }, recordedAt: string, recordedBy = 'desk-editor'): this {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    const position = this.events.length + 1;
    this.events.push({
      id: `0190f17c-b400-7000-9000-${String(position).padStart(12, '0')}`,
      streamId,
      revision,
      position: String(position) as Position,
      type: event.type,
      data: event.data as JsonObject,
      metadata: { recordedBy, recordedAt, correlationId: `request-${position}`, causationId: `request-${position}`, schemaVersion: 1 },
    });
    return this;
  }
}

/**
 * What every projection promises (src/projections/projection.ts), as two tests: a
 * redelivered event changes nothing, and batches leave what one event at a time leaves.
 */
export function itLeavesTheSameRowsHoweverTheLedgerArrives(harnessOf: () => ProjectionHarness, ledgerOf: () => readonly RecordedEvent[]): void {
  it('leaves the same rows when every event arrives twice, and when the whole ledger arrives again', async () => {
    const [harness, ledger] = [harnessOf(), ledgerOf()];
    await harness.deliver(ledger);
    const once = await harness.tables();
    await harness.reset();

    await harness.deliver(ledger.flatMap((event) => [event, event]));
    expect(await harness.tables()).toStrictEqual(once);
    await harness.deliver(ledger);
    expect(await harness.tables()).toStrictEqual(once);
  });

  it('leaves the same rows when the ledger arrives in batches, every event twice, as when it arrives one event at a time', async () => {
    const [harness, ledger] = [harnessOf(), ledgerOf()];
    await harness.deliver(ledger);
    const once = await harness.tables();
    // Batches of 3 split the pairs and mix the streams; the largest holds the whole ledger twice.
    for (const size of [3, ledger.length * 2]) {
      await harness.reset();
      await harness.deliverInBatches(ledger.flatMap((event) => [event, event]), size);
      expect(await harness.tables()).toStrictEqual(once);
    }
  });
}
