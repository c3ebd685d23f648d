import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { pause } from '../common/pause.js';
import { whileLeader } from '../database/leadership.js';
import { isPostgresUnavailable } from '../database/unavailable.js';
import { withConnection } from '../database/with-connection.js';
import type { EventStore, Position, RecordedEvent } from '../event-store/event-store.js';
import { lagBehind } from '../event-store/lag.js';
import type { Projection } from './projection.js';
import type { ProjectionStatus } from './projection-status.js';
import type { ReadModelChanges } from './read-model-changes.js';

export interface RunnerOptions {
  batchSize?: number;
  /** Idle wait between polls for the projector lock when another process holds it. */
  lockRetryMs?: number;
  /** Told of every committed batch and rebuild, for the caches of read-model rows. */
  changes?: ReadModelChanges;
}

/** A batch cut off from the database this many times in a row stops its projection. */
const MAX_INTERRUPTIONS = 3;

/** How long the live projector lets new events gather before it reads them (docs/performance.md). */
const LIVE_GATHER_MS = 10;

/**
 * A scratch schema's advisory lock is the pair (hashtext of this, hashtext of the schema's
 * name): pg_locks shows it as classid and objid, which is how status() sees a rebuild.
 */
const SCRATCH_LOCKS = 'incident-ledger:scratch';

/** How often a rebuild or replay check asks again for the scratch schema another one holds. */
const SCRATCH_LOCK_RETRY_MS = 250;

/**
 * Reads the ledger from each projection's checkpoint and applies it in batches; each
 * batch's read-model writes and its checkpoint commit in one transaction, so a crash
 * loses only an uncommitted batch, which is then read again. One process projects at a
 * time (a PostgreSQL advisory lock held on a dedicated connection: when its holder dies,
 * the connection closes and another process takes over). A projection whose apply fails
 * stops with status `failed`; the others go on.
 */
