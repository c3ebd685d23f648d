import { DataSource } from 'typeorm';
import { newClient } from '../src/database/pool.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { eventually } from './support/caught-up.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

// Subscriptions as editors manage them (issue 15): their own, checked, guarded by If-Match;
// the desk's alerts, kept and live; webhooks refused where they must not go, and cut off when
// their receiver is slow; a subscription whose deliveries keep failing (or whose owner's key
// is gone) paused, its owner told, and resumed with nothing lost.

let api: TestApp;
let receiver: WebhookReceiver;
let jnim: string;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  api = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.2', WEBHOOK_RETRY_FOR_SECONDS: '1', WEBHOOK_TIMEOUT_SECONDS: '1' }, { project: true, deliver: true });
  jnim = (await api.http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group', confidential: true } })).body.id;
});

afterAll(async () => {
  await api.close();
  await receiver.close();
});

async function openIncident(place = 'Tinzaouaten'): Promise<string> {
  const body = { title: `Ambush near ${place}`, location: { place, region: 'Kidal', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' }, tags: ['Sahel'] };
  return (await api.http('editor', 'POST', '/incidents', { body })).body.id;
}

async function claim(incidentId: string, value = 50): Promise<void> {
  const body = { claimantId: jnim, summary: 'JNIM claims an ambush', kind: 'casualties', figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'exact', value, originalText: `${value} mercenaries` }], statedAt: '2024-07-28T00:00:00Z' };
  expect((await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body })).status).toBe(201);
}

