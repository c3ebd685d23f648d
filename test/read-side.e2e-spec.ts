import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import type { CasualtyEntry } from '../src/incidents/read-model/casualty-summary.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The worked example of PRODUCT.md §4 over HTTP: Wagner killed is claimed between 1 and 50
// by three claimants; JNIM's retraction (a step of this test, never demo data) narrows it
// to 1–20, and the timeline, time travel and diff each tell that change.

let api: TestApp;
let incidentId: string;
let jnim: string;
let site: string;
let wagner: string;
let blogs: string;
let jnimClaim: string;
/** recordedAt of the retraction, read from the timeline. */
let retractedAt: string;

const wagnerKilled = (qualifier: string, value: number, originalText: string) => ({ party: 'Wagner', outcome: 'killed', qualifier, value, originalText });

async function created(path: string, body: unknown): Promise<Record<string, string>> {
  const response = await api.http('editor', 'POST', path, { body });
  expect(response.status).toBe(201);
  return response.body;
}

async function reportClaim(claimantId: string, via: string[], figure: unknown, statedAt: string): Promise<string> {
  const claim = { claimantId, via, summary: `${claimantId} on Wagner's dead`, kind: 'casualties', figures: [figure], statedAt };
  return (await created(`/incidents/${incidentId}/claims`, claim)).claimId;
}

const read = (path: string) => api.http('reader', 'GET', path);
const wagnerKilledIn = (view: { casualties: CasualtyEntry[] }) => view.casualties.find((entry) => entry.party === 'Wagner' && entry.outcome === 'killed');
const claimantsOf = (entry: CasualtyEntry | undefined) => entry?.figures.map((figure) => figure.claimantId);

beforeAll(async () => {
  api = await startTestApp();
  jnim = (await created('/sources', { name: 'JNIM', kind: 'armed_group' })).id;
  site = (await created('/sources', { name: 'SITE Intelligence Group', kind: 'monitoring_group' })).id;
  blogs = (await created('/sources', { name: 'Russian military blogs', kind: 'social_media' })).id;
  wagner = (await created('/sources', { name: 'Wagner Group', kind: 'private_military_company' })).id;
  incidentId = (
    await created('/incidents', {
      title: 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten',
      location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
      occurred: { from: '2024-07-27', precision: 'day' },
    })
  ).id;
  jnimClaim = await reportClaim(jnim, [site], wagnerKilled('exact', 50, '50 Russian Wagner mercenaries'), '2024-07-28T00:00:00Z');
  await reportClaim(wagner, [], wagnerKilled('at_least', 1, 'the death of their commander Sergei Shevchenko'), '2024-07-28T12:00:00Z');
  await reportClaim(blogs, [], wagnerKilled('at_least', 20, 'at least 20 Wagner deaths'), '2024-07-29T00:00:00Z');
  await api.projected();
});

afterAll(async () => {
  await api.close();
});

