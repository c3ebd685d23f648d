import {
  isStorableTime,
  requireRetryOf,
  requireSomeField,
  requireText,
  withoutUndefined,
  type DecisionContext,
  type Decider,
} from '../../common/decider.js';
import { DomainError } from '../../common/domain-error.js';
import {
  CLAIM_AMENDABLE_FIELDS,
  CLAIM_CORRECTABLE_FIELDS,
  INCIDENT_LIMITS,
  INCIDENT_REVISABLE_FIELDS,
  sourceReferencesOf,
  type AmendClaim,
  type AssessClaim,
  type CorrectClaim,
  type CrossIncidentCommand,
  type IncidentCommand,
  type LinkIncidents,
  type MergeIncident,
  type OpenIncident,
  type RecordStatement,
  type ReportClaim,
  type RetractClaim,
  type ReviseIncident,
  type SplitIncident,
} from './incident.commands.js';
import { CARRIED_EVENT_TYPES, type CarriedEvent, type Figure, type IncidentEvent, type Occurred, type StanceOnClaim } from './incident.events.js';
import { evolve, initialIncidentState, linkKey, type ClaimState, type IncidentState, type OpenedIncident } from './incident.state.js';


/** What the incident rules need from outside the stream: the time, and which of the sources the command names are registered, and which erased. */
export interface IncidentDecisionContext extends DecisionContext {
  /** The caller looks up `sourcesReferencedBy` the command. */
  registeredSources: ReadonlySet<string>;
  erasedSources: ReadonlySet<string>;
}

export function openIncident(command: OpenIncident, state: IncidentState): IncidentEvent[] {
  if (state.exists) {
    requireRetryOf(state.openedFingerprint, command.data, 'incident_exists', 'incidentId');
    return []; // the client chose the id, so a retried open finds its own incident
  }
  requireValidOccurred(command.data.occurred);
  return [{ type: 'IncidentOpened', data: withoutUndefined(command.data) }];
}

export function reviseIncident(command: ReviseIncident, state: IncidentState): IncidentEvent[] {
  requireOpened(state, command.data.incidentId);
  requireSomeField(command.data, INCIDENT_REVISABLE_FIELDS, 'revision_empty');
  requireText(command.data.reason, 'reason', 'reason_required');
  if (command.data.occurred !== undefined) requireValidOccurred(command.data.occurred);
  return [{ type: 'IncidentRevised', data: withoutUndefined(command.data) }];
}

export function recordStatement(command: RecordStatement, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  const recorded = incident.statements.get(command.data.statementId);
  if (recorded !== undefined) {
    requireRetryOf(recorded, command.data, 'statement_exists', 'statementId');
    return [];
  }
  requireNotMoved(incident, command.data.statementId, 'statementId', 'statement');
  requireRegisteredSources(command, context);
  requireNotInFuture(command.data.statedAt, 'statedAt', context);
  if (command.data.publishedAt !== undefined) requireNotInFuture(command.data.publishedAt, 'publishedAt', context);
  if (command.data.retrievedAt !== undefined) requireNotInFuture(command.data.retrievedAt, 'retrievedAt', context);
  requireValidStances(incident, command.data.stances);
  return [{ type: 'SourceStatementRecorded', data: withoutUndefined(command.data) }];
}

export function reportClaim(command: ReportClaim, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  const reported = incident.claims.get(command.data.claimId);
  if (reported !== undefined) {
    requireRetryOf(reported.reportedFingerprint, command.data, 'claim_exists', 'claimId');
    return []; // a retried report never logs the claim twice
  }
  requireNotMoved(incident, command.data.claimId, 'claimId');
  requireRegisteredSources(command, context);
  requireValidClaimFields(incident, command.data, context);
  return [{ type: 'ClaimReported', data: withoutUndefined(command.data) }];
}

export function amendClaim(command: AmendClaim, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  const claim = requireClaim(incident, command.data.claimId);
  if (claim.status === 'retracted') {
    throw new DomainError('conflict', 'claim_retracted', 'A retracted claim cannot be amended', 'claimId');
  }
  requireSomeField(command.data, CLAIM_AMENDABLE_FIELDS, 'amendment_empty');
  requireText(command.data.reason, 'reason', 'reason_required');
  requireValidClaimFields(incident, command.data, context);
  return [{ type: 'ClaimAmended', data: withoutUndefined(command.data) }];
}

