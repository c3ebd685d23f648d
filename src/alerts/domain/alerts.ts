import type { IncidentEventType } from '../../incidents/domain/incident.events.js';
import type { TimelineEntry } from '../../incidents/read-model/headline.js';
import type { IncidentView } from '../../incidents/read-model/incident-view.js';
import type { StoredIncidentEvent } from '../../incidents/read-model/stored-incident-event.js';
import { diffViews } from '../../incidents/read-model/view-diff.js';

// Watchers (issue 15): which events a subscription is alerted to, and what its alert says.
// Pure: the incident-view projection calls it with each event it folds, the view before and
// after it and the timeline entry it told, and writes what it answers to the outbox.

/** What a subscription can be alerted to. */
export const TRIGGERS = [
  'casualty_range_changed',
  'contested_changed',
  'claim_reported',
  'claim_amended',
  'claim_retracted',
  'claim_corrected',
  'claim_graded',
  'statement_with_stance',
] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** Which incidents a subscription follows: every filter given must hold (tags and claimants: any of those listed). */
export interface SubscriptionFilters {
  incidentIds?: string[];
  /** ISO-3166 alpha-2. */
  country?: string;
  region?: string;
  tags?: string[];
  /** The sources whose claims (or statements) the event concerns. */
  claimantIds?: string[];
}

/** A subscription as the projection matches it. */
export interface Watch {
  id: string;
  filters: SubscriptionFilters;
  triggers: Trigger[];
  /**
   * When its filters and triggers were last set: only events recorded from then on alert
   * it. So a replay or rebuild of the projection derives exactly the alerts derived live,
   * and a changed filter does not reach back into the past.
   */
  since: string;
}

/** One event as the incident view folded it. */
export interface Told {
  eventId: string;
  position: string;
  event: StoredIncidentEvent;
  before: IncidentView | null;
  after: IncidentView;
  /** Its timeline entry, sources named by reference (worded for each subscriber when sent or read). */
  entry: TimelineEntry;
}

/** What a subscriber is told: the timeline's sentence and changes, and where it happened. */
export interface Alert {
  kind: 'incident_changed' | 'subscription_paused';
  triggers: Trigger[];
  headline: string;
  changes: string[];
  incident?: { id: string; title: string; version: number };
  event?: { id: string; type: IncidentEventType; position: string; recordedAt: string };
}

/** An alert for one subscription. */
export interface AlertFor {
  subscriptionId: string;
  alert: Alert;
}

/** The subscriptions `told` alerts, each with the alert it gets. */
export function alertsFor(watches: readonly Watch[], told: Told): AlertFor[] {
  const fired = triggersOf(told);
  if (fired.length === 0) return [];
  const concerned = sourcesConcerned(told);
  return watches.flatMap((watch) => {
    const triggers = fired.filter((trigger) => watch.triggers.includes(trigger));
    if (triggers.length === 0 || Date.parse(told.event.recordedAt) < Date.parse(watch.since) || !followed(watch.filters, told.after, concerned)) return [];
    return [{ subscriptionId: watch.id, alert: alertOf(told, triggers) }];
  });
}

/** The triggers an event fires, whoever watches. */
export function triggersOf({ event, before, after }: Told): Trigger[] {
  const fired = new Set<Trigger>();
  const own = OWN_TRIGGERS[event.type];
  if (own && (event.type !== 'SourceStatementRecorded' || event.data.stances.length > 0)) fired.add(own);
  // A range compared before and after, as the timeline does: however the event moved it (a
  // claim, a retraction, a merge bringing claims in).
  for (const change of before === null ? [] : diffViews(before, after).casualties) {
    if (change.before?.lowestClaimed !== change.after?.lowestClaimed || change.before?.highestClaimed !== change.after?.highestClaimed) fired.add('casualty_range_changed');
    if ((change.before?.contested ?? false) !== (change.after?.contested ?? false)) fired.add('contested_changed');
  }
  return TRIGGERS.filter((trigger) => fired.has(trigger));
}

/** The trigger each type of event fires by being recorded, if any: a new event type must say. */
const OWN_TRIGGERS: Record<IncidentEventType, Trigger | null> = {
  IncidentOpened: null,
  IncidentRevised: null,
  IncidentsLinked: null,
  IncidentLinkedFrom: null,
  IncidentMerged: null,
  IncidentAbsorbed: null,
  IncidentSplit: null,
  IncidentSplitFrom: null,
  ClaimReported: 'claim_reported',
  ClaimAmended: 'claim_amended',
  ClaimRetracted: 'claim_retracted',
  ClaimCorrected: 'claim_corrected',
  ClaimAssessed: 'claim_graded',
  SourceStatementRecorded: 'statement_with_stance',
};

/** The claimants of the claims the event added, changed or removed, and the source of a statement it recorded. */
export function sourcesConcerned({ event, before, after }: Told): string[] {
  const concerned = new Set<string>();
  if (event.type === 'SourceStatementRecorded') concerned.add(event.data.sourceId);
  const earlier = new Map((before?.claims ?? []).map((claim) => [claim.claimId, claim]));
  const later = new Map(after.claims.map((claim) => [claim.claimId, claim]));
  for (const [claimId, claim] of later) if (earlier.get(claimId) !== claim) concerned.add(claim.claimantId);
  for (const [claimId, claim] of earlier) if (later.get(claimId) !== claim) concerned.add(claim.claimantId);
  return [...concerned];
}

/** Names compared as a desk reads them: "sahel" is "Sahel", "Kidal" is not "Kidál". One collator for all: making one is slow. */
const NAMES = new Intl.Collator(undefined, { sensitivity: 'accent' });

function followed(filters: SubscriptionFilters, view: IncidentView, concerned: readonly string[]): boolean {
  const same = (a: string, b: string) => NAMES.compare(a, b) === 0;
  return (
    (filters.incidentIds === undefined || filters.incidentIds.includes(view.id)) &&
    (filters.country === undefined || same(filters.country, view.location.country)) &&
    (filters.region === undefined || (view.location.region !== undefined && same(filters.region, view.location.region))) &&
    (filters.tags === undefined || filters.tags.some((tag) => view.tags.some((own) => same(tag, own)))) &&
    (filters.claimantIds === undefined || filters.claimantIds.some((sourceId) => concerned.includes(sourceId)))
  );
}

function alertOf({ eventId, position, event, after, entry }: Told, triggers: Trigger[]): Alert {
  return {
    kind: 'incident_changed',
    triggers,
    headline: entry.headline,
    changes: entry.changes,
    incident: { id: after.id, title: after.title, version: after.version },
    event: { id: eventId, type: event.type, position, recordedAt: event.recordedAt },
  };
}
