// The events of an `incident-<uuid>` stream. Stored type names and field names are a
// contract (PRODUCT.md §3): never renamed; a changed meaning is a new event type.
// Times are ISO-8601 strings. Absent optional fields are left out, never undefined.

// The allowed values, exported once so the HTTP schemas validate against the same lists.
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

/** How a link reads from the other incident's side: the battle is `followed_by` the ambush. */
export const INVERSE_RELATIONS = { follows: 'followed_by', part_of: 'has_part', related: 'related' } as const satisfies Record<LinkRelation, string>;
/** A link's relation as either incident reads it. */
export type LinkRelationFromEitherSide = LinkRelation | (typeof INVERSE_RELATIONS)[LinkRelation];
/** How each relation reads in a sentence: "this incident <phrase> the other". */
export const RELATION_PHRASES: Record<LinkRelationFromEitherSide, string> = {
  follows: 'follows',
  followed_by: 'is followed by',
  part_of: 'is part of',
  has_part: 'has as a part',
  related: 'is related to',
};

export type LocationPrecision = (typeof LOCATION_PRECISIONS)[number];
export type OccurredPrecision = (typeof OCCURRED_PRECISIONS)[number];
export type LinkRelation = (typeof LINK_RELATIONS)[number];
export type StatementMedium = (typeof STATEMENT_MEDIUMS)[number];
export type Stance = (typeof STANCES)[number];
export type ClaimKind = (typeof CLAIM_KINDS)[number];
export type FigureOutcome = (typeof FIGURE_OUTCOMES)[number];
export type FigureQualifier = (typeof FIGURE_QUALIFIERS)[number];
export type RetractedBy = (typeof RETRACTED_BY)[number];
export type ClaimGrade = (typeof CLAIM_GRADES)[number];

export interface Location {
  place: string;
  region?: string;
  /** ISO-3166 alpha-2, e.g. `ML`. */
  country: string;
  lat?: number;
  lon?: number;
  precision: LocationPrecision;
}

export interface Occurred {
  from: string;
  /** Omitted for an incident that happened at one time. */
  to?: string;
  precision: OccurredPrecision;
}

export interface Figure {
  /** Who the figure is about, in the desk's words, e.g. `Wagner`. */
  party: string;
  outcome: FigureOutcome;
  qualifier: FigureQualifier;
  /** A non-negative integer; absent exactly when the qualifier is `unspecified`. */
  value?: number;
  /** The claimant's own words, e.g. `at least 20 Wagner deaths`. */
  originalText: string;
}

export interface StanceOnClaim {
  claimId: string;
  stance: Stance;
}

export interface IncidentOpenedData {
  incidentId: string;
  title: string;
  description?: string;
  location: Location;
  occurred: Occurred;
  tags: string[];
}

/** Carries only the fields that changed, each replacing the previous value whole. */
export interface IncidentRevisedData {
  incidentId: string;
  title?: string;
  description?: string;
  location?: Location;
  occurred?: Occurred;
  tags?: string[];
  reason: string;
}

export interface IncidentsLinkedData {
  incidentId: string;
  otherIncidentId: string;
  /** Read as "this incident <relation> the other", e.g. the ambush `follows` the battle. */
  relation: LinkRelation;
}

/**
 * The other side of IncidentsLinked, recorded on the other incident's stream in the same
 * change, so that each incident's own stream tells all its links (also in time travel).
 * Read as "the other incident <relation> this one", e.g. the battle is `follows`-ed by the ambush.
 */
export interface IncidentLinkedFromData {
  incidentId: string;
  otherIncidentId: string;
  relation: LinkRelation;
}

/** This incident was a duplicate: it was absorbed into `into`, and takes no more writes. */
export interface IncidentMergedData {
  incidentId: string;
  into: string;
  reason: string;
}

/**
 * The other side of IncidentMerged: the absorbed incident's statements and claims, with
 * everything that happened to them, carried into this stream in the same change.
 */
export interface IncidentAbsorbedData {
  incidentId: string;
  absorbedIncidentId: string;
  reason: string;
  events: CarriedEvent[];
}

/** Claims and statements conflated into this incident were moved to a new one, `newIncidentId`. */
export interface IncidentSplitData {
  incidentId: string;
  newIncidentId: string;
  claimIds: string[];
  statementIds: string[];
  reason: string;
}

