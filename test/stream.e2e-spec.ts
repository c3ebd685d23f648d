import { follow as followStream } from './support/live-stream.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Readers follow changes live over Server-Sent Events and resume after a drop with
// Last-Event-ID, missing nothing and receiving nothing twice.

let api: TestApp;
let jnim: string;

/** Opens /stream on the test app and hands back its frames as they arrive. */
function follow(query = '', headers: Record<string, string> = {}) {
  return followStream(api.baseUrl, query, headers);
}

async function openIncident(title: string): Promise<string> {
  const response = await api.http('editor', 'POST', '/incidents', {
    body: { title, location: { place: 'Tinzaouaten', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' } },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

async function reportClaim(incidentId: string, summary: string): Promise<void> {
  const response = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: { claimantId: jnim, summary, kind: 'event', statedAt: '2024-07-28T00:00:00Z' } });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  api = await startTestApp();
  jnim = (await api.http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } })).body.id;
});

afterAll(async () => {
  await api.close();
});

it('streams what is recorded from now on, and resumes after Last-Event-ID without gaps or repeats', async () => {
  const incidentId = await openIncident('Ambush south of Tinzaouaten');
  const live = await follow();
  await reportClaim(incidentId, 'first');
  await reportClaim(incidentId, 'second');
  const [first, second] = await live.next(2);
  live.close();
  expect([first.data, second.data]).toEqual([
    { entity: 'incident', id: incidentId, version: 1, type: 'ClaimReported', recordedAt: expect.any(String) },
    { entity: 'incident', id: incidentId, version: 2, type: 'ClaimReported', recordedAt: expect.any(String) },
  ]);

  await reportClaim(incidentId, 'third, while disconnected');
  const resumed = await follow('', { 'last-event-id': first.id });
  const [again, missed] = await resumed.next(2);
  resumed.close();
  expect([again.id, again.data.version, missed.data.version]).toEqual([second.id, 2, 3]);
});

it('follows one incident when asked', async () => {
  const followed = await openIncident('Followed');
  const other = await openIncident('Not followed');
  const live = await follow(`?incidentId=${followed}`);
  await reportClaim(other, 'elsewhere');
  await reportClaim(followed, 'here');
  const [only] = await live.next(1);
  live.close();
  expect(only.data).toMatchObject({ id: followed, version: 1 });
});

it('refuses a bad position and a missing key with a problem', async () => {
  const bad = await api.http('reader', 'GET', '/stream', { headers: { 'last-event-id': 'yesterday' } });
  expect(bad.status).toBe(400);
  expect(bad.body.code).toBe('validation_failed');
  expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'header.last-event-id', code: 'invalid_position' })]);
  const badAfter = await api.http('reader', 'GET', '/stream?after=yesterday');
  expect(badAfter.body.errors).toEqual([expect.objectContaining({ field: 'query.after', code: 'invalid_position' })]);
  expect((await api.http('none', 'GET', '/stream')).status).toBe(401);
});
