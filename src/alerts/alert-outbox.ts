import { v5 as uuidv5 } from 'uuid';
import type { Statement } from '../projections/projection.js';
import { rowsWritten } from '../projections/write-rows.js';
import { alertsFor, type Told, type Watch } from './domain/alerts.js';

// The outbox of alerts, as the incident-view projection writes it: with each batch's views
// and timeline entries and its checkpoint, in one transaction, so an alert is derived once
// for each event the view folds, however the process dies. Its tables are named whole
// (public.): a rebuild or replay check, pointed at scratch tables, derives the same
// deliveries, which are there already and change nothing (alerts.ts: Watch.since).

/**
 * The subscriptions that may follow the incidents with ids in `$incidentIds` (a uuid[]
 * parameter), as JSON: each is matched in full by alertsFor. A paused one still gathers its
 * alerts, for when it is resumed.
 */
export function watchesLoaded(incidentIds: string): string {
  return `SELECT coalesce(json_agg(json_build_object('id', id, 'filters', filters, 'triggers', triggers, 'since', since)), '[]')
            FROM public.subscriptions
           WHERE cardinality(${incidentIds}) > 0 AND (NOT filters ? 'incidentIds' OR filters->'incidentIds' ?| ${incidentIds}::text[])`;
}

/** The writes of the alerts `told` events make for `watches`: none when there are none. */
export function alertsWritten(watches: readonly Watch[], told: readonly Told[]): Statement[] {
  if (watches.length === 0) return [];
  const alerts = told.flatMap((one) => alertsFor(watches, one).map((alert) => ({ id: deliveryId(alert.subscriptionId, one.eventId), ...alert }))).map((alert, n) => ({ ...alert, n }));
  // In ledger order, which the outbox's seq keeps per subscription. The desk's are delivered
  // as they are written; a subscription deleted since the batch was loaded gets none.
  return rowsWritten(
    `INSERT INTO public.alert_deliveries (id, subscription_id, target_kind, alert, status, delivered_at)
     SELECT alert.id, alert."subscriptionId", subscription.target_kind, alert.alert,
            CASE subscription.target_kind WHEN 'desk' THEN 'delivered' ELSE 'pending' END,
            CASE subscription.target_kind WHEN 'desk' THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS alert (id uuid, "subscriptionId" uuid, alert jsonb, n integer)
       JOIN public.subscriptions subscription ON subscription.id = alert."subscriptionId"
      ORDER BY alert.n
     ON CONFLICT (id) DO NOTHING`,
    alerts,
  );
}

/** Fixed by the subscription and the event: the same event never alerts a subscription twice, however often it is folded. */
function deliveryId(subscriptionId: string, eventId: string): string {
  return uuidv5(`${subscriptionId}\n${eventId}`, DELIVERY_NAMESPACE);
}

const DELIVERY_NAMESPACE = '5f0b7f64-58a4-4b7e-9a43-2d6a8c1e0f15';
