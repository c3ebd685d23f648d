import { canonicalJson } from '../../common/canonical-json.js';
import type { IncidentEvent, LinkRelation } from './incident.events.js';

// Only what decisions need: titles, quotes and figures belong to the projections.

export type ClaimStatus = 'active' | 'amended' | 'retracted';

export interface ClaimState {
  status: ClaimStatus;
  /** Of the ClaimReported data, to tell a retried report from a clashing claim id. */
  reportedFingerprint: string;
}

export interface OpenedIncident {
  exists: true;
  id: string;
  /** Of the IncidentOpened data, to tell a retried open from a clashing incident id. */
  openedFingerprint: string;
  claims: ReadonlyMap<string, ClaimState>;
  /** Statement id → fingerprint of its SourceStatementRecorded data. */
  statements: ReadonlyMap<string, string>;
  /** Keys from `linkKey`: the links this incident made (the other side's are not its to repeat). */
  links: ReadonlySet<string>;
  /** Set once the incident was merged into another: it takes no more writes. */
  mergedInto?: string;
  /** Claim and statement ids split off to another incident → that incident's id. */
  moved: ReadonlyMap<string, string>;
}

export type IncidentState = { exists: false } | OpenedIncident;

export function initialIncidentState(): IncidentState {
  return { exists: false };
}

export function linkKey(otherIncidentId: string, relation: LinkRelation): string {
  return `${relation}:${otherIncidentId}`;
}

export function evolve(state: IncidentState, event: IncidentEvent): IncidentState {
  if (event.type === 'IncidentOpened') {
    return {
      exists: true,
      id: event.data.incidentId,
      openedFingerprint: canonicalJson(event.data),
      claims: new Map(),
      statements: new Map(),
      links: new Set(),
      moved: new Map(),
    };
  }
  const incident = openedBefore(state, event);
  switch (event.type) {
    case 'IncidentRevised':
    case 'ClaimCorrected':
    case 'ClaimAssessed':
    case 'IncidentLinkedFrom':
      return incident;
    case 'IncidentMerged':
      return { ...incident, mergedInto: event.data.into };
    // What another incident carried in becomes this one's, as if recorded here.
    case 'IncidentAbsorbed':
    case 'IncidentSplitFrom':
      return event.data.events.reduce<OpenedIncident>((carried, moved) => evolve(carried, moved) as OpenedIncident, incident);
    case 'IncidentSplit':
      return splitOff(incident, [...event.data.claimIds, ...event.data.statementIds], event.data.newIncidentId);
    case 'IncidentsLinked':
      return { ...incident, links: new Set(incident.links).add(linkKey(event.data.otherIncidentId, event.data.relation)) };
    case 'SourceStatementRecorded':
      return { ...incident, statements: new Map(incident.statements).set(event.data.statementId, canonicalJson(event.data)) };
    case 'ClaimReported':
      return withClaim(incident, event.data.claimId, { status: 'active', reportedFingerprint: canonicalJson(event.data) });
    case 'ClaimAmended':
      return withClaimStatus(incident, event.data.claimId, 'amended');
    case 'ClaimRetracted':
      return withClaimStatus(incident, event.data.claimId, 'retracted');
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}

// A stream always begins with IncidentOpened; anything else means a corrupt stream.
function openedBefore(state: IncidentState, event: IncidentEvent): OpenedIncident {
  if (!state.exists) throw new Error(`${event.type} on incident ${event.data.incidentId} before IncidentOpened`);
  return state;
}

function splitOff(incident: OpenedIncident, ids: readonly string[], newIncidentId: string): OpenedIncident {
  const claims = new Map(incident.claims);
  const statements = new Map(incident.statements);
  const moved = new Map(incident.moved);
  for (const id of ids) {
    claims.delete(id);
    statements.delete(id);
    moved.set(id, newIncidentId);
  }
  return { ...incident, claims, statements, moved };
}

function withClaim(incident: OpenedIncident, claimId: string, claim: ClaimState): OpenedIncident {
  return { ...incident, claims: new Map(incident.claims).set(claimId, claim) };
}

function withClaimStatus(incident: OpenedIncident, claimId: string, status: ClaimStatus): OpenedIncident {
  const claim = incident.claims.get(claimId);
  if (claim === undefined) throw new Error(`Claim ${claimId} of incident ${incident.id} changed before it was reported`);
  return withClaim(incident, claimId, { ...claim, status });
}
