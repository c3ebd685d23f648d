import { readFile } from 'node:fs/promises';
import jsonld from 'jsonld';
import type { JsonLd, RemoteDocument } from 'jsonld/jsonld-spec.js';
import { loadDemo } from '../src/demo/load-demo.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// The desk grades claims of the worked example through the API, and a fact-check reader
// takes the answer in as JSON-LD: expanded by a real JSON-LD processor (jsonld), every term
// must resolve to schema.org's vocabulary.

const AMBUSH = '0190f17c-b400-7000-8000-000000000202';
const JNIM_CLAIM = '0190f17c-b400-7000-8000-000000000401';
const WAGNER_CLAIM = '0190f17c-b400-7000-8000-000000000403';
/** By "Two security sources", a confidential source. */
const SECURITY_SOURCES_CLAIM = '0190f17c-b400-7000-8000-000000000406';
const UNKNOWN = '0190f17c-b400-7000-8000-00000000ffff';

const SCHEMA = 'http://schema.org/';

// schema.org's context, trimmed to the terms a ClaimReview uses and without its @vocab: under
// `safe` expansion a term the context does not define is then an error, not quietly a schema.org IRI.
const SCHEMA_ORG_CONTEXT = JSON.parse(await readFile(new URL('./fixtures/schema-org-context.jsonld', import.meta.url), 'utf8')) as JsonLd;

/** No network in tests: schema.org's context from the fixture, and nothing else. */
async function documentLoader(url: string): Promise<RemoteDocument> {
  if (url === 'https://schema.org' || url === 'https://schema.org/') return { documentUrl: url, document: SCHEMA_ORG_CONTEXT };
  throw new Error(`The tests load no documents but schema.org's context; asked for ${url}`);
}

type Expanded = Record<string, unknown[]>;

async function expand(document: object): Promise<Expanded[]> {
  // `safe` (jsonld 8+) fails on anything expansion would drop, such as a term the context lacks.
  return (await jsonld.expand(document as jsonld.JsonLdDocument, { documentLoader, safe: true } as jsonld.Options.Expand)) as Expanded[];
}

/** The first value of a schema.org property of an expanded node. */
function first(node: Expanded, term: string): Expanded {
  const values = node[`${SCHEMA}${term}`];
  if (!values?.length) throw new Error(`No ${SCHEMA}${term} in ${JSON.stringify(node)}`);
  return values[0] as Expanded;
}

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp({ NEWSROOM_NAME: 'Sahel Desk', NEWSROOM_URL: 'https://news.example.org/' });
  await loadDemo({ baseUrl: api.baseUrl, apiKey: KEYS.editor });
  await api.projected();
});

afterAll(async () => {
  await api?.close();
});

async function grade(claimId: string, grade: string) {
  const answer = await api.http('editor', 'POST', `/incidents/${AMBUSH}/claims/${claimId}/assessments`, { body: { grade, rationale: 'Weighed against the other accounts of the ambush.' } });
  expect(answer.status).toBe(201);
  await api.projected();
}

