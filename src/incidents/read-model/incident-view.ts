import { withoutUndefined } from '../../common/decider.js';
import type { JsonObject } from '../../event-store/event-store.js';
import { erasedValue, withIdentifyingFields } from '../../sources/erasure/identifying-fields.js';
import {
  INVERSE_RELATIONS,
  type CarriedEvent,
  type ClaimAmendedData,
  type ClaimAssessedData,
  type ClaimCorrectedData,
  type ClaimGrade,
  type ClaimKind,
  type ClaimReportedData,
  type ClaimRetractedData,
  type Figure,
  type IncidentOpenedData,
  type IncidentRevisedData,
  type LinkRelationFromEitherSide,
  type Location,
  type Occurred,
  type RetractedBy,
  type SourceStatementRecordedData,
  type Stance,
} from '../domain/incident.events.js';
import type { ClaimStatus } from '../domain/incident.state.js';
import type { IncidentEvent } from '../domain/incident.events.js';
import { casualtySummary, type CasualtyEntry } from './casualty-summary.js';
import { statedAtOf, type EventRecord, type StoredIncidentEvent } from './stored-incident-event.js';

// The incident view of PRODUCT.md §4, as one pure fold. The projection stores what
// evolveView computes, and time travel runs foldView over a prefix of the same stream,
// so the live and the historical view cannot disagree.

export interface IncidentView {
  id: string;
  /** The stream revision of the last event folded (under `statedBefore`: considered, see foldView). */
  version: number;
  title: string;
  description?: string;
  location: Location;
  occurred: Occurred;
  tags: string[];
  /** recordedAt of IncidentOpened. */
  openedAt: string;
  /** recordedAt of the last event folded (under `statedBefore`, of the last one kept). */
  updatedAt: string;
  /** In the order they were linked. */
  links: IncidentLink[];
  /** Claimants, conduits and statement sources, sorted and unique. */
  sourceIds: string[];
  /** In the order they were recorded. */
  statements: StatementView[];
  /** In the order they were reported. */
  claims: ClaimView[];
  casualties: CasualtyEntry[];
  /** Once merged into another incident: that incident's id. The view stays as it was then. */
  mergedInto?: string;
  /** Merges and splits this incident took part in, oldest first; absent while there are none. */
  lifecycle?: LifecycleEntry[];
}

export interface IncidentLink {
  incidentId: string;
  /** Read as "this incident <relation> the other", whichever of the two recorded the link. */
  relation: LinkRelationFromEitherSide;
}

/** A merge or split, as this incident saw it. */
export type LifecycleEntry = ChangeRecord & { incidentId: string; reason: string } & (
    | { type: 'merged_into' }
    | { type: 'merged_from'; claimIds: string[]; statementIds: string[] }
    | { type: 'split_into'; claimIds: string[]; statementIds: string[] }
    | { type: 'split_from'; claimIds: string[]; statementIds: string[] }
  );

export type StatementView = Omit<SourceStatementRecordedData, 'incidentId'> & {
  /** Present when the statement was recorded on another incident, since merged into or split off to this one. */
  incidentId?: string;
};

export interface ClaimView {
  claimId: string;
  /** Present when the claim was reported on another incident, since merged into or split off to this one. */
  incidentId?: string;
  claimantId: string;
  via: string[];
  statementId?: string;
  summary: string;
  kind: ClaimKind;
  figures: Figure[];
  /** When the claim was first made; amendments and retractions carry their own in `changes`. */
  statedAt: string;
  status: ClaimStatus;
  grade?: ClaimAssessment;
  /** Other sources' stances on the claim, in the order they were recorded. */
  stances: ClaimStanceView[];
  changes: ClaimChange[];
}

export interface ClaimAssessment {
  grade: ClaimGrade;
  rationale: string;
  /** recordedAt of the ClaimAssessed event. */
  assessedAt: string;
}

export interface ClaimStanceView {
  statementId: string;
  sourceId: string;
  stance: Stance;
  statedAt: string;
}