/** The other side of IncidentSplit, on the new incident's stream (after its IncidentOpened): what moved, as it was recorded. */
export interface IncidentSplitFromData {
  incidentId: string;
  fromIncidentId: string;
  reason: string;
  events: CarriedEvent[];
}

export interface SourceStatementRecordedData {
  incidentId: string;
  statementId: string;
  sourceId: string;
  /** Conduit source ids, in the order the words travelled, e.g. [SITE Intelligence Group]. */
  via: string[];
  medium: StatementMedium;
  /** In the original language. */
  quote: string;
  language: string;
  translation?: string;
  statedAt: string;
  publishedAt?: string;
  retrievedAt?: string;
  url?: string;
  stances: StanceOnClaim[];
}

export interface ClaimReportedData {
  incidentId: string;
  claimId: string;
  claimantId: string;
  via: string[];
  statementId?: string;
  summary: string;
  kind: ClaimKind;
  figures: Figure[];
  statedAt: string;
}

/** The claimant's own change: the new summary and/or figures replace the previous ones. */
export interface ClaimAmendedData {
  incidentId: string;
  claimId: string;
  summary?: string;
  figures?: Figure[];
  statementId?: string;
  statedAt: string;
  reason: string;
}

export interface ClaimRetractedData {
  incidentId: string;
  claimId: string;
  reason: string;
  statementId?: string;
  statedAt: string;
  retractedBy: RetractedBy;
}

/** The desk's fix of its own logging mistake: carries only the corrected fields. */
export interface ClaimCorrectedData {
  incidentId: string;
  claimId: string;
  claimantId?: string;
  via?: string[];
  statementId?: string;
  summary?: string;
  kind?: ClaimKind;
  figures?: Figure[];
  statedAt?: string;
  reason: string;
}

export interface ClaimAssessedData {
  incidentId: string;
  claimId: string;
  grade: ClaimGrade;
  rationale: string;
}

export type IncidentEvent =
  | { type: 'IncidentOpened'; data: IncidentOpenedData }
  | { type: 'IncidentRevised'; data: IncidentRevisedData }
  | { type: 'IncidentsLinked'; data: IncidentsLinkedData }
  | { type: 'SourceStatementRecorded'; data: SourceStatementRecordedData }
  | { type: 'ClaimReported'; data: ClaimReportedData }
  | { type: 'ClaimAmended'; data: ClaimAmendedData }
  | { type: 'ClaimRetracted'; data: ClaimRetractedData }
  | { type: 'ClaimCorrected'; data: ClaimCorrectedData }
  | { type: 'ClaimAssessed'; data: ClaimAssessedData }
  | { type: 'IncidentLinkedFrom'; data: IncidentLinkedFromData }
  | { type: 'IncidentMerged'; data: IncidentMergedData }
  | { type: 'IncidentAbsorbed'; data: IncidentAbsorbedData }
  | { type: 'IncidentSplit'; data: IncidentSplitData }
  | { type: 'IncidentSplitFrom'; data: IncidentSplitFromData };

/** The events that make up an incident's statements and claims: what a merge or a split carries to another incident. */
export const CARRIED_EVENT_TYPES = ['SourceStatementRecorded', 'ClaimReported', 'ClaimAmended', 'ClaimRetracted', 'ClaimCorrected', 'ClaimAssessed'] as const;

/**
 * A statement's or claim's event as its own incident recorded it, carried into another
 * incident by a merge or a split: its data (whose incidentId stays the original incident's)
 * and where and when it was recorded there.
 */
export type CarriedEvent = Extract<IncidentEvent, { type: (typeof CARRIED_EVENT_TYPES)[number] }> & {
  /** Its revision in the stream of the incident that recorded it. */
  revision: number;
  recordedAt: string;
  recordedBy: string;
};

export type IncidentEventType = IncidentEvent['type'];

// A record keyed by the union makes a forgotten event type a compile error here.
const incidentEventTypes: Record<IncidentEventType, true> = {
  IncidentOpened: true,
  IncidentRevised: true,
  IncidentsLinked: true,
  SourceStatementRecorded: true,
  ClaimReported: true,
  ClaimAmended: true,
  ClaimRetracted: true,
  ClaimCorrected: true,
  ClaimAssessed: true,
  IncidentLinkedFrom: true,
  IncidentMerged: true,
  IncidentAbsorbed: true,
  IncidentSplit: true,
  IncidentSplitFrom: true,
};

export const INCIDENT_EVENT_TYPES = Object.keys(incidentEventTypes) as readonly IncidentEventType[];
