import type { Page } from 'playwright-core';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.js';
import { AMBUSH, BATTLE, JNIM, JNIM_CLAIM, MALIAN_AUTHORITIES, recordedAtOf, SITE, WAGNER_CLAIM } from '../src/incidents/read-model/tinzaouaten.fixture.js';
import { buildDeskIfStale, expectText, fillDateTime, openDeskBrowser, openForm, searchFilters, snapshot, STEP_TIMEOUT, waitUntil, type DeskBrowser } from './support/desk-browser.js';
import { recorded, startTestApp, type KeyName, type TestApp } from './support/test-app.js';
import { tinzaouatenLedger } from './support/tinzaouaten-ledger.js';

// Getting around the desk, and sharing where one is, on a phone and on a laptop: a source's
// name leads to its page and track record wherever it is shown (its stand-in too, which shows
// a reader only what a reader may see); a search and a timeline step live in the URL, so a
// link or a reload shows the same; the timeline moves by date as well as by version; an
// unknown incident says so at once, while what this session wrote is waited for until the
// read models show it; and no request outlives the page that made it.
// Screenshots go to test-artifacts/.

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1366, height: 900 },
] as const;

const AMBUSH_TITLE = 'Convoy ambush south of Tinzaouaten';
const JNIM_SUMMARY = 'JNIM claimed to have killed 10 Malian soldiers';
const SECRET = 'A security source in Gao';
const SECRET_SUMMARY = 'Two Malian drones struck the rebels’ positions';

let app: TestApp;
let desk: DeskBrowser;
let secretId: string;
/** The ambush's last version: the worked example's (recorded a minute apart from 09:00 on 30 July 2024), then the desk's grade, recorded now. */
let latest: number;

beforeAll(async () => {
  buildDeskIfStale();
  // The read models follow only when the test says (app.projected()): a write's wait for them can be watched.
  app = await startTestApp();
  desk = await openDeskBrowser(app.baseUrl);

  // The worked example as the desk recorded it, each event at its own recordedAt, through the service's own store.
  const store = app.app.get<EventStore>(EVENT_STORE);
  for (const { streamId, revision, id, type, data, metadata } of tinzaouatenLedger()) {
    await store.appendToStream(streamId, [{ id, type, data, metadata }], { expectedRevision: revision === 0 ? 'no_stream' : revision - 1 });
  }
  ({ version: latest } = await recorded(app, `/incidents/${AMBUSH}/claims/${WAGNER_CLAIM}/assessments`, { grade: 'confirmed', rationale: 'Wagner’s own word on its losses' }));
  // A confidential claimant, on the battle; and more incidents for the searches to tell apart.
  secretId = (await recorded(app, '/sources', { name: SECRET, kind: 'anonymous', country: 'ML', confidential: true })).id;
  await recorded(app, `/incidents/${BATTLE}/claims`, { claimantId: secretId, summary: SECRET_SUMMARY, kind: 'event', statedAt: '2024-07-26T00:00:00Z' });
  await recorded(app, '/incidents', { title: 'Drone strike near Kidal', location: { place: 'Kidal', region: 'Kidal', country: 'ML', precision: 'near' }, occurred: { from: '2024-08-01', precision: 'day' }, tags: ['drone', 'Sahel'] });
  await recorded(app, '/incidents', { title: 'Ambush near Ménaka', location: { place: 'Ménaka', region: 'Ménaka', country: 'ML', precision: 'near' }, occurred: { from: '2024-06-02', precision: 'day' }, tags: ['ambush', 'Sahel'] });
  await app.projected();
}, 120_000);

afterAll(async () => {
  await desk?.close();
  await app?.close();
});

