import { type DynamicModule, Global, Module } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ApiKeys } from './auth/api-keys.js';
import { EVENT_STORE, type EventStore } from './event-store/event-store.js';
import { ProjectionRunner } from './projections/projection-runner.js';

export interface Infrastructure {
  pool: pg.Pool;
  dataSource: DataSource;
  eventStore: EventStore;
  projections: ProjectionRunner;
  apiKeys: ApiKeys;
}

/** What every slice may inject: database access, the event store, the projections, the API keys. */
@Global()
@Module({})
export class InfrastructureModule {
  static register({ pool, dataSource, eventStore, projections, apiKeys }: Infrastructure): DynamicModule {
    const providers = [
      { provide: pg.Pool, useValue: pool },
      { provide: DataSource, useValue: dataSource },
      { provide: EVENT_STORE, useValue: eventStore },
      { provide: ProjectionRunner, useValue: projections },
      { provide: ApiKeys, useValue: apiKeys },
    ];
    return { module: InfrastructureModule, providers, exports: providers };
  }
}
