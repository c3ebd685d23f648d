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
  return `SELECT coalesce(json_agg(json_build_object('id', id, 'filters', filters, 'triggers', triggers, 'since', since) ORDER BY id), '[]')
            FROM public.subscriptions
           WHERE cardinality(${incidentIds}) > 0 AND (NOT filters ? 'incidentIds' OR filters->'incidentIds' ?| ${incidentIds}::text[])`;
}

/**
 * The writes of the alerts `told` events make for `watches`: none when there are none. Each
 * event's alert is passed once, with the subscriptions it alerts; its sentence and changes
 * are not stored with it but read from its timeline entry (alert-responses.ts), so that
 * what an erasure scrubs from the timeline is gone from the alerts too.
 */
export function alertsWritten(watches: readonly Watch[], told: readonly Told[]): Statement[] {
  if (watches.length === 0) return [];
  const alerts = told.flatMap((one, n) => {
    const alerted = alertsFor(watches, one);
    if (alerted.length === 0) return [];
    const { headline: _headline, changes: _changes, triggers: _triggers, ...alert } = alerted[0].alert;
    const watchers = alerted.map(({ subscriptionId, alert: { triggers } }, m) => ({ id: deliveryId(subscriptionId, one.eventId), subscriptionId, triggers, m }));
    return [{ n, alert, watchers }];
  });
  // In ledger order, which the outbox's seq keeps per subscription, and within an event in the
  // order of the subscriptions' ids (watchesLoaded): two writers of the same deliveries (a
  // rebuild and the live projection) take their rows in one order. The desk's are delivered
  // as they are written; a subscription deleted since the batch was loaded gets none.
  return rowsWritten(
    `INSERT INTO public.alert_deliveries (id, subscription_id, target_kind, alert, status, delivered_at)
     SELECT watcher.id, watcher."subscriptionId", subscription.target_kind, told.alert || jsonb_build_object('triggers', watcher.triggers),
            CASE subscription.target_kind WHEN 'desk' THEN 'delivered' ELSE 'pending' END,
            CASE subscription.target_kind WHEN 'desk' THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS told (n integer, alert jsonb, watchers jsonb)
      CROSS JOIN LATERAL jsonb_to_recordset(told.watchers) AS watcher (id uuid, "subscriptionId" uuid, triggers jsonb, m integer)
       JOIN public.subscriptions subscription ON subscription.id = watcher."subscriptionId"
      ORDER BY told.n, watcher.m
     ON CONFLICT (id) DO NOTHING`,
    alerts,
  );
}

/** Fixed by the subscription and the event: the same event never alerts a subscription twice, however often it is folded. */
function deliveryId(subscriptionId: string, eventId: string): string {
  return uuidv5(`${subscriptionId}\n${eventId}`, DELIVERY_NAMESPACE);
}

const DELIVERY_NAMESPACE = '5f0b7f64-58a4-4b7e-9a43-2d6a8c1e0f15';
