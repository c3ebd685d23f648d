import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { freePort } from '../src/database/free-port.js';
import { migrate } from '../src/database/migrate.js';
import { newClient } from '../src/database/pool.js';
import { percentile } from './measure.js';
import { randomKey, settled, startService } from './start-service.js';

// `npm run bench:alerts [-- --subscriptions N --incidents N --claims N --clients N]`: the
// webhooks' lag under load (issue 15, docs/performance.md). Subscriptions to a receiver on
// loopback, each following one incident; a burst of claims spread over the incidents; for
// every delivery, the time from its claim's acknowledgement (and from its event's
// recordedAt) to its arrival at the receiver. Every delivery due must arrive.

const { values: args } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '1000' },
    incidents: { type: 'string', default: '100' },
    claims: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '16' },
    // How long the deliveries may take to arrive after the burst, in seconds.
    patience: { type: 'string', default: '300' },
  },
});
const SUBSCRIPTIONS = Number(args.subscriptions);
const INCIDENTS = Number(args.incidents);
const CLAIMS = Number(args.claims);
const CLIENTS = Number(args.clients);
const PATIENCE_MS = Number(args.patience) * 1000;
const here = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(here, '..', '..', 'bench', 'results');
const log = (line: string) => console.error(`[bench:alerts] ${line}`);

/** A request the receiver took: which alert, and when (Date.now()) it had all of it. */
interface Arrival {
  id: string;
  subscriptionId: string;
  incidentId: string;
  version: number;
  recordedAt: string;
  at: number;
}

