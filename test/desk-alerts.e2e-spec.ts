import type { Locator, Page } from 'playwright-core';
import { eventually } from './support/caught-up.js';
import {
  buildDeskIfStale,
  expectCount,
  expectNoSeriousAxeViolations,
  expectNoSidewaysScroll,
  expectText,
  openDeskBrowser,
  openForm,
  PHONE,
  snapshot,
  STEP_TIMEOUT,
  waitUntil,
  type DeskBrowser,
} from './support/desk-browser.js';
import { recorded, startTestApp, type TestApp } from './support/test-app.js';
import { verified, WebhookReceiver } from './support/webhook-receiver.js';

// Alerts at the desk (issue 15): an editor watches an incident from its page, and the bell
// in the masthead counts what changes on it, live, without a reload; the alerts list says
// what changed and clears the count. On the subscriptions page an editor sends alerts to a
// webhook (its secret shown once), pauses and resumes it, reads its delivery log, has a
// delivery sent again, and deletes it after a confirmation. Readers get none of it.
// Screenshots go to test-artifacts/.

const TITLE = 'Convoy ambush south of Tinzaouaten';
const WEBHOOK_NAME = 'Ambush alerts to the newsroom system';

let app: TestApp;
let desk: DeskBrowser;
let receiver: WebhookReceiver;
/** The webhook's secret, as the desk showed it once. */
let secret: string;
let jnimId: string;
let incidentId: string;
let editor: Page;

beforeAll(async () => {
  buildDeskIfStale();
  receiver = await WebhookReceiver.start();
  // Loopback may be called over plain http in this test alone; the service delivers as it projects.
  app = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.5' }, { project: true, deliver: true });
  desk = await openDeskBrowser(app.baseUrl);
  jnimId = (await recorded(app, '/sources', { name: 'JNIM', kind: 'armed_group' })).id;
  incidentId = (
    await recorded(app, '/incidents', {
      title: TITLE,
      location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
      occurred: { from: '2024-07-27', precision: 'day' },
      tags: ['ambush'],
    })
  ).id;
  await eventually(async () => (await app.http('reader', 'GET', `/incidents/${incidentId}`)).status === 200, 'the incident in the read models');
}, 120_000);

afterAll(async () => {
  await desk?.close();
  await app?.close();
  await receiver?.close();
});

