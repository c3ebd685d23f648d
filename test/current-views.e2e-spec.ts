import { DataSource } from 'typeorm';
import { eventually } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// GET /incidents/{id} answers from memory: the view as the projection stored it, read once.
// Two processes of the service share one database; `writer` projects, `replica` only reads.
// Each must show a change as soon as it is projected: at once in the projecting process,
// within moments in the other, told by the announcement of the change. An announcement that
// goes missing is found out, and what was held is read again.

const SOON_MS = 3_000;

let writer: TestApp;
let replica: TestApp;
let incidentId: string;
let sourceId: string;

async function created(path: string, body: unknown): Promise<string> {
  const response = await writer.http('editor', 'POST', path, { body });
  expect(response.status).toBe(201);
  return response.body.id;
}

const title = async (app: TestApp) => (await app.http('reader', 'GET', `/incidents/${incidentId}`)).body.title;
const sourceName = async (app: TestApp) => (await app.http('reader', 'GET', `/incidents/${incidentId}`)).body.sources[0]?.name;

beforeAll(async () => {
  writer = await startTestApp();
  replica = await startTestApp({}, { sharing: writer });
  sourceId = await created('/sources', { name: 'JNIM', kind: 'armed_group' });
  incidentId = await created('/incidents', {
    title: 'Convoy ambush',
    location: { country: 'ML', place: 'Tinzaouaten', precision: 'near' },
    occurred: { from: '2024-07-27', precision: 'day' },
  });
  await created(`/incidents/${incidentId}/claims`, {
    claimantId: sourceId,
    summary: 'JNIM claims the ambush',
    kind: 'casualties',
    figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Wagner mercenaries' }],
    statedAt: '2024-07-28T00:00:00Z',
  });
  await writer.projected();
});

afterAll(async () => {
  await replica?.close();
  await writer?.close();
});

it('shows a revision at once in the projecting process, and soon in another', async () => {
  expect([await title(writer), await title(replica)]).toEqual(['Convoy ambush', 'Convoy ambush']); // both now hold it in memory

  const revised = await writer.http('editor', 'PATCH', `/incidents/${incidentId}`, { body: { title: 'Convoy ambush south of Tinzaouaten', reason: 'place named' } });
  expect(revised.status).toBe(201);
  await writer.projected();

  expect(await title(writer)).toBe('Convoy ambush south of Tinzaouaten');
  await eventually(async () => (await title(replica)) === 'Convoy ambush south of Tinzaouaten', 'the replica to show the revision', SOON_MS);
});

it('shows a renamed source in every incident that names it', async () => {
  expect([await sourceName(writer), await sourceName(replica)]).toEqual(['JNIM', 'JNIM']);

  const renamed = await writer.http('editor', 'PATCH', `/sources/${sourceId}`, { body: { name: 'Jama’at Nusrat al-Islam wal-Muslimin', reason: 'full name' } });
  expect(renamed.status).toBe(201);
  await writer.projected();

  expect(await sourceName(writer)).toBe('Jama’at Nusrat al-Islam wal-Muslimin');
  await eventually(async () => (await sourceName(replica)) === 'Jama’at Nusrat al-Islam wal-Muslimin', 'the replica to show the new name', SOON_MS);
});

it('answers from memory: a row changed behind the projector is not seen until a change is announced', async () => {
  expect(await title(replica)).toBe('Convoy ambush south of Tinzaouaten');
  await writer.app
    .get(DataSource)
    .query(`UPDATE incident_views SET view = jsonb_set(view, '{title}', '"Edited behind the projector"') WHERE incident_id = $1`, [incidentId]);

  expect(await title(replica)).toBe('Convoy ambush south of Tinzaouaten');

  const revised = await writer.http('editor', 'PATCH', `/incidents/${incidentId}`, { body: { title: 'Ambush near Tinzaouaten', reason: 'shorter' } });
  expect(revised.status).toBe(201);
  await writer.projected();
  await eventually(async () => (await title(replica)) === 'Ambush near Tinzaouaten', 'the replica to show the revision', SOON_MS);
});

