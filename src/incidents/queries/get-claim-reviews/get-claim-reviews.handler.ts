import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../common/domain-error.js';
import type { IncidentView } from '../../read-model/incident-view.js';
import { type ClaimReview, claimReview, claimReviews, isGraded, type KnownSource, Newsroom } from './claim-review.js';

/** A ClaimReview for each claim of the incident the desk has graded. */
export class GetClaimReviewsQuery extends Query<ClaimReview[]> {
  constructor(readonly incidentId: string) {
    super();
  }
}

/** The ClaimReview of one graded claim. */
export class GetClaimReviewQuery extends Query<ClaimReview> {
  constructor(
    readonly incidentId: string,
    readonly claimId: string,
  ) {
    super();
  }
}

// The view as the incident-view projection stored it (what GET /incidents/{id} answers), with
// its sources' names and whether each is confidential, in one statement: one snapshot.
const LOAD = `
  SELECT v.view,
         (SELECT coalesce(json_agg(json_build_object('source_id', n.source_id, 'name', n.name, 'confidential', n.confidential)), '[]')
            FROM incident_source_names n
           WHERE n.source_id IN (SELECT jsonb_array_elements_text(v.view->'sourceIds')::uuid)) AS names
    FROM incident_views v
   WHERE v.incident_id = $1`;

async function load(dataSource: DataSource, incidentId: string): Promise<{ view: IncidentView; names: KnownSource[] }> {
  const [row] = await dataSource.query<{ view: IncidentView; names: KnownSource[] }[]>(LOAD, [incidentId]);
  if (!row) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record.`);
  return row;
}

@QueryHandler(GetClaimReviewsQuery)
export class GetClaimReviewsHandler implements IQueryHandler<GetClaimReviewsQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly newsroom: Newsroom,
  ) {}

  async execute({ incidentId }: GetClaimReviewsQuery): Promise<ClaimReview[]> {
    const { view, names } = await load(this.dataSource, incidentId);
    return claimReviews(view, names, this.newsroom);
  }
}

@QueryHandler(GetClaimReviewQuery)
export class GetClaimReviewHandler implements IQueryHandler<GetClaimReviewQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly newsroom: Newsroom,
  ) {}

  async execute({ incidentId, claimId }: GetClaimReviewQuery): Promise<ClaimReview> {
    const { view, names } = await load(this.dataSource, incidentId);
    const claim = view.claims.find((candidate) => candidate.claimId === claimId);
    if (claim === undefined) throw new DomainError('not_found', 'claim_not_found', `Claim ${claimId} is not a claim of incident ${incidentId}.`);
    // A claim the desk has not graded has no review yet: a 404 that says so, not an empty one.
    if (!isGraded(claim)) throw new DomainError('not_found', 'claim_not_graded', `Claim ${claimId} of incident ${incidentId} has not been graded: only graded claims have a review.`);
    return claimReview(view, claim, names, this.newsroom);
  }
}
