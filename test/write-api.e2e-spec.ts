import { v7 as uuidv7 } from 'uuid';
import { CLAIM_AMENDABLE_FIELDS, CLAIM_CORRECTABLE_FIELDS, INCIDENT_LIMITS as LIMIT, INCIDENT_REVISABLE_FIELDS } from '../src/incidents/domain/incident.commands.js';
import { SOURCE_LIMITS, SOURCE_REVISABLE_FIELDS } from '../src/sources/domain/source.commands.js';
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

const incident = (overrides: Record<string, unknown> = {}) => ({
  title: 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten',
  location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
  occurred: { from: '2024-07-27', precision: 'day' },
  tags: ['mali', 'wagner'],
  ...overrides,
});

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
  const opened = await api.http('editor', 'POST', '/incidents', { body: incident() });
  expect(opened.status).toBe(201);
  expect(opened.body.version).toBe(0);
  expect(opened.headers.get('etag')).toBe('"0"');
  incidentId = opened.body.id;
});

afterAll(async () => {
  await api.close();
});

describe('bad input is refused with problem+json and appends nothing', () => {
  // Set in beforeAll; the cases read them when they run.
  let claimId: string;
  let battleId: string;

  beforeAll(async () => {
    claimId = await reportClaim();
    const battle = await api.http('editor', 'POST', '/incidents', { body: incident({ title: 'Battle of Tinzaouaten' }) });
    expect(battle.status).toBe(201);
    battleId = battle.body.id;
  });

  interface Request {
    method: string;
    path: string;
    body?: unknown;
    rawBody?: string;
    who?: 'editor' | 'reader' | 'none';
    headers?: Record<string, string>;
  }

  /** The answer expected: status, problem code and, when the problem names one, the field and the rule it broke there. */
  interface Refusal {
    status: number;
    code: string;
    field?: string;
    rule?: string;
  }

  type Case = [name: string, request: () => Request, refusal: Refusal];

  const refused = (status: number, code: string, field?: string, rule?: string): Refusal => ({ status, code, field, rule });
  const invalidField = (field: string, rule?: string) => refused(400, 'validation_failed', field, rule);

  type PathIds = Record<'incidentId' | 'claimId' | 'sourceId', string>;

  interface WriteRoute {
    /** Method and path as §5 names them; the ids in braces are those of the entities set up above. */
    route: string;
    /** A body the route accepts: each case breaks one thing in it. */
    body: () => Record<string, unknown>;
    required: string;
    wrongType: [field: string, value: unknown];
    /** A text field (for NUL and, with its limit, for length). */
    text: [field: string, limit?: number];
    /** The ids in the path that, unknown, are a 404, with its code. */
    notFound: [id: keyof PathIds, code: string][];
  }

  const noIncident: [keyof PathIds, string] = ['incidentId', 'incident_not_found'];
  const noClaim: [keyof PathIds, string] = ['claimId', 'claim_not_found'];

  // Every write route of §5, with a body it accepts.
  const route = {
    registerSource: {
      route: 'POST /sources',
      body: () => ({ name: 'Malian army', kind: 'state_military' }),
      required: 'name',
      wrongType: ['confidential', 'yes'],
      text: ['name', SOURCE_LIMITS.name],
      notFound: [],
    },
    reviseSource: {
      route: 'PATCH /sources/{sourceId}',
      body: () => ({ description: 'al-Qaeda affiliate in the Sahel', reason: 'context for readers' }),
      required: 'reason',
      wrongType: ['aliases', 'Nusrat al-Islam'],
      text: ['description', SOURCE_LIMITS.description],
      notFound: [['sourceId', 'source_not_found']],
    },
    openIncident: {
      route: 'POST /incidents',
      body: () => incident(),
      required: 'title',
      wrongType: ['tags', 'mali'],
      text: ['title', LIMIT.title],
      notFound: [],
    },
    reviseIncident: {
      route: 'PATCH /incidents/{incidentId}',
      body: () => ({ title: 'JNIM ambush near Tinzaouaten', reason: 'SITE names JNIM' }),
      required: 'reason',
      wrongType: ['occurred', '2024-07-27'],
      text: ['title', LIMIT.title],
      notFound: [noIncident],
    },
    linkIncidents: {
      route: 'POST /incidents/{incidentId}/links',
      body: () => ({ otherIncidentId: battleId, relation: 'follows' }),
      required: 'otherIncidentId',
      wrongType: ['relation', 1],
      text: ['relation'], // a link has no free text: its enum takes the NUL
      notFound: [noIncident],
    },
    mergeIncident: {
      route: 'POST /incidents/{incidentId}/merge',
      body: () => ({ into: battleId, reason: 'the same fighting, logged twice' }),
      required: 'into',
      wrongType: ['into', 1],
      text: ['reason', LIMIT.reason],
      notFound: [noIncident],
    },
    splitIncident: {
      route: 'POST /incidents/{incidentId}/split',
      body: () => ({ ...incident({ title: 'Battle of Tinzaouaten' }), claims: [claimId], reason: 'the battle is an incident of its own' }),
      required: 'title',
      wrongType: ['claims', 'all of them'],
      text: ['title', LIMIT.title],
      notFound: [noIncident],
    },
    recordStatement: {
      route: 'POST /incidents/{incidentId}/statements',
      body: () => ({ sourceId: jnim, via: [site], medium: 'communique', quote: 'ensnared a convoy in a complex ambush', language: 'en', statedAt: '2024-07-28T00:00:00Z' }),
      required: 'sourceId',
      wrongType: ['via', 'SITE'],
      text: ['quote', LIMIT.quote],
      notFound: [noIncident],
    },
    reportClaim: {
      route: 'POST /incidents/{incidentId}/claims',
      body: () => claim(),
      required: 'summary',
      wrongType: ['statedAt', 1722124800],
      text: ['summary', LIMIT.summary],
      notFound: [noIncident],
    },
    amendClaim: {
      route: 'POST /incidents/{incidentId}/claims/{claimId}/amendments',
      body: () => ({ summary: 'JNIM raises its toll', statedAt: '2024-07-29T00:00:00Z', reason: 'second communique' }),
      required: 'statedAt',
      wrongType: ['figures', 'fifty'],
      text: ['reason', LIMIT.reason],
      notFound: [noIncident, noClaim],
    },
    retractClaim: {
      route: 'POST /incidents/{incidentId}/claims/{claimId}/retractions',
      body: () => ({ reason: 'JNIM withdrew the figure', statedAt: '2024-07-30T00:00:00Z', retractedBy: 'claimant' }),
      required: 'reason',
      wrongType: ['retractedBy', true],
      text: ['reason', LIMIT.reason],
      notFound: [noIncident, noClaim],
    },
    correctClaim: {
      route: 'POST /incidents/{incidentId}/claims/{claimId}/corrections',
      body: () => ({ summary: 'JNIM claims 50 Wagner fighters killed', reason: 'typo' }),
      required: 'reason',
      wrongType: ['via', 'SITE'],
      text: ['summary', LIMIT.summary],
      notFound: [noIncident, noClaim],
    },
    assessClaim: {
      route: 'POST /incidents/{incidentId}/claims/{claimId}/assessments',
      body: () => ({ grade: 'contested', rationale: 'no independent confirmation' }),
      required: 'rationale',
      wrongType: ['grade', 3],
      text: ['rationale', LIMIT.rationale],
      notFound: [noIncident, noClaim],
    },
  } satisfies Record<string, WriteRoute>;
  const writeRoutes: WriteRoute[] = Object.values(route);

  /** The route's request with `overrides` merged into its body, at the entities set up (or at the `ids` given). */
  function requestTo(write: WriteRoute, overrides: Record<string, unknown> = {}, ids: Partial<PathIds> = {}): Request {
    const [method, template] = write.route.split(' ');
    const known: PathIds = { incidentId, claimId, sourceId: jnim, ...ids };
    return { method, path: template.replace(/\{(\w+)\}/g, (_, id: keyof PathIds) => known[id]), body: { ...write.body(), ...overrides } };
  }

  /** A case of `write`, named after its route. */
  const caseOf = (write: WriteRoute, name: string, request: (write: WriteRoute) => Request, refusal: Refusal): Case => [`${write.route}: ${name}`, () => request(write), refusal];
  const withBody = (overrides: Record<string, unknown>) => (write: WriteRoute) => requestTo(write, overrides);
  const withHeaders = (headers: Record<string, string>, who?: Request['who']) => (write: WriteRoute) => ({ ...requestTo(write), headers, who });

  // What every write route must refuse.
  const everyRoute = writeRoutes.flatMap((write): Case[] => {
    const [textField, limit] = write.text;
    const [wrongField, wrongValue] = write.wrongType;
    return [
      caseOf(write, 'malformed JSON', (w) => ({ ...requestTo(w), rawBody: '{"reason": "unterminated' }), refused(400, 'malformed_json', 'body')),
      caseOf(write, 'an unknown field', withBody({ deathToll: 50 }), invalidField('deathToll', 'unknown_field')),
      caseOf(write, 'a missing field', withBody({ [write.required]: undefined }), invalidField(write.required, 'required')),
      caseOf(write, 'a wrong type', withBody({ [wrongField]: wrongValue }), invalidField(wrongField)),
      ...(limit === undefined ? [] : [caseOf(write, 'an over-long text', withBody({ [textField]: 'x'.repeat(limit + 1) }), invalidField(textField, 'too_big'))]),
      caseOf(write, 'NUL in a text', withBody({ [textField]: 'JNIM\u0000' }), invalidField(textField, 'invalid_characters')),
      caseOf(write, 'a lone surrogate in a text', withBody({ [textField]: 'JNIM \ud800' }), invalidField(textField, 'invalid_characters')),
      caseOf(write, 'an oversized body', withBody({ padding: 'x'.repeat(70_000) }), refused(413, 'body_too_large')),
      caseOf(write, 'an over-long X-Correlation-Id', withHeaders({ 'x-correlation-id': 'x'.repeat(201) }), invalidField('header.x-correlation-id', 'invalid_correlation_id')),
      caseOf(write, 'no API key', withHeaders({}, 'none'), refused(401, 'unauthenticated')),
      caseOf(write, 'a reader’s key', withHeaders({}, 'reader'), refused(403, 'forbidden')),
      ...write.notFound.map(([id, code]) => caseOf(write, `an unknown ${id}`, (w) => requestTo(w, {}, { [id]: uuidv7() }), refused(404, code))),
    ];
  });

  // The rules of some routes only.
  const figure = { party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Russian Wagner mercenaries' };
  const figureRules: [string, Record<string, unknown>, string][] = [
    ['a negative figure', { ...figure, value: -3 }, 'figure_value_invalid'],
    ['a fractional figure', { ...figure, value: 2.5 }, 'figure_value_invalid'],
    ['a value with unspecified', { ...figure, qualifier: 'unspecified', originalText: 'numerous' }, 'figure_value_forbidden'],
    ['no value with at_least', { ...figure, qualifier: 'at_least', value: undefined }, 'figure_value_required'],
  ];
  const unregistered = (write: WriteRoute, field: string, overrides: () => Record<string, unknown>): Case =>
    caseOf(write, `an unregistered ${field}`, (w) => requestTo(w, overrides()), refused(422, 'source_not_registered', field));
  const someRoutes: Case[] = [
    ...[route.reportClaim, route.amendClaim, route.correctClaim].flatMap((write) =>
      figureRules.map(([name, bad, code]) => caseOf(write, name, withBody({ figures: [bad] }), refused(422, code, 'figures[0].value'))),
    ),
    ...[route.recordStatement, route.reportClaim, route.amendClaim, route.retractClaim, route.correctClaim].map((write) =>
      caseOf(write, 'a future statedAt', withBody({ statedAt: FAR_FUTURE }), refused(422, 'stated_at_in_future', 'statedAt')),
    ),
    unregistered(route.reportClaim, 'claimantId', () => ({ claimantId: uuidv7() })),
    unregistered(route.reportClaim, 'via[1]', () => ({ via: [site, uuidv7()] })),
    unregistered(route.recordStatement, 'sourceId', () => ({ sourceId: uuidv7() })),
    unregistered(route.recordStatement, 'via[0]', () => ({ via: [uuidv7()] })),
    unregistered(route.correctClaim, 'claimantId', () => ({ claimantId: uuidv7() })),
    unregistered(route.correctClaim, 'via[0]', () => ({ via: [uuidv7()] })),
    // PostgreSQL holds the years 0001–9999: a time outside them would stall the projections for good.
    caseOf(route.openIncident, 'an occurred date in the year 0', withBody({ occurred: { from: '0000-01-01', precision: 'day' } }), invalidField('occurred.from', 'time_out_of_range')),
    caseOf(route.reviseIncident, 'an occurred instant in the year 0 in UTC', withBody({ occurred: { from: '0001-01-01T00:00:00+01:00', precision: 'time' } }), invalidField('occurred.from', 'time_out_of_range')),
    caseOf(route.reportClaim, 'a statedAt in the year 0 in UTC', withBody({ statedAt: '0001-01-01T00:00:00+01:00' }), invalidField('statedAt', 'time_out_of_range')),
    caseOf(route.recordStatement, 'a publishedAt in the year 10000 in UTC', withBody({ publishedAt: '9999-12-31T23:00:00-02:00' }), invalidField('publishedAt', 'time_out_of_range')),
    caseOf(route.recordStatement, 'an over-long language tag', withBody({ language: `en-${Array(5).fill('abcdefgh').join('-')}` }), invalidField('language', 'too_big')),
    caseOf(route.reportClaim, 'an X-Correlation-Id with a space', withHeaders({ 'x-correlation-id': 'trace 1' }), invalidField('header.x-correlation-id', 'invalid_correlation_id')),
    // Input refused alike on any route, tried on one.
    caseOf(route.reportClaim, 'an unknown enum value', withBody({ kind: 'rumour' }), invalidField('kind', 'invalid_value')),
    caseOf(route.reportClaim, 'more than 50 figures', withBody({ figures: Array(51).fill(figure) }), invalidField('figures', 'too_big')),
    caseOf(route.reportClaim, 'a statedAt that is not ISO-8601', withBody({ statedAt: 'last Sunday' }), invalidField('statedAt')),
    caseOf(route.reportClaim, 'NUL deep in a figure', withBody({ figures: [figure, { ...figure, originalText: '\u0000' }] }), invalidField('figures[1].originalText', 'invalid_characters')),
    caseOf(route.registerSource, 'NUL in a key', (w) => ({ ...requestTo(w), rawBody: '{"name": "JNIM", "kind": "armed_group", "x\\u0000": 1}' }), invalidField('x\u0000', 'invalid_characters')),
    caseOf(route.registerSource, 'a body that is not JSON', (w) => ({ ...requestTo(w), rawBody: 'name=JNIM', headers: { 'content-type': 'text/plain' } }), refused(415, 'unsupported_media_type')),
    caseOf(route.registerSource, 'no body at all', (w) => ({ ...requestTo(w), body: undefined }), invalidField('body')),
    caseOf(route.reportClaim, 'a malformed incident id', (w) => requestTo(w, {}, { incidentId: 'not-a-uuid' }), invalidField('path.incidentId')),
    caseOf(route.linkIncidents, 'a link to an unknown incident', withBody({ otherIncidentId: uuidv7() }), refused(422, 'incident_not_found', 'otherIncidentId')),
    caseOf(route.linkIncidents, 'a link to itself', (w) => requestTo(w, { otherIncidentId: incidentId }), refused(422, 'link_to_self', 'otherIncidentId')),
    caseOf(route.openIncident, 'a bad country code', withBody({ location: { place: 'P', country: 'Mali', precision: 'country' } }), invalidField('location.country')),
    caseOf(route.reportClaim, 'an unparseable If-Match', withHeaders({ 'if-match': 'yesterday' }), invalidField('header.if-match')),
    caseOf(route.reportClaim, 'a stale If-Match', withHeaders({ 'if-match': '"99"' }), refused(412, 'version_mismatch')),
    caseOf(route.reportClaim, 'a wrong API key', withHeaders({ authorization: 'Bearer not-a-key-of-this-service' }, 'none'), refused(401, 'unauthenticated')),
  ];

  // A rest parameter: Jest reads a function with more parameters than the row as one that takes `done`.
  it.each([...everyRoute, ...someRoutes])('%s', async (...[, build, { status, code, field, rule }]: Case) => {
    const before = await ledgerLength(api.app);
    const { method, path, body, rawBody, who = 'editor', headers } = build();
    const response = await api.http(who, method, path, { body, rawBody, headers });

    expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
    if (field) expect(response.body.errors).toContainEqual(expect.objectContaining(rule ? { field, code: rule } : { field }));
    expect(await ledgerLength(api.app)).toBe(before);
  });

  it.each([
    { write: route.reviseIncident, body: { reason: 'nothing yet' }, code: 'revision_empty', fields: INCIDENT_REVISABLE_FIELDS },
    { write: route.reviseSource, body: { reason: 'nothing yet' }, code: 'revision_empty', fields: SOURCE_REVISABLE_FIELDS },
    { write: route.amendClaim, body: { statedAt: '2024-07-29T00:00:00Z', reason: 'nothing yet' }, code: 'amendment_empty', fields: CLAIM_AMENDABLE_FIELDS },
    { write: route.correctClaim, body: { reason: 'nothing yet' }, code: 'correction_empty', fields: CLAIM_CORRECTABLE_FIELDS },
  ] as { write: WriteRoute; body: object; code: string; fields: readonly string[] }[])('$write.route that changes nothing names each field it could change', async ({ write, body, code, fields }) => {
    const before = await ledgerLength(api.app);
    const response = await api.http('editor', requestTo(write).method, requestTo(write).path, { body });
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 422, code });
    expect(response.body.errors).toEqual(fields.map((field) => ({ field, code, message: expect.any(String) })));
    expect(await ledgerLength(api.app)).toBe(before);
  });

  it('reports every invalid field of a request at once', async () => {
    const { method, path } = requestTo(route.reportClaim);
    const response = await api.http('editor', method, path, { body: { ...claim(), kind: 'rumour', summary: '', extra: 1, via: ['\u0000'] } });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string; code: string }) => `${error.field}:${error.code}`).sort()).toEqual(
      ['extra:unknown_field', 'kind:invalid_value', 'summary:too_small', 'via[0]:invalid_characters', 'via[0]:invalid_format'].sort(),
    );
  });

  it('answers unknown routes with a problem too', async () => {
    const response = await api.http('editor', 'GET', '/no-such-route');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('bad query strings are refused with problem+json', () => {
  // `{incidentId}` stands for the incident opened above.
  it.each([
    ['reader', '/incidents?q=%00', 'query.q', 'invalid_characters'],
    ['reader', '/incidents?from=0000-01-01', 'query.from', 'time_out_of_range'],
    ['reader', '/incidents?to=9999-12-31T23:00:00-02:00', 'query.to', 'time_out_of_range'],
    ['reader', '/sources?q=JNIM%00', 'query.q', 'invalid_characters'],
    ['reader', '/incidents/{incidentId}?asOf=%00', 'query.asOf', 'invalid_characters'],
    ['auditor', '/audit/proofs/inclusion?position=%00', 'query.position', 'invalid_characters'],
    ['auditor', '/ledger?after=%00', 'query.after', 'invalid_characters'],
  ] as const)('as %s, GET %s', async (who, path, field, rule) => {
    const response = await api.http(who, 'GET', path.replace('{incidentId}', incidentId));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field, code: rule }));
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
    expect(health.body).toEqual({ status: 'ready', live: true, ready: true });
    const openapi = await api.http('none', 'GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/incidents/{incidentId}/claims', '/sources', '/ledger']));
    expect(openapi.body.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    expect((await api.http('none', 'GET', '/docs')).status).toBe(200);
  });
});
