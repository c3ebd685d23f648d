// The shape of a ClaimReview (queries/get-claim-reviews/claim-review.ts) for the OpenAPI
// document: clients see what the JSON-LD holds without reading schema.org.

const organization = {
  type: 'object',
  required: ['@type', 'name'],
  properties: { '@type': { type: 'string', enum: ['Organization'] }, name: { type: 'string' }, url: { type: 'string', format: 'uri' } },
};

export const CLAIM_REVIEW_SCHEMA = {
  type: 'object',
  required: ['@context', '@type', 'claimReviewed', 'itemReviewed', 'reviewRating', 'author', 'datePublished'],
  properties: {
    '@context': { type: 'string', enum: ['https://schema.org'] },
    '@type': { type: 'string', enum: ['ClaimReview'] },
    claimReviewed: { type: 'string', description: 'the claim’s summary' },
    itemReviewed: {
      type: 'object',
      required: ['@type', 'datePublished'],
      properties: {
        '@type': { type: 'string', enum: ['Claim'] },
        author: { ...organization, description: 'the claimant; a confidential one is named “Confidential source”' },
        datePublished: { type: 'string', format: 'date-time', description: 'when the claim was stated' },
        appearance: {
          type: 'object',
          description: 'the claim’s statement, when it has a URL and every source of it is public',
          properties: { '@type': { type: 'string', enum: ['CreativeWork'] }, url: { type: 'string', format: 'uri' } },
        },
      },
    },
    reviewRating: {
      type: 'object',
      required: ['@type', 'ratingValue', 'bestRating', 'worstRating', 'alternateName'],
      properties: {
        '@type': { type: 'string', enum: ['Rating'] },
        ratingValue: { type: 'integer', minimum: 1, maximum: 5, description: 'discounted 1, contested 2, unverified 3, corroborated 4, confirmed 5' },
        bestRating: { type: 'integer', enum: [5] },
        worstRating: { type: 'integer', enum: [1] },
        alternateName: { type: 'string', description: 'the grade in words, e.g. Contested' },
      },
    },
    author: { ...organization, description: 'the newsroom (NEWSROOM_NAME, NEWSROOM_URL)' },
    datePublished: { type: 'string', format: 'date-time', description: 'when the desk graded the claim' },
  },
};
