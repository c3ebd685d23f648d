import { Logger } from '@nestjs/common';
import type pg from 'pg';
import type { AuditSealer, RefusedEvent } from '../audit/audit-sealer.js';
import type { EventStore } from '../event-store/event-store.js';
import type { Lag } from '../event-store/lag.js';
import type { ProjectionRunner } from '../projections/projection-runner.js';

/** How often the service looks at itself. */
const CHECK_EVERY_MS = 2_000;
/** A probe that has not answered by then counts as down. */
const PROBE_TIMEOUT_MS = 2_000;
/** A snapshot older than this is not trusted to say "ready": the checks themselves are stuck. */
const STALE_AFTER_MS = 3 * (CHECK_EVERY_MS + PROBE_TIMEOUT_MS);

export interface Probe {
  status: 'up' | 'down';
  latencyMs: number;
  /** For administrators only: it may name hosts and tables. */
  error?: string;
}

/** The oldest transaction on the PostgreSQL server that holds an id: every reader of the ledger waits behind it. */
export interface HorizonHolder {
  /** Null for a prepared transaction, which no session holds. */
  pid: number | null;
  database: string | null;
  applicationName: string | null;
  state: string | null;
  ageSeconds: number;
}

/** What the service last saw of itself: GET /health (readiness for all, the rest for admins) and GET /metrics read it. */
export interface HealthSnapshot {
  checkedAt: string;
  ready: boolean;
  database: Probe;
  eventStore: Probe;
  projections: Probe & { failed: string[]; lag: (Lag & { name: string })[] };
  auditLog: Probe & { refused: RefusedEvent | null; lag: Lag | null };
  /** Whether this process projects and seals now; one process on the database does each. */
  leader: { projector: boolean; sealer: boolean };
  horizon: Probe & { oldest: HorizonHolder | null };
}

/**
 * Looks at the database, the event store, the projections, the audit log and the read
 * horizon every two seconds, in the background, and keeps what it saw. A load balancer's
 * poll of GET /health then costs no query at all, however often it comes.
 */
export class HealthMonitor {
  private readonly logger = new Logger('Health');
  private latest?: Omit<HealthSnapshot, 'leader'>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    private readonly sealer: AuditSealer,
  ) {}

  /** Takes a first look (so that the service is ready as it starts listening), then keeps looking. */
  async start(): Promise<void> {
    await this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The last look (not ready if it is too old to tell), with who leads as of now: that is known without looking. */
  snapshot(): HealthSnapshot | undefined {
    if (!this.latest) return undefined;
    const fresh = Date.now() - Date.parse(this.latest.checkedAt) < STALE_AFTER_MS;
    return { ...this.latest, ready: fresh && this.latest.ready, leader: { projector: this.projections.leading, sealer: this.sealer.leading } };
  }

  private async check(): Promise<void> {
    try {
      this.latest = await this.look();
    } catch (error) {
      this.logger.error(`Health check failed: ${String(error)}`);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.check(), CHECK_EVERY_MS);
  }

  private async look(): Promise<Omit<HealthSnapshot, 'leader'>> {
    const [database, eventStore, projections, auditLog, horizon] = await Promise.all([
      probe(() => this.pool.query('SELECT 1')),
      probe(() => this.store.readAll({ maxCount: 1 })),
      probe(() => this.projections.status()),
      probe(() => this.sealer.status()),
      probe(() => this.oldestTransaction()),
    ]);
    // A failed projection serves stale reads: not ready until it is rebuilt or fixed.
    const failed = projections.value?.filter((projection) => projection.status === 'failed').map((projection) => projection.name) ?? [];
    return {
      checkedAt: new Date().toISOString(),
      ready: database.status === 'up' && eventStore.status === 'up' && projections.status === 'up' && failed.length === 0,
      database: withoutValue(database),
      eventStore: withoutValue(eventStore),
      projections: { ...withoutValue(projections), failed, lag: projections.value?.map(({ name, lag }) => ({ name, ...lag })) ?? [] },
      // An alarm for operators, not a reason to stop serving: every replica would say the
      // same, and reads and writes are as sound as before.
      auditLog: { ...withoutValue(auditLog), refused: auditLog.value?.refused ?? null, lag: auditLog.value?.lag ?? null },
      horizon: { ...withoutValue(horizon), oldest: horizon.value ?? null },
    };
  }

  /**
   * The ledger's readers take events only below the oldest transaction still running on the
   * whole server (PostgresEventStore.readPage): one left open anywhere holds them all back.
   * Sessions and prepared transactions alike.
   */
  private async oldestTransaction(): Promise<HorizonHolder | null> {
    const { rows } = await this.pool.query<HorizonHolder>(
      `SELECT pid, database, "applicationName", state, "ageSeconds" FROM (
         SELECT pid, datname AS database, application_name AS "applicationName", state,
                extract(epoch FROM now() - xact_start)::float8 AS "ageSeconds", age(backend_xid) AS xid_age
           FROM pg_stat_activity WHERE backend_xid IS NOT NULL
         UNION ALL
         SELECT NULL, database, NULL, 'prepared', extract(epoch FROM now() - prepared)::float8, age(transaction)
           FROM pg_prepared_xacts
       ) AS holders
       ORDER BY xid_age DESC LIMIT 1`,
    );
    return rows[0] ?? null;
  }
}

async function probe<T>(work: () => Promise<T>): Promise<Probe & { value?: T }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      work(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started), value };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function withoutValue<T>({ value: _, ...probed }: Probe & { value?: T }): Probe {
  return probed;
}
