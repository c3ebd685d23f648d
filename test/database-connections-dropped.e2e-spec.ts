import type pg from 'pg';
import { newClient } from '../src/database/pool.js';
import { pause } from '../src/common/pause.js';
import { eventually } from './support/caught-up.js';
import { follow } from './support/live-stream.js';
import { serviceEnv, startService, type ServiceProcess } from './support/service-process.js';
import { httpClient, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// PostgreSQL ends the service's connections behind its back, as a restart, a failover or an
// administrator does: every one of them, idle or in the middle of a statement, twenty times
// over, while a desk writes and a reader reads. The service (the built one, in a process of
// its own) stays up, answers 503 at worst, loses no write it acknowledged, and its
// projector, sealer and /stream go on by themselves.

const ROUNDS = 20;
const WRITERS = 4;

let database: TestDatabase;
let service: ServiceProcess;
let admin: pg.Client;
let http: TestApp['http'];

beforeAll(async () => {
  database = await createTestDatabase();
  service = await startService(serviceEnv(database.url));
  http = httpClient(service.baseUrl);
  admin = newClient(database.url);
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await admin?.end();
  await database?.drop();
});

/** Ends every connection to the service's database but this test's own; how many were in the middle of a statement. */
async function endEveryConnection(): Promise<{ ended: number; midStatement: number }> {
  const { rows } = await admin.query<{ ended: string; mid_statement: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS ended,
            count(*) FILTER (WHERE state = 'active') AS mid_statement
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return { ended: Number(rows[0].ended), midStatement: Number(rows[0].mid_statement) };
}

it('stays up through twenty rounds of every connection ended, mid-statement too: 503 at worst, no acknowledged write lost, and everything resumes', async () => {
  const claimantId = (await http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } })).body.id;
  const incidents: string[] = [];
  for (let index = 0; index < WRITERS; index++) {
    const opened = await http('editor', 'POST', '/incidents', {
      body: { title: `Ambush ${index}`, location: { place: 'Tinzaouaten', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' } },
    });
    incidents.push(opened.body.id);
  }
  // The reader below asks for the first incident from the start: a view not projected yet is a 404.
  await eventually(async () => (await http('reader', 'GET', `/incidents/${incidents[0]}`)).status === 200, 'the first incident in the views');
  const live = await follow(service.baseUrl);

  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const acknowledged: { incidentId: string; claimId: string; version: number }[] = [];
  let loading = true;
  const writers = incidents.map(async (incidentId) => {
    while (loading) {
      const reported = await http('editor', 'POST', `/incidents/${incidentId}/claims`, {
        body: { claimantId, summary: `Claim ${acknowledged.length}`, kind: 'event', statedAt: '2024-07-28T00:00:00Z' },
      });
      count(reported.status);
      if (reported.status === 201) acknowledged.push({ incidentId, claimId: reported.body.claimId, version: reported.body.version });
    }
  });
  const reader = (async () => {
    while (loading) count((await http('reader', 'GET', `/incidents/${incidents[0]}`)).status);
  })();

  const rounds: { ended: number; midStatement: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await pause(150 + Math.random() * 200, new AbortController().signal);
    rounds.push(await endEveryConnection());
  }
  loading = false;
  await Promise.all([...writers, reader]);

  expect(service.child.exitCode).toBeNull();
  expect(service.stderr()).not.toMatch(/Unhandled|uncaught/i);
  // Every round found connections to end, and some caught statements under way.
  expect(rounds.every(({ ended }) => ended > 0)).toBe(true);
  expect(rounds.reduce((sum, { midStatement }) => sum + midStatement, 0)).toBeGreaterThan(0);
  expect([...statuses.keys()].filter((status) => ![200, 201, 503].includes(status))).toEqual([]);
  expect(acknowledged.length).toBeGreaterThan(ROUNDS);

  // Each acknowledged claim is in the ledger, once, at the version it was acknowledged with.
  for (const incidentId of incidents) {
    const recorded = (await http('auditor', 'GET', `/incidents/${incidentId}/events?limit=1000`)).body.events as { type: string; revision: number; data: { claimId?: string } }[];
    const claims = recorded.filter(({ type }) => type === 'ClaimReported');
    for (const claim of acknowledged.filter((written) => written.incidentId === incidentId)) {
      expect(claims.filter(({ data }) => data.claimId === claim.claimId).map(({ revision }) => revision)).toEqual([claim.version]);
    }
  }

  // Writes go through again, and the projector, the sealer and /stream caught up by themselves.
  await eventually(async () => (await http('editor', 'POST', `/incidents/${incidents[0]}/claims`, { body: { claimantId, summary: 'After', kind: 'event', statedAt: '2024-07-28T00:00:00Z' } })).status === 201, 'a write to succeed');
  await eventually(async () => {
    const { body } = await http('admin', 'GET', '/admin/projections');
    return body.projections.every((projection: { status: string; lag: { events: number } }) => projection.status === 'running' && projection.lag.events === 0);
  }, 'the projections to catch up', 30_000);
  await eventually(async () => (await http('admin', 'GET', '/health')).body.checks?.auditLog.lag?.events === 0, 'the audit log to seal everything', 30_000);
  const streamed = await live.next(acknowledged.length + 1);
  live.close();
  for (const claim of acknowledged) {
    expect(streamed.filter(({ data }) => data.id === claim.incidentId && data.version === claim.version)).toHaveLength(1);
  }
}, 240_000);
