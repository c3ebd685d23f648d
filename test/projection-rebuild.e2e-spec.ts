import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { loadDemo } from '../src/demo/load-demo.js';
import { ProjectionRunner } from '../src/projections/projection-runner.js';
import { PROJECTIONS } from '../src/read-models.js';
import { generateWorkload } from '../src/workload/generate-workload.js';
import { differences, snapshotProjectionTables } from './support/projection-tables.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// An auditor's guarantee: every read model can be rebuilt from the ledger alone, and the
// rebuild is row for row what the live projection built.

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp();
  await loadDemo({ baseUrl: api.baseUrl, apiKey: KEYS.editor, log: () => {} });
  const workload = await generateWorkload(api.app.get(CommandBus), { events: 10_000 });
  expect(workload.events).toBeGreaterThanOrEqual(10_000);
  await api.projected();
}, 600_000);

afterAll(async () => {
  await api.close();
});

it('rebuilding every projection from position zero yields the live tables, row for row', async () => {
  const dataSource = api.app.get(DataSource);
  const runner = api.app.get(ProjectionRunner);
  const live = await snapshotProjectionTables(dataSource, PROJECTIONS);
  expect(Object.values(live).every((rows) => rows.length > 0)).toBe(true);

  for (const projection of PROJECTIONS) await runner.rebuild(projection.name);
  await api.projected(); // a rebuild stops at the log's horizon; the live runner goes on from there

  const rebuilt = await snapshotProjectionTables(dataSource, PROJECTIONS);
  expect(differences(live, rebuilt)).toEqual({});
  expect(rebuilt).toEqual(live);
  const statuses = await runner.status();
  expect(statuses.map(({ name, status, lag }) => ({ name, status, behind: lag.events }))).toEqual(
    PROJECTIONS.map(({ name }) => ({ name, status: 'running', behind: 0 })).sort((a, b) => a.name.localeCompare(b.name)),
  );
}, 600_000);

it('answers GET /admin/projections to admins only, and rebuilds over HTTP', async () => {
  expect((await api.http('auditor', 'GET', '/admin/projections')).status).toBe(403);
  const listed = await api.http('admin', 'GET', '/admin/projections');
  expect(listed.status).toBe(200);
  expect(listed.body.projections.map((projection: { name: string }) => projection.name).sort()).toEqual(PROJECTIONS.map(({ name }) => name).sort());
  const rebuilt = await api.http('admin', 'POST', '/admin/projections/incident-view/rebuild');
  expect(rebuilt.status).toBe(200);
  expect(rebuilt.body).toMatchObject({ name: 'incident-view', eventsApplied: expect.any(Number) });
  expect((await api.http('admin', 'POST', '/admin/projections/no-such-view/rebuild')).status).toBe(404);
}, 120_000);
