import { randomUUID } from 'node:crypto';
import { eventually } from './support/caught-up.js';
import { serviceEnv, startService, type ServiceProcess } from './support/service-process.js';
import { httpClient, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { type Received, verified, WebhookReceiver } from './support/webhook-receiver.js';

// Webhooks are delivered at least once (issue 15, item 3): the service is killed (SIGKILL)
// while a slow receiver holds a delivery, and a second process on the same database takes
// over the deliverer's lock and resumes from the outbox. Every alert arrives; one sent
// again carries the same webhook-id and the same data (only the body's `timestamp`, the
// time of sending, differs), and the deliveries still come in the ledger's order.

const CLAIMS = 40;
const CONCURRENT_CLIENTS = 8;
const HOLD_MS = 250;
/** Received before the kill: some, not all. */
const RECEIVED_BEFORE_KILL = 8;

let database: TestDatabase;
let env: Record<string, string>;
let receiver: WebhookReceiver;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  env = { ...serviceEnv(database.url), WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.5', WEBHOOK_TIMEOUT_SECONDS: '5' };
  receiver = await WebhookReceiver.start();
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await receiver?.close();
  await database?.drop();
}, 60_000);

async function startedService(): Promise<TestApp['http']> {
  const service = await startService(env);
  services.push(service);
  return httpClient(service.baseUrl);
}

/** `count` claims on `incidentId` from `clients` desks at once; the incident version each was recorded at. */
async function burstOfClaims(http: TestApp['http'], incidentId: string, claimantId: string, count: number, clients: number): Promise<number[]> {
  const versions: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let index = next++; index < count; index = next++) {
        const written = await http('editor', 'POST', `/incidents/${incidentId}/claims`, {
          body: { claimId: randomUUID(), claimantId, summary: `Claim ${index}`, kind: 'event', statedAt: '2024-07-28T00:00:00Z' },
        });
        expect(written.status).toBe(201);
        versions.push(written.body.version);
      }
    }),
  );
  return versions.sort((a, b) => a - b);
}

/** The body as sent, less its `timestamp`: the time of sending, the one thing a resend may change. */
const untimed = ({ body }: Received) => body.replace(/"timestamp":"[^"]*",/, '');

describe('given a webhook subscription to an incident and a receiver that holds each request', () => {
  it('when the service is killed mid-delivery and another takes over, every alert arrives, resends with the same id and data, in the ledger order', async () => {
    const first = await startedService();
    const claimantId = (await first('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } })).body.id;
    const opened = await first('editor', 'POST', '/incidents', {
      body: { title: 'Convoy ambush south of Tinzaouaten', location: { place: 'Tinzaouaten', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' } },
    });
    expect(opened.status).toBe(201);
    const incidentId = opened.body.id;
    const subscribed = await first('editor', 'POST', '/subscriptions', { body: { target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] } });
    expect(subscribed.status).toBe(201);
    const { id: subscriptionId, secret } = subscribed.body;
    receiver.delayMs = () => HOLD_MS;

    const versions = await burstOfClaims(first, incidentId, claimantId, CLAIMS, CONCURRENT_CLIENTS);
    await eventually(async () => receiver.received.length >= RECEIVED_BEFORE_KILL && receiver.holding > 0, 'some deliveries taken and one held', 30_000, 5);
    await services[0].kill();
    const receivedBeforeKill = receiver.received.length;
    receiver.delayMs = () => 0;
    const second = await startedService();

    await eventually(async () => receiver.distinct().length >= CLAIMS, `${CLAIMS} distinct deliveries (${receiver.distinct().length} so far)`, 60_000, 20);
    const distinct = receiver.distinct();
    expect(receivedBeforeKill).toBeLessThan(CLAIMS);
    // One alert per claim, no more, each as the ledger numbered it, in that order.
    expect(distinct.map(({ json }) => [json.type, json.data.event.type, json.data.incident.id])).toEqual(versions.map(() => ['incident.changed', 'ClaimReported', incidentId]));
    expect(distinct.map(({ json }) => json.data.incident.version)).toEqual(versions);
    // Every request, resent or not, is signed with the subscription's secret and names its delivery in the body too.
    for (const request of receiver.received) expect(() => verified(secret, request)).not.toThrow();
    expect(receiver.received.filter(({ id, json }) => json.data.id !== id)).toEqual([]);
    // A resend is the same delivery: same id, same body but for the time it was sent.
    const firstOf = new Map(distinct.map((request) => [request.id, request]));
    const resent = receiver.received.filter((request) => firstOf.get(request.id) !== request);
    expect(resent.filter((request) => untimed(request) !== untimed(firstOf.get(request.id)!))).toEqual([]);
    // The delivery held when the service died was taken by the receiver but never marked delivered: it came again.
    expect(resent.length).toBeGreaterThan(0);

    const log = await second('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries?limit=200`);
    expect(log.status).toBe(200);
    expect(log.body.items.map(({ id, status }: { id: string; status: string }) => [id, status])).toEqual([...distinct].reverse().map(({ id }) => [id, 'delivered']));
  }, 180_000);
});
