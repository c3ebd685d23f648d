import type { Principal } from '../auth/api-keys.js';
import type { TimelineWording } from '../incidents/queries/timeline-wording.js';
import type { AlertResponse } from './alert-api.js';
import type { Alert } from './domain/alerts.js';

/** A row of the outbox, as the routes and the deliverer read it (DELIVERY_COLUMNS). */
export interface DeliveryRow {
  id: string;
  seq: string;
  subscription_id: string;
  alert: Alert;
  created_at: Date;
}

/**
 * The columns of DeliveryRow, of the outbox under the alias `delivery`: an incident's alert
 * with the sentence and changes of its timeline entry as they read now (an erasure scrubs
 * them there); a notice with its own.
 */
export const DELIVERY_COLUMNS = `delivery.id, delivery.seq, delivery.subscription_id, delivery.created_at,
  delivery.alert || coalesce((SELECT jsonb_build_object('headline', timeline.entry->'headline', 'changes', timeline.entry->'changes')
                                FROM incident_timeline timeline
                               WHERE timeline.incident_id = (delivery.alert->'incident'->>'id')::uuid
                                 AND timeline.version = (delivery.alert->'incident'->>'version')::integer), '{}') AS alert`;

/**
 * The alerts of `rows` as `viewer` may read them: the timeline's sentence and changes
 * with the sources they refer to named as the viewer may be shown them now (an erased
 * source as erased, a confidential one hidden from readers), not as when the alert was made.
 */
export async function alertsWorded(rows: readonly DeliveryRow[], viewer: Principal, wording: TimelineWording, route: string): Promise<AlertResponse[]> {
  const worded = await wording.wordingFor(
    rows.flatMap(({ alert }) => [alert.headline, ...alert.changes]),
    viewer,
    route,
  );
  return rows.map(({ id, seq, subscription_id, alert, created_at }) => ({
    id,
    seq: Number(seq),
    subscriptionId: subscription_id,
    createdAt: created_at.toISOString(),
    ...alert,
    headline: worded(alert.headline),
    changes: alert.changes.map(worded),
  }));
}