const deskWatch = (incidentId: string) => ({ target: { kind: 'desk' }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported', 'casualty_range_changed'] });

describe('given an editor and an admin who subscribe', () => {
  it('each key sees and manages its own subscriptions, admins every one, and another key’s is not there', async () => {
    const mine = (await api.http('editor', 'POST', '/subscriptions', { body: { ...deskWatch(await openIncident()), description: 'the ambush' } })).body.id;
    const theirs = (await api.http('admin', 'POST', '/subscriptions', { body: { target: { kind: 'desk' }, triggers: ['claim_graded'] } })).body.id;

    const listed = (await api.http('editor', 'GET', '/subscriptions')).body.items.map((item: { id: string }) => item.id);
    expect(listed).toContain(mine);
    expect(listed).not.toContain(theirs);
    expect((await api.http('admin', 'GET', '/subscriptions')).body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining([mine, theirs]));
    expect((await api.http('editor', 'GET', `/subscriptions/${theirs}`)).status).toBe(404);
    expect((await api.http('editor', 'DELETE', `/subscriptions/${theirs}`)).status).toBe(404);
    const read = await api.http('admin', 'GET', `/subscriptions/${mine}`);
    expect(read.body).toEqual(expect.objectContaining({ id: mine, owner: 'editor-desk', version: 1, status: 'active', description: 'the ambush', target: { kind: 'desk' } }));
    expect(read.headers.get('etag')).toBe('"1"');
    expect((await api.http('reader', 'GET', '/subscriptions')).status).toBe(403);
  });

  it('a change under a stale If-Match is refused with 412 and changes nothing; a current one applies', async () => {
    const id = (await api.http('editor', 'POST', '/subscriptions', { body: deskWatch(await openIncident()) })).body.id;
    const changed = await api.http('editor', 'PATCH', `/subscriptions/${id}`, { body: { triggers: ['claim_retracted'] }, headers: { 'if-match': '"1"' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ id, version: 2 });
    const stale = await api.http('editor', 'PATCH', `/subscriptions/${id}`, { body: { triggers: ['claim_graded'] }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.http('editor', 'DELETE', `/subscriptions/${id}`, { headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await api.http('editor', 'GET', `/subscriptions/${id}`)).body.triggers).toEqual(['claim_retracted']);
    expect((await api.http('editor', 'DELETE', `/subscriptions/${id}`, { headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await api.http('editor', 'GET', `/subscriptions/${id}`)).status).toBe(404);
  });

  it('bad input is a 400 problem naming the field and the rule, and subscribes nobody', async () => {
    const before = (await api.http('editor', 'GET', '/subscriptions')).body.items.length;
    const cases: [object, string, string][] = [
      [{ target: { kind: 'desk' }, triggers: [] }, 'triggers', 'too_small'],
      [{ target: { kind: 'desk' }, triggers: ['claim_reported', 'claim_reported'] }, 'triggers', 'duplicate_trigger'],
      [{ target: { kind: 'desk' }, triggers: ['figure_changed'] }, 'triggers[0]', 'invalid_value'],
      [{ target: { kind: 'pager' }, triggers: ['claim_reported'] }, 'target.kind', 'invalid_union'],
      [{ target: { kind: 'desk' }, triggers: ['claim_reported'], filters: { country: 'Mali' } }, 'filters.country', 'invalid_format'],
      [{ target: { kind: 'desk' }, triggers: ['claim_reported'], colour: 'red' }, 'colour', 'unknown_field'],
      [{ target: { kind: 'webhook', url: 'http://hooks.example.org/x' }, triggers: ['claim_reported'] }, 'target.url', 'webhook_target_refused'],
      [{ target: { kind: 'webhook', url: 'https://10.0.0.7/x' }, triggers: ['claim_reported'] }, 'target.url', 'webhook_target_refused'],
      [{ target: { kind: 'webhook', url: 'https://[::1]/x' }, triggers: ['claim_reported'] }, 'target.url', 'webhook_target_refused'],
      [{ target: { kind: 'webhook', url: 'https://user:pw@hooks.example.org/x' }, triggers: ['claim_reported'] }, 'target.url', 'webhook_target_refused'],
    ];
    for (const [body, field, code] of cases) {
      const refused = await api.http('editor', 'POST', '/subscriptions', { body });
      expect([refused.status, refused.headers.get('content-type'), refused.body.errors?.[0]]).toEqual([400, expect.stringContaining('application/problem+json'), expect.objectContaining({ field, code })]);
    }
    const id = (await api.http('editor', 'POST', '/subscriptions', { body: deskWatch(await openIncident()) })).body.id;
    const retarget = await api.http('editor', 'PATCH', `/subscriptions/${id}`, { body: { target: { kind: 'webhook', url: 'https://hooks.example.org/x' } } });
    expect([retarget.status, retarget.body.code]).toEqual([409, 'target_kind_fixed']);
    expect((await api.http('editor', 'PATCH', `/subscriptions/${id}`, { body: {} })).body.errors).toEqual([expect.objectContaining({ field: 'body', code: 'nothing_to_change' })]);
    expect((await api.http('editor', 'GET', '/subscriptions')).body.items.length).toBe(before + 1);
  });
});

describe('given a desk subscription to an incident', () => {
  it('its alerts are kept for later, sent live over the stream, and name a confidential source only as the key’s role may see it', async () => {
    const incidentId = await openIncident('Kidal');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: deskWatch(incidentId) })).body.id;
    const live = await fetch(`${api.baseUrl}/alerts/stream`, { headers: { authorization: 'Bearer test-editor-key-0123456789' } });
    const reader = live.body!.getReader();
    await claim(incidentId, 12);

    let text = '';
    while (!text.includes('event: alert')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const streamed = JSON.parse(/data: (.*)/.exec(text.slice(text.indexOf('event: alert')))![1]);
    expect(streamed).toEqual(expect.objectContaining({ subscriptionId, kind: 'incident_changed', triggers: ['casualty_range_changed', 'claim_reported'], headline: 'JNIM claimed 12 Wagner killed' }));

    const kept = (await api.http('editor', 'GET', '/alerts')).body.items;
    expect(kept[0]).toEqual(streamed);
    expect(kept[0].changes).toContain('Wagner killed: none → 12');
    // Shown to an editor, the confidential source's name is recorded in its access log.
    const log = (await api.http('admin', 'GET', `/sources/${jnim}/access-log`)).body.entries.map((entry: { route: string }) => entry.route);
    expect(log).toEqual(expect.arrayContaining(['GET /alerts', 'GET /alerts/stream']));
    // The admin's own desk has none of the editor's alerts.
    expect((await api.http('admin', 'GET', '/alerts')).body.items.some((alert: { subscriptionId: string }) => alert.subscriptionId === subscriptionId)).toBe(false);
  });

  it('streams an alert whose row committed after a later one’s, which its seq alone would have passed over', async () => {
    const incidentId = await openIncident('Léré');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: deskWatch(incidentId) })).body.id;
    const live = await fetch(`${api.baseUrl}/alerts/stream`, { headers: { authorization: 'Bearer test-editor-key-0123456789' } });
    const reader = live.body!.getReader();
    let text = '';
    const untilStreamed = async (needle: string) => {
      while (!text.includes(needle)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await untilStreamed(': connected');
    // One writer takes a seq and holds its row uncommitted while another, later, commits a
    // row with a higher seq (a projection batch and a notice of the deliverer's may).
    const notice = (headline: string) => ({ kind: 'subscription_paused', triggers: [], headline, changes: [] });
    const insert = `INSERT INTO alert_deliveries (id, subscription_id, target_kind, alert, status, delivered_at) VALUES (gen_random_uuid(), $1, 'desk', $2, 'delivered', now())`;
    const [first, second] = [newClient(api.database.url), newClient(api.database.url)];
    await Promise.all([first.connect(), second.connect()]);
    await first.query('BEGIN');
    await first.query(insert, [subscriptionId, notice('A notice written first, committed last')]);
    await second.query(insert, [subscriptionId, notice('A notice written last, committed first')]);
    await untilStreamed('A notice written last, committed first');
    await first.query('COMMIT');
    await Promise.all([first.end(), second.end()]);

    await untilStreamed('A notice written first, committed last');
    await reader.cancel();
    const frames = text.split('\n\n').filter((frame) => frame.includes('event: alert'));
    const seqs = frames.map((frame) => Number(/"seq":(\d+)/.exec(frame)![1]));
    expect(seqs[1]).toBeLessThan(seqs[0]);
    // Its id would move a client's Last-Event-ID back: it has none.
    expect(frames.map((frame) => frame.startsWith('id: '))).toEqual([true, false]);
  }, 30_000);

  it('resumed with Last-Event-ID a minute later, sends the alerts below that id that committed after the stream it replaces last looked', async () => {
    const incidentId = await openIncident('Goundam');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: deskWatch(incidentId) })).body.id;
    const notice = (headline: string) => ({ kind: 'subscription_paused', triggers: [], headline, changes: [] });
    const insert = (secondsAgo: number) =>
      `INSERT INTO alert_deliveries (id, subscription_id, target_kind, alert, status, delivered_at, created_at)
       VALUES (gen_random_uuid(), $1, 'desk', $2, 'delivered', now(), now() - make_interval(secs => ${secondsAgo})) RETURNING seq`;
    const [held, other] = [newClient(api.database.url), newClient(api.database.url)];
    await Promise.all([held.connect(), other.connect()]);
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      // Written before the last alert the ended stream sent (their seqs are lower): one still
      // uncommitted, one that committed after that stream last looked, a minute ago.
      await held.query('BEGIN');
      await held.query(insert(0), [subscriptionId, notice('Committed once the stream was back')]);
      await other.query(insert(70), [subscriptionId, notice('Committed after the stream last looked')]);
      const [{ seq: lastSent }] = (await other.query(insert(60), [subscriptionId, notice('The last the stream sent')])).rows;

      const resumed = await fetch(`${api.baseUrl}/alerts/stream`, { headers: { authorization: 'Bearer test-editor-key-0123456789', 'last-event-id': String(lastSent) } });
      reader = resumed.body!.getReader();
      let text = '';
      const untilStreamed = async (needle: string) => {
        while (!text.includes(needle)) {
          const { done, value } = await reader!.read();
          if (done) throw new Error(`The stream ended: ${text}`);
          text += new TextDecoder().decode(value);
        }
      };
      await untilStreamed('Committed after the stream last looked');
      await held.query('COMMIT');
      await untilStreamed('Committed once the stream was back');
      // This subscription's (the key's other desk alerts of the last seconds come again too).
      const ours = text.split('\n\n').filter((frame) => frame.includes(subscriptionId));
      expect(ours.map((frame) => /"headline":"([^"]*)"/.exec(frame)![1])).toEqual(['Committed after the stream last looked', 'Committed once the stream was back']);
      // Sent again, or late: a client's Last-Event-ID stays the newest it was sent.
      expect(text).not.toMatch(/^id: /m);
    } finally {
      await reader?.cancel();
      await held.query('ROLLBACK').catch(() => undefined);
      await Promise.all([held.end(), other.end()]);
    }
  }, 30_000);

  it('names a source erased since the alert as erased, as the timeline does', async () => {
    const incidentId = await openIncident('Aguelhok');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: deskWatch(incidentId) })).body.id;
    const agency = (await api.http('editor', 'POST', '/sources', { body: { name: 'Agence Sahel Presse', kind: 'news_agency' } })).body.id;
    const body = { claimantId: agency, summary: 'Six soldiers killed', kind: 'casualties', figures: [{ party: 'Malian soldiers', outcome: 'killed', qualifier: 'exact', value: 6, originalText: 'six soldiers' }], statedAt: '2024-07-28T00:00:00Z' };
    expect((await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body })).status).toBe(201);
    await api.projected();
    const alertOf = async () => (await api.http('editor', 'GET', '/alerts')).body.items.find((alert: { subscriptionId: string }) => alert.subscriptionId === subscriptionId);
    expect((await alertOf()).headline).toBe('Agence Sahel Presse claimed 6 Malian soldiers killed');

    expect((await api.http('admin', 'POST', `/sources/${agency}/erasure`, { body: { reason: 'the agency asked to be forgotten' } })).status).toBe(201);
    await api.projected();
    const erased = await alertOf();
    expect(erased.headline).toBe('erased source claimed 6 Malian soldiers killed');
    expect(JSON.stringify(erased)).not.toContain('Agence Sahel Presse');
  });

  it('an event recorded before the subscription, or outside its filters, alerts nobody', async () => {
    const incidentId = await openIncident('Gao');
    await claim(incidentId, 3);
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: { ...deskWatch(incidentId), filters: { incidentIds: [incidentId], tags: ['Sahel'], claimantIds: [jnim] } } })).body.id;
    await claim(await openIncident('Menaka'), 4);
    await claim(incidentId, 5);
    await api.projected();
    const alerts = (await api.http('editor', 'GET', '/alerts')).body.items.filter((alert: { subscriptionId: string }) => alert.subscriptionId === subscriptionId);
    expect(alerts.map((alert: { headline: string }) => alert.headline)).toEqual(['JNIM claimed 5 Wagner killed']);
  });
});

