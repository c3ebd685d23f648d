import { DataSource } from 'typeorm';
import { parse } from 'csv-parse/sync';
import type { IncidentView } from '../src/incidents/read-model/incident-view.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Merges, splits and links seen from both sides, over HTTP, with the worked example: a
// duplicate of the ambush absorbed into it, and the battle of 25–27 July split off an
// incident that conflated it with the ambush.

let api: TestApp;
let jnim: string;
let site: string;
let blogs: string;
let ambush: string;
let battle: string;

const wagnerKilled = (qualifier: string, value: number, originalText: string) => ({ party: 'Wagner', outcome: 'killed', qualifier, value, originalText });
const jnimFigures = [wagnerKilled('exact', 50, '50 Russian Wagner mercenaries'), { party: 'Malian army', outcome: 'killed', qualifier: 'exact', value: 10, originalText: '10 Malian soldiers' }];
const location = { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' };

async function created(path: string, body: unknown): Promise<Record<string, string>> {
  const response = await api.http('editor', 'POST', path, { body });
  expect(response.status).toBe(201);
  return response.body;
}

const openIncident = async (title: string, occurred: object = { from: '2024-07-27', precision: 'day' }) => (await created('/incidents', { title, location, occurred, tags: ['Tinzaouaten'] })).id;
const reportClaim = async (incidentId: string, claimantId: string, figures: unknown[], statedAt: string, extra: object = {}) =>
  (await created(`/incidents/${incidentId}/claims`, { claimantId, via: [], summary: `${claimantId} on the dead`, kind: 'casualties', figures, statedAt, ...extra })).claimId;
const view = async (incidentId: string, query = ''): Promise<IncidentView> => {
  const response = await api.http('reader', 'GET', `/incidents/${incidentId}${query}`);
  expect(response.status).toBe(200);
  return response.body;
};
const headlines = async (incidentId: string): Promise<string[]> => (await api.http('reader', 'GET', `/incidents/${incidentId}/timeline`)).body.entries.map((entry: { headline: string }) => entry.headline);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  api = await startTestApp();
  jnim = (await created('/sources', { name: 'JNIM', kind: 'armed_group' })).id;
  site = (await created('/sources', { name: 'SITE Intelligence Group', kind: 'monitoring_group' })).id;
  blogs = (await created('/sources', { name: 'Russian military blogs', kind: 'social_media' })).id;
  ambush = await openIncident('Ambush of a Malian army and Wagner convoy south of Tinzaouaten');
  battle = await openIncident('Battle of Tinzaouaten', { from: '2024-07-25', to: '2024-07-27', precision: 'day' });
});

afterAll(async () => {
  await api.close();
});

describe('a link', () => {
  it('shows on both incidents, each reading it from its side, and on neither before it was made', async () => {
    await pause(5);
    const before = new Date().toISOString();
    await pause(5);
    await created(`/incidents/${ambush}/links`, { otherIncidentId: battle, relation: 'follows' });
    await api.projected();

    expect((await view(ambush)).links).toEqual([{ incidentId: battle, relation: 'follows' }]);
    expect((await view(battle)).links).toEqual([{ incidentId: ambush, relation: 'followed_by' }]);
    expect((await view(battle, `?asOf=${before}`)).links).toEqual([]);
    expect((await view(ambush, `?asOf=${before}`)).links).toEqual([]);
    expect(await headlines(battle)).toContain("The desk linked another incident to this one: it is followed by 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten'");
  });
});