export type AmendedField = keyof Pick<ClaimAmendedData, 'summary' | 'figures'>;
export type CorrectedField = Exclude<keyof ClaimCorrectedData, 'incidentId' | 'claimId' | 'reason'>;

/** One entry of a claim's life: the claimant's acts, others' stances and the desk's acts. */
export type ClaimChange = ChangeRecord &
  (
    | { type: 'reported'; statedAt: string; statementId?: string }
    | { type: 'amended'; statedAt: string; reason: string; statementId?: string; fields: AmendedField[] }
    | { type: 'retracted'; statedAt: string; reason: string; retractedBy: RetractedBy; statementId?: string }
    | { type: 'corrected'; reason: string; fields: CorrectedField[] }
    | { type: 'assessed'; grade: ClaimGrade; rationale: string }
    | { type: 'stance'; statedAt: string; statementId: string; sourceId: string; stance: Stance }
  );

export interface ChangeRecord {
  /** The stream revision of the event that made the change. */
  version: number;
  recordedAt: string;
  recordedBy: string;
}

export interface FoldOptions {
  /**
   * Bitemporal cut (ISO-8601): keep only what had been stated by this time (a statedAt
   * equal to it is kept). The desk's own acts, which state nothing, are always kept.
   */
  statedBefore?: string;
}

/** The view before the stream's first event: there is no incident yet. */
export function emptyView(): IncidentView | null {
  return null;
}

/**
 * The view once `sourceId` is erased: the words of the statements it made or relayed as
 * those statements' events now read (identifying-fields.ts), as a view folded afresh from the
 * ledger would have them.
 */
export function withSourceErased(view: IncidentView, sourceId: string): IncidentView {
  const involves = (statement: StatementView) => statement.sourceId === sourceId || statement.via.includes(sourceId);
  if (!view.statements.some(involves)) return view;
  const erased = (_sourceIds: readonly string[], field: string) => erasedValue(field);
  return {
    ...view,
    statements: view.statements.map((statement) =>
      involves(statement) ? (withIdentifyingFields('SourceStatementRecorded', statement as unknown as JsonObject, erased) as unknown as StatementView) : statement,
    ),
  };
}

/**
 * The view after one more event. An event the view already reflects (a redelivery, with
 * a revision at or below `version`) changes nothing, which makes a projection idempotent.
 * Throws on a stream that cannot be: an event before IncidentOpened, a change to an
 * unknown claim.
 */
export function evolveView(view: IncidentView | null, event: StoredIncidentEvent): IncidentView {
  if (view !== null && event.revision <= view.version) return view;
  const changed = applied(view, event);
  // Derived from the claims and statements: kept as they were when the event left both as they were.
  const kept = view !== null && changed.claims === view.claims && changed.statements === view.statements;
  const derived = kept ? { sourceIds: view.sourceIds, casualties: view.casualties } : { sourceIds: involvedSources(changed), casualties: casualtySummary(changed.claims) };
  return { ...changed, ...derived, version: event.revision, updatedAt: event.recordedAt };
}

/**
 * Folds a stream, or a prefix of it for time travel. With `statedBefore`, statements,
 * claims, amendments and retractions stated after it are left out, as are the desk's
 * corrections and assessments of claims left out. A claim's statedAt is read as the desk
 * last corrected it within these events: time travel shows what the desk knew then.
 *
 * `version` stays the revision of the last event considered, left out or not: it names
 * the stream prefix the view was computed from, so (version, statedBefore) identifies
 * the answer, while `updatedAt` still tells when what is shown last changed.
 */
export function foldView(events: readonly StoredIncidentEvent[], options: FoldOptions = {}): IncidentView | null {
  const isKept = options.statedBefore === undefined ? () => true : statedBy(options.statedBefore, events);
  return events.reduce(
    (view, event) => (isKept(event) ? evolveView(view, carryingOnly(event, isKept)) : view && { ...view, version: event.revision }),
    emptyView(),
  );
}

/**
 * The view as the desk had it at `asOf`: the stream cut at the first event recorded after it,
 * so that the fold never sees a change without the events it builds on, whatever the
 * clocks said. Time travel (GET /incidents/{id}?asOf) and exports as of a time fold alike.
 */