async function main(): Promise<void> {
  const started = new Date();
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-alerts-'));
  // Real fsync on every commit, as in bench.ts: a delivery marked delivered is a commit.
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), unsafeFast: false });
  const receiver = await startReceiver();
  let stopService: (() => Promise<void>) | undefined;
  try {
    const admin = newClient(postgres.url('postgres'));
    await admin.connect();
    await admin.query('CREATE DATABASE ledger_alerts');
    await admin.end();
    const url = postgres.url('ledger_alerts');
    await migrate(url);
    const keys = { editor: randomKey(), reader: randomKey() };
    const service = await startService(url, keys, dataDir, generateKeyPairSync('ed25519').privateKey, { env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    stopService = service.stop;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${service.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${keys.editor}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { id: string; version: number };
    };

    const { id: claimantId } = await post('/sources', { name: 'JNIM', kind: 'armed_group' });
    const incidentIds = await inParallel(INCIDENTS, CLIENTS, async (index) => {
      const opened = await post('/incidents', { title: `Ambush ${index}`, location: { place: 'Tinzaouaten', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' } });
      return opened.id;
    });
    const subscribed = await inParallel(SUBSCRIPTIONS, CLIENTS, async (index) => {
      const incidentId = incidentIds[index % INCIDENTS];
      const { id } = await post('/subscriptions', { target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] });
      return { id, incidentId };
    });
    const subscribers = new Map<string, string[]>();
    for (const { id, incidentId } of subscribed) subscribers.set(incidentId, [...(subscribers.get(incidentId) ?? []), id]);
    log(`${SUBSCRIPTIONS} subscriptions over ${INCIDENTS} incidents; settled after ${(await settled(service.pid)).toFixed(0)} s`);

    // The burst: claims spread over the incidents, each acknowledged at a known moment.
    const acknowledged = new Map<string, number>();
    const statementsBefore = await service.statements();
    const burstStarted = Date.now();
    await inParallel(CLAIMS, CLIENTS, async (index) => {
      const incidentId = incidentIds[index % INCIDENTS];
      const { version } = await post(`/incidents/${incidentId}/claims`, { claimantId, summary: `Benchmark claim ${index}`, kind: 'event', statedAt: '2024-07-28T09:00:00.000Z' });
      acknowledged.set(`${incidentId}/${version}`, Date.now());
    });
    const burstMs = Date.now() - burstStarted;
    log(`${CLAIMS} claims from ${CLIENTS} clients in ${burstMs} ms`);

    const due = [...acknowledged.keys()].flatMap((key) => (subscribers.get(key.split('/')[0]) ?? []).map((subscriptionId) => `${subscriptionId}/${key}`));
    const arrived = new Map<string, Arrival>();
    const distinctIds = new Set<string>();
    const waitStarted = Date.now();
    while (Date.now() - waitStarted < PATIENCE_MS) {
      for (const arrival of receiver.arrivals.splice(0)) {
        const key = `${arrival.subscriptionId}/${arrival.incidentId}/${arrival.version}`;
        if (!arrived.has(key)) arrived.set(key, arrival);
        distinctIds.add(arrival.id);
        receiver.taken.push(arrival);
      }
      if (due.every((key) => arrived.has(key))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Every statement the service sent meanwhile (routes, projector, sealer, deliverer), over the deliveries.
    const statements = (await service.statements()) - statementsBefore;
    const missing = due.filter((key) => !arrived.has(key));
    const firsts = [...arrived.values()];
    const fromAck = firsts.map((arrival) => arrival.at - acknowledged.get(`${arrival.incidentId}/${arrival.version}`)!).sort((a, b) => a - b);
    const fromRecorded = firsts.map((arrival) => arrival.at - Date.parse(arrival.recordedAt)).sort((a, b) => a - b);
    // Where the lag goes: until the projection wrote the alert to the outbox, and in the outbox until it was marked delivered.
    const outbox = newClient(url);
    await outbox.connect();
    const { rows: stages } = await outbox.query<{ derived: number; queued: number }>(
      `SELECT extract(epoch FROM created_at - (alert->'event'->>'recordedAt')::timestamptz) * 1000 AS derived,
              extract(epoch FROM delivered_at - created_at) * 1000 AS queued
         FROM alert_deliveries WHERE status = 'delivered' AND target_kind = 'webhook'`,
    );
    await outbox.end();
    const sorted = (values: number[]) => values.map(Number).sort((a, b) => a - b);
    const [derived, queued] = [sorted(stages.map((stage) => stage.derived)), sorted(stages.map((stage) => stage.queued))];
    const lastArrival = Math.max(...firsts.map(({ at }) => at));
    const deliveringMs = lastArrival - burstStarted;
    const report = {
      startedAt: started.toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      options: { subscriptions: SUBSCRIPTIONS, incidents: INCIDENTS, claims: CLAIMS, clients: CLIENTS },
      burst: { ms: burstMs, claimsPerSecond: CLAIMS / (burstMs / 1000) },
      deliveries: {
        due: due.length,
        delivered: firsts.length,
        missing: missing.length,
        requests: receiver.taken.length,
        resent: receiver.taken.length - distinctIds.size,
        outOfOrder: outOfOrder(receiver.taken),
        // From the burst's first claim to the last delivery's arrival.
        perSecond: firsts.length / (deliveringMs / 1000),
        firstArrivalAfterBurstStartedMs: Math.min(...firsts.map(({ at }) => at)) - burstStarted,
        lastArrivalAfterBurstMs: lastArrival - (burstStarted + burstMs),
        statementsPerDelivery: statements / firsts.length,
      },
      lagMs: {
        fromAcknowledgement: { p50: percentile(fromAck, 0.5), p99: percentile(fromAck, 0.99), max: fromAck.at(-1) },
        fromRecordedAt: { p50: percentile(fromRecorded, 0.5), p99: percentile(fromRecorded, 0.99), max: fromRecorded.at(-1) },
        // From the event's recordedAt until its alert was in the outbox (the incident view's projection).
        untilInOutbox: { p50: percentile(derived, 0.5), p99: percentile(derived, 0.99), max: derived.at(-1) },
        // From then until the receiver's answer was recorded (the deliverer).
        inOutbox: { p50: percentile(queued, 0.5), p99: percentile(queued, 0.99), max: queued.at(-1) },
      },
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `alerts-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
    log(`results in ${file}`);
    if (missing.length > 0) {
      log(`${missing.length} deliveries never arrived, e.g. ${missing.slice(0, 3).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await stopService?.();
    await receiver.close();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A webhook receiver on loopback that answers 200 at once and notes when each delivery arrived. */
async function startReceiver(): Promise<{ url: string; arrivals: Arrival[]; taken: Arrival[]; close: () => Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const at = Date.now();
      const { data } = JSON.parse(body) as { data: { subscriptionId: string; incident: { id: string; version: number }; event: { recordedAt: string } } };
      arrivals.push({ id: String(request.headers['webhook-id']), subscriptionId: data.subscriptionId, incidentId: data.incident.id, version: data.incident.version, recordedAt: data.event.recordedAt, at });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    taken: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Requests whose alert is older than one its subscription had received before. */
function outOfOrder(arrivals: readonly Arrival[]): number {
  const latest = new Map<string, number>();
  let count = 0;
  for (const { subscriptionId, version } of arrivals) {
    if (version < (latest.get(subscriptionId) ?? 0)) count++;
    latest.set(subscriptionId, Math.max(version, latest.get(subscriptionId) ?? 0));
  }
  return count;
}

/** `work(0)`, … `work(count - 1)` from `clients` loops at once; the answers in index order. */
async function inParallel<T>(count: number, clients: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const answers: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let index = next++; index < count; index = next++) answers[index] = await work(index);
    }),
  );
  return answers;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