describe('alerts at the desk', () => {
  it('given an editor watching an incident, when a claim is reported on it through the API, then the bell counts 1 without a reload, the alerts list shows what changed, and opening it clears the count', async () => {
    editor = await desk.signedIn('editor');
    await editor.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await bell(editor, 'none new').waitFor();

    const [watched] = await Promise.all([editor.waitForResponse((response) => response.url().endsWith('/subscriptions') && response.request().method() === 'POST'), editor.getByRole('button', { name: 'Watch', exact: true }).click()]);
    expect(watched.status()).toBe(201);
    expect(watched.request().postDataJSON()).toMatchObject({ target: { kind: 'desk' }, filters: { incidentIds: [incidentId] } });
    expect(watched.request().postDataJSON().triggers).toHaveLength(8);
    await editor.getByRole('button', { name: 'Stop watching' }).waitFor();
    await expectText(editor.locator('.watch'), 'Watching');

    await reportClaim('JNIM claims 10 Malian soldiers killed', 10);
    await bell(editor, '1 new').waitFor({ timeout: 20_000 });

    const [{ items }] = [(await app.http('editor', 'GET', '/alerts')).body as { items: { headline: string; incident?: { id: string } }[] }];
    expect(items).toHaveLength(1);
    await bell(editor, '1 new').click();
    await editor.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const alert = editor.getByRole('list', { name: 'Alerts' }).getByRole('listitem').first();
    await expectText(alert.getByRole('heading'), items[0].headline);
    await alert.getByRole('link', { name: TITLE }).waitFor();
    await bell(editor, 'none new').waitFor();
    await snapshot(editor, 'desk-alerts');

    // Seen is kept for the key: a reload does not count it again.
    await editor.reload();
    await editor.getByRole('link', { name: TITLE }).waitFor();
    await editor.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await editor.getByRole('button', { name: 'Stop watching' }).waitFor();
    await bell(editor, 'none new').waitFor();
  }, STEP_TIMEOUT);

  it('given a watched incident, when the editor stops watching it, then its subscription is deleted and the button reads Watch again', async () => {
    const [stopped] = await Promise.all([
      editor.waitForResponse((response) => response.request().method() === 'DELETE'),
      editor.getByRole('button', { name: 'Stop watching' }).click(),
    ]);
    expect(stopped.status()).toBe(204);
    expect(stopped.request().headers()['if-match']).toMatch(/^"\d+"$/);
    await editor.getByRole('button', { name: 'Watch', exact: true }).waitFor();
    expect((await app.http('editor', 'GET', '/subscriptions')).body.items).toEqual([]);
  }, STEP_TIMEOUT);

  it('given the subscriptions page, when the editor subscribes a webhook to the incident, then its secret is shown once, with a hint to copy it', async () => {
    await editor.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await editor.getByRole('heading', { level: 1, name: 'Subscriptions' }).waitFor();
    const form = await openForm(editor, 'New subscription', 'New subscription');
    await form.getByLabel('a webhook', { exact: false }).check();
    // Plain http only to the hosts the service allows: the service says so at the field, in its words.
    await form.getByLabel('Webhook address', { exact: true }).fill('http://example.org/hooks');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await expectText(form.locator('.field-error[data-field="target.url"]'), 'Webhook address must be an https:// URL');
    await form.getByLabel('Webhook address', { exact: true }).fill(receiver.url);
    await form.getByLabel('Find an incident', { exact: true }).fill('convoy ambush');
    await choose(form.getByLabel('Incident', { exact: true }), TITLE);
    await form.getByRole('button', { name: 'Add the incident' }).click();
    await expectText(form.getByRole('list', { name: 'Incidents chosen' }), TITLE);
    await form.getByLabel('Country', { exact: true }).fill('ml');
    await form.getByLabel('a claim is graded', { exact: true }).uncheck();
    await form.getByLabel('Description', { exact: true }).fill(WEBHOOK_NAME);
    await expectNoSeriousAxeViolations(editor);

    const [created] = await Promise.all([editor.waitForResponse((response) => response.url().endsWith('/subscriptions') && response.request().method() === 'POST'), form.getByRole('button', { name: 'Subscribe' }).click()]);
    expect(created.status()).toBe(201);
    expect(created.request().headers()['idempotency-key']).toBeTruthy();
    expect(created.request().postDataJSON()).toEqual({
      id: expect.any(String),
      target: { kind: 'webhook', url: receiver.url },
      filters: { incidentIds: [incidentId], country: 'ML' },
      triggers: ['casualty_range_changed', 'contested_changed', 'claim_reported', 'claim_amended', 'claim_retracted', 'claim_corrected', 'statement_with_stance'],
      description: WEBHOOK_NAME,
    });
    ({ secret } = (await created.json()) as { secret: string });
    expect(secret).toMatch(/^whsec_/);

    const secretBox = editor.getByRole('region', { name: 'The webhook’s signing secret' });
    await expectText(secretBox, 'it is shown this once');
    expect(await secretBox.getByLabel('Signing secret', { exact: true }).inputValue()).toBe(secret);
    await item(editor).getByRole('heading', { name: WEBHOOK_NAME }).waitFor();
    await snapshot(editor, 'desk-subscription-secret');

    await secretBox.getByRole('button', { name: 'I have copied it' }).click();
    await secretBox.waitFor({ state: 'detached' });
    await editor.reload();
    await item(editor).waitFor();
    expect(await editor.getByText(secret).count()).toBe(0);
    expect(await editor.getByLabel('Signing secret').count()).toBe(0);
  }, STEP_TIMEOUT);

  it('given a webhook subscription, when the editor pauses it and resumes it, then each is sent against the version last read and shown', async () => {
    const subscription = item(editor);
    await expectText(subscription.locator('.badge'), 'active');
    const [paused] = await Promise.all([editor.waitForResponse((response) => response.request().method() === 'PATCH'), subscription.getByRole('button', { name: `Pause ${WEBHOOK_NAME}` }).click()]);
    expect(paused.status()).toBe(200);
    expect(paused.request().postDataJSON()).toEqual({ status: 'paused' });
    expect(paused.request().headers()['if-match']).toBe('"1"');
    await expectText(item(editor).locator('.badge'), 'paused');

    const [resumed] = await Promise.all([editor.waitForResponse((response) => response.request().method() === 'PATCH'), item(editor).getByRole('button', { name: `Resume ${WEBHOOK_NAME}` }).click()]);
    expect(resumed.status()).toBe(200);
    expect(resumed.request().headers()['if-match']).toBe('"2"');
    await expectText(item(editor).locator('.badge'), 'active');
  }, STEP_TIMEOUT);

  it('given a colleague changed the subscription since the page read it, when the editor pauses it, then the desk says what changed and pauses it only when asked again', async () => {
    const [{ id, version, filters }] = (await app.http('editor', 'GET', '/subscriptions')).body.items as { id: string; version: number; filters: object }[];
    const changed = await app.http('admin', 'PATCH', `/subscriptions/${id}`, { body: { filters: { ...filters, region: 'Kidal' } }, headers: { 'if-match': `"${version}"` } });
    expect(changed.status).toBe(200);

    const [refused] = await Promise.all([editor.waitForResponse((response) => response.request().method() === 'PATCH'), item(editor).getByRole('button', { name: `Pause ${WEBHOOK_NAME}` }).click()]);
    expect(refused.status()).toBe(412);
    const conflict = item(editor).locator('.conflict');
    await expectText(conflict, `you saw version ${version}; it is now at version ${version + 1}`);
    await expectText(conflict, 'in the region Kidal');
    expect((await app.http('editor', 'GET', `/subscriptions/${id}`)).body.status).toBe('active');

    const [paused] = await Promise.all([editor.waitForResponse((response) => response.request().method() === 'PATCH'), conflict.getByRole('button', { name: `Do it anyway, on version ${version + 1}` }).click()]);
    expect(paused.status()).toBe(200);
    expect(paused.request().headers()['if-match']).toBe(`"${version + 1}"`);
    await expectText(item(editor).locator('.badge'), 'paused');
    await item(editor).getByRole('button', { name: `Resume ${WEBHOOK_NAME}` }).click();
    await expectText(item(editor).locator('.badge'), 'active');
  }, STEP_TIMEOUT);

  it('given a webhook subscription, when a claim is reported on its incident, then the delivery log lists the delivery, and Redeliver sends it again', async () => {
    await reportClaim('JNIM claims 50 Malian soldiers killed', 50);
    const [sent] = await receiver.waitFor(1);
    expect(verified(secret, sent)).toMatchObject({ type: 'incident.changed', data: { kind: 'incident_changed', incident: { id: incidentId } } });

    await item(editor).getByRole('button', { name: `Delivery log of ${WEBHOOK_NAME}` }).click();
    const log = item(editor).getByRole('list', { name: `Deliveries of ${WEBHOOK_NAME}` });
    const delivery = log.getByRole('listitem').first();
    await expectText(delivery, 'delivered');
    await expectText(delivery.locator('dl'), '200');
    await expectText(delivery.locator('dl'), ' ms');
    await snapshot(editor, 'desk-subscription-deliveries');

    const [redelivered] = await Promise.all([
      editor.waitForResponse((response) => response.url().endsWith('/redelivery')),
      delivery.getByRole('button', { name: /^Redeliver/ }).click(),
    ]);
    expect(redelivered.status()).toBe(202);
    await expectText(editor.locator('.announcement'), 'Queued to be delivered again');
    const [first, again] = await receiver.waitFor(2);
    expect(again.id).toBe(first.id);
  }, STEP_TIMEOUT);

  it('given the subscriptions and alerts pages on a 390 px phone, then nothing is wider than the screen and axe finds nothing serious', async () => {
    // Another browser: what was seen is kept per browser, so its bell may count what the first one saw.
    const phone = await desk.signedIn('editor', PHONE);
    await bell(phone).waitFor();
    await phone.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await item(phone).waitFor();
    await item(phone).getByRole('button', { name: `Delivery log of ${WEBHOOK_NAME}` }).click();
    await item(phone).locator('.delivery').first().waitFor();
    const form = await openForm(phone, 'New subscription', 'New subscription');
    // The incident picker's choices, the longest text of the form, are in it.
    await form.getByLabel('Incident', { exact: true }).locator('option', { hasText: TITLE }).waitFor({ state: 'attached' });
    await expectNoSidewaysScroll(phone);
    await snapshot(phone, 'desk-subscriptions-phone');

    await bell(phone).click();
    await phone.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    // The watch was stopped, and its alerts went with its subscription.
    await expectText(phone.locator('main'), 'No alerts yet');
    await expectNoSidewaysScroll(phone);
    await snapshot(phone, 'desk-alerts-phone');
    await phone.context().close();
  }, STEP_TIMEOUT);

  it('given a webhook subscription, when the editor deletes it, then the desk asks first, and once confirmed it is gone', async () => {
    await item(editor).getByRole('button', { name: `Delete ${WEBHOOK_NAME}…` }).click();
    const confirmation = item(editor).getByRole('group', { name: `Delete ${WEBHOOK_NAME}` });
    await expectText(confirmation, 'its delivery log goes with it');
    await confirmation.getByRole('button', { name: 'Keep it' }).click();
    await confirmation.waitFor({ state: 'detached' });
    expect((await app.http('editor', 'GET', '/subscriptions')).body.items).toHaveLength(1);

    await item(editor).getByRole('button', { name: `Delete ${WEBHOOK_NAME}…` }).click();
    const [deleted] = await Promise.all([editor.waitForResponse((response) => response.request().method() === 'DELETE'), confirmation.getByRole('button', { name: 'Delete the subscription' }).click()]);
    expect(deleted.status()).toBe(204);
    await item(editor).waitFor({ state: 'detached' });
    await expectText(editor.locator('.announcement'), `Deleted ${WEBHOOK_NAME}`);
    expect((await app.http('editor', 'GET', '/subscriptions')).body.items).toEqual([]);
  }, STEP_TIMEOUT);

  it('given the stream drops while an alert comes, when the service answers again, then the desk asks again after the last alert it had (Last-Event-ID) and counts what it missed', async () => {
    await editor.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await editor.getByRole('button', { name: 'Watch', exact: true }).click();
    await editor.getByRole('button', { name: 'Stop watching' }).waitFor();
    await reportClaim('JNIM claims 60 Malian soldiers killed', 60);
    await bell(editor, '1 new').waitFor({ timeout: 20_000 });
    const [{ seq: lastSeq }] = (await app.http('editor', 'GET', '/alerts')).body.items as { seq: number }[];

    // The service drops every connection (as on a restart), and the desk cannot reach it again until the next alert is there.
    const asked: (string | undefined)[] = [];
    let unreachable = true;
    await editor.route('**/alerts/stream', (route) => {
      asked.push(route.request().headers()['last-event-id']);
      return unreachable ? route.abort('connectionrefused') : route.continue();
    });
    app.app.getHttpServer().closeAllConnections();
    // This test's own kept-alive connection was closed too: let its client see it before asking again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await reportClaim('JNIM claims 70 Malian soldiers killed', 70);
    await eventually(async () => (await app.http('editor', 'GET', '/alerts')).body.items.length === 2, 'the second alert');
    await waitUntil(
      async () => asked.length > 0,
      async () => 'Expected the desk to try the stream again',
    );
    expect(await bell(editor, '1 new').count()).toBe(1);
    unreachable = false;

    await bell(editor, '2 new').waitFor({ timeout: 40_000 });
    expect(new Set(asked)).toEqual(new Set([String(lastSeq)]));
    await editor.unroute('**/alerts/stream');
  }, STEP_TIMEOUT);

  it('given an admin, then the subscriptions page lists every key’s subscriptions with their owners', async () => {
    const admin = await desk.signedIn('admin');
    await admin.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    const watch = admin.getByRole('list', { name: 'Subscriptions' }).getByRole('listitem').filter({ hasText: `Watching ${TITLE}` });
    await expectText(watch.locator('.meta'), 'owner editor-desk');
    await expectText(watch, `For the incident ${TITLE}.`);
    await admin.context().close();
  }, STEP_TIMEOUT);

  it('given alerts that came while the desk was closed, when an admin opens it, then the bell counts them all, and the list shows them 20 a page, newest first', async () => {
    const { id: subscriptionId } = await recorded(app, '/subscriptions', { target: { kind: 'desk' }, filters: { incidentIds: [incidentId] }, triggers: ['claim_reported'] }, 'admin');
    for (let count = 1; count <= 21; count++) await reportClaim(`JNIM claims ${100 + count} Malian soldiers killed`, 100 + count);
    await eventually(async () => (await app.http('admin', 'GET', '/alerts?limit=50')).body.items.length === 21, 'the admin’s 21 alerts');

    const admin = await desk.signedIn('admin');
    await bell(admin, '21 new').click();
    const alerts = admin.getByRole('list', { name: 'Alerts' }).locator(':scope > li');
    await expectCount(alerts, 20);
    await expectText(alerts.first().getByRole('heading'), 'JNIM claimed 121 Malian soldiers killed');
    await bell(admin, 'none new').waitFor();
    await admin.getByRole('button', { name: 'Older alerts' }).click();
    await admin.getByRole('heading', { name: 'Older alerts, page 2' }).waitFor();
    await expectCount(alerts, 1);
    await expectText(alerts.first().getByRole('heading'), 'JNIM claimed 101 Malian soldiers killed');
    expect(await admin.getByRole('button', { name: 'Older alerts' }).isDisabled()).toBe(true);
    await admin.getByRole('button', { name: 'Newer alerts' }).click();
    await admin.getByRole('heading', { name: 'Latest alerts' }).waitFor();
    await expectCount(alerts, 20);

    // Signing out ends the stream at once: nothing more is asked with the key.
    const ended: string[] = [];
    admin.on('requestfailed', (request) => request.url().endsWith('/alerts/stream') && ended.push(request.failure()?.errorText ?? ''));
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.getByLabel('API key', { exact: true }).waitFor();
    await waitUntil(
      async () => ended.length === 1,
      async () => `Expected the alerts stream to end at sign-out; it ended ${ended.length} times`,
    );
    await admin.context().close();
    expect((await app.http('admin', 'DELETE', `/subscriptions/${subscriptionId}`)).status).toBe(204);
  }, STEP_TIMEOUT);

  it('given a reader, then the desk shows no bell, no subscriptions link and no Watch button', async () => {
    const reader = await desk.signedIn('reader');
    await reader.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await reader.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(await reader.getByRole('link', { name: /^Alerts/ }).count()).toBe(0);
    expect(await reader.getByRole('link', { name: 'Subscriptions' }).count()).toBe(0);
    expect(await reader.getByRole('button', { name: 'Watch' }).count()).toBe(0);
    await reader.goto(`${app.baseUrl}/#/subscriptions`);
    await expectText(reader.locator('main'), 'this key’s role does not include them');
    await reader.context().close();
  }, STEP_TIMEOUT);

  it('met no script error or Content-Security-Policy refusal in any page', () => {
    expect(desk.pageErrors).toEqual([]);
  });
});

/** The masthead's bell, by what it says: `1 new`, `none new` (or whatever it says). */
function bell(page: Page, count?: string): Locator {
  return page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: count === undefined ? /^Alerts, / : `Alerts, ${count}`, exact: count !== undefined });
}

/** The (only) webhook subscription on the subscriptions page. */
function item(page: Page): Locator {
  return page.getByRole('list', { name: 'Subscriptions' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: WEBHOOK_NAME }) });
}

async function reportClaim(summary: string, killed: number): Promise<void> {
  await recorded(app, `/incidents/${incidentId}/claims`, {
    claimantId: jnimId,
    kind: 'casualties',
    statedAt: '2024-07-28T00:00:00Z',
    summary,
    figures: [{ party: 'Malian soldiers', outcome: 'killed', qualifier: 'exact', value: killed, originalText: `${killed} Malian soldiers` }],
  });
}

/** Picks the option whose text includes `text`, once the list offers it. */
async function choose(select: Locator, text: string): Promise<void> {
  const option = select.locator('option', { hasText: text }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption((await option.getAttribute('value')) ?? '');
}