export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private readonly batchSize: number;
  private readonly lockRetryMs: number;
  private readonly changes?: ReadModelChanges;
  private readonly interruptions = new Map<string, { checkpoint: string | null; times: number }>();
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  /** Whether this process holds the projector lock now. */
  leading = false;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly pool: pg.Pool,
    readonly projections: readonly Projection[],
    options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.lockRetryMs = options.lockRetryMs ?? 2000;
    this.changes = options.changes;
  }

  /** Projects in the background until stop(), whenever this process holds the lock. */
  start(): void {
    this.running ??= this.runWhileLeader().catch((error: unknown) => this.logger.error(`Projection runner stopped: ${String(error)}`));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Applies everything the ledger holds now to every running projection (for tests and tools). */
  async catchUp(): Promise<void> {
    await this.ensureCheckpoints();
    while (await this.applyNextBatches()) {
      // until every projection read an empty batch
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    await this.ensureCheckpoints();
    const rows = await this.dataSource.query<
      { name: string; status: ProjectionStatus['status']; error: string | null; position: string | null; events_applied: string; rebuilding: boolean }[]
    >(
      `SELECT name, status, error, position, events_applied,
              EXISTS (SELECT 1 FROM pg_locks
                       WHERE locktype = 'advisory' AND granted AND objsubid = 2
                         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                         AND classid = hashtext($3)::oid AND objid = hashtext(scratch)::oid) AS rebuilding
         FROM projection_checkpoints JOIN unnest($1::text[], $2::text[]) AS projection (name, scratch) USING (name)
        ORDER BY name`,
      [this.projections.map((projection) => projection.name), this.projections.map((projection) => scratchSchema('rebuild', projection)), SCRATCH_LOCKS],
    );
    return Promise.all(
      rows.map(async (row) => {
        const { next: _, ...lag } = await lagBehind(this.store, (row.position ?? undefined) as Position | undefined);
        return {
          name: row.name,
          status: row.status,
          rebuilding: row.rebuilding,
          error: row.error,
          checkpoint: row.position,
          eventsApplied: Number(row.events_applied),
          lag,
        };
      }),
    );
  }

  /**
   * Rebuilds one projection from position zero into fresh copies of its tables, then, in
   * one transaction that also holds its checkpoint row (so the live runner waits), applies
   * what came in meanwhile and swaps the copies in: readers never see a half-built view.
   * Works from any process; the rebuilt projection resumes as `running`. A second rebuild
   * of the same projection waits for the first, then rebuilds again.
   */
  async rebuild(name: string): Promise<{ name: string; eventsApplied: number; checkpoint: string | null }> {
    const projection = this.projection(name);
    await this.ensureCheckpoints();
    const { position, applied } = await this.withScratchTables('rebuild', projection, async (scratch) => {
      const caughtUp = await this.replay(projection, scratch, { after: undefined });
      return this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [projection.name]);
        const rest = await this.replay(projection, scratch, { after: caughtUp.position, manager });
        await manager.query('SET LOCAL search_path TO public');
        for (const table of projection.tables) {
          await manager.query(`DROP TABLE public.${table}`);
          await manager.query(`ALTER TABLE ${scratch}.${table} SET SCHEMA public`);
        }
        await manager.query(`DROP SCHEMA ${scratch}`);
        await manager.query(
          `UPDATE projection_checkpoints SET position = $2, status = 'running', error = NULL, events_applied = $3, updated_at = now() WHERE name = $1`,
          [projection.name, rest.position ?? null, caughtUp.applied + rest.applied],
        );
        return { position: rest.position, applied: caughtUp.applied + rest.applied };
      });
    });
    // Awaited (it never throws): a command-line rebuild must not exit before other processes are told.
    await this.changes?.announce({ projection: projection.name, streams: 'all' });
    this.logger.log(`Rebuilt ${projection.name}: ${applied} events applied`);
    return { name: projection.name, eventsApplied: applied, checkpoint: position ?? null };
  }

  /**
   * Replays one projection from position zero into scratch tables, up to the live
   * projection's checkpoint, and compares them with the live tables row by row (PRODUCT.md
   * §1: an auditor rebuilds projections and compares them to the live ones). The live
   * tables are only read; the scratch ones are dropped. The comparison runs in one
   * transaction that holds the checkpoint row, so the live projection waits meanwhile.
   */
  async replayCheck(name: string, { rowsShown = 20 } = {}): Promise<ReplayCheck> {
    const projection = this.projection(name);
    await this.ensureCheckpoints();
    return this.withScratchTables('replay', projection, async (scratch) => {
      const [{ position: liveNow }] = await this.dataSource.query<{ position: Position | null }[]>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
      const caughtUp = liveNow === null ? { position: undefined, applied: 0 } : await this.replay(projection, scratch, { after: undefined, until: liveNow });
      return this.dataSource.transaction(async (manager) => {
        const [{ position: live }] = await manager.query<{ position: Position | null }[]>('SELECT position FROM projection_checkpoints WHERE name = $1 FOR SHARE', [name]);
        const rest = live === null || live === caughtUp.position ? { applied: 0 } : await this.replay(projection, scratch, { after: caughtUp.position, until: live, manager });
        const tables: TableComparison[] = [];
        for (const table of projection.tables) tables.push(await compareTables(manager, table, scratch, rowsShown));
        return {
          name: projection.name,
          checkpoint: live,
          eventsApplied: caughtUp.applied + rest.applied,
          differences: tables.reduce((sum, table) => sum + table.onlyLive.count + table.onlyReplayed.count, 0),
          tables,
        };
      });
    });
  }

  private projection(name: string): Projection {
    const projection = this.projections.find((candidate) => candidate.name === name);
    if (!projection) throw new UnknownProjectionError(name, this.projections.map((candidate) => candidate.name));
    return projection;
  }

  /**
   * Runs `work` on fresh, empty copies of the projection's tables in a schema of their own,
   * dropped afterwards (unless `work` moved them). Runs for one purpose on one projection
   * share that schema, so they take turns, in every process, under an advisory lock held on
   * a connection of its own and closed at the end. A run waiting for its turn holds no
   * connection: the running one needs the pool's to read the ledger.
   */
  private async withScratchTables<T>(purpose: 'rebuild' | 'replay', projection: Projection, work: (scratch: string) => Promise<T>): Promise<T> {
    const scratch = scratchSchema(purpose, projection);
    for (;;) {
      const turn = await withConnection(
        this.pool,
        async (lock) => {
          const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [SCRATCH_LOCKS, scratch]);
          if (!rows[0].locked) return undefined;
          try {
            await this.createScratchTables(projection, scratch);
            return { result: await work(scratch) };
          } finally {
            await this.dataSource.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
          }
        },
        { close: true },
      );
      if (turn) return turn.result;
      await pause(SCRATCH_LOCK_RETRY_MS, this.stopping.signal);
      if (this.stopping.signal.aborted) throw new Error(`Stopped while waiting for the ${purpose} of ${projection.name} under way`);
    }
  }

  private async createScratchTables(projection: Projection, scratch: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Left behind by a run whose process died: its lock died with it.
      await manager.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
      await manager.query(`CREATE SCHEMA ${scratch}`);
      for (const table of projection.tables) {
        await manager.query(`CREATE TABLE ${scratch}.${table} (LIKE public.${table} INCLUDING ALL)`);
      }
    });
  }

  /**
   * Applies the ledger after `after` to the projection's tables in schema `scratch`, up to
   * and including `until` (or to the end): each batch in a transaction of its own, or all
   * in `manager`'s.
   */
  private async replay(
    projection: Projection,
    scratch: string,
    { after, until, manager }: { after: Position | undefined; until?: Position; manager?: EntityManager },
  ): Promise<{ position: Position | undefined; applied: number }> {
    let position = after;
    let applied = 0;
    while (until === undefined || position !== until) {
      const batch = await this.store.readAll({ after: position, maxCount: this.batchSize });
      const end = until === undefined ? -1 : batch.findIndex((event) => event.position === until);
      const events = end === -1 ? batch : batch.slice(0, end + 1);
      if (events.length === 0) {
        if (until !== undefined) throw new Error(`The ledger ends before ${until}, where ${projection.name} says it is`);
        break;
      }
      const apply = async (transaction: EntityManager, durable: boolean) => {
        // Scratch batches need not wait for the disk: a crash loses the scratch tables, and
        // a rebuild starts over. The caller's transaction (the swap) keeps its durability.
        const settings = durable ? '' : ", set_config('synchronous_commit', 'off', true)";
        // The scratch schema alone (pg_catalog is always searched): were it gone, the
        // projection's unqualified writes would fail rather than reach the live tables.
        await transaction.query(`SELECT set_config('search_path', $1, true)${settings}`, [scratch]);
        applied += await applyBatch(projection, events, transaction);
      };
      await (manager ? apply(manager, true) : this.dataSource.transaction((transaction) => apply(transaction, false)));
      position = events[events.length - 1].position;
    }
    return { position, applied };
  }

  private async runWhileLeader(): Promise<void> {
    const leadership = { lockName: 'incident-ledger:projector', role: 'projector', retryMs: this.lockRetryMs, logger: this.logger, signal: this.stopping.signal };
    await whileLeader(this.pool, leadership, async (active) => {
      this.leading = true;
      try {
        await this.ensureCheckpoints();
        while (!active.aborted) {
          if (!(await this.applyNextBatches())) await this.waitForEvents(active);
        }
      } finally {
        this.leading = false;
      }
    });
  }

  /**
   * One batch for each running projection; true while any of them found events.
   * Projections at the same checkpoint (usually all of them) share one read of the ledger.
   */
  private async applyNextBatches(): Promise<boolean> {
    const checkpoints = await this.dataSource.query<{ name: string; position: string | null; status: string }[]>(
      'SELECT name, position, status FROM projection_checkpoints WHERE name = ANY($1)',
      [this.projections.map((projection) => projection.name)],
    );
    const reads = new Map<string | null, Promise<RecordedEvent[]>>();
    const read = (position: string | null) => {
      if (!reads.has(position)) reads.set(position, this.store.readAll({ after: (position ?? undefined) as Position | undefined, maxCount: this.batchSize }));
      return reads.get(position)!;
    };
    const results = await Promise.all(
      this.projections.map(async (projection) => {
        const checkpoint = checkpoints.find((row) => row.name === projection.name);
        if (checkpoint?.status !== 'running') return false;
        return this.applyNextBatch(projection, checkpoint.position, await read(checkpoint.position));
      }),
    );
    return results.some(Boolean);
  }

  private async applyNextBatch(projection: Projection, checkpoint: string | null, events: RecordedEvent[]): Promise<boolean> {
    if (events.length === 0) return false;
    try {
      const committed = await this.dataSource.transaction(async (manager) => {
        // The row lock orders this batch with a rebuild's swap; if either moved the
        // checkpoint since it was read, this batch is stale and is read again. The commit
        // need not wait for the disk: a crash can only lose a batch together with its
        // checkpoint, and the batch is then applied again.
        const [locked] = await manager.query<{ position: string | null }[]>(
          "SELECT position, set_config('synchronous_commit', 'off', true) FROM projection_checkpoints WHERE name = $1 FOR UPDATE",
          [projection.name],
        );
        if (locked.position !== checkpoint) return false;
        const applied = await applyBatch(projection, events, manager);
        await manager.query(
          `UPDATE projection_checkpoints SET position = $2, events_applied = events_applied + $3, last_recorded_at = $4, updated_at = now() WHERE name = $1`,
          [projection.name, events[events.length - 1].position, applied, events[events.length - 1].metadata.recordedAt ?? null],
        );
        return applied > 0;
      });
      this.interruptions.delete(projection.name);
      if (committed) {
        const streams = new Set(events.filter((event) => projection.eventTypes.includes(event.type)).map((event) => event.streamId));
        void this.changes?.announce({ projection: projection.name, streams: [...streams] });
      }
    } catch (error) {
      // Losing the database is no fault of the projection's: the runner pauses and tries
      // again. The same batch lost that way time after time (a statement timeout, say) is.
      if (isPostgresUnavailable(error) && this.interruptedAgain(projection.name, checkpoint) < MAX_INTERRUPTIONS) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Projection ${projection.name} failed and stopped: ${message}`);
      await this.dataSource.query(`UPDATE projection_checkpoints SET status = 'failed', error = $2, updated_at = now() WHERE name = $1`, [projection.name, message]);
      return false;
    }
    return true;
  }

  /** How many times in a row this projection's batch at `checkpoint` was cut off from the database. */
  private interruptedAgain(name: string, checkpoint: string | null): number {
    const last = this.interruptions.get(name);
    const times = last?.checkpoint === checkpoint ? last.times + 1 : 1;
    this.interruptions.set(name, { checkpoint, times });
    return times;
  }

  /** Resolves when the ledger has something after the furthest checkpoint (or on abort). */
  private async waitForEvents(signal: AbortSignal): Promise<void> {
    const [head] = await this.dataSource.query<{ position: string | null }[]>(
      "SELECT position FROM projection_checkpoints WHERE name = ANY($1) AND status = 'running' ORDER BY updated_at DESC LIMIT 1",
      [this.projections.map((projection) => projection.name)],
    );
    if (!head) return pause(this.lockRetryMs, signal);
    const listening = new AbortController();
    const stop = () => listening.abort();
    signal.addEventListener('abort', stop);
    try {
      for await (const _event of this.store.subscribeToAll({ after: (head.position ?? undefined) as Position | undefined, signal: listening.signal })) break;
    } finally {
      signal.removeEventListener('abort', stop);
      listening.abort();
    }
    // Writes come in bursts (a desk logs a statement and its claims): a moment's wait lets one
    // batch take them all, instead of a batch, with its round trips, for each.
    await pause(LIVE_GATHER_MS, signal);
  }

  private async ensureCheckpoints(): Promise<void> {
    await this.dataSource.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [
      this.projections.map((projection) => projection.name),
    ]);
  }
}

export class UnknownProjectionError extends Error {
  constructor(
    readonly projection: string,
    readonly known: string[],
  ) {
    super(`No projection is called ${projection}; there are: ${known.join(', ')}`);
  }
}

export interface ReplayCheck {
  name: string;
  /** The live projection's checkpoint, which the replay stopped at. */
  checkpoint: string | null;
  eventsApplied: number;
  /** Rows that differ, in all tables: each only in the live table or only in the replay. */
  differences: number;
  tables: TableComparison[];
}

export interface TableComparison {
  table: string;
  liveRows: number;
  replayedRows: number;
  /** Rows of the live table that the replay did not produce: their count, and the first few. */
  onlyLive: { count: number; rows: unknown[] };
  /** Rows the replay produced that the live table lacks. */
  onlyReplayed: { count: number; rows: unknown[] };
}

function scratchSchema(purpose: 'rebuild' | 'replay', projection: Projection): string {
  return `${purpose}_${projection.name.replace(/[^a-z0-9_]/gi, '_')}`;
}

/** Rows compared whole (as jsonb) in the database, duplicates counted: only the differences travel. */
async function compareTables(manager: EntityManager, table: string, scratch: string, rowsShown: number): Promise<TableComparison> {
  const [row] = await manager.query<{ live_rows: string; replayed_rows: string; only_live: string; only_replayed: string; only_live_rows: unknown[]; only_replayed_rows: unknown[] }[]>(
    `WITH live AS (SELECT to_jsonb(t) AS row FROM public.${table} t),
          replayed AS (SELECT to_jsonb(t) AS row FROM ${scratch}.${table} t),
          only_live AS (SELECT row FROM live EXCEPT ALL SELECT row FROM replayed),
          only_replayed AS (SELECT row FROM replayed EXCEPT ALL SELECT row FROM live)
     SELECT (SELECT count(*) FROM live) AS live_rows,
            (SELECT count(*) FROM replayed) AS replayed_rows,
            (SELECT count(*) FROM only_live) AS only_live,
            (SELECT count(*) FROM only_replayed) AS only_replayed,
            (SELECT coalesce(jsonb_agg(row), '[]') FROM (SELECT row FROM only_live ORDER BY row LIMIT $1) shown) AS only_live_rows,
            (SELECT coalesce(jsonb_agg(row), '[]') FROM (SELECT row FROM only_replayed ORDER BY row LIMIT $1) shown) AS only_replayed_rows`,
    [rowsShown],
  );
  return {
    table,
    liveRows: Number(row.live_rows),
    replayedRows: Number(row.replayed_rows),
    onlyLive: { count: Number(row.only_live), rows: row.only_live_rows },
    onlyReplayed: { count: Number(row.only_replayed), rows: row.only_replayed_rows },
  };
}

/** Hands the projection the events of the batch it handles, all at once; returns how many. */
async function applyBatch(projection: Projection, events: RecordedEvent[], manager: EntityManager): Promise<number> {
  const handled = events.filter((event) => projection.eventTypes.includes(event.type));
  if (handled.length > 0) await projection.apply(handled, manager);
  return handled.length;
}