describe('a merge of a duplicate', () => {
  let duplicate: string;
  let jnimOnAmbush: string;
  let jnimOnDuplicate: string;
  let beforeMerge: string;

  beforeAll(async () => {
    jnimOnAmbush = await reportClaim(ambush, jnim, jnimFigures, '2024-07-28T00:00:00Z', { via: [site] });
    await reportClaim(ambush, blogs, [wagnerKilled('at_least', 20, 'at least 20 Wagner deaths')], '2024-07-29T00:00:00Z');
    duplicate = await openIncident('Kidal convoy attack');
    jnimOnDuplicate = await reportClaim(duplicate, jnim, jnimFigures, '2024-07-28T00:00:00Z', { via: [site] });
    await pause(5);
    beforeMerge = new Date().toISOString();
    await pause(5);
    const merged = await api.http('editor', 'POST', `/incidents/${duplicate}/merge`, { body: { into: ambush, reason: 'Two editors opened the same ambush' } });
    expect(merged.status).toBe(201);
    await api.projected();
  });

  it('brings its claims to the survivor, each keeping its ids, and counts JNIM once', async () => {
    const survivor = await view(ambush);
    expect(survivor.claims.map((claim) => [claim.claimId, claim.incidentId])).toEqual([
      [jnimOnAmbush, undefined],
      [expect.any(String), undefined],
      [jnimOnDuplicate, duplicate],
    ]);
    const wagner = survivor.casualties.find((entry) => entry.party === 'Wagner')!;
    expect(wagner.figures.map((figure) => [figure.claimantId, figure.claimId, figure.alsoClaimIds])).toEqual([
      [jnim, jnimOnAmbush, [jnimOnDuplicate]],
      [blogs, expect.any(String), undefined],
    ]);
    expect(survivor.lifecycle).toEqual([expect.objectContaining({ type: 'merged_from', incidentId: duplicate, claimIds: [jnimOnDuplicate] })]);
    expect((await headlines(ambush)).at(-1)).toBe("The desk merged 'Kidal convoy attack' into this incident, with 1 claim (Two editors opened the same ambush)");
  });

  it('answers GET of the duplicate with 308 to the survivor, or its frozen view with redirect=false', async () => {
    const redirected = await api.http('reader', 'GET', `/incidents/${duplicate}`);
    expect(redirected.status).toBe(308);
    expect(redirected.headers.get('location')).toBe(`/incidents/${ambush}`);
    expect(redirected.headers.get('link')).toBe(`</incidents/${ambush}>; rel="canonical"`);
    const frozen = await view(duplicate, '?redirect=false');
    expect(frozen).toMatchObject({ id: duplicate, mergedInto: ambush, claims: [{ claimId: jnimOnDuplicate }] });
    expect((await headlines(duplicate)).at(-1)).toBe("The desk merged this incident into 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten' (Two editors opened the same ambush)");
  });

  it('shows both as they were, in time travel before the merge', async () => {
    expect((await view(duplicate, `?asOf=${beforeMerge}`)).mergedInto).toBeUndefined();
    expect((await view(ambush, `?asOf=${beforeMerge}`)).claims.map((claim) => claim.claimId)).not.toContain(jnimOnDuplicate);
    const after = await api.http('reader', 'GET', `/incidents/${duplicate}?asOf=${new Date().toISOString()}`);
    expect(after.status).toBe(308);
    expect(after.headers.get('location')).toMatch(new RegExp(`^/incidents/${ambush}\\?asOf=`));
     // A version is a point of the duplicate's own stream: answered, not redirected.
    expect((await view(duplicate, '?version=1')).claims.map((claim) => claim.claimId)).toEqual([jnimOnDuplicate]);
    const exported = await api.http('reader', 'GET', `/exports/figures.csv?tag=Tinzaouaten&asOf=${beforeMerge}`);
    const rows = parse(exported.body as string, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.filter((row) => row.claimId === jnimOnDuplicate).map((row) => row.incidentId)).toEqual([duplicate, duplicate]);
  });

  it('lists only the survivor in search and exports, with the merged claim’s own incident id', async () => {
    const found = await api.http('reader', 'GET', '/incidents?tag=Tinzaouaten');
    const ids = found.body.items.map((item: { id: string }) => item.id);
    expect(ids).toContain(ambush);
    expect(ids).not.toContain(duplicate);
    const csv = await api.http('reader', 'GET', `/exports/figures.csv?incidentId=${ambush}`);
    const rows = parse(csv.body as string, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.filter((row) => row.claimId === jnimOnDuplicate).map((row) => [row.incidentId, row.reportedOnIncidentId])).toEqual([
      [ambush, duplicate],
      [ambush, duplicate],
    ]);
  });

  it('refuses writes to the duplicate, naming the survivor, and lets the survivor take them', async () => {
    const refused = await api.http('editor', 'POST', `/incidents/${duplicate}/claims`, {
      body: { claimantId: blogs, via: [], summary: 'late', kind: 'other', figures: [], statedAt: '2024-07-30T00:00:00Z' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'incident_merged', mergedInto: ambush });
    const graded = await api.http('editor', 'POST', `/incidents/${ambush}/claims/${jnimOnDuplicate}/assessments`, { body: { grade: 'unverified', rationale: 'Same communique' } });
    expect(graded.status).toBe(201);
  });

  it('redirects along a chain of merges in one step', async () => {
    const first = await openIncident('Convoy ambushed near the Algerian border');
    const second = await openIncident('Wagner convoy ambush');
    expect((await api.http('editor', 'POST', `/incidents/${first}/merge`, { body: { into: second, reason: 'same' } })).status).toBe(201);
    expect((await api.http('editor', 'POST', `/incidents/${second}/merge`, { body: { into: ambush, reason: 'same' } })).status).toBe(201);
    await api.projected();
    const redirected = await api.http('reader', 'GET', `/incidents/${first}`);
    expect(redirected.status).toBe(308);
    expect(redirected.headers.get('location')).toBe(`/incidents/${ambush}`);
  });

  it('lets one of two opposite merges win; the other is refused', async () => {
    const [a, b] = [await openIncident('Duplicate A'), await openIncident('Duplicate B')];
    const answers = await Promise.all([
      api.http('editor', 'POST', `/incidents/${a}/merge`, { body: { into: b, reason: 'same' } }),
      api.http('editor', 'POST', `/incidents/${b}/merge`, { body: { into: a, reason: 'same' } }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.code).toBe('incident_merged');
  });
});

describe('a split of a conflated incident', () => {
  let conflated: string;
  let battleClaim: string;
  let battleStatement: string;
  let ambushClaim: string;
  let split: { id: string; newIncidentId: string };

  beforeAll(async () => {
    conflated = await openIncident('Fighting around Tinzaouaten', { from: '2024-07-25', to: '2024-07-28', precision: 'day' });
    battleStatement = (
      await created(`/incidents/${conflated}/statements`, { sourceId: blogs, medium: 'social_post', quote: 'Heavy fighting for Tinzaouaten since Thursday', language: 'en', statedAt: '2024-07-26T00:00:00Z' })
    ).statementId;
    battleClaim = await reportClaim(conflated, blogs, [wagnerKilled('at_least', 20, 'at least 20 Wagner deaths')], '2024-07-26T00:00:00Z', { statementId: battleStatement });
    ambushClaim = await reportClaim(conflated, jnim, jnimFigures, '2024-07-28T00:00:00Z');
    const response = await api.http('editor', 'POST', `/incidents/${conflated}/split`, {
      body: {
        claims: [battleClaim],
        statements: [battleStatement],
        title: 'Battle of Tinzaouaten, 25–27 July',
        location,
        occurred: { from: '2024-07-25', to: '2024-07-27', precision: 'day' },
        reason: 'The battle and the ambush after it are two incidents',
      },
    });
    expect(response.status).toBe(201);
    split = response.body;
    await api.projected();
  });

  it('opens the new incident with the claims and statements moved, each keeping its id and origin', async () => {
    const battleView = await view(split.newIncidentId);
    expect(battleView).toMatchObject({ title: 'Battle of Tinzaouaten, 25–27 July', links: [{ incidentId: conflated, relation: 'related' }] });
    expect(battleView.claims.map((claim) => [claim.claimId, claim.incidentId, claim.changes[0].type])).toEqual([[battleClaim, conflated, 'reported']]);
    expect(battleView.statements.map((statement) => [statement.statementId, statement.incidentId])).toEqual([[battleStatement, conflated]]);
    expect(battleView.lifecycle).toEqual([expect.objectContaining({ type: 'split_from', incidentId: conflated, claimIds: [battleClaim], statementIds: [battleStatement] })]);
  });

  it('leaves the rest where it was, and both views and timelines say so', async () => {
    const left = await view(conflated);
    expect(left.claims.map((claim) => claim.claimId)).toEqual([ambushClaim]);
    expect(left.statements).toEqual([]);
    expect(left.links).toEqual([{ incidentId: split.newIncidentId, relation: 'related' }]);
    expect(left.lifecycle).toEqual([expect.objectContaining({ type: 'split_into', incidentId: split.newIncidentId, claimIds: [battleClaim] })]);
    expect(await headlines(conflated)).toContain(
      "The desk split 1 claim and 1 statement off into 'Battle of Tinzaouaten, 25–27 July' (The battle and the ambush after it are two incidents)",
    );
    expect(await headlines(split.newIncidentId)).toContain(
      "The desk split 1 claim and 1 statement off from 'Fighting around Tinzaouaten' into this incident (The battle and the ambush after it are two incidents)",
    );
  });

  it('sends writes on a moved claim to its new incident', async () => {
    const path = (incidentId: string) => `/incidents/${incidentId}/claims/${battleClaim}/retractions`;
    const body = { reason: 'deleted post', statedAt: '2024-07-30T00:00:00Z', retractedBy: 'claimant' };
    const refused = await api.http('editor', 'POST', path(conflated), { body });
    expect(refused).toMatchObject({ status: 409, body: { code: 'claim_moved' } });
    expect((await api.http('editor', 'POST', path(split.newIncidentId), { body })).status).toBe(201);
  });

  it('keeps the source’s track record with the incident that holds each claim', async () => {
    const rows = await api.app.get(DataSource).query('SELECT incident_id FROM source_view_claims WHERE claim_id = $1', [battleClaim]);
    expect(rows).toEqual([{ incident_id: split.newIncidentId }]);
  });

  it('refuses a claim that stays without the statement it cites', async () => {
    const refused = await api.http('editor', 'POST', `/incidents/${conflated}/split`, {
      body: { claims: [], statements: [], title: 'x', location, occurred: { from: '2024-07-27', precision: 'day' }, reason: 'x' },
    });
    expect(refused).toMatchObject({ status: 422, body: { code: 'split_empty' } });
  });
});
