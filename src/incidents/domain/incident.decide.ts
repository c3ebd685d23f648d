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
  type IncidentCommand,
  type LinkIncidents,
  type OpenIncident,
  type RecordStatement,
  type ReportClaim,
  type RetractClaim,
  type ReviseIncident,
} from './incident.commands.js';
import type { Figure, IncidentEvent, Occurred, StanceOnClaim } from './incident.events.js';
import { evolve, initialIncidentState, linkKey, type ClaimState, type IncidentState, type OpenedIncident } from './incident.state.js';


/** What the incident rules need from outside the stream: the time, and which of the sources the command names are registered. */
export interface IncidentDecisionContext extends DecisionContext {
  /** The caller looks up `sourcesReferencedBy` the command. */
  registeredSources: ReadonlySet<string>;
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

export function linkIncidents(command: LinkIncidents, state: IncidentState): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  const { otherIncidentId, relation } = command.data;
  if (otherIncidentId === incident.id) {
    throw new DomainError('invalid', 'link_to_self', 'An incident cannot be linked to itself', 'otherIncidentId');
  }
  if (incident.links.has(linkKey(otherIncidentId, relation))) return [];
  return [{ type: 'IncidentsLinked', data: withoutUndefined(command.data) }];
}

export function recordStatement(command: RecordStatement, state: IncidentState, context: IncidentDecisionContext): IncidentEvent[] {
  const incident = requireOpened(state, command.data.incidentId);
  const recorded = incident.statements.get(command.data.statementId);
  if (recorded !== undefined) {
    requireRetryOf(recorded, command.data, 'statement_exists', 'statementId');
    return [];
  }
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
    case 'LinkIncidents':
      return linkIncidents(command, state);
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

function requireOpened(state: IncidentState, incidentId: string): OpenedIncident {
  if (!state.exists) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId}`);
  return state;
}

function requireClaim(incident: OpenedIncident, claimId: string, field = 'claimId'): ClaimState {
  const claim = incident.claims.get(claimId);
  if (claim === undefined) {
    throw new DomainError('not_found', 'claim_not_found', `Claim ${claimId} is not a claim of incident ${incident.id}`, field);
  }
  return claim;
}

function requireRegisteredSources(command: IncidentCommand, context: IncidentDecisionContext): void {
  const unregistered = sourceReferencesOf(command).find(({ sourceId }) => !context.registeredSources.has(sourceId));
  if (unregistered !== undefined) {
    throw new DomainError('invalid', 'source_not_registered', `Source ${unregistered.sourceId} is not registered`, unregistered.field);
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
