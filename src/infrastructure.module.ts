import { type DynamicModule, Global, Module } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AuditSealer } from './audit/audit-sealer.js';
import { AuditSigningKey } from './audit/audit-signing-key.js';
import { ApiKeys } from './auth/api-keys.js';
import { MetricsToken } from './auth/metrics-token.js';
import { EVENT_STORE, type EventStore, STORED_EVENTS } from './event-store/event-store.js';
import { HealthMonitor } from './health/health-monitor.js';
import { Stopping } from './http/stop-serving.js';
import { Newsroom } from './incidents/queries/get-claim-reviews/claim-review.js';
import { Metrics } from './metrics/metrics.js';
import { ProjectionRunner } from './projections/projection-runner.js';
import { ReadModelChanges } from './projections/read-model-changes.js';
import { SourceKeys } from './sources/erasure/source-keys.js';

export interface Infrastructure {
  pool: pg.Pool;
  dataSource: DataSource;
  /** Events as the domain and the read models use them: sources' identifying fields opened. */
  eventStore: EventStore;
  /** Events as they are stored and signed, for auditors: sources' identifying fields sealed. */
  storedEvents: EventStore;
  sourceKeys: SourceKeys;
  projections: ProjectionRunner;
  readModelChanges: ReadModelChanges;
  apiKeys: ApiKeys;
  metricsToken: MetricsToken;
  auditSealer: AuditSealer;
  auditSigningKey: AuditSigningKey;
  health: HealthMonitor;
  metrics: Metrics;
  newsroom: Newsroom;
  stopping: Stopping;
}

/** What every slice may inject: database access, the event store (and its events as stored, for auditors), the sources' keys, the projections and their changes, the API keys and the metrics token, the audit log's sealer and key, what the service saw of its health, the metrics, the newsroom that publishes claim reviews, and the service's stop. */
@Global()
@Module({})
export class InfrastructureModule {
  static register({ pool, dataSource, eventStore, storedEvents, sourceKeys, projections, readModelChanges, apiKeys, metricsToken, auditSealer, auditSigningKey, health, metrics, newsroom, stopping }: Infrastructure): DynamicModule {
    const providers = [
      { provide: pg.Pool, useValue: pool },
      { provide: DataSource, useValue: dataSource },
      { provide: EVENT_STORE, useValue: eventStore },
      { provide: STORED_EVENTS, useValue: storedEvents },
      { provide: SourceKeys, useValue: sourceKeys },
      { provide: ProjectionRunner, useValue: projections },
      { provide: ReadModelChanges, useValue: readModelChanges },
      { provide: ApiKeys, useValue: apiKeys },
      { provide: MetricsToken, useValue: metricsToken },
      { provide: AuditSealer, useValue: auditSealer },
      { provide: AuditSigningKey, useValue: auditSigningKey },
      { provide: HealthMonitor, useValue: health },
      { provide: Metrics, useValue: metrics },
      { provide: Newsroom, useValue: newsroom },
      { provide: Stopping, useValue: stopping },
    ];
    return { module: InfrastructureModule, providers, exports: providers };
  }
}
