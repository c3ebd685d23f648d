import { startTestApp, type TestApp } from './support/test-app.js';
import { verified, WebhookReceiver } from './support/webhook-receiver.js';
import { eventually } from './support/caught-up.js';

// Watchers (issue 15): a partner system subscribes to an incident and receives, on a real
// HTTP receiver on loopback (allowlisted), each change as a signed webhook, in order, at
// least once, whatever happens to the receiver meanwhile.

let api: TestApp;
let receiver: WebhookReceiver;
let sources: Record<'jnim' | 'site' | 'blogs', string>;

const SUNDAY = '2024-07-28T00:00:00.000Z';
const MONDAY = '2024-07-29T00:00:00.000Z';

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  api = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.5', WEBHOOK_TIMEOUT_SECONDS: '2' }, { project: true, deliver: true });
  const register = async (name: string, kind: string) => (await api.http('editor', 'POST', '/sources', { body: { name, kind } })).body.id as string;
  sources = { jnim: await register('JNIM', 'armed_group'), site: await register('SITE Intelligence Group', 'monitoring_group'), blogs: await register('Russian military blogs', 'social_media') };
});

afterAll(async () => {
  await api.close();
  await receiver.close();
});

async function openAmbush(): Promise<string> {
  const opened = await api.http('editor', 'POST', '/incidents', {
    body: {
      title: 'Convoy ambush south of Tinzaouaten',
      location: { place: 'South of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'region' },
      occurred: { from: '2024-07-27', precision: 'day' },
      tags: ['Wagner', 'JNIM'],
    },
  });
  expect(opened.status).toBe(201);
  return opened.body.id;
}

async function subscribe(body: object, who: 'editor' | 'admin' = 'editor'): Promise<{ id: string; secret: string }> {
  const created = await api.http(who, 'POST', '/subscriptions', { body });
  expect(created.status).toBe(201);
  return created.body;
}

async function claim(incidentId: string, body: object): Promise<string> {
  const reported = await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body });
  expect(reported.status).toBe(201);
  return reported.body.claimId;
}

const jnimClaim = () => ({
  claimantId: sources.jnim,
  via: [sources.site],
  summary: 'JNIM claimed to have killed 50 Russian Wagner mercenaries in an ambush.',
  kind: 'casualties',
  figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Russian Wagner mercenaries' }],
  statedAt: SUNDAY,
});

const blogsClaim = () => ({
  claimantId: sources.blogs,
  summary: 'A few Russian military blogs recorded at least 20 Wagner deaths.',
  kind: 'casualties',
  figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'at_least', value: 20, originalText: 'At least 20 Wagner deaths' }],
  statedAt: MONDAY,
});

describe('given a webhook subscription to the ambush', () => {
  it('when JNIM claims, the bloggers claim and JNIM retracts, the receiver gets one signed alert each, in order, telling what the timeline tells', async () => {
    const ambush = await openAmbush();
    const { id: subscriptionId, secret } = await subscribe({ target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [ambush] }, triggers: ['claim_reported', 'claim_retracted', 'casualty_range_changed'] });
    expect(secret).toMatch(/^whsec_/);
    const before = receiver.received.length;

    const jnim = await claim(ambush, jnimClaim());
    await claim(ambush, blogsClaim());
    const retracted = await api.http('editor', 'POST', `/incidents/${ambush}/claims/${jnim}/retractions`, { body: { reason: 'JNIM withdrew its communiqué', statedAt: MONDAY } });
    expect(retracted.status).toBe(201);

    const received = (await receiver.waitFor(before + 3)).slice(before);
    for (const request of received) expect(() => verified(secret, request)).not.toThrow();
    const timeline = (await api.http('editor', 'GET', `/incidents/${ambush}/timeline`)).body.entries;
    expect(received.map(({ json }) => json.type)).toEqual(['incident.changed', 'incident.changed', 'incident.changed']);
    expect(received.map(({ json }) => [json.data.event.type, json.data.incident.version, json.data.triggers])).toEqual([
      ['ClaimReported', 1, ['casualty_range_changed', 'claim_reported']],
      ['ClaimReported', 2, ['casualty_range_changed', 'claim_reported']],
      ['ClaimRetracted', 3, ['casualty_range_changed', 'claim_retracted']],
    ]);
    // The timeline's own sentence and changes, sources named as the subscriber (an editor) is shown them.
    expect(received.map(({ json }) => ({ headline: json.data.headline, changes: json.data.changes }))).toEqual(timeline.slice(1).map(({ headline, changes }: { headline: string; changes: string[] }) => ({ headline, changes })));
    expect(received[0].json.data.headline).toContain('JNIM');
    expect(received[2].json.data.changes).toContainEqual(expect.stringMatching(/^Wagner killed: .*50.*→.*20/));
    // Each delivery has its own id, the same one its log shows and the body carries.
    expect(new Set(received.map(({ id }) => id)).size).toBe(3);
    expect(received.map(({ id, json }) => json.data.id === id)).toEqual([true, true, true]);
    expect(received.every(({ json }) => json.data.subscriptionId === subscriptionId && json.data.incident.id === ambush && typeof json.data.event.position === 'string')).toBe(true);

    const log = await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items.map((delivery: { id: string; status: string; attempts: { statusCode: number }[] }) => [delivery.id, delivery.status, delivery.attempts.map(({ statusCode }) => statusCode)])).toEqual(
      [...received].reverse().map(({ id }) => [id, 'delivered', [200]]),
    );
  });

  it('when the receiver is down for 30 seconds, every alert arrives once it is back, in order', async () => {
    const ambush = await openAmbush();
    const { id: subscriptionId, secret } = await subscribe({ target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [ambush] }, triggers: ['claim_reported'] });
    await receiver.close();
    const claimIds = [];
    for (const value of [21, 22, 23]) claimIds.push(await claim(ambush, { ...blogsClaim(), figures: [{ ...blogsClaim().figures[0], value }] }));
    await eventually(async () => {
      const log = await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`);
      return log.body.items.length === 3 && log.body.items.every((delivery: { attempts: unknown[] }) => delivery.attempts.length === 0) === false;
    }, 'an attempt that failed');
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    const before = receiver.received.length;
    await receiver.listen();

    const back = (await receiver.waitFor(before + 3, 20_000)).slice(before);
    expect(back.map(({ json }) => json.data.headline)).toEqual([21, 22, 23].map((value) => `Russian military blogs claimed at least ${value} Wagner killed`));
    for (const request of back) expect(() => verified(secret, request)).not.toThrow();
    const log = (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items;
    expect(log.every((delivery: { status: string }) => delivery.status === 'delivered')).toBe(true);
    // The first was tried while the receiver was down, and its log says so.
    const first = log[log.length - 1];
    expect(first.attempts.length).toBeGreaterThan(1);
    expect(first.attempts[0]).toEqual(expect.objectContaining({ error: expect.stringContaining('ECONNREFUSED') }));
    expect(first.attempts.at(-1)).toEqual(expect.objectContaining({ statusCode: 200 }));
  }, 90_000);
});