describe('getting around the desk', () => {
  it.each(VIEWPORTS)('leads from a source’s name, wherever it is shown, to its page and track record ($name)', async (viewport) => {
    const page = await signedIn('editor', viewport);

    // From a claim: the claimant, and the conduit its words came through.
    await page.goto(`${app.baseUrl}/#/incidents/${AMBUSH}`);
    const jnimClaim = page.locator('article.claim[data-claimant="JNIM"]');
    await jnimClaim.locator('h3').getByRole('link', { name: 'SITE Intelligence Group' }).waitFor();
    await jnimClaim.locator('h3').getByRole('link', { name: 'JNIM', exact: true }).click();
    await expectSourcePage(page, JNIM, 'JNIM');
    await expectCounts(page, { claimsMade: 1, amended: 0, retracted: 1, disputedByOthers: 1, supportedByOthers: 0, confirmedByDesk: 0, discountedByDesk: 0 });
    const ambush = page.locator(`.involved-incidents li[data-incident-id="${AMBUSH}"]`);
    await expectText(ambush.locator('.meta'), 'made claims, made statements');
    const claim = ambush.locator(`li[data-claim-id="${JNIM_CLAIM}"]`);
    await expectText(claim.locator('.summary'), JNIM_SUMMARY);
    await expectText(claim.locator('.badge-retracted'), 'retracted');
    await expectText(claim.locator('.stances'), 'Malian authorities disputes it');
    await snapshot(page, `desk-source-page-${viewport.name}`);

    // From there, to the incident and to the source that disputed the claim.
    await claim.locator('.stances').getByRole('link', { name: 'Malian authorities' }).click();
    await expectSourcePage(page, MALIAN_AUTHORITIES, 'Malian authorities');
    await expectCounts(page, { claimsMade: 0 });
    await page.locator(`.involved-incidents li[data-incident-id="${AMBUSH}"]`).getByRole('link', { name: AMBUSH_TITLE }).click();
    await page.getByRole('heading', { level: 1, name: AMBUSH_TITLE }).waitFor();

    // From the list of sources, each row; and from a search's results, each claimant.
    await page.goto(`${app.baseUrl}/#/sources`);
    await page.getByRole('list', { name: 'Sources' }).locator(`li[data-source-id="${SITE}"] h2`).getByRole('link', { name: 'SITE Intelligence Group' }).click();
    await expectSourcePage(page, SITE, 'SITE Intelligence Group');
    await expectText(page.locator(`.involved-incidents li[data-incident-id="${AMBUSH}"] .meta`), 'passed on others’ words');
    await page.goto(`${app.baseUrl}/#/?q=convoy`);
    await page.locator('ol.results li', { hasText: AMBUSH_TITLE }).locator('.meta', { hasText: 'Claims by' }).getByRole('link', { name: 'JNIM', exact: true }).click();
    await expectSourcePage(page, JNIM, 'JNIM');
    await page.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('leads a reader from a confidential source’s stand-in to its page, which keeps its name from them ($name)', async (viewport) => {
    const page = await signedIn('reader', viewport);
    await page.goto(`${app.baseUrl}/#/incidents/${BATTLE}`);
    const claim = page.locator('article.claim[data-claimant="Confidential source"]');
    await claim.locator('h3 a .source-tag.source-confidential').click();
    await expectSourcePage(page, secretId, 'Confidential source');
    await expectText(page.locator('h1 .source-tag.source-confidential'), 'Confidential source');
    await expectText(page.locator('main'), 'who it is is shown to editors and admins only');
    await expectCounts(page, { claimsMade: 1 });
    await expectText(page.locator(`.involved-incidents li[data-incident-id="${BATTLE}"] .summary`), SECRET_SUMMARY);
    expect(await page.getByText(SECRET).count()).toBe(0);
    await snapshot(page, `desk-source-page-confidential-${viewport.name}`);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('carries a search in its URL: a colleague opening it on a phone, or a reload, sees the same search', async () => {
    const laptop = await signedIn('editor', VIEWPORTS[1]);
    await laptop.goto(`${app.baseUrl}/#/`);
    const filters = laptop.getByRole('search', { name: 'Search incidents' });
    await filters.getByLabel('Tag', { exact: true }).fill('Sahel');
    await filters.getByLabel('Region', { exact: true }).fill('Kidal');
    await filters.getByLabel('Order', { exact: true }).selectOption('occurredFrom');
    await filters.getByRole('button', { name: 'Search' }).click();
    await expectResults(laptop, [AMBUSH_TITLE, 'Drone strike near Kidal']);
    const shared = laptop.url();
    const [path, query] = new URL(shared).hash.split('?');
    expect(path).toBe('#/');
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({ tag: 'Sahel', region: 'Kidal', sort: 'occurredFrom' });

    const phone = await signedIn('reader', VIEWPORTS[0]);
    await phone.goto(shared);
    await expectResults(phone, [AMBUSH_TITLE, 'Drone strike near Kidal']);
    const phoneFilters = await searchFilters(phone);
    expect(await phoneFilters.getByLabel('Tag', { exact: true }).inputValue()).toBe('Sahel');
    expect(await phoneFilters.getByLabel('Region', { exact: true }).inputValue()).toBe('Kidal');
    expect(await phoneFilters.getByLabel('Order', { exact: true }).inputValue()).toBe('occurredFrom');
    await snapshot(phone, 'desk-shared-search-phone');

    await laptop.reload();
    await expectResults(laptop, [AMBUSH_TITLE, 'Drone strike near Kidal']);
    // Back returns to the search before.
    await filters.getByLabel('Region', { exact: true }).fill('');
    await filters.getByRole('button', { name: 'Search' }).click();
    await expectResults(laptop, ['Ambush near Ménaka', AMBUSH_TITLE, 'Drone strike near Kidal']);
    await laptop.goBack();
    await expectResults(laptop, [AMBUSH_TITLE, 'Drone strike near Kidal']);
    expect(await filters.getByLabel('Region', { exact: true }).inputValue()).toBe('Kidal');
    await laptop.context().close();
    await phone.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('links each tag to the search for it, and opens #/?tag= as that search ($name)', async (viewport) => {
    const page = await signedIn('reader', viewport);
    await page.goto(`${app.baseUrl}/#/?tag=drone`);
    await expectResults(page, ['Drone strike near Kidal']);
    await page.locator('ol.results .tags').getByRole('link', { name: 'Sahel' }).click();
    await waitUntil(
      async () => page.url().endsWith('#/?tag=Sahel'),
      async () => `Expected the URL to name the tag's search, found ${page.url()}`,
    );
    await expectResults(page, ['Ambush near Ménaka', 'Drone strike near Kidal', AMBUSH_TITLE]);
    expect(await (await searchFilters(page)).getByLabel('Tag', { exact: true }).inputValue()).toBe('Sahel');
    await page.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('opens the timeline at the version its URL names, and keeps each move in the URL ($name)', async (viewport) => {
    const page = await signedIn('editor', viewport);
    await page.goto(`${app.baseUrl}/#/incidents/${AMBUSH}?version=3`);
    await expectText(page.locator('.time-travel'), `as of version 3 of ${latest}`);
    // Version 3 is JNIM's claim, the only one yet, still standing.
    await expectText(page.locator('#claims-heading'), 'Claims (1)');
    await expectText(page.locator('article.claim[data-claimant="JNIM"] .badge-active'), 'active');
    expect(await page.getByLabel(/Show the incident as of version/).inputValue()).toBe('3');
    expect(await page.locator('.timeline-entry.selected').getAttribute('data-version')).toBe('3');
    await snapshot(page, `desk-timeline-version-${viewport.name}`);

    await page.getByLabel(/Show the incident as of version/).fill('6');
    await expectText(page.locator('#claims-heading'), 'Claims (3)');
    await expectUrl(page, `#/incidents/${AMBUSH}?version=6`);
    await page.reload();
    await expectText(page.locator('.time-travel'), `as of version 6 of ${latest}`);

    await page.locator('.time-travel').getByRole('button', { name: 'Back to the latest version' }).click();
    await expectUrl(page, `#/incidents/${AMBUSH}`);
    await expectText(page.locator('article.claim[data-claimant="JNIM"] .badge-retracted'), 'retracted');
    expect(await page.locator('.time-travel').count()).toBe(0);
    await page.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('shows what the desk had recorded by the date its URL names, and moves the timeline by date ($name)', async (viewport) => {
    const page = await signedIn('editor', viewport);
    // Half a minute after the Wagner statement (version 4) was recorded, before Wagner's claim.
    const asOf = new Date(Date.parse(recordedAtOf(4)) + 30_000).toISOString();
    await page.goto(`${app.baseUrl}/#/incidents/${AMBUSH}?asOf=${asOf}`);
    await expectText(page.locator('.time-travel'), `as the desk had it at 30 Jul 2024, 09:04 UTC: version 4 of ${latest}`);
    await expectText(page.locator('#statements-heading'), 'Statements (2)');
    const moment = page.getByRole('group', { name: 'Or as the desk had it at (UTC)', exact: true });
    expect([await moment.getByLabel('Date', { exact: true }).inputValue(), await moment.getByLabel('Time (UTC)', { exact: true }).inputValue()]).toEqual(['2024-07-30', '09:04']);
    expect(await page.locator('.timeline-entry.selected').getAttribute('data-version')).toBe('4');
    expect(await page.getByRole('button', { name: 'Report a claim' }).count()).toBe(0);

    // The Malian authorities' statement was recorded at 09:07, disputing JNIM's claim.
    await fillDateTime(page, 'Or as the desk had it at (UTC)', '2024-07-30T09:07');
    await expectText(page.locator('.time-travel'), `as the desk had it at 30 Jul 2024, 09:07 UTC: version 7 of ${latest}`);
    await expectText(page.locator('article.claim[data-claimant="JNIM"] .stances'), 'Malian authorities disputes it');
    await expectUrl(page, `#/incidents/${AMBUSH}?asOf=2024-07-30T09%3A07%3A00.000Z`);
    expect(await page.getByLabel(/Show the incident as of version/).inputValue()).toBe('7');
    await snapshot(page, `desk-timeline-date-${viewport.name}`);

    // Before anything of it was recorded: the page says so, over the latest version.
    await fillDateTime(page, 'Or as the desk had it at (UTC)', '2024-07-30T08:30');
    await expectText(page.locator('.time-travel'), 'Nothing of this incident was on record by 30 Jul 2024, 08:30 UTC: it was opened 30 Jul 2024, 09:00 UTC.');
    await page.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('says at once that there is no such incident, and asks nothing more once the page is left ($name)', async (viewport) => {
    const page = await signedIn('editor', viewport);
    const unknown = '0190f17c-b400-7000-8000-00000000dead';
    const asked = requestsFor(page, unknown);
    const started = Date.now();
    await page.goto(`${app.baseUrl}/#/incidents/${unknown}`);
    await page.getByRole('heading', { level: 1, name: 'No such incident' }).waitFor({ timeout: 3_000 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(asked.length).toBe(1);
    await page.getByRole('link', { name: 'Back to the incidents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    await page.waitForTimeout(1_000);
    expect(asked.length).toBe(1);
    await page.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('waits for the read models to show what this session wrote, where a 404 is not yet final ($name)', async (viewport) => {
    const page = await signedIn('editor', viewport);
    await page.goto(`${app.baseUrl}/#/sources`);
    const form = await openForm(page, 'Register a source', 'Register a source');
    const name = `Kidal notables council (${viewport.name})`;
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByRole('button', { name: 'Register source' }).click();
    // Recorded, and not yet projected: GET /sources/{id} answers 404, and the desk asks again rather than call it missing.
    await page.waitForTimeout(1_500);
    expect(await form.getByRole('alert').count()).toBe(0);
    expect(await page.locator('.announcement').innerText()).toBe('');
    await app.projected();
    await expectText(page.locator('.announcement'), `Registered the source ${name}`);
    await page.getByRole('list', { name: 'Sources' }).getByRole('link', { name }).click();
    await expectText(page.getByRole('heading', { level: 1 }), name);
    await expectCounts(page, { claimsMade: 0 });
    await page.context().close();
  }, STEP_TIMEOUT);

  it.each(VIEWPORTS)('abandons a page’s requests still on their way when the editor moves on ($name)', async (viewport) => {
    const page = await signedIn('editor', viewport);
    // The timeline's answer is held back, so that it is still on its way when the editor leaves.
    await page.route(`**/incidents/${AMBUSH}/timeline*`, (route) => setTimeout(() => route.continue().catch(() => undefined), 2_000));
    // Only requests about the incident: a search still on its way (the page signed in to, or the
    // desk's own look-ups) is abandoned too by the move, and is not what this is about.
    const abandoned: string[] = [];
    page.on('requestfailed', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith(`/incidents/${AMBUSH}`)) abandoned.push(`${path} ${request.failure()?.errorText}`);
    });
    const asked = requestsFor(page, AMBUSH);
    await page.goto(`${app.baseUrl}/#/incidents/${AMBUSH}`);
    await waitUntil(
      async () => asked.some((url) => url.includes('/timeline')),
      async () => `Expected the timeline to be asked for, found ${JSON.stringify(asked)}`,
    );
    await page.getByRole('link', { name: 'Sources', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sources' }).waitFor();
    const askedBeforeLeaving = asked.length;
    await page.waitForTimeout(2_500);
    expect(abandoned).toEqual([`/incidents/${AMBUSH}/timeline net::ERR_ABORTED`]);
    expect(asked.length).toBe(askedBeforeLeaving);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('met no script error or Content-Security-Policy refusal in any page', () => {
    expect(desk.pageErrors).toEqual([]);
  });
});

async function signedIn(who: KeyName, viewport: { width: number; height: number }): Promise<Page> {
  const page = await desk.signedIn(who);
  await page.setViewportSize({ width: viewport.width, height: viewport.height });
  return page;
}

async function expectSourcePage(page: Page, sourceId: string, name: string): Promise<void> {
  await expectUrl(page, `#/sources/${sourceId}`);
  await expectText(page.getByRole('heading', { level: 1 }), name);
  await page.getByRole('heading', { name: 'Track record' }).waitFor();
}

async function expectCounts(page: Page, counts: Record<string, number>): Promise<void> {
  for (const [count, value] of Object.entries(counts)) await expectText(page.locator(`dl.track-record div[data-count="${count}"] dd`), String(value));
}

async function expectUrl(page: Page, fragment: string): Promise<void> {
  await waitUntil(
    async () => new URL(page.url()).hash === fragment,
    async () => `Expected the URL to end in ${fragment}, found ${page.url()}`,
  );
}

/** Waits for the search results to be these titles, in this order. */
async function expectResults(page: Page, titles: string[]): Promise<void> {
  const results = page.locator('ol.results .result-title');
  const shown = async () => JSON.stringify(await results.allInnerTexts());
  await waitUntil(async () => (await shown()) === JSON.stringify(titles), async () => `Expected the results ${JSON.stringify(titles)}, found ${await shown()}`);
}

/** Every request the page sends about `id`, from now on. */
function requestsFor(page: Page, id: string): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes(id)) urls.push(request.url());
  });
  return urls;
}
