import { v7 as uuidv7 } from 'uuid';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sources over HTTP: a claimant's track record counted from what happened to its claims
// (its own amendments and retractions, others' stances, the desk's grades), the list with
// its filters and pages, and what readers see of a confidential source.

let api: TestApp;
let jnim: string;
let site: string;
let authorities: string;
let blogs: string;
let security: string;
let ambush: string;
const claims: Record<'reported' | 'amended' | 'retracted', string> = { reported: '', amended: '', retracted: '' };

async function created(path: string, body: unknown): Promise<Record<string, string>> {
  const response = await api.http('editor', 'POST', path, { body });
  expect(response.status).toBe(201);
  return response.body;
}

const registered = async (body: Record<string, unknown>) => (await created('/sources', body)).id;
const SUNDAY = '2024-07-28T00:00:00Z';

beforeAll(async () => {
  api = await startTestApp();
  jnim = await registered({ name: 'JNIM', kind: 'armed_group', aliases: ['Jama’at Nusrat al-Islam wal-Muslimin'] });
  site = await registered({ name: 'SITE Intelligence Group', kind: 'monitoring_group' });
  authorities = await registered({ name: 'Malian authorities', kind: 'government', country: 'ML' });
  blogs = await registered({ name: 'Russian military blogs', kind: 'social_media' });
  security = await registered({ name: 'Colonel Diarra', kind: 'anonymous', aliases: ['security source'], country: 'ML', description: 'a Malian officer', confidential: true });
  ambush = (
    await created('/incidents', {
      title: 'Convoy ambush south of Tinzaouaten',
      location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
      occurred: { from: '2024-07-27', precision: 'day' },
    })
  ).id;
  const claim = (summary: string) => ({ claimantId: jnim, via: [site], summary, kind: 'casualties', statedAt: SUNDAY });
  const path = `/incidents/${ambush}/claims`;
  claims.reported = (await created(path, claim('JNIM claims 50 Wagner fighters killed'))).claimId;
  claims.amended = (await created(path, claim('JNIM claims 10 Malian soldiers killed'))).claimId;
  claims.retracted = (await created(path, claim('JNIM claims two helicopters downed'))).claimId;
  await created(`${path}/${claims.amended}/amendments`, { summary: 'JNIM claims 15 Malian soldiers killed', statedAt: '2024-07-29T00:00:00Z', reason: 'new communique' });
  await created(`${path}/${claims.retracted}/retractions`, { reason: 'withdrawn in a later communique', statedAt: '2024-07-29T00:00:00Z' });
  const statement = (sourceId: string, stances: unknown[]) => ({ sourceId, medium: 'other', quote: 'on the record', language: 'en', statedAt: SUNDAY, stances });
  await created(`/incidents/${ambush}/statements`, statement(authorities, [{ claimId: claims.reported, stance: 'disputes' }]));
  await created(`/incidents/${ambush}/statements`, statement(security, [{ claimId: claims.amended, stance: 'supports' }]));
  // JNIM standing by its own claim is not support from others.
  await created(`/incidents/${ambush}/statements`, statement(jnim, [{ claimId: claims.reported, stance: 'supports' }]));
  await created(`${path}/${claims.reported}/assessments`, { grade: 'contested', rationale: 'disputed by the authorities' });
  await created(`${path}/${claims.reported}/assessments`, { grade: 'confirmed', rationale: 'footage verified' });
  await created(`/incidents/${ambush}/claims`, { claimantId: blogs, summary: 'at least 20 Wagner deaths', kind: 'casualties', statedAt: SUNDAY });
  await api.projected();
});

afterAll(async () => {
  await api.close();
});

