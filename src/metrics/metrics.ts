import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthMonitor, HealthSnapshot } from '../health/health-monitor.js';
import { routePattern } from '../http/route-pattern.js';

type Sample<Label extends string> = [labels: Partial<Record<Label, string>>, value: number];

/**
 * What GET /metrics shows, in a registry of this app's own: tests run several apps in one
 * process, and prom-client's global registry would mix their counts. Counters are counted
 * as things happen; gauges are read at each scrape from what is already in memory (the
 * health monitor's last look, the pools' counts), so a scrape costs the database nothing.
 */
export class Metrics {
  readonly registry = new Registry();

  // Its _count, by route and status, is the request count: no separate counter.
  private readonly requestDuration = new Histogram({
    name: 'incident_ledger_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long each took to answer.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly appends = this.counter('incident_ledger_appends_total', 'Appends to the event store that it acknowledged (each write that stores events makes one).');
  readonly appendedEvents = this.counter('incident_ledger_appended_events_total', 'Events in the appends the event store acknowledged.');
  readonly appendConflicts = this.counter(
    'incident_ledger_append_conflicts_total',
    'Appends the event store refused because the stream had moved on since the write read it (a concurrent write, usually by another process); the write is decided again on the new state, or answers 412 under If-Match.',
  );
  readonly idempotentReplays = this.counter('incident_ledger_idempotent_replays_total', 'Writes answered with the stored response of an earlier request with the same Idempotency-Key.');

  constructor() {
    // Event-loop lag (nodejs_eventloop_lag_*), heap (nodejs_heap_*), CPU, memory, GC, handles.
    collectDefaultMetrics({ register: this.registry });
  }

  /** Times every answered request. */
  measureRequests(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', async (request, reply) => {
      this.requestDuration.observe({ method: request.method, route: routePattern(request), status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }

  /** The gauges: the health monitor's last look (taken every two seconds), and the connection pools by name. */
  observe(health: HealthMonitor, pools: Record<string, pg.Pool>): void {
    const snapshot = (): HealthSnapshot | undefined => health.snapshot();
    this.gauge('incident_ledger_ready', '1 when the last health check found the service ready (GET /health), else 0.', [], () => {
      const ready = snapshot()?.ready;
      return ready === undefined ? [] : [[{}, Number(ready)]];
    });
    this.gauge('incident_ledger_projection_lag_events', 'Events recorded that the projection has not applied yet; counted up to 1000.', ['projection'], () =>
      (snapshot()?.projections.lag ?? []).map((lag) => [{ projection: lag.name }, lag.events]),
    );
    this.gauge('incident_ledger_projection_lag_seconds', 'How long the oldest event the projection has not applied yet has waited; 0 when it is caught up.', ['projection'], () =>
      (snapshot()?.projections.lag ?? []).map((lag) => [{ projection: lag.name }, lag.seconds]),
    );
    this.gauge('incident_ledger_sealer_lag_events', 'Events recorded that the audit log has not sealed yet; counted up to 1000.', [], () => {
      const lag = snapshot()?.auditLog.lag;
      return lag ? [[{}, lag.events]] : [];
    });
    this.gauge('incident_ledger_sealer_lag_seconds', 'How long the oldest event the audit log has not sealed yet has waited; 0 when it is caught up.', [], () => {
      const lag = snapshot()?.auditLog.lag;
      return lag ? [[{}, lag.seconds]] : [];
    });
    this.gauge('incident_ledger_leader', '1 while this process holds the lock for the role (projector, sealer); one process on the database does.', ['role'], () => {
      const leader = snapshot()?.leader;
      return leader ? [[{ role: 'projector' }, Number(leader.projector)], [{ role: 'sealer' }, Number(leader.sealer)]] : [];
    });
    this.gauge(
      'incident_ledger_read_horizon_age_seconds',
      'Age of the oldest transaction on the PostgreSQL server that holds a transaction id: readers of the ledger (projections, the sealer, GET /ledger) take no event appended after it began until it ends.',
      [],
      () => {
        const horizon = snapshot()?.horizon;
        return horizon?.status === 'up' ? [[{}, horizon.oldest?.ageSeconds ?? 0]] : [];
      },
    );
    this.gauge('incident_ledger_pool_connections_in_use', 'Connections of the pool checked out now.', ['pool'], () =>
      Object.entries(pools).map(([name, pool]) => [{ pool: name }, pool.totalCount - pool.idleCount]),
    );
    this.gauge('incident_ledger_pool_waiting_requests', 'Requests for a connection queued because every connection of the pool is in use.', ['pool'], () =>
      Object.entries(pools).map(([name, pool]) => [{ pool: name }, pool.waitingCount]),
    );
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  /** A gauge set at each scrape to `read()`'s samples; none when the value is not known (no health check has answered yet). */
  private gauge<Label extends string>(name: string, help: string, labelNames: Label[], read: () => Sample<Label>[]): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect(this: Gauge<Label>) {
        this.reset();
        // reset() leaves a gauge without labels at 0: take that out too, so an unknown value shows as none.
        this.remove({});
        for (const [labels, value] of read()) this.set(labels, value);
      },
    });
  }
}