export function retractClaim(command: RetractClaim, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  const claim = requireClaim(incident, command.data.claimId);
  if (claim.status === 'retracted') return []; // already true: a retried retraction never fails
  requireText(command.data.reason, 'reason', 'reason_required');
  requireValidClaimFields(incident, command.data, context);
  return [{ type: 'ClaimRetracted', data: withoutUndefined(command.data) }];
}

// The desk may correct its record of a retracted claim too: the record must be right
// whatever became of the claim.
export function correctClaim(command: CorrectClaim, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  requireClaim(incident, command.data.claimId);
  requireSomeField(command.data, CLAIM_CORRECTABLE_FIELDS, 'correction_empty');
  requireText(command.data.reason, 'reason', 'reason_required');
  requireRegisteredSources(command, context);
  requireValidClaimFields(incident, command.data, context);
  return [{ type: 'ClaimCorrected', data: withoutUndefined(command.data) }];
}

// A retracted claim can still be graded: "discounted" is often the desk's last word on it.
export function assessClaim(command: AssessClaim, state: IncidentState): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  requireClaim(incident, command.data.claimId);
  requireText(command.data.rationale, 'rationale', 'rationale_required');
  return [{ type: 'ClaimAssessed', data: withoutUndefined(command.data) }];
}

export function decide(command: IncidentCommand, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  switch (command.type) {
    case 'OpenIncident':
      return openIncident(command, state);
    case 'ReviseIncident':
      return reviseIncident(command, state);
    case 'RecordStatement':
      return recordStatement(command, state, context);
    case 'ReportClaim':
      return reportClaim(command, state, context);
    case 'AmendClaim':
      return amendClaim(command, state, context);
    case 'RetractClaim':
      return retractClaim(command, state, context);
    case 'CorrectClaim':
      return correctClaim(command, state, context);
    case 'AssessClaim':
      return assessClaim(command, state);
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled incident command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const incidentDecider: Decider<IncidentState, IncidentCommand, IncidentEvent, IncidentDecisionContext> = {
  initialState: initialIncidentState,
  evolve,
  decide,
};

/** An incident that takes writes: opened, and not merged into another. */
function requireOpened(state: IncidentState, incidentId: string): OpenedIncident {
  if (!state.exists) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId}`);
  if (state.mergedInto !== undefined) throw mergedError(state, `Incident ${incidentId} was merged into ${state.mergedInto}: write to that incident`);
  return state;
}

/** A claim or statement split off to another incident is written there (a retried report of it too, which must not log it again here). */
function requireNotMoved(incident: OpenedIncident, id: string, field: string, what: 'claim' | 'statement' = 'claim'): void {
  const movedTo = incident.moved.get(id);
  if (movedTo !== undefined) {
    throw new DomainError('conflict', `${what}_moved`, `${what} ${id} was split off to incident ${movedTo}: write to that incident`, field, [], { movedTo });
  }
}

function mergedError(incident: OpenedIncident & { mergedInto?: string }, message: string, field?: string): DomainError {
  return new DomainError('conflict', 'incident_merged', message, field, [], { mergedInto: incident.mergedInto! });
}

function requireClaim(incident: OpenedIncident, claimId: string, field = 'claimId'): ClaimState {
  const claim = incident.claims.get(claimId);
  if (claim === undefined) requireNotMoved(incident, claimId, field);
  if (claim === undefined) {
    throw new DomainError('not_found', 'claim_not_found', `Claim ${claimId} is not a claim of incident ${incident.id}`, field);
  }
  return claim;
}

// ---- Changes of two incidents at once: links, merges and splits --------------------------

/**
 * What a change of two incidents is decided on besides the time: the other incident's state
 * (read in the same change, so its facts hold when both are written), and this incident's
 * statements and claims as recorded (`contentOf` its stream): what a merge or split carries.
 */
export interface CrossIncidentContext extends DecisionContext {
  other: IncidentState;
  recorded: readonly CarriedEvent[];
}

/** The events for each of the two streams; both are appended together or not at all. */
export interface CrossIncidentDecision {
  own: IncidentEvent[];
  other: IncidentEvent[];
}

const NOTHING: CrossIncidentDecision = { own: [], other: [] };

export function decideAcross(command: CrossIncidentCommand, state: IncidentState, context: CrossIncidentContext): CrossIncidentDecision {
  switch (command.type) {
    case 'LinkIncidents':
      return linkIncidents(command, state, context);
    case 'MergeIncident':
      return mergeIncident(command, state, context);
    case 'SplitIncident':
      return splitIncident(command, state, context);
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled cross-incident command ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The link is recorded on both incidents, each reading it from its side. */
export function linkIncidents(command: LinkIncidents, state: IncidentState, context: CrossIncidentContext): CrossIncidentDecision {
  const incident = requireOpened(state, command.data.incidentId);
  const { otherIncidentId, relation } = command.data;
  if (otherIncidentId === incident.id) {
    throw new DomainError('invalid', 'link_to_self', 'An incident cannot be linked to itself', 'otherIncidentId');
  }
  requireLiveOther(context.other, otherIncidentId, 'otherIncidentId');
  if (incident.links.has(linkKey(otherIncidentId, relation))) return NOTHING;
  return {
    own: [{ type: 'IncidentsLinked', data: withoutUndefined(command.data) }],
    other: [{ type: 'IncidentLinkedFrom', data: { incidentId: otherIncidentId, otherIncidentId: incident.id, relation } }],
  };
}

/**
 * A duplicate is absorbed into `into`: its statements and claims, with all that happened to
 * them, are carried there. Both incidents must take writes, so no merge can close a cycle
 * (a merged incident is never merged again, nor merged into) and a chain of merges always
 * ends at one survivor.
 */
export function mergeIncident(command: MergeIncident, state: IncidentState, context: CrossIncidentContext): CrossIncidentDecision {
  const { incidentId, into, reason } = command.data;
  if (state.exists && state.mergedInto === into) return NOTHING; // already true: a retried merge never fails
  const incident = requireOpened(state, incidentId);
  if (into === incidentId) throw new DomainError('invalid', 'merge_into_self', 'An incident cannot be merged into itself', 'into');
  requireLiveOther(context.other, into, 'into');
  requireText(reason, 'reason', 'reason_required');
  requireNoSharedIds(incident, context.other as OpenedIncident);
  return {
    own: [{ type: 'IncidentMerged', data: { incidentId, into, reason } }],
    other: [{ type: 'IncidentAbsorbed', data: { incidentId: into, absorbedIncidentId: incident.id, reason, events: [...context.recorded] } }],
  };
}

/**
 * Claims and statements conflated into this incident move to a new one, each keeping its
 * id and the record of what happened to it; the new incident is linked to this one. A claim
 * moves with the statements it cites or that take a stance on it, and a claim that stays
 * keeps the statements it cites.
 */
export function splitIncident(command: SplitIncident, state: IncidentState, context: CrossIncidentContext): CrossIncidentDecision {
  const { incidentId, newIncidentId, claimIds, statementIds, reason, ...opening } = command.data;
  if (state.exists && [...state.moved.values()].includes(newIncidentId)) return NOTHING; // a retried split
  const incident = requireOpened(state, incidentId);
  if (context.other.exists) throw new DomainError('conflict', 'incident_exists', `Incident ${newIncidentId} exists already`);
  if (claimIds.length + statementIds.length === 0) {
    throw new DomainError('invalid', 'split_empty', 'Name at least one claim or statement to move', undefined, ['claims', 'statements']);
  }
  requireText(reason, 'reason', 'reason_required');
  requireValidOccurred(opening.occurred);
  requireUnique(claimIds, 'claims');
  requireUnique(statementIds, 'statements');
  claimIds.forEach((claimId, index) => requireClaim(incident, claimId, `claims[${index}]`));
  statementIds.forEach((statementId, index) => {
    if (!incident.statements.has(statementId)) {
      throw new DomainError('invalid', 'statement_not_found', `Statement ${statementId} is not recorded on this incident`, `statements[${index}]`);
    }
  });
  const moving = new Set([...claimIds, ...statementIds]);
  requireCitationsKeptTogether(context.recorded, moving, claimIds, statementIds);
  const relation = 'related';
  return {
    own: [
      { type: 'IncidentSplit', data: { incidentId, newIncidentId, claimIds, statementIds, reason } },
      { type: 'IncidentLinkedFrom', data: { incidentId, otherIncidentId: newIncidentId, relation } },
    ],
    other: [
      { type: 'IncidentOpened', data: withoutUndefined({ incidentId: newIncidentId, ...opening }) },
      { type: 'IncidentSplitFrom', data: { incidentId: newIncidentId, fromIncidentId: incidentId, reason, events: context.recorded.filter((event) => moving.has(carriedId(event))) } },
      { type: 'IncidentsLinked', data: { incidentId: newIncidentId, otherIncidentId: incidentId, relation } },
    ],
  };
}

/**
 * An incident's statements and claims as its stream records them, with what merges carried
 * in and without what splits moved out: the facts a merge or split carries (CrossIncidentContext).
 */
export function contentOf(history: readonly (IncidentEvent & Omit<CarriedEvent, 'type' | 'data'>)[]): CarriedEvent[] {
  let content: CarriedEvent[] = [];
  for (const event of history) {
    if (isCarried(event)) content.push(event);
    else if (event.type === 'IncidentAbsorbed' || event.type === 'IncidentSplitFrom') content.push(...event.data.events);
    else if (event.type === 'IncidentSplit') {
      const moved = new Set([...event.data.claimIds, ...event.data.statementIds]);
      content = content.filter((carried) => !moved.has(carriedId(carried)));
    }
  }
  return content;
}

function isCarried(event: IncidentEvent & Omit<CarriedEvent, 'type' | 'data'>): event is CarriedEvent {
  return (CARRIED_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The statement or claim a carried event belongs to. */
function carriedId(event: CarriedEvent): string {
  return event.type === 'SourceStatementRecorded' ? event.data.statementId : event.data.claimId;
}

function requireLiveOther(other: IncidentState, otherIncidentId: string, field: string): void {
  if (!other.exists) throw new DomainError('invalid', 'incident_not_found', `No incident ${otherIncidentId} has been opened`, field);
  if (other.mergedInto !== undefined) {
    throw mergedError(other, `Incident ${otherIncidentId} was merged into ${other.mergedInto}: name that incident`, field);
  }
}

// Ids a client chose are unique within an incident only: two incidents holding the same
// claim or statement id cannot become one.
function requireNoSharedIds(incident: OpenedIncident, survivor: OpenedIncident): void {
  const taken = (id: string) => survivor.claims.has(id) || survivor.statements.has(id) || survivor.moved.has(id);
  const shared = [...incident.claims.keys(), ...incident.statements.keys()].find(taken);
  if (shared !== undefined) {
    throw new DomainError('conflict', 'ids_shared', `Both incidents hold a claim or statement with the id ${shared}: correct one before merging`, 'into');
  }
}

function requireUnique(ids: readonly string[], field: string): void {
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index) throw new DomainError('invalid', 'duplicate_id', `${id} is named twice`, `${field}[${index}]`);
  });
}

// Every statement a claim's events cite (its report, amendments, retraction, corrections),
// and every statement that takes a stance on a claim that moves: the new incident shows the
// claim with its stances. (A claim that stays keeps the stances of a statement that moves.)
function requireCitationsKeptTogether(recorded: readonly CarriedEvent[], moving: ReadonlySet<string>, claimIds: readonly string[], statementIds: readonly string[]): void {
  for (const event of recorded) {
    if (event.type === 'SourceStatementRecorded') {
      const { statementId, stances } = event.data;
      const onMovingClaim = stances.find(({ claimId }) => moving.has(claimId));
      if (onMovingClaim !== undefined && !moving.has(statementId)) {
        throw new DomainError(
          'invalid',
          'stance_stays',
          `Statement ${statementId} takes a stance on claim ${onMovingClaim.claimId}: move the statement with it`,
          `claims[${claimIds.indexOf(onMovingClaim.claimId)}]`,
        );
      }
      continue;
    }
    if (!('statementId' in event.data) || event.data.statementId === undefined) continue;
    const { claimId, statementId } = event.data;
    if (moving.has(claimId) && !moving.has(statementId)) {
      throw new DomainError('invalid', 'statement_stays', `Claim ${claimId} cites statement ${statementId}: move the statement with it`, `claims[${claimIds.indexOf(claimId)}]`);
    }
    if (!moving.has(claimId) && moving.has(statementId)) {
      throw new DomainError('invalid', 'statement_cited', `Statement ${statementId} is cited by claim ${claimId}, which stays: move the claim with it`, `statements[${statementIds.indexOf(statementId)}]`);
    }
  }
}

function requireRegisteredSources(command: IncidentCommand, context: IncidentDecisionContext): void {
  const unregistered = sourceReferencesOf(command).find(({ sourceId }) => !context.registeredSources.has(sourceId));
  if (unregistered !== undefined) {
    throw new DomainError('invalid', 'source_not_registered', `Source ${unregistered.sourceId} is not registered`, unregistered.field);
  }
  // Nothing more is recorded of an erased source: what it would say could not be sealed for it.
  const erased = sourceReferencesOf(command).find(({ sourceId }) => context.erasedSources.has(sourceId));
  if (erased !== undefined) {
    throw new DomainError('conflict', 'source_erased', `Source ${erased.sourceId} was erased: it takes no more claims or statements`, erased.field);
  }
}

/** The fields a claim is reported, amended, retracted or corrected with, when given. */
function requireValidClaimFields(
  incident: OpenedIncident,
  fields: { statementId?: string; figures?: Figure[]; statedAt?: string },
  context: IncidentDecisionContext,
): void {
  if (fields.statementId !== undefined && !incident.statements.has(fields.statementId)) {
    throw new DomainError('invalid', 'statement_not_found', `Statement ${fields.statementId} is not recorded on this incident`, 'statementId');
  }
  if (fields.figures !== undefined) requireValidFigures(fields.figures);
  if (fields.statedAt !== undefined) requireNotInFuture(fields.statedAt, 'statedAt', context);
}

function requireValidStances(incident: OpenedIncident, stances: readonly StanceOnClaim[]): void {
  const seen = new Set<string>();
  stances.forEach(({ claimId }, index) => {
    const field = `stances[${index}].claimId`;
    requireClaim(incident, claimId, field);
    if (seen.has(claimId)) throw new DomainError('invalid', 'stance_duplicate', 'A statement takes one stance per claim', field);
    seen.add(claimId);
  });
}

function requireValidFigures(figures: readonly Figure[]): void {
  if (figures.length > INCIDENT_LIMITS.figures) {
    throw new DomainError('invalid', 'too_many_figures', `At most ${INCIDENT_LIMITS.figures} figures`, 'figures');
  }
  figures.forEach((figure, index) => requireValidFigure(figure, `figures[${index}]`));
}

// "Numerous" has no number to record; every other qualifier qualifies one.
function requireValidFigure({ qualifier, value, originalText }: Figure, path: string): void {
  if (qualifier === 'unspecified') {
    if (value !== undefined) {
      throw new DomainError('invalid', 'figure_value_forbidden', 'An unspecified figure has no value', `${path}.value`);
    }
  } else if (value === undefined) {
    throw new DomainError('invalid', 'figure_value_required', `A figure qualified ${qualifier} needs a value`, `${path}.value`);
  } else if (!Number.isSafeInteger(value) || value < 0) {
    throw new DomainError('invalid', 'figure_value_invalid', 'A figure value is a non-negative integer', `${path}.value`);
  }
  requireText(originalText, `${path}.originalText`, 'original_text_required');
}

function requireValidOccurred({ from, to }: Occurred): void {
  const start = parseTime(from, 'occurred.from');
  if (to !== undefined && parseTime(to, 'occurred.to') < start) {
    throw new DomainError('invalid', 'occurred_range_invalid', 'occurred.to is before occurred.from', 'occurred.to');
  }
}

// Clocks of the desk's machines and the server's drift apart a little.
const ALLOWED_CLOCK_SKEW_MS = 5 * 60 * 1000;

const IN_FUTURE_CODES = {
  statedAt: 'stated_at_in_future',
  publishedAt: 'published_at_in_future',
  retrievedAt: 'retrieved_at_in_future',
} as const;

function requireNotInFuture(time: string, field: keyof typeof IN_FUTURE_CODES, context: IncidentDecisionContext): void {
  if (parseTime(time, field) > context.now.getTime() + ALLOWED_CLOCK_SKEW_MS) {
    throw new DomainError('invalid', IN_FUTURE_CODES[field], `${field} lies in the future`, field);
  }
}

// A date, or a date-time with its UTC offset: without one, a time names a different
// instant depending on where it is read.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Epoch milliseconds of an ISO-8601 time in the years 0001..9999 (UTC); throws naming the field. */
function parseTime(time: string, field: string): number {
  const match = ISO_8601.exec(time);
  const milliseconds = Date.parse(time);
  // Date.parse rolls 2024-02-30 over to 1 March, so the day is checked against its month.
  const daysInMonth = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]), 0)).getUTCDate() : 0;
  if (match === null || Number.isNaN(milliseconds) || Number(match[3]) > daysInMonth) {
    throw new DomainError('invalid', 'time_invalid', `${field} is not an ISO-8601 date or date-time with offset`, field);
  }
  if (!isStorableTime(milliseconds)) {
    throw new DomainError('invalid', 'time_out_of_range', `${field} must lie in the years 0001 to 9999 (UTC)`, field);
  }
  return milliseconds;
}
