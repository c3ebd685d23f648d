import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { pause } from '../common/pause.js';
import { whileLeader } from '../database/leadership.js';
import { isPostgresUnavailable } from '../database/unavailable.js';
import { withConnection } from '../database/with-connection.js';
import type { EventStore, Position, RecordedEvent } from '../event-store/event-store.js';
import { lagBehind } from '../event-store/lag.js';
import { applyBatch, queryWith, StaleBatch } from './apply-batch.js';
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

/** A batch that runs out of time (statement_timeout) this many times in a row stops its projection. */
const MAX_TIMEOUTS = 3;

/**
 * The turn at a projection's scratch tables, for a rebuild or a replay check: the advisory
 * lock (hashtext of this, hashtext of the projection's name), which pg_locks shows as
 * classid and objid; status() sees a rebuild by it and the rebuild's schema.
 */
const SCRATCH_LOCKS = 'incident-ledger:scratch';

/** How long a rebuild's swap waits for readers to leave the live tables before it tries again. */
const SWAP_LOCK_TIMEOUT = '2s';
const SWAP_ATTEMPTS = 10;

/** How often a rebuild or replay check asks again for the scratch schema another one holds. */
const SCRATCH_LOCK_RETRY_MS = 250;
// A rebuild in another process (the command line, or an API process) sets a failed
// projection running again without this one hearing of it: what it remembers of the
// checkpoints is read again this often. (A checkpoint moved under a running projection shows
// at once: its next batch finds it moved.)
const CHECKPOINTS_TRUSTED_MS = 2_000;

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
  private readonly timeouts = new Map<string, { checkpoint: string | null; times: number }>();
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  /** The checkpoints as this runner last read or moved them; read again whenever that may no longer hold. */
  private checkpoints?: Checkpoint[];
  private checkpointsReadAt = 0;
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
    this.lockRetryMs = options.lockRetryMs ?? 1000;
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
                         AND classid = hashtext($3)::oid AND objid = hashtext(name)::oid)
                AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = scratch) AS rebuilding
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
   * Rebuilds projections from position zero into fresh copies of their tables, catches them
   * up with the ledger, then swaps them in, in one short transaction that locks the live
   * tables (the live runner waits) and applies the last few events: readers never see a
   * half-built view, and no transaction stays open across the long replay. Projections
   * rebuilt together read the ledger once, each batch applied to all of them in two
   * statements. Works from any process; the rebuilt projections resume as `running`. A second
   * rebuild of a projection (or a replay check) waits for the first.
   */
  async rebuild(...names: string[]): Promise<RebuildResult[]> {
    const projections = names.map((name) => this.projection(name));
    await this.ensureCheckpoints();
    const { position, applied } = await this.withScratchTables('rebuild', projections, async (scratches) => {
      let caughtUp = await this.replay(projections, scratches, { after: undefined });
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.swapIn(projections, scratches, caughtUp);
        } catch (error) {
          if (!isLockTimeout(error) || attempt === SWAP_ATTEMPTS) throw error;
          const more = await this.replay(projections, scratches, { after: caughtUp.position });
          caughtUp = { position: more.position, applied: caughtUp.applied.map((count, index) => count + more.applied[index]) };
        }
      }
    });
    this.checkpoints = undefined;
    // Awaited (it never throws): a command-line rebuild must not exit before other processes are told.
    await this.changes?.announce({ projections: names, streams: 'all' });
    return projections.map(({ name }, index) => {
      this.logger.log(`Rebuilt ${name}: ${applied[index]} events applied`);
      return { name, eventsApplied: applied[index], checkpoint: position ?? null };
    });
  }

  /**
   * The rebuild's last step: with the live tables locked (which gives the transaction no id,
   * so the ledger's readers go on meanwhile), applies what came in since `caughtUp`, swaps the
   * scratch tables in and moves the checkpoints. A reader that keeps the live tables longer
   * than SWAP_LOCK_TIMEOUT makes it give up, to be tried again.
   */
  private swapIn(projections: readonly Projection[], scratches: readonly string[], caughtUp: Replayed) {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [SWAP_LOCK_TIMEOUT]);
      // Not a lock on the checkpoint's row, which would give the transaction an id while it
      // waits (every reader of the ledger waits behind the oldest one): a live batch that
      // moved the checkpoint meanwhile had to finish first (it holds the tables), and one
      // begun since finds its checkpoint moved and rolls back.
      for (const table of projections.flatMap(({ tables }) => tables)) await manager.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`);
      const rest = await this.replay(projections, scratches, { after: caughtUp.position, manager });
      await manager.query('SET LOCAL search_path TO public');
      const applied = caughtUp.applied.map((count, index) => count + rest.applied[index]);
      for (const [index, projection] of projections.entries()) {
        for (const table of projection.tables) {
          await manager.query(`DROP TABLE public.${table}`);
          await manager.query(`ALTER TABLE ${scratches[index]}.${table} SET SCHEMA public`);
        }
        await manager.query(`DROP SCHEMA ${scratches[index]}`);
        await manager.query(
          `UPDATE projection_checkpoints SET position = $2, status = 'running', error = NULL, events_applied = $3, updated_at = now() WHERE name = $1`,
          [projection.name, rest.position ?? null, applied[index]],
        );
      }
      return { position: rest.position, applied };
    });
  }

  /**
   * Replays one projection from position zero into scratch tables, up to the live
   * projection's checkpoint, and compares them with the live tables row by row (PRODUCT.md
   * §1: an auditor rebuilds projections and compares them to the live ones). The live
   * tables are read as they were at one moment, in a read-only snapshot that holds no
   * transaction id and no lock the live runner needs: the ledger and the live projection go
   * on meanwhile. The scratch tables are dropped.
   */
  async replayCheck(name: string, { rowsShown = 20 } = {}): Promise<ReplayCheck> {
    const projection = this.projection(name);
    await this.ensureCheckpoints();
    return this.withScratchTables('replay', [projection], ([scratch]) =>
      this.dataSource.transaction('REPEATABLE READ', async (snapshot) => {
        await snapshot.query('SET TRANSACTION READ ONLY');
        // Before the snapshot is taken: no rebuild may swap the tables out from under it.
        for (const table of projection.tables) await snapshot.query(`LOCK TABLE public.${table} IN ACCESS SHARE MODE`);
        // The snapshot's live tables hold exactly what this checkpoint says: a batch and its checkpoint commit together.
        const [{ position: live }] = await snapshot.query<{ position: Position | null }[]>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
        const replayed = live === null ? { applied: [0] } : await this.replay([projection], [scratch], { after: undefined, until: live });
        const tables: TableComparison[] = [];
        for (const table of projection.tables) tables.push(await compareTables(table, { live: snapshot, replayed: this.dataSource.manager, scratch }, rowsShown));
        return {
          name: projection.name,
          checkpoint: live,
          eventsApplied: replayed.applied[0],
          differences: tables.reduce((sum, table) => sum + table.onlyLive.count + table.onlyReplayed.count, 0),
          tables,
        };
      }),
    );
  }

  private projection(name: string): Projection {
    const projection = this.projections.find((candidate) => candidate.name === name);
    if (!projection) throw new UnknownProjectionError(name, this.projections.map((candidate) => candidate.name));
    return projection;
  }

  /**
   * Runs `work` on fresh, empty copies of the projections' tables, in a schema of their own
   * each, dropped afterwards (unless `work` moved them). Rebuilds and replay checks of a
   * projection take turns, in every process, under an advisory lock held on a connection of
   * its own and closed at the end. A run waiting for its turn holds no connection: the
   * running one needs the pool's to read the ledger.
   */
  private async withScratchTables<T>(purpose: 'rebuild' | 'replay', projections: readonly Projection[], work: (scratches: string[]) => Promise<T>): Promise<T> {
    const scratches = projections.map((projection) => scratchSchema(purpose, projection));
    for (;;) {
      const turn = await withConnection(
        this.pool,
        async (lock) => {
          // All or none, taken in one order by everyone: two runs never each hold what the other waits for.
          for (const { name } of [...projections].sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [SCRATCH_LOCKS, name]);
            if (!rows[0].locked) return undefined; // the connection closes, and the locks taken go with it
          }
          try {
            for (const [index, projection] of projections.entries()) await this.createScratchTables(projection, scratches[index]);
            return { result: await work(scratches) };
          } finally {
            for (const scratch of scratches) await this.dataSource.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
          }
        },
        { close: true },
      );
      if (turn) return turn.result;
      await pause(SCRATCH_LOCK_RETRY_MS, this.stopping.signal);
      if (this.stopping.signal.aborted) throw new Error(`Stopped while waiting for the ${purpose} under way of ${projections.map(({ name }) => name).join(', ')}`);
    }
  }

  private async createScratchTables(projection: Projection, scratch: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Left behind by a run whose process died (its lock died with it): a rebuild's would
      // make status() report one under way.
      for (const purpose of ['rebuild', 'replay'] as const) await manager.query(`DROP SCHEMA IF EXISTS ${scratchSchema(purpose, projection)} CASCADE`);
      await manager.query(`CREATE SCHEMA ${scratch}`);
      for (const table of projection.tables) {
        await manager.query(`CREATE TABLE ${scratch}.${table} (LIKE public.${table} INCLUDING ALL)`);
      }
    });
  }

  /**
   * Applies the ledger after `after` to the projections' tables in the schemas `scratches`,
   * up to and including `until` (or to the end): each batch in a transaction of its own, or
   * all in `manager`'s. How many events each applied.
   */
  private async replay(
    projections: readonly Projection[],
    scratches: readonly string[],
    { after, until, manager }: { after: Position | undefined; until?: Position; manager?: EntityManager },
  ): Promise<Replayed> {
    let position = after;
    const applied = projections.map(() => 0);
    // The next batch is read while this one is applied: the ledger and the folds overlap. (A
    // read left over when the replay ends is dropped, its failure too.)
    const read = (from: Position | undefined) => {
      const next = this.store.readAll({ after: from, maxCount: this.batchSize });
      next.catch(() => undefined);
      return next;
    };
    let reading = read(position);
    while (until === undefined || position !== until) {
      const batch = await reading;
      if (batch.length > 0) reading = read(batch[batch.length - 1].position);
      const end = until === undefined ? -1 : batch.findIndex((event) => event.position === until);
      const events = end === -1 ? batch : batch.slice(0, end + 1);
      if (events.length === 0) {
        if (until !== undefined) throw new Error(`The ledger ends before ${until}, where ${projections.map(({ name }) => name).join(', ')} say it is`);
        break;
      }
      const apply = async (transaction: EntityManager, durable: boolean) => {
        // Scratch batches need not wait for the disk: a crash loses the scratch tables, and
        // a rebuild starts over. The caller's transaction (the swap) keeps its durability.
        const settings = durable ? '' : ", set_config('synchronous_commit', 'off', true)";
        // The scratch schemas alone (pg_catalog is always searched): were one gone, the
        // projections' unqualified writes would fail rather than reach the live tables.
        await transaction.query(`SELECT set_config('search_path', $1, true)${settings}`, [scratches.join(', ')]);
        const handled = await applyBatch(queryWith(transaction), projections, events);
        handled.forEach((count, index) => (applied[index] += count));
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
      this.checkpoints = undefined; // another process may have moved them while this one did not lead
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
   * One batch for the running projections; true while they found events. Projections at the
   * same checkpoint (all of them, but after a rebuild or a failure) share one read of the
   * ledger and one transaction.
   */
  private async applyNextBatches(): Promise<boolean> {
    if (!this.checkpoints || performance.now() - this.checkpointsReadAt > CHECKPOINTS_TRUSTED_MS) {
      this.checkpoints = await this.dataSource.query<Checkpoint[]>('SELECT name, position, status FROM projection_checkpoints WHERE name = ANY($1)', [
        this.projections.map((projection) => projection.name),
      ]);
      this.checkpointsReadAt = performance.now();
    }
    const checkpoints = this.checkpoints;
    const byCheckpoint = new Map<string | null, Projection[]>();
    for (const projection of this.projections) {
      const checkpoint = checkpoints.find((row) => row.name === projection.name);
      if (checkpoint?.status === 'running') byCheckpoint.set(checkpoint.position, [...(byCheckpoint.get(checkpoint.position) ?? []), projection]);
    }
    let found = false;
    for (const [checkpoint, projections] of byCheckpoint) {
      const events = await this.store.readAll({ after: (checkpoint ?? undefined) as Position | undefined, maxCount: this.batchSize });
      if (events.length > 0) found = (await this.applyBatchOf(projections, checkpoint, events)) || found;
    }
    return found;
  }

  /**
   * Applies `events` to `projections`, all at `checkpoint`, with the write that moves their
   * checkpoints (apply-batch.ts): a crash loses the batch and its checkpoints together, and
   * the batch is then applied again. A projection that fails makes the batch go again,
   * projection by projection, so that only that one stops (status `failed`); the others go on.
   */
  private async applyBatchOf(projections: readonly Projection[], checkpoint: string | null, events: RecordedEvent[]): Promise<boolean> {
    const names = projections.map((projection) => projection.name);
    const last = events[events.length - 1];
    try {
      await applyBatch(queryWith(this.dataSource.manager), projections, events, {
        from: checkpoint,
        to: last.position,
        lastRecordedAt: typeof last.metadata.recordedAt === 'string' ? last.metadata.recordedAt : null,
      });
      for (const name of names) this.timeouts.delete(name);
      for (const row of this.checkpoints ?? []) if (names.includes(row.name)) row.position = last.position;
      // Announced even when the batch changed no row: the checkpoints moved, and listeners follow them.
      const handled = events.filter((event) => projections.some((projection) => projection.eventTypes.includes(event.type)));
      void this.changes?.announce({ projections: names, streams: [...new Set(handled.map((event) => event.streamId))], from: checkpoint, to: last.position });
    } catch (error) {
      this.checkpoints = undefined; // read them again
      if (error instanceof StaleBatch) return true;
      // Losing the database is no fault of the projections': the runner pauses and tries
      // again, for as long as it takes. The same batch timing out time after time is.
      if (isPostgresUnavailable(error) && (!isStatementTimeout(error) || this.timedOutAgain(names.join(), checkpoint) < MAX_TIMEOUTS)) throw error;
      if (projections.length > 1) {
        for (const projection of projections) await this.applyBatchOf([projection], checkpoint, events);
        return true;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Projection ${names[0]} failed and stopped: ${message}`);
      await this.dataSource.query(`UPDATE projection_checkpoints SET status = 'failed', error = $2, updated_at = now() WHERE name = $1`, [names[0], message]);
      return false;
    }
    return true;
  }

  /** How many times in a row this projection's batch at `checkpoint` ran out of time. */
  private timedOutAgain(name: string, checkpoint: string | null): number {
    const last = this.timeouts.get(name);
    const times = last?.checkpoint === checkpoint ? last.times + 1 : 1;
    this.timeouts.set(name, { checkpoint, times });
    return times;
  }

  /** Resolves when the ledger has something after the furthest checkpoint (or on abort). */
  private async waitForEvents(signal: AbortSignal): Promise<void> {
    const [head] = await this.dataSource.query<{ position: string | null }[]>(
      "SELECT position FROM projection_checkpoints WHERE name = ANY($1) AND status = 'running' ORDER BY updated_at DESC LIMIT 1",
      [this.projections.map((projection) => projection.name)],
    );
    if (!head) return pause(this.lockRetryMs, signal);
    // The signal itself, not a listener on it: a stop that came while the checkpoint was
    // read has fired already, and a listener added now would wait for the next event. No
    // wait after the first event: what arrives while a batch is applied makes the next one.
    for await (const _event of this.store.subscribeToAll({ after: (head.position ?? undefined) as Position | undefined, signal })) break;
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

export interface RebuildResult {
  name: string;
  eventsApplied: number;
  checkpoint: string | null;
}

/** How far a replay got, and how many events each projection applied. */
interface Replayed {
  position: Position | undefined;
  applied: number[];
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

/**
 * Rows compared whole: each side's rows are hashed (their jsonb text, which is canonical) and
 * counted in its own snapshot, the counts compared here, duplicates included; only the rows
 * that differ travel, the first few of each side.
 */
async function compareTables(table: string, sides: { live: EntityManager; replayed: EntityManager; scratch: string }, rowsShown: number): Promise<TableComparison> {
  const counted = async (manager: EntityManager, schema: string) =>
    new Map(
      (await manager.query<{ hash: string; rows: number }[]>(`SELECT md5(to_jsonb(t)::text) AS hash, count(*)::int AS rows FROM ${schema}.${table} t GROUP BY 1`)).map(
        ({ hash, rows }) => [hash, rows],
      ),
    );
  const live = await counted(sides.live, 'public');
  const replayed = await counted(sides.replayed, sides.scratch);
  const only = async (manager: EntityManager, schema: string, mine: Map<string, number>, theirs: Map<string, number>) => {
    const surplus = [...mine].map(([hash, rows]) => ({ hash, rows: rows - (theirs.get(hash) ?? 0) })).filter(({ rows }) => rows > 0);
    const shown = await manager.query<{ row: unknown }[]>(`SELECT to_jsonb(t) AS row FROM ${schema}.${table} t WHERE md5(to_jsonb(t)::text) = ANY($1) ORDER BY 1 LIMIT $2`, [
      surplus.map(({ hash }) => hash),
      rowsShown,
    ]);
    return { count: surplus.reduce((sum, { rows }) => sum + rows, 0), rows: shown.map(({ row }) => row) };
  };
  const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, rows) => total + rows, 0);
  return {
    table,
    liveRows: sum(live),
    replayedRows: sum(replayed),
    onlyLive: await only(sides.live, 'public', live, replayed),
    onlyReplayed: await only(sides.replayed, sides.scratch, replayed, live),
  };
}

/** PostgreSQL's lock_timeout ran out (55P03). */
function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown }).code === '55P03';
}

/** PostgreSQL cancelled the statement for running past statement_timeout (57014). */
function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: unknown }).code === '57014';
}

interface Checkpoint {
  name: string;
  position: string | null;
  status: string;
}