describe('GET /sources/{id}: a source and its track record', () => {
  it('counts a claimant’s claims made, amended, retracted, disputed and supported by others, and graded by the desk', async () => {
    const response = await api.http('reader', 'GET', `/sources/${jnim}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"0"');
    expect(response.body).toMatchObject({ id: jnim, name: 'JNIM', kind: 'armed_group', confidential: false, version: 0 });
    const { claims: listed, ...counts } = response.body.trackRecord;
    expect(counts).toEqual({
      claimsMade: 3,
      amended: 1,
      retracted: 1,
      disputedByOthers: 1,
      supportedByOthers: 1,
      confirmedByDesk: 1,
      discountedByDesk: 0,
      incidents: [{ incidentId: ambush, roles: ['claimant', 'statement_source'] }],
    });
    expect(listed).toEqual(
      expect.arrayContaining([
        { incidentId: ambush, claimId: claims.reported, status: 'active', amended: false, grade: 'confirmed', stances: [expect.objectContaining({ sourceId: authorities, stance: 'disputes' })] },
        { incidentId: ambush, claimId: claims.amended, status: 'amended', amended: true, grade: null, stances: [expect.objectContaining({ sourceId: security, stance: 'supports' })] },
        { incidentId: ambush, claimId: claims.retracted, status: 'retracted', amended: false, grade: null, stances: [] },
      ]),
    );
  });

  it('names the incidents a conduit and a statement source appear in', async () => {
    const conduit = await api.http('reader', 'GET', `/sources/${site}`);
    expect(conduit.body.trackRecord).toMatchObject({ claimsMade: 0, claims: [], incidents: [{ incidentId: ambush, roles: ['conduit'] }] });
    const statementSource = await api.http('reader', 'GET', `/sources/${authorities}`);
    expect(statementSource.body.trackRecord.incidents).toEqual([{ incidentId: ambush, roles: ['statement_source'] }]);
  });

  it('follows a correction that moves a claim to another claimant', async () => {
    const claimId = (await created(`/incidents/${ambush}/claims`, { claimantId: site, summary: 'SITE relays the toll', kind: 'casualties', statedAt: SUNDAY })).claimId;
    await created(`/incidents/${ambush}/claims/${claimId}/corrections`, { claimantId: jnim, via: [site], reason: 'SITE relayed JNIM' });
    await api.projected();

    expect((await api.http('reader', 'GET', `/sources/${jnim}`)).body.trackRecord.claimsMade).toBe(4);
    expect((await api.http('reader', 'GET', `/sources/${site}`)).body.trackRecord).toMatchObject({ claimsMade: 0, incidents: [{ incidentId: ambush, roles: ['conduit'] }] });
  });

  it('carries the source stream’s version as ETag', async () => {
    const revised = await api.http('editor', 'PATCH', `/sources/${blogs}`, { body: { description: 'Telegram channels close to Wagner', reason: 'context' } });
    expect(revised.status).toBe(201);
    await api.projected();

    const response = await api.http('reader', 'GET', `/sources/${blogs}`);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toMatchObject({ version: 1, description: 'Telegram channels close to Wagner', trackRecord: { claimsMade: 1 } });
  });

  it('answers 404 for a source never registered, 400 for an id that is not one', async () => {
    const unknown = await api.http('reader', 'GET', `/sources/${uuidv7()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('source_not_found');
    const malformed = await api.http('reader', 'GET', '/sources/jnim');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'path.sourceId' })]);
  });
});

describe('confidential sources', () => {
  it('are shown to readers and auditors without name, aliases or description, and whole to editors and admins', async () => {
    for (const role of ['reader', 'auditor'] as const) {
      const withheld = await api.http(role, 'GET', `/sources/${security}`);
      expect(withheld.body).toMatchObject({ id: security, name: 'Confidential source', kind: 'anonymous', aliases: [], country: 'ML', confidential: true });
      expect(withheld.body).not.toHaveProperty('description');
      expect(withheld.body.trackRecord.incidents).toEqual([{ incidentId: ambush, roles: ['statement_source'] }]);
    }

    for (const role of ['editor', 'admin'] as const) {
      const whole = await api.http(role, 'GET', `/sources/${security}`);
      expect(whole.body).toMatchObject({ name: 'Colonel Diarra', aliases: ['security source'], description: 'a Malian officer' });
    }
  });

  it('are not found by their withheld name or aliases in a reader’s search', async () => {
    const names = async (role: 'reader' | 'editor', q: string) =>
      (await api.http(role, 'GET', `/sources?q=${encodeURIComponent(q)}`)).body.items.map((source: { name: string }) => source.name);
    expect(await names('reader', 'Diarra')).toEqual([]);
    expect(await names('reader', 'security')).toEqual([]);
    expect(await names('editor', 'diarra')).toEqual(['Colonel Diarra']);
    expect((await api.http('reader', 'GET', '/sources?kind=anonymous')).body.items).toEqual([expect.objectContaining({ id: security, name: 'Confidential source' })]);
  });
});

describe('GET /sources', () => {
  it('filters by kind and by part of a name or an alias, in any case', async () => {
    const ids = async (query: string) => (await api.http('reader', 'GET', `/sources?${query}`)).body.items.map((source: { id: string }) => source.id);
    expect(await ids('kind=armed_group')).toEqual([jnim]);
    expect(await ids('q=intelligence')).toEqual([site]);
    expect(await ids('q=nusrat')).toEqual([jnim]);
    expect(await ids('q=%25')).toEqual([]);
  });

  it('walks every source once, in registration order, a page at a time', async () => {
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api.http('reader', 'GET', `/sources?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      walked.push(...response.body.items.map((source: { id: string }) => source.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual([jnim, site, authorities, blogs, security]);
  });

  it.each([
    ['kind=militia', 'query.kind'],
    ['limit=0', 'query.limit'],
    ['cursor=abc', 'query.cursor'],
    [`cursor=${Buffer.from(JSON.stringify({ registeredAt: '0000-01-01T00:00:00Z', id: uuidv7() })).toString('base64url')}`, 'query.cursor'],
    [`cursor=${Buffer.from(JSON.stringify({ registeredAt: '2024-07-28T00:00:00.000Z', id: 'JNIM' })).toString('base64url')}`, 'query.cursor'],
    ['limit=', 'query.limit'],
    ['limit=0x10', 'query.limit'],
    ['name=JNIM', 'query.name'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const response = await api.http('reader', 'GET', `/sources?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });
});
