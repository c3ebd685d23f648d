import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from './support/test-app.js';

// A confidential source's identity reaches editors and admins only (src/auth/confidentiality.ts):
// readers and auditors see that a confidential source spoke, never who it is, nor its words.

let api: TestApp;
const SECRET = 'Two security sources in Gao';
let sourceId: string;
let incidentId: string;

beforeAll(async () => {
  api = await startTestApp();
  sourceId = (await api.http('editor', 'POST', '/sources', { body: { name: SECRET, kind: 'anonymous', confidential: true, country: 'ML' } })).body.id;
  incidentId = (
    await api.http('editor', 'POST', '/incidents', {
      body: { title: 'Convoy ambush south of Tinzaouaten', location: { place: 'south of Tinzaouaten', country: 'ML', precision: 'region' }, occurred: { from: '2024-07-27', precision: 'day' } },
    })
  ).body.id;
  const claim = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, {
    body: { claimantId: sourceId, summary: 'JNIM and separatists attacked the convoy together', kind: 'responsibility', statedAt: '2024-07-29T00:00:00Z' },
  });
  expect(claim.status).toBe(201);
  await api.projected();
});

afterAll(async () => {
  await api.close();
});

it('keeps the name out of what readers get', async () => {
  const responses = await Promise.all([
    api.http('reader', 'GET', `/sources/${sourceId}`),
    api.http('reader', 'GET', `/incidents/${incidentId}`),
    api.http('reader', 'GET', `/incidents/${incidentId}/timeline`),
    api.http('reader', 'GET', '/sources?q=Gao'),
  ]);
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
  for (const response of responses) expect(JSON.stringify(response.body)).not.toContain('Gao');
  expect(responses[0].body).toMatchObject({ name: 'Confidential source', confidential: true, kind: 'anonymous' });
  expect(responses[2].body.entries.at(-1).headline).toContain('Confidential source');
});

it('shows it to the desk', async () => {
  const source = await api.http('editor', 'GET', `/sources/${sourceId}`);
  expect(source.body.name).toBe(SECRET);
  const view = await api.http('editor', 'GET', `/incidents/${incidentId}`);
  expect(view.body.sources).toContainEqual({ id: sourceId, name: SECRET, kind: 'anonymous' });
  const timeline = await api.http('admin', 'GET', `/incidents/${incidentId}/timeline`);
  expect(timeline.body.entries.at(-1).headline).toContain(SECRET);
});

describe('a source made confidential later', () => {
  const NAME = 'A Kidal notable';
  const QUOTE = 'I saw the convoy burn from my roof in Tinzaouaten';
  let notable: string;

  beforeAll(async () => {
    notable = (await api.http('editor', 'POST', '/sources', { body: { name: NAME, kind: 'other' } })).body.id;
    const statement = await api.http('editor', 'POST', `/incidents/${incidentId}/statements`, {
      body: { sourceId: notable, medium: 'interview', quote: QUOTE, language: 'en', statedAt: '2024-07-28T00:00:00Z' },
    });
    expect(statement.status).toBe(201);
    const claim = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, {
      body: { claimantId: notable, summary: 'The convoy burned', kind: 'event', statedAt: '2024-07-28T00:00:00Z', statementId: statement.body.statementId },
    });
    expect(claim.status).toBe(201);
    await api.projected();
  });

  const timelineText = async () => JSON.stringify((await api.http('reader', 'GET', `/incidents/${incidentId}/timeline`)).body.entries);

  it('is named, with its words, in the headlines written while it was public', async () => {
    const text = await timelineText();
    expect(text).toContain(NAME);
    expect(text).toContain(QUOTE);
  });

  it('is hidden in its whole history once made confidential, and a rebuild changes nothing', async () => {
    const revised = await api.http('editor', 'PATCH', `/sources/${notable}`, { body: { confidential: true, reason: 'the notable fears reprisals' } });
    expect(revised.status).toBe(201);
    await api.projected();

    const hidden = await timelineText();
    expect(hidden).not.toContain(NAME);
    expect(hidden).not.toContain('Kidal notable');
    expect(hidden).not.toContain('from my roof');
    expect(hidden).toContain('Confidential source');
    expect(hidden).toContain('words withheld');

    const rebuilt = await api.http('admin', 'POST', '/admin/projections/incident-view/rebuild');
    expect(rebuilt.status).toBe(200);
    await api.projected();
    expect(await timelineText()).toBe(hidden);
  });

  it('keeps its words from readers in the incident view, now and as of any time, and shows them to the desk', async () => {
    const asOf = `?asOf=${new Date().toISOString()}`;
    for (const query of ['', asOf]) {
      const read = await api.http('reader', 'GET', `/incidents/${incidentId}${query}`);
      expect(JSON.stringify(read.body)).not.toContain('from my roof');
      expect(JSON.stringify(read.body)).not.toContain(NAME);
      expect(read.body.statements).toContainEqual(expect.objectContaining({ sourceId: notable, quote: 'words withheld' }));
      const desk = await api.http('editor', 'GET', `/incidents/${incidentId}${query}`);
      expect(desk.body.statements).toContainEqual(expect.objectContaining({ sourceId: notable, quote: QUOTE }));
      expect(desk.body.sources).toContainEqual({ id: notable, name: NAME, kind: 'other' });
    }
    const timeline = JSON.stringify((await api.http('editor', 'GET', `/incidents/${incidentId}/timeline`)).body.entries);
    expect(timeline).toContain(NAME);
    expect(timeline).toContain('from my roof');
  });
});

