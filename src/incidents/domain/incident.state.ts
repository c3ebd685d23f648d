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
  /** Keys from `linkKey`. */
  links: ReadonlySet<string>;
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
    };
  }
  const incident = openedBefore(state, event);
  switch (event.type) {
    case 'IncidentRevised':
    case 'ClaimCorrected':
    case 'ClaimAssessed':
      return incident;
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

function withClaim(incident: OpenedIncident, claimId: string, claim: ClaimState): OpenedIncident {
  return { ...incident, claims: new Map(incident.claims).set(claimId, claim) };
}

function withClaimStatus(incident: OpenedIncident, claimId: string, status: ClaimStatus): OpenedIncident {
  const claim = incident.claims.get(claimId);
  if (claim === undefined) throw new Error(`Claim ${claimId} of incident ${incident.id} changed before it was reported`);
  return withClaim(incident, claimId, { ...claim, status });
}