it('answers the view as the projection stored it, and 304 to an If-None-Match that names its version', async () => {
  const current = await writer.http('reader', 'GET', `/incidents/${incidentId}`);
  const [{ view }] = await writer.app.get(DataSource).query('SELECT view FROM incident_views WHERE incident_id = $1', [incidentId]);
  expect(current.body).toStrictEqual({ ...view, sources: [{ id: sourceId, name: 'Jama’at Nusrat al-Islam wal-Muslimin', kind: 'armed_group' }] });
  const tag = current.headers.get('etag');
  expect(tag).toBe(`"${view.version}"`);

  for (const held of [tag!, `W/${tag}`, `"0", ${tag}`, '*']) {
    const again = await writer.http('reader', 'GET', `/incidents/${incidentId}`, { headers: { 'if-none-match': held } });
    expect([held, again.status, again.body]).toEqual([held, 304, undefined]);
    expect(again.headers.get('etag')).toBe(tag);
  }
  expect((await writer.http('reader', 'GET', `/incidents/${incidentId}`, { headers: { 'if-none-match': '"0"' } })).status).toBe(200);
});

it('leaves to the route every request it does not answer from memory, which answers it as before', async () => {
  const viewOf = (who: 'reader' | 'none', path: string, headers: Record<string, string> = {}) => writer.http(who, 'GET', path, { headers });
  expect((await viewOf('none', `/incidents/${incidentId}`)).status).toBe(401);
  expect((await viewOf('none', `/incidents/${incidentId}`, { authorization: 'Bearer not-a-key-of-this-service' })).status).toBe(401);
  const badId = await viewOf('reader', '/incidents/not-a-uuid');
  expect([badId.status, badId.body.errors?.[0]?.field]).toEqual([400, 'path.incidentId']);
  expect((await viewOf('reader', `/incidents/${crypto.randomUUID()}`)).body).toMatchObject({ status: 404, code: 'incident_not_found' });
  expect((await viewOf('reader', `/incidents/${incidentId}?version=0`)).body).toMatchObject({ version: 0, title: 'Convoy ambush' });
  expect((await viewOf('reader', `/incidents/${incidentId.toUpperCase()}`)).body.id).toBe(incidentId);
});

describe('an announcement gone missing', () => {
  const tamper = (title: string) =>
    writer.app.get(DataSource).query(`UPDATE incident_views SET view = jsonb_set(view, '{title}', to_jsonb($2::text)) WHERE incident_id = $1`, [incidentId, title]);

  it('is found out when the next one does not follow from the checkpoint the last one reached', async () => {
    const held = await title(replica);
    await tamper('Changed while an announcement was lost');
    expect(await title(replica)).toBe(held);

    await writer.app.get(DataSource).query(`SELECT pg_notify('read_model_changes', $1)`, [
      JSON.stringify({ projections: ['incident-view'], streams: [], from: 'a checkpoint this replica never heard of', to: 'the next' }),
    ]);
    await eventually(async () => (await title(replica)) === 'Changed while an announcement was lost', 'the replica to read the view again', SOON_MS);
  });

  it('is found out when the checkpoint moves and nothing is announced', async () => {
    await title(replica); // held again
    await tamper('Changed, and never announced');
    await writer.app.get(DataSource).query(`UPDATE projection_checkpoints SET position = position || ' moved' WHERE name = 'incident-view'`);
    // The replica looks every two seconds, and waits for a second look before it drops what it holds.
    await eventually(async () => (await title(replica)) === 'Changed, and never announced', 'the replica to read the view again', 10_000);
  });

  it('is found out when a rebuild swaps its tables in where the checkpoint stood, and nothing is announced', async () => {
    await title(replica); // held again
    await tamper('Rebuilt, and never announced');
    // What a rebuild's swap does to the checkpoint of a ledger that did not move meanwhile.
    await writer.app.get(DataSource).query(`UPDATE projection_checkpoints SET updated_at = now() WHERE name = 'incident-view'`);
    await eventually(async () => (await title(replica)) === 'Rebuilt, and never announced', 'the replica to read the view again', 10_000);
  });
});