describe('answers that differ by who asks', () => {
  it('withhold the words of a statement relayed through a confidential conduit', async () => {
    const relay = (await api.http('editor', 'POST', '/sources', { body: { name: 'A Telegram relay', kind: 'social_media' } })).body.id;
    const statement = await api.http('editor', 'POST', `/incidents/${incidentId}/statements`, {
      body: { sourceId: relay, via: [sourceId], medium: 'social_post', quote: 'Gao garrison sources say the convoy was hit twice', language: 'en', statedAt: '2024-07-29T00:00:00Z', url: 'https://t.me/gao-garrison/1' },
    });
    expect(statement.status).toBe(201);
    await api.projected();
    const read = JSON.stringify((await api.http('reader', 'GET', `/incidents/${incidentId}`)).body);
    expect(read).not.toContain('hit twice');
    expect(read).not.toContain('t.me');
    expect(JSON.stringify((await api.http('reader', 'GET', `/incidents/${incidentId}/timeline`)).body)).not.toContain('hit twice');
  });

  it('carry an ETag of their own for each, and are kept from shared caches', async () => {
    const [asReader, asEditor] = await Promise.all([api.http('reader', 'GET', `/incidents/${incidentId}`), api.http('editor', 'GET', `/incidents/${incidentId}`)]);
    expect(asReader.headers.get('etag')).not.toBe(asEditor.headers.get('etag'));
    expect(asReader.headers.get('vary')).toMatch(/authorization/i);
    expect(asReader.headers.get('cache-control')).toBe('private, no-cache');
    // The editor's copy is not the reader's: naming it gets the reader's whole answer.
    const revalidated = await api.http('reader', 'GET', `/incidents/${incidentId}`, { headers: { 'if-none-match': asEditor.headers.get('etag')! } });
    expect(revalidated.status).toBe(200);
    expect(JSON.stringify(revalidated.body)).not.toContain(SECRET);
    expect((await api.http('reader', 'GET', `/incidents/${incidentId}`, { headers: { 'if-none-match': asReader.headers.get('etag')! } })).status).toBe(304);
  });

  it('refuse free text with the brackets the timeline keeps for its references', async () => {
    const refused = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, {
      body: { claimantId: sourceId, summary: `named ⟦source:${sourceId}⟧`, kind: 'other', statedAt: '2024-07-29T00:00:00Z' },
    });
    expect(refused).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'summary', code: 'invalid_characters' })] } });
  });
});

describe('the access log', () => {
  const routesShown = async () =>
    ((await api.http('admin', 'GET', `/sources/${sourceId}/access-log?limit=1000`)).body.entries as { principal: string; route: string; shownAt: string }[]).map(
      ({ principal, route }) => `${principal} ${route}`,
    );

  it('records each time an editor or admin is shown who a confidential source is, and nothing for readers and auditors', async () => {
    const before = await routesShown();
    for (const who of ['reader', 'auditor'] as const) {
      await api.http(who, 'GET', `/sources/${sourceId}`);
      await api.http(who, 'GET', `/incidents/${incidentId}`);
    }
    expect(await routesShown()).toEqual(before);

    await api.http('editor', 'GET', `/sources/${sourceId}`);
    await api.http('editor', 'GET', `/incidents/${incidentId}`);
    await api.http('editor', 'GET', `/incidents/${incidentId}?asOf=${new Date().toISOString()}`);
    await api.http('admin', 'GET', `/incidents/${incidentId}/timeline`);
    await api.http('editor', 'GET', '/sources?kind=anonymous');

    expect((await routesShown()).slice(0, 5)).toEqual([
      'editor-desk GET /sources',
      'admin-desk GET /incidents/{incidentId}/timeline',
      'editor-desk GET /incidents/{incidentId} (as of a time or version)',
      'editor-desk GET /incidents/{incidentId}',
      'editor-desk GET /sources/{sourceId}',
    ]);
  });

  it('names a confidential claimant in exports by the same rule, and records it', async () => {
    const claimants = async (who: 'reader' | 'editor') => {
      const exported = await api.http(who, 'GET', `/exports/figures.ndjson?incidentId=${incidentId}`);
      const rows = (exported.body as string).trim().split('\n').slice(1).map((line) => JSON.parse(line) as { claimantId: string; claimantName: string });
      return rows.filter((row) => row.claimantId === sourceId).map((row) => row.claimantName);
    };
    expect(await claimants('reader')).toEqual(['Confidential source']);
    expect((await routesShown())[0]).not.toBe('editor-desk GET /exports');
    expect(await claimants('editor')).toEqual([SECRET]);
    expect((await routesShown())[0]).toBe('editor-desk GET /exports');
  });

  it('is for admins only, pages back in time, and cannot be changed', async () => {
    expect((await api.http('editor', 'GET', `/sources/${sourceId}/access-log`)).status).toBe(403);
    const first = await api.http('admin', 'GET', `/sources/${sourceId}/access-log?limit=2`);
    expect(first.body.entries).toHaveLength(2);
    const next = await api.http('admin', 'GET', `/sources/${sourceId}/access-log?limit=2&before=${first.body.nextBefore}`);
    expect(next.body.entries[0].id).toBeLessThan(first.body.entries[1].id);
    await expect(api.app.get(DataSource).query('DELETE FROM source_access_log')).rejects.toThrow('append-only');
  });
});