export function foldViewAsOf(events: readonly StoredIncidentEvent[], asOf: string | undefined, options: FoldOptions = {}): IncidentView | null {
  const late = asOf === undefined ? -1 : events.findIndex((event) => Date.parse(event.recordedAt) > Date.parse(asOf));
  return foldView(late === -1 ? events : events.slice(0, late), options);
}

function applied(view: IncidentView | null, event: StoredIncidentEvent): IncidentView {
  if (event.type === 'IncidentOpened') return opened(view, event.data, event.recordedAt);
  const incident = openedBefore(view, event);
  switch (event.type) {
    case 'IncidentRevised':
      return revised(incident, event.data);
    case 'IncidentsLinked':
      return linked(incident, { incidentId: event.data.otherIncidentId, relation: event.data.relation });
    case 'IncidentLinkedFrom':
      return linked(incident, { incidentId: event.data.otherIncidentId, relation: INVERSE_RELATIONS[event.data.relation] });
    case 'IncidentMerged':
      return { ...withLifecycle(incident, { ...changeRecord(event), type: 'merged_into', incidentId: event.data.into, reason: event.data.reason }), mergedInto: event.data.into };
    case 'IncidentAbsorbed': {
      const { absorbedIncidentId, reason, events } = event.data;
      return carriedIn(withLifecycle(incident, { ...changeRecord(event), type: 'merged_from', incidentId: absorbedIncidentId, reason, ...idsCarried(events) }), events);
    }
    case 'IncidentSplit': {
      const { newIncidentId, reason, claimIds, statementIds } = event.data;
      const moved = new Set([...claimIds, ...statementIds]);
      const left = withLifecycle(incident, { ...changeRecord(event), type: 'split_into', incidentId: newIncidentId, reason, claimIds, statementIds });
      return { ...left, claims: left.claims.filter((claim) => !moved.has(claim.claimId)), statements: left.statements.filter((statement) => !moved.has(statement.statementId)) };
    }
    case 'IncidentSplitFrom': {
      const { fromIncidentId, reason, events } = event.data;
      return carriedIn(withLifecycle(incident, { ...changeRecord(event), type: 'split_from', incidentId: fromIncidentId, reason, ...idsCarried(events) }), events);
    }
    case 'SourceStatementRecorded':
      return withStatement(incident, event.data, event);
    case 'ClaimReported':
      return { ...incident, claims: [...incident.claims, reportedClaim(incident, event.data, event)] };
    case 'ClaimAmended':
      return withClaimChanged(incident, event.data.claimId, (claim) => amended(claim, event.data, event));
    case 'ClaimRetracted':
      return withClaimChanged(incident, event.data.claimId, (claim) => retracted(claim, event.data, event));
    case 'ClaimCorrected':
      return withClaimChanged(incident, event.data.claimId, (claim) => corrected(claim, event.data, event));
    case 'ClaimAssessed':
      return withClaimChanged(incident, event.data.claimId, (claim) => assessed(claim, event.data, event));
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}

function opened(view: IncidentView | null, data: IncidentOpenedData, recordedAt: string): IncidentView {
  if (view !== null) throw new Error(`Incident ${data.incidentId} opened twice`);
  const { incidentId, ...details } = data;
  return { id: incidentId, version: -1, ...details, openedAt: recordedAt, updatedAt: recordedAt, links: [], sourceIds: [], statements: [], claims: [], casualties: [] };
}

// A stream always begins with IncidentOpened; anything else means a corrupt stream.
function openedBefore(view: IncidentView | null, event: StoredIncidentEvent): IncidentView {
  if (view === null) throw new Error(`${event.type} at revision ${event.revision} before IncidentOpened`);
  return view;
}

function revised(view: IncidentView, data: IncidentRevisedData): IncidentView {
  const { incidentId: _incidentId, reason: _reason, ...fields } = data;
  return { ...view, ...fields };
}

function linked(view: IncidentView, link: IncidentLink): IncidentView {
  const known = view.links.some(({ incidentId, relation }) => incidentId === link.incidentId && relation === link.relation);
  return known ? view : { ...view, links: [...view.links, link] };
}

function withLifecycle(view: IncidentView, entry: LifecycleEntry): IncidentView {
  return { ...view, lifecycle: [...(view.lifecycle ?? []), entry] };
}

/** Another incident's statements and claims, folded in as that incident recorded them (each change keeps its own record). */
function carriedIn(view: IncidentView, events: readonly CarriedEvent[]): IncidentView {
  return events.reduce((carried, event) => applied(carried, event), view);
}

function idsCarried(events: readonly CarriedEvent[]): { claimIds: string[]; statementIds: string[] } {
  return {
    claimIds: events.flatMap((event) => (event.type === 'ClaimReported' ? [event.data.claimId] : [])),
    statementIds: events.flatMap((event) => (event.type === 'SourceStatementRecorded' ? [event.data.statementId] : [])),
  };
}

/** The original incident's id, on a statement or claim recorded elsewhere. */
function origin(view: IncidentView, incidentId: string): { incidentId?: string } {
  return incidentId === view.id ? {} : { incidentId };
}

// Stances reach the claims they name. A stance on a claim the view lacks is left on the
// statement only: the write side forbids it, but a statedBefore fold may leave that claim out.
function withStatement(view: IncidentView, data: SourceStatementRecordedData, record: EventRecord): IncidentView {
  const { incidentId, ...recorded } = data;
  const statement: StatementView = { ...origin(view, incidentId), ...recorded };
  const claims = view.claims.map((claim) => {
    const taken = data.stances.find((stance) => stance.claimId === claim.claimId);
    if (taken === undefined) return claim;
    const { statementId, sourceId, statedAt } = data;
    return {
      ...claim,
      stances: [...claim.stances, { statementId, sourceId, stance: taken.stance, statedAt }],
      changes: [...claim.changes, { ...changeRecord(record), type: 'stance' as const, statedAt, statementId, sourceId, stance: taken.stance }],
    };
  });
  return { ...view, statements: [...view.statements, statement], claims };
}

function reportedClaim(view: IncidentView, data: ClaimReportedData, record: EventRecord): ClaimView {
  const { incidentId, claimId, ...claim } = data;
  const change: ClaimChange = withoutUndefined({ ...changeRecord(record), type: 'reported', statedAt: data.statedAt, statementId: data.statementId });
  return { claimId, ...origin(view, incidentId), ...claim, status: 'active', stances: [], changes: [change] };
}

function amended(claim: ClaimView, data: ClaimAmendedData, record: EventRecord): ClaimView {
  const { incidentId: _incidentId, claimId: _claimId, statedAt, reason, statementId, ...replaced } = data;
  const fields = Object.keys(replaced) as AmendedField[];
  const change: ClaimChange = withoutUndefined({ ...changeRecord(record), type: 'amended', statedAt, reason, statementId, fields });
  return { ...claim, ...replaced, status: 'amended', changes: [...claim.changes, change] };
}

function retracted(claim: ClaimView, data: ClaimRetractedData, record: EventRecord): ClaimView {
  const { statedAt, reason, retractedBy, statementId } = data;
  const change: ClaimChange = withoutUndefined({ ...changeRecord(record), type: 'retracted', statedAt, reason, retractedBy, statementId });
  return { ...claim, status: 'retracted', changes: [...claim.changes, change] };
}

function corrected(claim: ClaimView, data: ClaimCorrectedData, record: EventRecord): ClaimView {
  const { incidentId: _incidentId, claimId: _claimId, reason, ...fields } = data;
  const change: ClaimChange = { ...changeRecord(record), type: 'corrected', reason, fields: Object.keys(fields) as CorrectedField[] };
  return { ...claim, ...fields, changes: [...claim.changes, change] };
}

function assessed(claim: ClaimView, { grade, rationale }: ClaimAssessedData, record: EventRecord): ClaimView {
  const change: ClaimChange = { ...changeRecord(record), type: 'assessed', grade, rationale };
  return { ...claim, grade: { grade, rationale, assessedAt: record.recordedAt }, changes: [...claim.changes, change] };
}

function withClaimChanged(view: IncidentView, claimId: string, change: (claim: ClaimView) => ClaimView): IncidentView {
  const index = view.claims.findIndex((claim) => claim.claimId === claimId);
  if (index === -1) throw new Error(`Claim ${claimId} of incident ${view.id} changed before it was reported`);
  return { ...view, claims: view.claims.with(index, change(view.claims[index])) };
}

function changeRecord({ revision, recordedAt, recordedBy }: EventRecord): ChangeRecord {
  return { version: revision, recordedAt, recordedBy };
}

/** The other incidents an event names: what its timeline entry names by their titles. */
export function incidentsNamedIn(event: IncidentEvent): string[] {
  switch (event.type) {
    case 'IncidentsLinked':
    case 'IncidentLinkedFrom':
      return [event.data.otherIncidentId];
    case 'IncidentMerged':
      return [event.data.into];
    case 'IncidentSplit':
      return [event.data.newIncidentId];
    case 'IncidentAbsorbed':
      return [event.data.absorbedIncidentId];
    case 'IncidentSplitFrom':
      return [event.data.fromIncidentId];
    case 'IncidentOpened':
    case 'IncidentRevised':
    case 'SourceStatementRecorded':
    case 'ClaimReported':
    case 'ClaimAmended':
    case 'ClaimRetracted':
    case 'ClaimCorrected':
    case 'ClaimAssessed':
      return [];
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}

function involvedSources({ claims, statements }: IncidentView): string[] {
  const ids = [...claims.flatMap((claim) => [claim.claimantId, ...claim.via]), ...statements.flatMap((statement) => [statement.sourceId, ...statement.via])];
  return [...new Set(ids)].sort();
}

// Which events a statedBefore fold keeps. Claims are judged by their statedAt as last
// corrected within the events, and everything about a claim left out is left out too.
function statedBy(statedBefore: string, events: readonly StoredIncidentEvent[]): (event: StoredIncidentEvent) => boolean {
  const cutoff = Date.parse(statedBefore);
  if (Number.isNaN(cutoff)) throw new RangeError(`statedBefore is not an ISO-8601 time: ${statedBefore}`);
  const isLate = (statedAt: string | undefined) => statedAt !== undefined && Date.parse(statedAt) > cutoff;
  const lateClaims = new Set([...claimStatedAt(events)].filter(([, statedAt]) => isLate(statedAt)).map(([claimId]) => claimId));
  return (event) => {
    const claimId = 'claimId' in event.data ? event.data.claimId : undefined;
    if (claimId !== undefined && lateClaims.has(claimId)) return false;
    // A report is judged by its claim's corrected statedAt, above; anything else by its own.
    return event.type === 'ClaimReported' || !isLate(statedAtOf(event));
  };
}

/** A merge or split with only the carried events `isKept` keeps: they were stated when they were, wherever recorded. */
function carryingOnly(event: StoredIncidentEvent, isKept: (event: StoredIncidentEvent) => boolean): StoredIncidentEvent {
  if (event.type !== 'IncidentAbsorbed' && event.type !== 'IncidentSplitFrom') return event;
  return { ...event, data: { ...event.data, events: event.data.events.filter(isKept) } } as StoredIncidentEvent;
}

/** The events, with what merges and splits carried in, in order. */
function withCarried(events: readonly StoredIncidentEvent[]): StoredIncidentEvent[] {
  return events.flatMap((event) => (event.type === 'IncidentAbsorbed' || event.type === 'IncidentSplitFrom' ? [event, ...(event.data.events as StoredIncidentEvent[])] : [event]));
}

function claimStatedAt(events: readonly StoredIncidentEvent[]): Map<string, string> {
  const statedAt = new Map<string, string>();
  for (const event of withCarried(events)) {
    if (event.type === 'ClaimReported') statedAt.set(event.data.claimId, event.data.statedAt);
    if (event.type === 'ClaimCorrected' && event.data.statedAt !== undefined) statedAt.set(event.data.claimId, event.data.statedAt);
  }
  return statedAt;
}
