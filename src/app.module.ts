import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AlertsModule } from './alerts/alerts.module.js';
import type { WebhookOptions } from './alerts/delivery/webhook-deliverer.js';
import { AuditModule } from './audit/audit.module.js';
import { ExportsModule } from './exports/exports.module.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { MeController } from './auth/me.controller.js';
import { HealthController } from './health/health.controller.js';
import { IdempotencyInterceptor, IdempotencyStore } from './http/idempotency.js';
import { ProblemFilter } from './http/problem.filter.js';
import { IncidentSearchModule } from './incidents/incident-search.module.js';
import { IncidentsModule } from './incidents/incidents.module.js';
import { type Infrastructure, InfrastructureModule } from './infrastructure.module.js';
import { LedgerController } from './ledger/ledger.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ProjectionsController } from './projections/projections.controller.js';
import { SourcesModule } from './sources/sources.module.js';
import { StreamController } from './stream/stream.controller.js';

@Module({})
export class AppModule {
  static register(infrastructure: Infrastructure, webhooks: WebhookOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [InfrastructureModule.register(infrastructure), CqrsModule.forRoot(), SourcesModule, IncidentsModule, IncidentSearchModule, AuditModule, ExportsModule, AlertsModule.register(webhooks)],
      controllers: [HealthController, MetricsController, LedgerController, ProjectionsController, StreamController, MeController],
      providers: [
        IdempotencyStore,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
