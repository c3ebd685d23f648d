import { v7 as uuidv7 } from 'uuid';
import { ledgerLength } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The write API as desk editors and their tools meet it: every route refuses bad input
// with a problem+json naming the field and the rule, appends nothing when it refuses,
// and concurrent or retried writes are neither lost nor doubled.

let api: TestApp;
let jnim: string;
let site: string;
let blogs: string;
let incidentId: string;

const FAR_FUTURE = '2999-01-01T00:00:00Z';

const claim = (overrides: Record<string, unknown> = {}) => ({
  claimantId: jnim,
  via: [site],
  summary: 'JNIM claims 50 Wagner fighters killed in an ambush south of Tinzaouaten',
  kind: 'casualties',
  figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Russian Wagner mercenaries' }],
  statedAt: '2024-07-28T00:00:00Z',
  ...overrides,
});

async function registerSource(name: string, kind: string): Promise<string> {
  const response = await api.http('editor', 'POST', '/sources', { body: { name, kind } });
  expect(response.status).toBe(201);
  return response.body.id;
}

async function reportClaim(body = claim()): Promise<string> {
  const response = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body });
  expect(response.status).toBe(201);
  return response.body.claimId;
}

beforeAll(async () => {
  api = await startTestApp({ BODY_LIMIT_BYTES: '65536' });
  jnim = await registerSource('JNIM', 'armed_group');
  site = await registerSource('SITE Intelligence Group', 'monitoring_group');
  blogs = await registerSource('Russian military blogs', 'social_media');
  const opened = await api.http('editor', 'POST', '/incidents', {
    body: {
      title: 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten',
      location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
      occurred: { from: '2024-07-27', precision: 'day' },
      tags: ['mali', 'wagner'],
    },
  });
  expect(opened.status).toBe(201);
  expect(opened.body.version).toBe(0);
  expect(opened.headers.get('etag')).toBe('"0"');
  incidentId = opened.body.id;
});

afterAll(async () => {
  await api.close();
});

