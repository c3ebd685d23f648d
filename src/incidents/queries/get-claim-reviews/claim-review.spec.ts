import { CLAIM_GRADES, type ClaimGrade, type IncidentEvent } from '../../domain/incident.events.js';
import { foldView } from '../../read-model/incident-view.js';
import {
  AMBUSH,
  ambushHistory,
  BLOGS_CLAIM,
  JNIM,
  JNIM_CLAIM,
  jnimStatementRecorded,
  MALIAN_AUTHORITIES,
  names,
  recordedAtOf,
  RUSSIAN_BLOGS,
  SITE,
  stored,
  SUNDAY,
  MONDAY,
  WAGNER,
} from '../../read-model/tinzaouaten.fixture.js';
import { claimReviewRating, claimReviews, type KnownSource, Newsroom } from './claim-review.js';

// The convoy ambush's graded claims as schema.org ClaimReviews: given its history and the
// desk's grades, when reviewed, then these reviews.

const newsroom = new Newsroom('Sahel Desk');
const JNIM_STATEMENT_URL = 'https://jnim.example.org/communique-2024-07-28';

function assessed(claimId: string, grade: ClaimGrade) {
  return { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId, grade, rationale: 'Weighed against the other accounts.' } } satisfies IncidentEvent;
}

/** Every source of the ambush by its name, public unless named in `confidential`. */
function known(confidential: string[] = []): KnownSource[] {
  return [JNIM, SITE, WAGNER, RUSSIAN_BLOGS, MALIAN_AUTHORITIES].map((id) => ({ source_id: id, name: names.source(id), confidential: confidential.includes(id) }));
}

/** The ambush with JNIM's statement published at a URL. */
const publishedHistory: IncidentEvent[] = ambushHistory.map((event) =>
  event === jnimStatementRecorded ? { ...jnimStatementRecorded, data: { ...jnimStatementRecorded.data, url: JNIM_STATEMENT_URL } } : event,
);

function reviewsOf(history: IncidentEvent[], sources = known(), by = newsroom) {
  return claimReviews(foldView(stored(history))!, sources, by);
}

describe('claimReviews', () => {
  it('reviews a graded claim: what was claimed, by whom and when, the desk’s rating, and when the desk graded it', () => {
    const reviews = reviewsOf([...ambushHistory, assessed(JNIM_CLAIM, 'contested')]);

    expect(reviews).toStrictEqual([
      {
        '@context': 'https://schema.org',
        '@type': 'ClaimReview',
        claimReviewed: 'JNIM claimed to have killed 10 Malian soldiers and 50 Russian Wagner mercenaries in an ambush on a convoy south of Tinzaouaten.',
        itemReviewed: { '@type': 'Claim', author: { '@type': 'Organization', name: 'JNIM' }, datePublished: SUNDAY },
        reviewRating: { '@type': 'Rating', ratingValue: 2, bestRating: 5, worstRating: 1, alternateName: 'Contested' },
        author: { '@type': 'Organization', name: 'Sahel Desk' },
        datePublished: recordedAtOf(ambushHistory.length),
      },
    ]);
  });

  it('gives none for an incident whose claims are not graded', () => {
    expect(reviewsOf(ambushHistory)).toEqual([]);
  });

  it('reviews each graded claim once, in the order reported, with its latest grade', () => {
    const reviews = reviewsOf([...ambushHistory, assessed(BLOGS_CLAIM, 'unverified'), assessed(JNIM_CLAIM, 'contested'), assessed(BLOGS_CLAIM, 'corroborated')]);

    expect(reviews.map((review) => [review.itemReviewed.author?.name, review.itemReviewed.datePublished, review.reviewRating.alternateName, review.datePublished])).toEqual([
      ['JNIM', SUNDAY, 'Contested', recordedAtOf(ambushHistory.length + 1)],
      ['Russian military blogs', MONDAY, 'Corroborated', recordedAtOf(ambushHistory.length + 2)],
    ]);
  });

  it('links where the claim appeared when its statement has a URL and every source of it is public', () => {
    const [review] = reviewsOf([...publishedHistory, assessed(JNIM_CLAIM, 'contested')]);

    expect(review.itemReviewed.appearance).toEqual({ '@type': 'CreativeWork', url: JNIM_STATEMENT_URL });
  });

  it.each([
    ['the claimant', JNIM],
    ['the conduit of its statement', SITE],
  ])('gives no link when %s is confidential', (_, confidential) => {
    const [review] = reviewsOf([...publishedHistory, assessed(JNIM_CLAIM, 'contested')], known([confidential]));

    expect(review.itemReviewed.appearance).toBeUndefined();
    expect(JSON.stringify(review)).not.toContain(JNIM_STATEMENT_URL);
  });

  it('gives no link when the claim came through a confidential conduit that its statement does not name', () => {
    const statedDirectly = publishedHistory.map((event) =>
      event.type === 'SourceStatementRecorded' && event.data.statementId === jnimStatementRecorded.data.statementId ? { ...event, data: { ...event.data, via: [] } } : event,
    );

    const [review] = reviewsOf([...statedDirectly, assessed(JNIM_CLAIM, 'contested')], known([SITE]));

    expect(review.itemReviewed.appearance).toBeUndefined();
  });

  it('names a confidential claimant only as such', () => {
    const [review] = reviewsOf([...publishedHistory, assessed(JNIM_CLAIM, 'contested')], known([JNIM]));

    expect(review.itemReviewed.author).toEqual({ '@type': 'Organization', name: 'Confidential source' });
    expect(JSON.stringify(review)).not.toContain('"JNIM"');
  });

  it('leaves out the claimant, and the link, while the claimant’s name is not projected yet', () => {
    const [review] = reviewsOf([...publishedHistory, assessed(JNIM_CLAIM, 'contested')], known().filter((source) => source.source_id !== JNIM));

    expect(review.itemReviewed).toStrictEqual({ '@type': 'Claim', datePublished: SUNDAY });
  });

  it('gives the newsroom’s URL when configured', () => {
    const [review] = reviewsOf([...ambushHistory, assessed(JNIM_CLAIM, 'confirmed')], known(), new Newsroom('Sahel Desk', 'https://news.example.org/'));

    expect(review.author).toEqual({ '@type': 'Organization', name: 'Sahel Desk', url: 'https://news.example.org/' });
  });
});

describe('claimReviewRating', () => {
  it('rates every grade from 1 (discounted) to 5 (confirmed)', () => {
    const ratings = Object.fromEntries(CLAIM_GRADES.map((grade) => [grade, claimReviewRating(grade)]));

    expect(ratings).toEqual({
      discounted: { '@type': 'Rating', ratingValue: 1, bestRating: 5, worstRating: 1, alternateName: 'Discounted' },
      contested: { '@type': 'Rating', ratingValue: 2, bestRating: 5, worstRating: 1, alternateName: 'Contested' },
      unverified: { '@type': 'Rating', ratingValue: 3, bestRating: 5, worstRating: 1, alternateName: 'Unverified' },
      corroborated: { '@type': 'Rating', ratingValue: 4, bestRating: 5, worstRating: 1, alternateName: 'Corroborated' },
      confirmed: { '@type': 'Rating', ratingValue: 5, bestRating: 5, worstRating: 1, alternateName: 'Confirmed' },
    });
  });
});
