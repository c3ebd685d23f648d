import type {
  ClaimAmendedData,
  ClaimAssessedData,
  ClaimCorrectedData,
  ClaimReportedData,
  ClaimRetractedData,
  IncidentMergedData,
  IncidentOpenedData,
  IncidentSplitData,
  IncidentRevisedData,
  IncidentsLinkedData,
  SourceStatementRecordedData,
} from './incident.events.js';

// A command asks for exactly the event it would record, so each command's data is its
// event's data. The caller generates the ids (incidentId, claimId, statementId) and
// fills defaults (empty via, tags and stances) before deciding.
export type OpenIncidentData = IncidentOpenedData;
export type ReviseIncidentData = IncidentRevisedData;
export type LinkIncidentsData = IncidentsLinkedData;
export type RecordStatementData = SourceStatementRecordedData;
export type ReportClaimData = ClaimReportedData;
export type AmendClaimData = ClaimAmendedData;
export type RetractClaimData = ClaimRetractedData;
export type CorrectClaimData = ClaimCorrectedData;
export type AssessClaimData = ClaimAssessedData;
export type MergeIncidentData = IncidentMergedData;
/** The new incident's details (as an opening gives them) and what moves to it. */
export type SplitIncidentData = Omit<IncidentSplitData, 'newIncidentId'> & Omit<IncidentOpenedData, 'incidentId'> & { newIncidentId: string };

export interface OpenIncident { type: 'OpenIncident'; data: OpenIncidentData }
export interface ReviseIncident { type: 'ReviseIncident'; data: ReviseIncidentData }
export interface LinkIncidents { type: 'LinkIncidents'; data: LinkIncidentsData }
export interface RecordStatement { type: 'RecordStatement'; data: RecordStatementData }
export interface ReportClaim { type: 'ReportClaim'; data: ReportClaimData }
export interface AmendClaim { type: 'AmendClaim'; data: AmendClaimData }
export interface RetractClaim { type: 'RetractClaim'; data: RetractClaimData }
export interface CorrectClaim { type: 'CorrectClaim'; data: CorrectClaimData }
export interface AssessClaim { type: 'AssessClaim'; data: AssessClaimData }
export interface MergeIncident { type: 'MergeIncident'; data: MergeIncidentData }
export interface SplitIncident { type: 'SplitIncident'; data: SplitIncidentData }

/** A command on one incident's stream. */
export type IncidentCommand =
  | OpenIncident
  | ReviseIncident
  | RecordStatement
  | ReportClaim
  | AmendClaim
  | RetractClaim
  | CorrectClaim
  | AssessClaim;

/** A command that changes two incidents at once: the one it names, and `otherIncidentOf` it. */
export type CrossIncidentCommand = LinkIncidents | MergeIncident | SplitIncident;

/** The other incident a cross-incident command changes. */
export function otherIncidentOf(command: CrossIncidentCommand): string {
  switch (command.type) {
    case 'LinkIncidents':
      return command.data.otherIncidentId;
    case 'MergeIncident':
      return command.data.into;
    case 'SplitIncident':
      return command.data.newIncidentId;
  }
}

/** What a revision, amendment or correction may change; it must change at least one. */
export const INCIDENT_REVISABLE_FIELDS = ['title', 'description', 'location', 'occurred', 'tags'] as const satisfies readonly (keyof ReviseIncidentData)[];
export const CLAIM_AMENDABLE_FIELDS = ['summary', 'figures'] as const satisfies readonly (keyof AmendClaimData)[];
export const CLAIM_CORRECTABLE_FIELDS = [
  'claimantId',
  'via',
  'statementId',
  'summary',
  'kind',
  'figures',
  'statedAt',
] as const satisfies readonly (keyof CorrectClaimData)[];

/**
 * Size limits of incident input. The domain enforces `figures`; the HTTP schemas enforce
 * the rest, from these same numbers (text lengths in characters, the others item counts).
 */
export const INCIDENT_LIMITS = {
  title: 200,
  description: 10_000,
  place: 200,
  region: 200,
  tags: 50,
  tag: 64,
  quote: 20_000,
  translation: 20_000,
  language: 35,
  url: 2_048,
  via: 10,
  stances: 50,
  summary: 2_000,
  figures: 50,
  party: 200,
  originalText: 500,
  reason: 2_000,
  rationale: 4_000,
  /** Claims, and statements, one split moves. */
  moved: 1_000,
} as const;

/** The range of a location's latitude and longitude, in degrees. */
export const COORDINATES = { lat: { min: -90, max: 90 }, lon: { min: -180, max: 180 } } as const;

/** A source id a command refers to, with the request field that holds it (for errors). */
export interface SourceReference {
  sourceId: string;
  field: string;
}

export function sourceReferencesOf(command: IncidentCommand): SourceReference[] {
  switch (command.type) {
    case 'RecordStatement':
      return [{ sourceId: command.data.sourceId, field: 'sourceId' }, ...conduits(command.data.via)];
    case 'ReportClaim':
      return [{ sourceId: command.data.claimantId, field: 'claimantId' }, ...conduits(command.data.via)];
    case 'CorrectClaim': {
      const { claimantId, via = [] } = command.data;
      return [...(claimantId === undefined ? [] : [{ sourceId: claimantId, field: 'claimantId' }]), ...conduits(via)];
    }
    case 'OpenIncident':
    case 'ReviseIncident':
    case 'AmendClaim':
    case 'RetractClaim':
    case 'AssessClaim':
      return [];
  }
}

/** The source ids the caller must look up, to pass the registered ones in `registeredSources`. */
export function sourcesReferencedBy(command: IncidentCommand): string[] {
  return [...new Set(sourceReferencesOf(command).map((reference) => reference.sourceId))];
}

function conduits(via: readonly string[]): SourceReference[] {
  return via.map((sourceId, index) => ({ sourceId, field: `via[${index}]` }));
}
