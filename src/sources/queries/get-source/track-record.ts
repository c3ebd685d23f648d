import type { ClaimGrade, Stance } from '../../../incidents/domain/incident.events.js';
import type { ClaimStatus } from '../../../incidents/domain/incident.state.js';
import type { SourceResponse } from '../source-response.js';

// A source's track record, as GET /sources/{id} answers it. No import here may need Node:
// the desk imports these types.

export interface TrackRecordClaim {
  incidentId: string;
  claimId: string;
  status: ClaimStatus;
  /** The claimant amended it at least once (it may since have been retracted). */
  amended: boolean;
  /** The desk's latest grade; null before any. */
  grade: ClaimGrade | null;
  /** Other sources' stances on it; the claimant's own statements are left out. */
  stances: { sourceId: string; stance: Stance; statementId: string }[];
}

export type IncidentRole = 'claimant' | 'conduit' | 'statement_source';

/** Counts of claims, each derived from `claims`. */
export interface TrackRecord {
  claimsMade: number;
  amended: number;
  retracted: number;
  /** Claims another source disputed or denied. */
  disputedByOthers: number;
  /** Claims another source supported. */
  supportedByOthers: number;
  /** Claims whose latest grade from the desk is `confirmed` / `discounted`. */
  confirmedByDesk: number;
  discountedByDesk: number;
  /** The claims it made (as their claimant now stands on record), by incident. */
  claims: TrackRecordClaim[];
  /** Every incident it appears in, and as what. */
  incidents: { incidentId: string; roles: IncidentRole[] }[];
}

export type SourceWithTrackRecord = SourceResponse & { trackRecord: TrackRecord };

export function trackRecord(claims: TrackRecordClaim[], incidents: TrackRecord['incidents']): TrackRecord {
  const count = (holds: (claim: TrackRecordClaim) => boolean) => claims.filter(holds).length;
  const takenByOthers = (stances: Stance[]) => (claim: TrackRecordClaim) => claim.stances.some((taken) => stances.includes(taken.stance));
  return {
    claimsMade: claims.length,
    amended: count((claim) => claim.amended),
    retracted: count((claim) => claim.status === 'retracted'),
    disputedByOthers: count(takenByOthers(['disputes', 'denies'])),
    supportedByOthers: count(takenByOthers(['supports'])),
    confirmedByDesk: count((claim) => claim.grade === 'confirmed'),
    discountedByDesk: count((claim) => claim.grade === 'discounted'),
    claims,
    incidents,
  };
}
