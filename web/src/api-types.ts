import type { Location, Occurred } from '../../src/incidents/domain/incident.events.js';
import type { SourceResponse } from '../../src/sources/queries/source-response.js';

// The shapes of the API's answers that the desk reads (PRODUCT.md §4, §5). The service's
// OpenAPI document at /openapi.json is the full contract; these name only what is used.

export { ROLES, type Role } from '../../src/auth/role-names.js';
// Who is shown a confidential source's name: the service's one rule, not a copy of it.
export { identifiesConfidentialSources } from '../../src/auth/confidentiality.js';
import type { Role } from '../../src/auth/role-names.js';

// The domain's own value lists and event shapes: those files import nothing, so the desk's
// bundle takes them as they are and the forms offer exactly what the API accepts.
export { SOURCE_KINDS, type SourceKind } from '../../src/sources/domain/source.events.js';
export type { ProjectionStatus } from '../../src/projections/projection-status.js';
export type { SourceAccess, SourceAccessPage } from '../../src/sources/source-access.js';
export type { IncidentRole, SourceWithTrackRecord, TrackRecord, TrackRecordClaim } from '../../src/sources/queries/get-source/track-record.js';
export {
  CLAIM_GRADES,
  CLAIM_KINDS,
  FIGURE_OUTCOMES,
  FIGURE_QUALIFIERS,
  LINK_RELATIONS,
  LOCATION_PRECISIONS,
  RELATION_PHRASES,
  OCCURRED_PRECISIONS,
  RETRACTED_BY,
  STANCES,
  STATEMENT_MEDIUMS,
  type ClaimGrade,
  type ClaimKind,
  type Figure,
  type FigureOutcome,
  type FigureQualifier,
  type LinkRelation,
  type Location,
  type Occurred,
  type Stance,
} from '../../src/incidents/domain/incident.events.js';
// The limits and formats the API checks requests with: the forms check the same before sending.
export { COORDINATES, INCIDENT_LIMITS } from '../../src/incidents/domain/incident.commands.js';
export { SOURCE_LIMITS } from '../../src/sources/domain/source.commands.js';
export { COUNTRY_CODE, isStorableText, LANGUAGE_TAG, WEB_PROTOCOL, type TextFormat } from '../../src/common/input-formats.js';

export const INCIDENT_SORTS = ['-updatedAt', 'updatedAt', '-occurredFrom', 'occurredFrom', 'relevance'] as const;

export type IncidentSort = (typeof INCIDENT_SORTS)[number];

export interface Me {
  name: string;
  role: Role;
}

/** 201 (recorded) or 200 (already so). */
export interface WriteAnswer {
  id: string;
  version: number;
  claimId?: string;
  statementId?: string;
  /** A split's new incident. */
  newIncidentId?: string;
  /** A webhook subscription's signing secret: in the answer that creates it, and never again. */
  secret?: string;
}

/** A source as GET /sources and GET /sources/{id} answer it. */
export type Source = SourceResponse;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface IncidentSearchItem {
  id: string;
  title: string;
  location: Location;
  occurred: Occurred;
  tags: string[];
  claimantIds: string[];
  version: number;
  openedAt: string;
  updatedAt: string;
}

// The read models' own types: the very shapes the projections store and the queries answer.
export type { ClaimChange, ClaimView as Claim, IncidentLink, LifecycleEntry, StatementView as Statement } from '../../src/incidents/read-model/incident-view.js';
export type { CasualtyEntry } from '../../src/incidents/read-model/casualty-summary.js';
export type { TimelineEntry, TimelinePage } from '../../src/incidents/read-model/headline.js';
export type { ViewDiff } from '../../src/incidents/read-model/view-diff.js';
export type { IncidentViewResponse as IncidentView } from '../../src/incidents/projections/incident-view/source-name.js';

export interface RecordedEvent {
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface IncidentEventsPage {
  version: number;
  events: RecordedEvent[];
  nextFromVersion: number | null;
}

export interface LedgerPage {
  events: RecordedEvent[];
  next: string | null;
}


/** GET /audit/checkpoints' newest signed checkpoint. */
export interface AuditCheckpoint {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
}

/** GET /audit/verify: the stored events checked against the sealed, signed log. */
export interface VerifyReport {
  ok: boolean;
  treeSize: number;
  eventsRead: number;
  unsealedEvents: number | null;
  firstMismatch: { kind: string; leafIndex: number; position: string | null } | null;
  checkpoints: { total: number; valid: number; firstInvalid: { treeSize: number; problem: string; detail: string } | null };
}

// Alerts and subscriptions (issue 15): the service's own shapes, from its import-free files.
export { TRIGGERS, type SubscriptionFilters, type Trigger } from '../../src/alerts/domain/alerts.js';
export {
  SUBSCRIPTION_LIMITS,
  type AlertResponse as Alert,
  type Attempt as DeliveryAttempt,
  type DeliveryResponse as Delivery,
  type Page as SeqPage,
  type SubscriptionResponse as Subscription,
  type Target as SubscriptionTarget,
} from '../../src/alerts/alert-api.js';