describe('given a webhook whose receiver keeps failing', () => {
  it('is paused once it failed for the whole retry period, its owner finds a notice among their alerts, and a resume delivers what waited', async () => {
    receiver.status = () => 503;
    const incidentId = await openIncident('Anefis');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: { target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] } })).body.id;
    await claim(incidentId, 7);
    await eventually(async () => (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}`)).body.status === 'paused', 'the subscription paused', 15_000, 100);

    const paused = (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}`)).body;
    expect(paused.pausedReason).toContain('503');
    const notice = (await api.http('editor', 'GET', '/alerts')).body.items.find((alert: { subscriptionId: string }) => alert.subscriptionId === subscriptionId);
    expect(notice).toEqual(expect.objectContaining({ kind: 'subscription_paused', headline: expect.stringContaining('paused') }));
    const [waiting] = (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items;
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts.every((attempt: { statusCode: number; responseExcerpt: string }) => attempt.statusCode === 503 && attempt.responseExcerpt === 'ok')).toBe(true);

    receiver.status = () => 200;
    const before = receiver.received.length;
    expect((await api.http('editor', 'PATCH', `/subscriptions/${subscriptionId}`, { body: { status: 'active' }, headers: { 'if-match': `"${paused.version}"` } })).status).toBe(200);
    const [delivered] = (await receiver.waitFor(before + 1)).slice(before);
    expect(delivered.id).toBe(waiting.id);

    // Redelivery on request sends it again, with the same id.
    expect((await api.http('editor', 'POST', `/subscriptions/${subscriptionId}/deliveries/${waiting.id}/redelivery`)).status).toBe(202);
    const [again] = (await receiver.waitFor(before + 2)).slice(before + 1);
    expect(again.id).toBe(waiting.id);
  });

  it('keeps an excerpt of any answer, even one PostgreSQL cannot store as it came (U+0000, an emoji cut in half)', async () => {
    receiver.answer = () => `${'\u0000'.repeat(3)}${'x'.repeat(196)}😀 and more`;
    const incidentId = await openIncident('Tessalit');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: { target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] } })).body.id;
    await claim(incidentId, 11);
    await eventually(async () => (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items[0]?.status === 'delivered', 'the delivery recorded', 15_000, 100);
    const [attempt] = (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items[0].attempts;
    receiver.answer = () => 'ok';
    expect(attempt).toEqual(expect.objectContaining({ statusCode: 200, responseExcerpt: `${'x'.repeat(196)}\uFFFD` }));
  });

  it('refuses, on every delivery, a name that resolves to a loopback address the allowlist does not name', async () => {
    const incidentId = await openIncident('Ber');
    // https, so that the URL passes when subscribed: only the delivery's own lookup sees the address.
    const url = receiver.url.replace('http://127.0.0.1', 'https://localhost');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: { target: { kind: 'webhook', url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] } })).body.id;
    await claim(incidentId, 9);
    await eventually(async () => (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items[0]?.attempts.length > 0, 'an attempt', 15_000, 100);
    const [attempt] = (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items[0].attempts;
    expect(attempt.error).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address/);
    expect(attempt.statusCode).toBeUndefined();
  });

  it('cuts off a receiver that has not answered within the timeout, and records why', async () => {
    receiver.delayMs = () => 5_000;
    const incidentId = await openIncident('Léré');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: { target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] } })).body.id;
    await claim(incidentId, 13);
    await eventually(async () => (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items[0]?.attempts.length > 0, 'an attempt', 15_000, 100);
    receiver.delayMs = () => 0;

    const [attempt] = (await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items[0].attempts;
    // WEBHOOK_TIMEOUT_SECONDS is 1 here: cut off then, not when the receiver got round to answering.
    expect([attempt.error, attempt.statusCode]).toEqual(['No answer within 1 s', undefined]);
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(1_000);
    expect(attempt.latencyMs).toBeLessThan(5_000);
  });

  it('is paused at its next delivery once its owner’s key is no longer configured, and sends nothing', async () => {
    const incidentId = await openIncident('Aguelhok');
    const subscriptionId = (await api.http('editor', 'POST', '/subscriptions', { body: { target: { kind: 'webhook', url: receiver.url }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] } })).body.id;
    // As a restart without this key in API_KEYS leaves it: its subscription names a key the service no longer has.
    await api.app.get(DataSource).query("UPDATE subscriptions SET owner = 'departed-desk' WHERE id = $1", [subscriptionId]);
    await claim(incidentId, 5);
    await eventually(async () => (await api.http('admin', 'GET', `/subscriptions/${subscriptionId}`)).body.status === 'paused', 'the subscription paused', 15_000, 100);

    expect((await api.http('admin', 'GET', `/subscriptions/${subscriptionId}`)).body.pausedReason).toContain('departed-desk');
    const [waiting] = (await api.http('admin', 'GET', `/subscriptions/${subscriptionId}/deliveries`)).body.items;
    expect([waiting.status, waiting.attempts]).toEqual(['pending', []]);
    expect(receiver.received.filter(({ id }) => id === waiting.id)).toEqual([]);
  });
});
