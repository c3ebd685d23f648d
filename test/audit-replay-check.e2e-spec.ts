import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { loadDemo } from '../src/demo/load-demo.js';
import { PROJECTIONS } from '../src/read-models.js';
import { generateWorkload } from '../src/workload/generate-workload.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// PRODUCT.md §1: an auditor rebuilds the projections and compares them to the live ones.
// POST /audit/replay-check replays each from position zero into scratch tables and
// reports every row that differs, without touching the live tables.

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp();
  await loadDemo({ baseUrl: api.baseUrl, apiKey: KEYS.editor, log: () => {} });
  await generateWorkload(api.app.get(CommandBus), { events: 1000 });
  await api.projected();
}, 300_000);

afterAll(async () => {
  await api.close();
});

it('finds no difference after the worked example and a generated workload', async () => {
  const check = await api.http('auditor', 'POST', '/audit/replay-check');
  expect(check.status).toBe(200);
  expect(check.body.differences).toBe(0);
  expect(check.body.projections.map(({ name }: { name: string }) => name)).toEqual(PROJECTIONS.map(({ name }) => name));
  for (const projection of check.body.projections) {
    expect(projection.eventsApplied).toBeGreaterThan(0);
    for (const table of projection.tables) {
      expect(table).toMatchObject({ onlyLive: { count: 0, rows: [] }, onlyReplayed: { count: 0, rows: [] } });
      expect(table.replayedRows).toBe(table.liveRows);
    }
  }
}, 120_000);

it('reports a read-model row altered behind the projection’s back, and leaves it as it is', async () => {
  const dataSource = api.app.get(DataSource);
  const [{ incident_id: incidentId }] = await dataSource.query<{ incident_id: string }[]>('SELECT incident_id FROM incident_views ORDER BY incident_id LIMIT 1');
  await dataSource.query(`UPDATE incident_views SET view = jsonb_set(view, '{title}', '"Nothing happened here"') WHERE incident_id = $1`, [incidentId]);

  const check = await api.http('admin', 'POST', '/audit/replay-check');
  expect(check.status).toBe(200);
  expect(check.body.differences).toBe(2);
  const views = check.body.projections.find(({ name }: { name: string }) => name === 'incident-view').tables.find(({ table }: { table: string }) => table === 'incident_views');
  expect(views.onlyLive).toEqual({ count: 1, rows: [expect.objectContaining({ incident_id: incidentId, view: expect.objectContaining({ title: 'Nothing happened here' }) })] });
  expect(views.onlyReplayed).toMatchObject({ count: 1, rows: [{ incident_id: incidentId }] });
  expect(views.onlyReplayed.rows[0].view.title).not.toBe('Nothing happened here');

  const [live] = await dataSource.query<{ title: string }[]>(`SELECT view->>'title' AS title FROM incident_views WHERE incident_id = $1`, [incidentId]);
  expect(live.title).toBe('Nothing happened here');
  const scratch = await dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'replay\\_%'`);
  expect(scratch).toEqual([]);
}, 120_000);

it('is for auditors and admins only', async () => {
  expect((await api.http('reader', 'POST', '/audit/replay-check')).status).toBe(403);
  expect((await api.http('editor', 'POST', '/audit/replay-check')).status).toBe(403);
});