describe('the worked example, before and after JNIM retracts', () => {
  it('reads Wagner killed 1–50 from three claimants, naming the sources involved', async () => {
    const response = await read(`/incidents/${incidentId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"3"');
    expect(response.body.version).toBe(3);
    const entry = wagnerKilledIn(response.body);
    expect(entry).toMatchObject({ lowestClaimed: 1, highestClaimed: 50, contested: false });
    expect(claimantsOf(entry)).toEqual([jnim, wagner, blogs]);
    expect(response.body.sources).toEqual(
      expect.arrayContaining([
        { id: jnim, name: 'JNIM', kind: 'armed_group' },
        { id: site, name: 'SITE Intelligence Group', kind: 'monitoring_group' },
      ]),
    );
    expect(response.body.sources).toHaveLength(4);
  });

  it('reads 1–20 once JNIM has retracted, and the timeline tells it in a sentence', async () => {
    const retraction = { reason: 'JNIM withdrew its toll in a later communique', statedAt: '2024-07-30T00:00:00Z', retractedBy: 'claimant' };
    expect((await api.http('editor', 'POST', `/incidents/${incidentId}/claims/${jnimClaim}/retractions`, { body: retraction })).body.version).toBe(4);
    await api.projected();

    const view = await read(`/incidents/${incidentId}`);
    expect(view.headers.get('etag')).toBe('"4"');
    expect(wagnerKilledIn(view.body)).toMatchObject({ lowestClaimed: 1, highestClaimed: 20, contested: false });
    expect(claimantsOf(wagnerKilledIn(view.body))).toEqual([wagner, blogs]);
    expect(view.body.claims.find((claim: { claimId: string }) => claim.claimId === jnimClaim).status).toBe('retracted');

    const timeline = await read(`/incidents/${incidentId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.headers.get('etag')).toBe('"4"');
    expect(timeline.body).toMatchObject({ incidentId, version: 4, nextFromVersion: null });
    expect(timeline.body.entries.map((entry: { version: number }) => entry.version)).toEqual([0, 1, 2, 3, 4]);
    const last = timeline.body.entries.at(-1);
    expect(last).toMatchObject({
      type: 'ClaimRetracted',
      statedAt: '2024-07-30T00:00:00.000Z',
      recordedBy: 'editor-desk',
      headline: 'JNIM retracted its claim that 50 Wagner were killed',
    });
    expect(last.changes).toContain('Wagner killed: 1–50 → 1–20');
    expect(last.changes).toContain("JNIM's claim: active → retracted");
    expect(timeline.body.entries[1].headline).toBe('JNIM, via SITE Intelligence Group, claimed 50 Wagner killed');
    retractedAt = last.recordedAt;
  });
});

describe('time travel', () => {
  it('shows 1–50 as of a moment before the retraction was recorded', async () => {
    const before = new Date(Date.parse(retractedAt) - 1).toISOString();
    const response = await read(`/incidents/${incidentId}?asOf=${before}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"3"');
    expect(wagnerKilledIn(response.body)).toMatchObject({ lowestClaimed: 1, highestClaimed: 50 });
    expect((await read(`/incidents/${incidentId}?asOf=${retractedAt}`)).body.version).toBe(4);
  });

  it('shows 1–50 at version 3 and 1–20 at version 4, the latter equal to the live view', async () => {
    const [atThree, atFour, live] = await Promise.all([3, 4].map((version) => read(`/incidents/${incidentId}?version=${version}`)).concat(read(`/incidents/${incidentId}`)));
    expect(wagnerKilledIn(atThree.body)).toMatchObject({ lowestClaimed: 1, highestClaimed: 50 });
    expect(wagnerKilledIn(atFour.body)).toMatchObject({ lowestClaimed: 1, highestClaimed: 20 });
    expect(atFour.body).toEqual(live.body);
  });

  it('leaves out, with statedBefore, what had not been stated by then: the blogs’ figure and the retraction', async () => {
    const response = await read(`/incidents/${incidentId}?statedBefore=2024-07-28T23:59:59Z`);
    expect(response.status).toBe(200);
    const entry = wagnerKilledIn(response.body);
    expect(claimantsOf(entry)).toEqual([jnim, wagner]);
    expect(entry).toMatchObject({ lowestClaimed: 1, highestClaimed: 50 });
  });

  it('combines asOf and statedBefore: what the desk knew before the retraction, of what was stated by Sunday', async () => {
    const before = new Date(Date.parse(retractedAt) - 1).toISOString();
    const response = await read(`/incidents/${incidentId}?asOf=${before}&statedBefore=2024-07-28T00:00:00Z`);
    expect(claimantsOf(wagnerKilledIn(response.body))).toEqual([jnim]);
  });

  it('answers 404 for a time before the incident was recorded', async () => {
    const response = await read(`/incidents/${incidentId}?asOf=2024-01-01T00:00:00Z`);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('incident_not_found');
  });
});

describe('diff', () => {
  it('names the retraction: the claim’s status and Wagner killed from 50 to 20 at most', async () => {
    const response = await read(`/incidents/${incidentId}/diff?from=3&to=4`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ fromVersion: 3, toVersion: 4, fields: [], claims: { added: [], removed: [] } });
    expect(response.body.claims.changed).toEqual([{ claimId: jnimClaim, status: { before: 'active', after: 'retracted' } }]);
    expect(response.body.casualties).toEqual([
      { party: 'Wagner', outcome: 'killed', before: { lowestClaimed: 1, highestClaimed: 50, contested: false }, after: { lowestClaimed: 1, highestClaimed: 20, contested: false } },
    ]);
  });

  it('lists the claims added since the incident was opened', async () => {
    const response = await read(`/incidents/${incidentId}/diff?from=0&to=3`);
    expect(response.body.claims.added).toHaveLength(3);
  });
});

describe('pagination, refusals and access', () => {
  it('pages through the timeline', async () => {
    const page = await read(`/incidents/${incidentId}/timeline?fromVersion=1&limit=2`);
    expect(page.body.entries.map((entry: { version: number }) => entry.version)).toEqual([1, 2]);
    expect(page.body.nextFromVersion).toBe(3);
  });

  it.each([
    ['a malformed asOf', () => `/incidents/${incidentId}?asOf=yesterday`, 'query.asOf'],
    ['a malformed statedBefore', () => `/incidents/${incidentId}?statedBefore=2024-13-01`, 'query.statedBefore'],
    ['a negative version', () => `/incidents/${incidentId}?version=-1`, 'query.version'],
    ['an unknown parameter', () => `/incidents/${incidentId}?at=now`, 'query.at'],
    ['a diff from after to', () => `/incidents/${incidentId}/diff?from=4&to=3`, 'query.from'],
    ['a diff to beyond the version', () => `/incidents/${incidentId}/diff?from=0&to=99`, 'query.to'],
    ['a diff without versions', () => `/incidents/${incidentId}/diff`, 'query.from'],
    ['a timeline limit of 0', () => `/incidents/${incidentId}/timeline?limit=0`, 'query.limit'],
    // Versions are integer columns; z.coerce would have read '' as 0 and '0x1' or '1e1' as numbers.
    ['an empty version', () => `/incidents/${incidentId}?version=`, 'query.version'],
    ['a version in hexadecimal', () => `/incidents/${incidentId}?version=0x1`, 'query.version'],
    ['a version beyond 2^31-1', () => `/incidents/${incidentId}?version=2147483648`, 'query.version'],
    ['a timeline fromVersion beyond 2^31-1', () => `/incidents/${incidentId}/timeline?fromVersion=3000000000`, 'query.fromVersion'],
    ['an empty timeline limit', () => `/incidents/${incidentId}/timeline?limit=`, 'query.limit'],
    ['a diff to in exponent notation', () => `/incidents/${incidentId}/diff?from=0&to=1e1`, 'query.to'],
    ['an empty diff from', () => `/incidents/${incidentId}/diff?from=&to=1`, 'query.from'],
    ['a diff to of twenty digits', () => `/incidents/${incidentId}/diff?from=0&to=99999999999999999999`, 'query.to'],
  ])('refuses %s with a 400 naming the field', async (_name, path, field) => {
    const response = await read(path());
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('reads the largest version a version can be as the latest, and the timeline from there as empty', async () => {
    const latest = await read(`/incidents/${incidentId}`);
    expect((await read(`/incidents/${incidentId}?version=2147483647`)).body).toEqual(latest.body);
    expect((await read(`/incidents/${incidentId}/timeline?fromVersion=2147483647`)).body).toMatchObject({ version: 4, entries: [], nextFromVersion: null });
  });

  it('refuses an auditor’s raw-stream and ledger pages whose numbers are not whole numbers in range', async () => {
    for (const [path, field] of [
      [`/incidents/${incidentId}/events?fromVersion=3000000000`, 'query.fromVersion'],
      [`/incidents/${incidentId}/events?limit=`, 'query.limit'],
      ['/ledger?limit=', 'query.limit'],
      ['/ledger?limit=1e2', 'query.limit'],
    ]) {
      const response = await api.http('auditor', 'GET', path);
      expect({ path, status: response.status, fields: response.body.errors?.map((error: { field: string }) => error.field) }).toEqual({ path, status: 400, fields: [field] });
    }
  });

  it('names the rule a diff’s versions break', async () => {
    expect((await read(`/incidents/${incidentId}/diff?from=4&to=3`)).body.errors).toEqual([{ field: 'query.from', code: 'from_after_to', message: 'must not be greater than to' }]);
    expect((await read(`/incidents/${incidentId}/diff?from=0&to=99`)).body.errors).toEqual([
      { field: 'query.to', code: 'version_out_of_range', message: "is beyond the incident's version, 4" },
    ]);
  });

  it.each(['', '/timeline', '/diff?from=0&to=0', '?version=0'])('answers 404 for an unknown incident: GET /incidents/{id}%s', async (suffix) => {
    const response = await read(`/incidents/${uuidv7()}${suffix}`);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('incident_not_found');
  });

  it('needs an API key', async () => {
    expect((await api.http('none', 'GET', `/incidents/${incidentId}`)).status).toBe(401);
    expect((await api.http('none', 'GET', `/incidents/${incidentId}/timeline`)).status).toBe(401);
    expect((await api.http('none', 'GET', `/incidents/${incidentId}/diff?from=0&to=1`)).status).toBe(401);
  });
});

describe('rebuild', () => {
  it('rebuilds the views, the timeline and the names into tables identical to the live ones', async () => {
    const dataSource = api.app.get(DataSource);
    const tables = ['incident_views', 'incident_timeline', 'incident_source_names'];
    const rows = () => Promise.all(tables.map((table) => dataSource.query(`SELECT * FROM ${table} AS row ORDER BY row::text`)));
    const live = await rows();
    expect((await api.http('admin', 'POST', '/admin/projections/incident-view/rebuild')).status).toBe(200);
    expect(await rows()).toStrictEqual(live);
  });
});
