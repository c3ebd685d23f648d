import type { ClaimGrade, ClaimKind, Figure, FigureOutcome, FigureQualifier, LinkRelation, Location, Occurred, Stance } from '../../src/incidents/domain/incident.events.js';
import type { SourceKind } from '../../src/sources/domain/source.events.js';

// The shapes of the API's answers that the desk reads (PRODUCT.md §4, §5). The service's
// OpenAPI document at /openapi.json is the full contract; these name only what is used.

export const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// The domain's own value lists and event shapes: those files import nothing, so the desk's
// bundle takes them as they are and the forms offer exactly what the API accepts.
export { SOURCE_KINDS, type SourceKind } from '../../src/sources/domain/source.events.js';
export type { ProjectionStatus } from '../../src/projections/projection-status.js';
export {
  CLAIM_GRADES,
  CLAIM_KINDS,
  FIGURE_OUTCOMES,
  FIGURE_QUALIFIERS,
  LINK_RELATIONS,
  LOCATION_PRECISIONS,
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
}

export interface Source {
  id: string;
  name: string;
  kind: SourceKind;
  aliases: string[];
  country?: string;
  description?: string;
  confidential: boolean;
  version: number;
  registeredAt: string;
  updatedAt: string;
}

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

export interface Statement {
  statementId: string;
  sourceId: string;
  via: string[];
  medium: string;
  quote: string;
  language: string;
  translation?: string;
  statedAt: string;
  publishedAt?: string;
  retrievedAt?: string;
  url?: string;
  stances: { claimId: string; stance: Stance }[];
}

export interface ClaimChange {
  type: 'reported' | 'amended' | 'retracted' | 'corrected' | 'assessed' | 'stance';
  version: number;
  recordedAt: string;
  recordedBy: string;
  statedAt?: string;
  reason?: string;
  rationale?: string;
  grade?: ClaimGrade;
  stance?: Stance;
  sourceId?: string;
  fields?: string[];
  retractedBy?: string;
}

export interface Claim {
  claimId: string;
  claimantId: string;
  via: string[];
  statementId?: string;
  summary: string;
  kind: ClaimKind;
  figures: Figure[];
  statedAt: string;
  status: 'active' | 'amended' | 'retracted';
  grade?: { grade: ClaimGrade; rationale: string; assessedAt: string };
  stances: { statementId: string; sourceId: string; stance: Stance; statedAt: string }[];
  changes: ClaimChange[];
}

export interface CasualtyEntry {
  party: string;
  outcome: FigureOutcome;
  lowestClaimed: number | null;
  highestClaimed: number | null;
  contested: boolean;
  figures: { claimId: string; claimantId: string; qualifier: FigureQualifier; value?: number; originalText: string }[];
}

export interface IncidentView {
  id: string;
  version: number;
  title: string;
  description?: string;
  location: Location;
  occurred: Occurred;
  tags: string[];
  openedAt: string;
  updatedAt: string;
  links: { incidentId: string; relation: LinkRelation }[];
  sourceIds: string[];
  sources: { id: string; name: string | null; kind: SourceKind | null }[];
  statements: Statement[];
  claims: Claim[];
  casualties: CasualtyEntry[];
}

export interface TimelineEntry {
  version: number;
  type: string;
  recordedAt: string;
  statedAt?: string;
  recordedBy: string;
  headline: string;
  changes: string[];
}

export interface TimelinePage {
  incidentId: string;
  version: number;
  entries: TimelineEntry[];
  nextFromVersion: number | null;
}

interface Change<T> {
  before: T;
  after: T;
}
interface AddedRemoved<T> {
  added: T[];
  removed: T[];
}
export interface CasualtyRange {
  lowestClaimed: number | null;
  highestClaimed: number | null;
  contested: boolean;
}

export interface ViewDiff {
  fromVersion: number;
  toVersion: number;
  fields: ({ path: string } & Change<unknown>)[];
  sources: AddedRemoved<string>;
  claims: AddedRemoved<string> & { changed: ({ claimId: string; stances?: AddedRemoved<{ sourceId: string; stance: Stance }> } & Record<string, unknown>)[] };
  casualties: { party: string; outcome: FigureOutcome; before: CasualtyRange | null; after: CasualtyRange | null }[];
  statements: AddedRemoved<string>;
  links: AddedRemoved<{ incidentId: string; relation: LinkRelation }>;
}

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
