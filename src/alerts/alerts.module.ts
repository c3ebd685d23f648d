import { type DynamicModule, Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { WEBHOOK_OPTIONS, WebhookDeliverer, type WebhookOptions } from './delivery/webhook-deliverer.js';
import { AlertsController } from './http/alerts.controller.js';
import { SubscriptionsController } from './http/subscriptions.controller.js';
import { Subscriptions } from './subscriptions/subscriptions.js';

// Watchers (issue 15): subscriptions, the desk's alerts, and webhook delivery. The alerts
// themselves are derived by the incident-view projection (alert-outbox.ts), from the timeline
// entries it tells; their wording, from the incidents slice.
@Module({})
export class AlertsModule {
  static register(webhooks: WebhookOptions): DynamicModule {
    return {
      module: AlertsModule,
      imports: [IncidentsModule],
      controllers: [SubscriptionsController, AlertsController],
      providers: [Subscriptions, WebhookDeliverer, { provide: WEBHOOK_OPTIONS, useValue: webhooks }],
    };
  }
}
