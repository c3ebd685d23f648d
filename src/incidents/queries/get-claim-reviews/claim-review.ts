import { withoutUndefined } from '../../../common/decider.js';
import type { ClaimGrade } from '../../domain/incident.events.js';
import { publicSourceName, type SourceName } from '../../projections/incident-view/source-name.js';
import type { ClaimAssessment, ClaimView, IncidentView } from '../../read-model/incident-view.js';

// The desk's grades as schema.org ClaimReview JSON-LD (https://schema.org/ClaimReview),
// the form fact-check readers and search engines take in. One pure step from the incident
// view and its sources' names: the review says what the desk graded, how, and when; it names
// a confidential claimant only as such and links to nothing that could name one.

/** The newsroom that publishes the reviews (NEWSROOM_NAME, NEWSROOM_URL): their `author`. A class, so that Nest injects it by its type. */
export class Newsroom {
  constructor(
    readonly name: string,
    readonly url?: string,
  ) {}
}

export interface Organization {
  '@type': 'Organization';
  name: string;
  url?: string;
}

export interface Rating {
  '@type': 'Rating';
  ratingValue: number;
  bestRating: 5;
  worstRating: 1;
  alternateName: string;
}

export interface ClaimReview {
  '@context': 'https://schema.org';
  '@type': 'ClaimReview';
  claimReviewed: string;
  itemReviewed: {
    '@type': 'Claim';
    /** Absent while the claimant's name is not projected yet. */
    author?: Organization;
    datePublished: string;
    /** Where the claim was made, when that is a public web page. */
    appearance?: { '@type': 'CreativeWork'; url: string };
  };
  reviewRating: Rating;
  author: Organization;
  datePublished: string;
}

/** A source's name as the projection holds it, with whether readers may see it. */
export type KnownSource = Pick<SourceName, 'source_id' | 'name' | 'confidential'>;

export type GradedClaim = ClaimView & { grade: ClaimAssessment };

// The scale is how far the desk's evidence bears the claim out: `unverified` sits in the
// middle (no evidence either way), `contested` below it (other sources' evidence against it).
// A Record over the union: a new grade does not compile until it has a rating.
const RATINGS: Record<ClaimGrade, { ratingValue: number; alternateName: string }> = {
  discounted: { ratingValue: 1, alternateName: 'Discounted' },
  contested: { ratingValue: 2, alternateName: 'Contested' },
  unverified: { ratingValue: 3, alternateName: 'Unverified' },
  corroborated: { ratingValue: 4, alternateName: 'Corroborated' },
  confirmed: { ratingValue: 5, alternateName: 'Confirmed' },
};

/** The desk's grade on schema.org's 1–5 scale (5: the claim is borne out). */
export function claimReviewRating(grade: ClaimGrade): Rating {
  return { '@type': 'Rating', ...RATINGS[grade], bestRating: 5, worstRating: 1 };
}

export function isGraded(claim: ClaimView): claim is GradedClaim {
  return claim.grade !== undefined;
}

/** A ClaimReview for each claim the desk has graded, in the order the claims were reported. */
export function claimReviews(view: IncidentView, known: readonly KnownSource[], newsroom: Newsroom): ClaimReview[] {
  return view.claims.filter(isGraded).map((claim) => claimReview(view, claim, known, newsroom));
}

export function claimReview(view: IncidentView, claim: GradedClaim, known: readonly KnownSource[], newsroom: Newsroom): ClaimReview {
  const sources = new Map(known.map((source) => [source.source_id, source]));
  const claimant = sources.get(claim.claimantId);
  const url = appearanceUrl(view, claim, sources);
  return withoutUndefined({
    '@context': 'https://schema.org',
    '@type': 'ClaimReview',
    claimReviewed: claim.summary,
    itemReviewed: {
      '@type': 'Claim',
      author: claimant && organization(publicSourceName(claimant)),
      datePublished: claim.statedAt,
      appearance: url === undefined ? undefined : { '@type': 'CreativeWork', url },
    },
    reviewRating: claimReviewRating(claim.grade.grade),
    author: organization(newsroom.name, newsroom.url),
    datePublished: claim.grade.assessedAt,
  });
}

// A link to the statement can name whoever spoke or passed it on, so it is given only when
// every source it involves is known and public: the claimant and the claim's conduits, the
// statement's source and its conduits.
function appearanceUrl(view: IncidentView, claim: ClaimView, sources: ReadonlyMap<string, KnownSource>): string | undefined {
  const statement = view.statements.find((candidate) => candidate.statementId === claim.statementId);
  if (statement?.url === undefined) return undefined;
  const involved = [claim.claimantId, ...claim.via, statement.sourceId, ...statement.via];
  return involved.every((id) => sources.get(id)?.confidential === false) ? statement.url : undefined;
}

function organization(name: string, url?: string): Organization {
  return withoutUndefined({ '@type': 'Organization', name, url });
}
