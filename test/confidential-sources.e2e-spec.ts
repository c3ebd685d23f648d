import { startTestApp, type TestApp } from './support/test-app.js';

// A confidential source's identity reaches editors, auditors and admins only: readers see
// that a confidential source spoke, never who it is — in the source view, the incident
// view and the narrative timeline alike.

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
});