describe('GET /incidents/{id}/claim-reviews', () => {
  it('answers an empty list while the desk has graded nothing', async () => {
    const answer = await api.http('reader', 'GET', `/incidents/${AMBUSH}/claim-reviews`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    expect(answer.body).toEqual([]);
  });

  it('reviews a claim the desk graded, in terms a JSON-LD processor resolves to schema.org', async () => {
    await grade(JNIM_CLAIM, 'contested');

    const answer = await api.http('reader', 'GET', `/incidents/${AMBUSH}/claim-reviews`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    expect(answer.body).toEqual([expect.objectContaining({ '@context': 'https://schema.org', '@type': 'ClaimReview' })]);
    const [review] = await expand(answer.body);
    expect(review['@type']).toEqual([`${SCHEMA}ClaimReview`]);
    expect(first(review, 'claimReviewed')).toEqual({ '@value': expect.stringContaining('50 Russian Wagner mercenaries') });
    expect(first(review, 'datePublished')).toEqual({ '@type': `${SCHEMA}Date`, '@value': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const claim = first(review, 'itemReviewed');
    expect(claim['@type']).toEqual([`${SCHEMA}Claim`]);
    expect(first(claim, 'datePublished')).toEqual({ '@type': `${SCHEMA}Date`, '@value': '2024-07-28T00:00:00.000Z' });
    const claimant = first(claim, 'author');
    expect(claimant['@type']).toEqual([`${SCHEMA}Organization`]);
    expect(first(claimant, 'name')).toEqual({ '@value': 'JNIM' });
    const rating = first(review, 'reviewRating');
    expect(rating['@type']).toEqual([`${SCHEMA}Rating`]);
    expect([first(rating, 'ratingValue'), first(rating, 'bestRating'), first(rating, 'worstRating'), first(rating, 'alternateName')]).toEqual([
      { '@value': 2 },
      { '@value': 5 },
      { '@value': 1 },
      { '@value': 'Contested' },
    ]);
    const newsroom = first(review, 'author');
    expect(newsroom['@type']).toEqual([`${SCHEMA}Organization`]);
    expect([first(newsroom, 'name'), first(newsroom, 'url')]).toEqual([{ '@value': 'Sahel Desk' }, { '@id': 'https://news.example.org/' }]);
  });

  it('names a confidential claimant only as such', async () => {
    await grade(SECURITY_SOURCES_CLAIM, 'unverified');

    const { body } = await api.http('reader', 'GET', `/incidents/${AMBUSH}/claim-reviews`);

    const review = body.find((candidate: { claimReviewed: string }) => candidate.claimReviewed.startsWith('Two security sources said'));
    expect(review.itemReviewed.author).toEqual({ '@type': 'Organization', name: 'Confidential source' });
  });

  it('answers 404 problem+json for an unknown incident', async () => {
    const answer = await api.http('reader', 'GET', `/incidents/${UNKNOWN}/claim-reviews`);

    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ code: 'incident_not_found' });
  });
});

describe('GET /incidents/{id}/claims/{claimId}/claim-review', () => {
  it('answers the review of one graded claim, as the list gives it', async () => {
    await grade(JNIM_CLAIM, 'corroborated');

    const one = await api.http('reader', 'GET', `/incidents/${AMBUSH}/claims/${JNIM_CLAIM}/claim-review`);
    const all = await api.http('reader', 'GET', `/incidents/${AMBUSH}/claim-reviews`);

    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    expect(all.body).toContainEqual(one.body);
    expect(one.body.reviewRating).toMatchObject({ ratingValue: 4, alternateName: 'Corroborated' });
    const [review] = await expand(one.body);
    expect(review['@type']).toEqual([`${SCHEMA}ClaimReview`]);
  });

  it.each([
    ['a claim the incident does not have', UNKNOWN, 'claim_not_found', /is not a claim of incident/],
    ['a claim the desk has not graded', WAGNER_CLAIM, 'claim_not_graded', /has not been graded/],
  ])('answers 404 problem+json for %s, saying which', async (_, claimId, code, detail) => {
    const answer = await api.http('reader', 'GET', `/incidents/${AMBUSH}/claims/${claimId}/claim-review`);

    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 404, code, detail: expect.stringMatching(detail) });
  });
});

describe('a confidential claimant', () => {
  it('appears in no review, by name or by the link to its statement', async () => {
    const name = 'Captain Moussa Diarra of the Kidal garrison';
    const url = 'https://leaks.example.org/kidal-garrison';
    const source = await api.http('editor', 'POST', '/sources', { body: { name, kind: 'anonymous', confidential: true } });
    const statement = await api.http('editor', 'POST', `/incidents/${AMBUSH}/statements`, {
      body: { sourceId: source.body.id, medium: 'interview', quote: 'Four of our men were taken.', language: 'en', statedAt: '2024-07-29T00:00:00Z', url },
    });
    const claim = await api.http('editor', 'POST', `/incidents/${AMBUSH}/claims`, {
      body: {
        claimantId: source.body.id,
        statementId: statement.body.statementId,
        summary: 'A garrison officer said four Malian soldiers were captured.',
        kind: 'casualties',
        figures: [{ party: 'Malian soldiers', outcome: 'captured', qualifier: 'exact', value: 4, originalText: 'Four of our men were taken' }],
        statedAt: '2024-07-29T00:00:00Z',
      },
    });
    expect([source.status, statement.status, claim.status]).toEqual([201, 201, 201]);
    await grade(claim.body.claimId, 'unverified');

    for (const path of [`/incidents/${AMBUSH}/claim-reviews`, `/incidents/${AMBUSH}/claims/${claim.body.claimId}/claim-review`]) {
      const answer = await api.http('reader', 'GET', path);
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.body);
      expect(text).toContain('Confidential source');
      expect(text).not.toContain('Moussa Diarra');
      expect(text).not.toContain(url);
    }
  });
});

it('documents both routes in the OpenAPI document', async () => {
  const { body } = await api.http('none', 'GET', '/openapi.json');

  for (const path of ['/incidents/{incidentId}/claim-reviews', '/incidents/{incidentId}/claims/{claimId}/claim-review']) {
    expect(body.paths[path].get.summary).toMatch(/ClaimReview/);
    expect(Object.keys(body.paths[path].get.responses['200'].content)).toEqual(['application/ld+json']);
    expect(body.paths[path].get.responses['404']).toBeDefined();
  }
});