describe('bad input is refused with problem+json and appends nothing', () => {
  const claimPath = () => `/incidents/${incidentId}/claims`;
  const somewhereClaim = () => `/incidents/${incidentId}/claims/${uuidv7()}`;

  // [name, request, expected status, expected code, expected field (if any)]
  type Case = [string, () => { method: string; path: string; body?: unknown; rawBody?: string; who?: 'editor' | 'reader' | 'none'; headers?: Record<string, string> }, number, string, string?];

  const cases: Case[] = [
    ['malformed JSON', () => ({ method: 'POST', path: claimPath(), rawBody: '{"summary": "unterminated' }), 400, 'malformed_json', 'body'],
    ['a body that is not JSON', () => ({ method: 'POST', path: '/sources', rawBody: 'name=JNIM', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
    ['no body at all', () => ({ method: 'POST', path: '/sources' }), 400, 'validation_failed', 'body'],
    ['an unknown field', () => ({ method: 'POST', path: claimPath(), body: claim({ deathToll: 50 }) }), 400, 'validation_failed', 'deathToll'],
    ['a missing field', () => ({ method: 'POST', path: claimPath(), body: claim({ summary: undefined }) }), 400, 'validation_failed', 'summary'],
    ['a wrong type', () => ({ method: 'POST', path: claimPath(), body: claim({ figures: [{ ...claim().figures[0], value: '50' }] }) }), 400, 'validation_failed', 'figures[0].value'],
    ['an unknown enum value', () => ({ method: 'POST', path: claimPath(), body: claim({ kind: 'rumour' }) }), 400, 'validation_failed', 'kind'],
    ['a negative figure', () => ({ method: 'POST', path: claimPath(), body: claim({ figures: [{ ...claim().figures[0], value: -3 }] }) }), 422, 'figure_value_invalid', 'figures[0].value'],
    ['a fractional figure', () => ({ method: 'POST', path: claimPath(), body: claim({ figures: [{ ...claim().figures[0], value: 2.5 }] }) }), 422, 'figure_value_invalid', 'figures[0].value'],
    ['a value with unspecified', () => ({ method: 'POST', path: claimPath(), body: claim({ figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'unspecified', value: 3, originalText: 'numerous' }] }) }), 422, 'figure_value_forbidden', 'figures[0].value'],
    ['no value with at_least', () => ({ method: 'POST', path: claimPath(), body: claim({ figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'at_least', originalText: 'at least' }] }) }), 422, 'figure_value_required', 'figures[0].value'],
    ['more than 50 figures', () => ({ method: 'POST', path: claimPath(), body: claim({ figures: Array.from({ length: 51 }, () => claim().figures[0]) }) }), 400, 'validation_failed', 'figures'],
    ['a future statedAt', () => ({ method: 'POST', path: claimPath(), body: claim({ statedAt: FAR_FUTURE }) }), 422, 'stated_at_in_future', 'statedAt'],
    ['a statedAt that is not ISO-8601', () => ({ method: 'POST', path: claimPath(), body: claim({ statedAt: 'last Sunday' }) }), 400, 'validation_failed', 'statedAt'],
    ['an over-long title', () => ({ method: 'PATCH', path: `/incidents/${incidentId}`, body: { title: 'x'.repeat(201), reason: 'typo' } }), 400, 'validation_failed', 'title'],
    ['an over-long quote', () => ({ method: 'POST', path: `/incidents/${incidentId}/statements`, body: { sourceId: jnim, medium: 'communique', quote: 'q'.repeat(20_001), language: 'ar', statedAt: '2024-07-28T00:00:00Z' } }), 400, 'validation_failed', 'quote'],
    ['an oversized body', () => ({ method: 'POST', path: claimPath(), body: claim({ summary: 's'.repeat(70_000) }) }), 413, 'body_too_large'],
    ['a malformed incident id', () => ({ method: 'POST', path: '/incidents/not-a-uuid/claims', body: claim() }), 400, 'validation_failed', 'path.incidentId'],
    ['an unknown incident', () => ({ method: 'POST', path: `/incidents/${uuidv7()}/claims`, body: claim() }), 404, 'incident_not_found'],
    ['an unknown claim (amendment)', () => ({ method: 'POST', path: `${somewhereClaim()}/amendments`, body: { summary: 'raised', statedAt: '2024-07-29T00:00:00Z', reason: 'new communique' } }), 404, 'claim_not_found', 'claimId'],
    ['an unknown claim (retraction)', () => ({ method: 'POST', path: `${somewhereClaim()}/retractions`, body: { reason: 'withdrawn', statedAt: '2024-07-29T00:00:00Z' } }), 404, 'claim_not_found', 'claimId'],
    ['an unknown claim (correction)', () => ({ method: 'POST', path: `${somewhereClaim()}/corrections`, body: { summary: 'typo fixed', reason: 'typo' } }), 404, 'claim_not_found', 'claimId'],
    ['an unknown claim (assessment)', () => ({ method: 'POST', path: `${somewhereClaim()}/assessments`, body: { grade: 'confirmed', rationale: 'seen' } }), 404, 'claim_not_found', 'claimId'],
    ['an unregistered claimant', () => ({ method: 'POST', path: claimPath(), body: claim({ claimantId: uuidv7() }) }), 422, 'source_not_registered', 'claimantId'],
    ['an unregistered conduit', () => ({ method: 'POST', path: claimPath(), body: claim({ via: [site, uuidv7()] }) }), 422, 'source_not_registered', 'via[1]'],
    ['an unregistered statement source', () => ({ method: 'POST', path: `/incidents/${incidentId}/statements`, body: { sourceId: uuidv7(), medium: 'communique', quote: 'q', language: 'ar', statedAt: '2024-07-28T00:00:00Z' } }), 422, 'source_not_registered', 'sourceId'],
    ['a link to an unknown incident', () => ({ method: 'POST', path: `/incidents/${incidentId}/links`, body: { otherIncidentId: uuidv7(), relation: 'follows' } }), 422, 'incident_not_found', 'otherIncidentId'],
    ['a link to itself', () => ({ method: 'POST', path: `/incidents/${incidentId}/links`, body: { otherIncidentId: incidentId, relation: 'follows' } }), 422, 'link_to_self', 'otherIncidentId'],
    ['a revision of an unknown source', () => ({ method: 'PATCH', path: `/sources/${uuidv7()}`, body: { description: 'x', reason: 'y' } }), 404, 'source_not_found'],
    ['an unknown source kind', () => ({ method: 'POST', path: '/sources', body: { name: 'X', kind: 'militia' } }), 400, 'validation_failed', 'kind'],
    ['a bad country code', () => ({ method: 'POST', path: '/incidents', body: { title: 'T', location: { place: 'P', country: 'Mali', precision: 'country' }, occurred: { from: '2024-07-27', precision: 'day' } } }), 400, 'validation_failed', 'location.country'],
    ['an unparseable If-Match', () => ({ method: 'POST', path: claimPath(), body: claim(), headers: { 'if-match': 'yesterday' } }), 400, 'validation_failed', 'header.if-match'],
    ['a stale If-Match', () => ({ method: 'POST', path: claimPath(), body: claim(), headers: { 'if-match': '"99"' } }), 412, 'version_mismatch'],
    ['no API key', () => ({ method: 'POST', path: claimPath(), body: claim(), who: 'none' }), 401, 'unauthenticated'],
    ['a wrong API key', () => ({ method: 'POST', path: claimPath(), body: claim(), who: 'none', headers: { authorization: 'Bearer not-a-key-of-this-service' } }), 401, 'unauthenticated'],
    ['a reader’s key', () => ({ method: 'POST', path: claimPath(), body: claim(), who: 'reader' }), 403, 'forbidden'],
    ['a reader’s key on PATCH', () => ({ method: 'PATCH', path: `/incidents/${incidentId}`, body: { title: 'T', reason: 'r' }, who: 'reader' }), 403, 'forbidden'],
  ];

  // A rest parameter: Jest reads a function with more parameters than the row as one that takes `done`.
  it.each(cases)('%s', async (...[, build, status, code, field]: Case) => {
    const before = await ledgerLength(api.app);
    const { method, path, body, rawBody, who = 'editor', headers } = build();
    const response = await api.http(who, method, path, { body, rawBody, headers });

    expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
    if (field) expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await ledgerLength(api.app)).toBe(before);
  });

  it('reports every invalid field of a request at once', async () => {
    const response = await api.http('editor', 'POST', claimPath(), { body: { ...claim(), kind: 'rumour', summary: '', extra: 1 } });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string; code: string }) => `${error.field}:${error.code}`).sort()).toEqual(
      ['extra:unknown_field', 'kind:invalid_value', 'summary:too_small'].sort(),
    );
  });

  it('answers unknown routes with a problem too', async () => {
    const response = await api.http('editor', 'GET', '/no-such-route');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('the claim’s later life', () => {
  it('amends, corrects, assesses and retracts, and a retried retraction is a 200 no-op', async () => {
    const claimId = await reportClaim();
    const base = `/incidents/${incidentId}/claims/${claimId}`;
    expect((await api.http('editor', 'POST', `${base}/amendments`, { body: { summary: 'JNIM raises its toll', statedAt: '2024-07-29T00:00:00Z', reason: 'second communique' } })).status).toBe(201);
    expect((await api.http('editor', 'POST', `${base}/corrections`, { body: { via: [site], reason: 'conduit was missing' } })).status).toBe(201);
    expect((await api.http('editor', 'POST', `${base}/assessments`, { body: { grade: 'contested', rationale: 'no independent confirmation' } })).status).toBe(201);

    const retraction = { reason: 'JNIM withdrew the figure', statedAt: '2024-07-30T00:00:00Z', retractedBy: 'claimant' };
    const first = await api.http('editor', 'POST', `${base}/retractions`, { body: retraction });
    expect(first.status).toBe(201);
    const again = await api.http('editor', 'POST', `${base}/retractions`, { body: retraction });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(first.body.version);

    const amendRetracted = await api.http('editor', 'POST', `${base}/amendments`, { body: { summary: 'x', statedAt: '2024-07-30T00:00:00Z', reason: 'y' } });
    expect(amendRetracted.status).toBe(409);
    expect(amendRetracted.body.code).toBe('claim_retracted');
  });

  it('reads an id the same however its letters are cased', async () => {
    const claimId = uuidv7();
    const reported = await api.http('editor', 'POST', `/incidents/${incidentId.toUpperCase()}/claims`, { body: claim({ claimId: claimId.toUpperCase() }) });
    expect(reported.body).toMatchObject({ id: incidentId, claimId });
    const assessed = await api.http('editor', 'POST', `/incidents/${incidentId}/claims/${claimId}/assessments`, { body: { grade: 'unverified', rationale: 'new' } });
    expect(assessed.status).toBe(201);
  });

  it('makes a create with a client-supplied id safe to retry', async () => {
    const claimId = uuidv7();
    const first = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim({ claimId, claimantId: blogs, via: [] }) });
    const retry = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim({ claimId, claimantId: blogs, via: [] }) });
    expect([first.status, retry.status]).toEqual([201, 200]);
    expect(retry.body).toEqual(first.body);
    const different = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim({ claimId, summary: 'another claim' }) });
    expect(different.status).toBe(409);
    expect(different.body.code).toBe('claim_exists');
  });
});

