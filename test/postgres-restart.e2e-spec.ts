import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../src/database/embedded-postgres.js';
import { freePort } from '../src/database/free-port.js';
import { migrate } from '../src/database/migrate.js';
import { newClient } from '../src/database/pool.js';
import { eventually } from './support/caught-up.js';
import { follow } from './support/live-stream.js';
import { serviceEnv, startService, type ServiceProcess } from './support/service-process.js';
import { httpClient, type TestApp } from './support/test-app.js';

// PostgreSQL is restarted under the running service (an upgrade, a failover to a standby on
// the same address). The service stays up, says it is not ready meanwhile and refuses
// writes with a 503, then goes on by itself: writes, projections, sealing and /stream, with
// no restart of its own. On a PostgreSQL server of its own: the test run's is shared.

const dataDir = mkdtempSync(join(tmpdir(), 'ledger-restart-pg-'));
let port: number;
let postgres: RunningPostgres;
let service: ServiceProcess;
let http: TestApp['http'];

const startPostgres = async () => (postgres = await startEmbeddedPostgres({ dataDir, port, unsafeFast: true }));

beforeAll(async () => {
  port = await freePort();
  await startPostgres();
  const admin = newClient(postgres.url('postgres'));
  await admin.connect();
  await admin.query('CREATE DATABASE ledger');
  await admin.end();
  await migrate(postgres.url('ledger'));
  service = await startService(serviceEnv(postgres.url('ledger')));
  http = httpClient(service.baseUrl);
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it('rides out a restart of PostgreSQL: 503 and not ready while it is down, then everything resumes by itself', async () => {
  const claimantId = (await http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } })).body.id;
  const incidentId = (
    await http('editor', 'POST', '/incidents', {
      body: { title: 'Ambush south of Tinzaouaten', location: { place: 'Tinzaouaten', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' } },
    })
  ).body.id;
  const report = (summary: string) => http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: { claimantId, summary, kind: 'event', statedAt: '2024-07-28T00:00:00Z' } });
  const live = await follow(service.baseUrl, `?incidentId=${incidentId}`);
  expect((await report('before')).status).toBe(201);

  await postgres.stop();
  const refused = await report('while down');
  expect([refused.status, refused.body.code]).toEqual([503, expect.stringMatching(/^(database|event_store)_unavailable$/)]);
  expect(refused.headers.get('retry-after')).toBeTruthy();
  await eventually(async () => (await http('none', 'GET', '/health')).status === 503, 'readiness to fail', 15_000);
  expect(service.child.exitCode).toBeNull();

  await startPostgres();
  await eventually(async () => (await http('none', 'GET', '/health')).status === 200, 'readiness again', 30_000);
  const after = await report('after');
  expect(after.status).toBe(201);
  await eventually(async () => (await http('reader', 'GET', `/incidents/${incidentId}`)).body.version === after.body.version, 'the incident view to show the claim', 30_000);
  await eventually(async () => (await http('admin', 'GET', '/health')).body.checks.auditLog.lag?.events === 0, 'the audit log to seal it', 30_000);
  const [before, later] = await live.next(2);
  live.close();
  expect([before.data.version, later.data.version]).toEqual([1, after.body.version]);
  expect(service.child.exitCode).toBeNull();
}, 180_000);
