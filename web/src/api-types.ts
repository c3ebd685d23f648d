// The shapes of the API's answers that the desk reads (PRODUCT.md §4, §5). The service's
// OpenAPI document at /openapi.json is the full contract; these name only what is used.

export const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const SOURCE_KINDS = [
  'armed_group',
  'state_military',
  'government',
  'private_military_company',
  'monitoring_group',
  'news_agency',
  'news_outlet',
  'social_media',
  'anonymous',
  'ngo',
  'other',
] as const;
export const LOCATION_PRECISIONS = ['exact', 'near', 'region', 'country'] as const;
export const OCCURRED_PRECISIONS = ['time', 'day', 'month', 'year'] as const;
export const LINK_RELATIONS = ['related', 'part_of', 'follows'] as const;
export const STATEMENT_MEDIUMS = ['communique', 'social_post', 'interview', 'press_release', 'article', 'report', 'other'] as const;
export const STANCES = ['supports', 'disputes', 'denies'] as const;
export const CLAIM_KINDS = ['casualties', 'responsibility', 'characterization', 'event', 'other'] as const;
export const FIGURE_OUTCOMES = ['killed', 'injured', 'captured', 'missing'] as const;
export const FIGURE_QUALIFIERS = ['exact', 'at_least', 'at_most', 'approximately', 'unspecified'] as const;
export const RETRACTED_BY = ['claimant', 'conduit'] as const;
export const CLAIM_GRADES = ['unverified', 'corroborated', 'contested', 'confirmed', 'discounted'] as const;
export const INCIDENT_SORTS = ['-updatedAt', 'updatedAt', '-occurredFrom', 'occurredFrom', 'relevance'] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number];
export type LinkRelation = (typeof LINK_RELATIONS)[number];
export type Stance = (typeof STANCES)[number];
export type ClaimKind = (typeof CLAIM_KINDS)[number];
export type FigureOutcome = (typeof FIGURE_OUTCOMES)[number];
export type FigureQualifier = (typeof FIGURE_QUALIFIERS)[number];
export type ClaimGrade = (typeof CLAIM_GRADES)[number];
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

export interface Location {
  place: string;
  region?: string;
  country: string;
  lat?: number;
  lon?: number;
  precision: (typeof LOCATION_PRECISIONS)[number];
}

export interface Occurred {
  from: string;
  to?: string;
  precision: (typeof OCCURRED_PRECISIONS)[number];
}

export interface Figure {
  party: string;
  outcome: FigureOutcome;
  qualifier: FigureQualifier;
  value?: number;
  originalText: string;
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

export interface ProjectionStatus {
  name: string;
  status: 'running' | 'failed' | 'rebuilding';
  error: string | null;
  checkpoint: string | null;
  eventsApplied: number;
  lag: { events: number; eventsCapped: boolean; seconds: number };
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