describe('concurrent and retried writes', () => {
  it('20 writes with the same If-Match: one 201, nineteen 412', async () => {
    const version = (await api.http('auditor', 'GET', `/incidents/${incidentId}/events?limit=1`)).body.version;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim({ summary: `racing claim ${i}` }), headers: { 'if-match': `"${version}"` } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(412)]);
    const winner = responses.find((response) => response.status === 201)!;
    expect(winner.body.version).toBe(version + 1);
  });

  it('the same Idempotency-Key 20 times at once: one event, twenty identical answers', async () => {
    const before = await ledgerLength(api.app);
    const key = `claim-${uuidv7()}`;
    const body = claim({ summary: 'sent by a flaky newsroom app' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body, headers: { 'idempotency-key': key } })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(new Set(responses.map((response) => response.headers.get('etag'))).size).toBe(1);
    expect(await ledgerLength(api.app)).toBe(before + 1);

    const otherBody = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: { ...body, summary: 'changed' }, headers: { 'idempotency-key': key } });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.code).toBe('idempotency_key_reused');
    expect(await ledgerLength(api.app)).toBe(before + 1);
  });

  it('a failed request frees its Idempotency-Key for the corrected retry', async () => {
    const key = `claim-${uuidv7()}`;
    const bad = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim({ statedAt: FAR_FUTURE }), headers: { 'idempotency-key': key } });
    expect(bad.status).toBe(422);
    const fixed = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim(), headers: { 'idempotency-key': key } });
    expect(fixed.status).toBe(201);
  });

  it('50 concurrent claims without If-Match: all stored, revisions contiguous', async () => {
    const start = (await api.http('auditor', 'GET', `/incidents/${incidentId}/events?limit=1`)).body.version;
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: claim({ summary: `claim ${i}` }) })));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));

    const stream = await api.http('auditor', 'GET', `/incidents/${incidentId}/events?fromVersion=${start + 1}&limit=1000`);
    const reported = stream.body.events.filter((event: { type: string }) => event.type === 'ClaimReported');
    expect(reported.map((event: { data: { summary: string } }) => event.data.summary).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `claim ${i}`).sort());
    expect(stream.body.events.map((event: { revision: number }) => event.revision)).toEqual(Array.from({ length: 50 }, (_, i) => start + 1 + i));
    expect(responses.map((response) => response.body.version).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => start + 1 + i));
  });
});

describe('reading the record', () => {
  it('answers /incidents/{id}/events and /ledger to auditors only', async () => {
    expect((await api.http('reader', 'GET', `/incidents/${incidentId}/events`)).status).toBe(403);
    expect((await api.http('editor', 'GET', '/ledger')).status).toBe(403);
    expect((await api.http('auditor', 'GET', `/incidents/${uuidv7()}/events`)).status).toBe(404);
    const bad = await api.http('auditor', 'GET', '/ledger?after=not-a-position');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.after');
  });

  it('serves health, the OpenAPI document and its docs without a key', async () => {
    const health = await api.http('none', 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ready: true, checks: { database: { status: 'up' }, eventStore: { status: 'up' }, projections: { status: 'up', failed: [] } } });
    const openapi = await api.http('none', 'GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/incidents/{incidentId}/claims', '/sources', '/ledger']));
    expect(openapi.body.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    expect((await api.http('none', 'GET', '/docs')).status).toBe(200);
  });
});
