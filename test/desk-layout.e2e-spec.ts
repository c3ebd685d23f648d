import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { loadDemo, readDemo } from '../src/demo/load-demo.js';
import { eventually } from './support/caught-up.js';
import {
  ARTIFACTS,
  buildDeskIfStale,
  expectCount,
  expectNoSeriousAxeViolations,
  expectNoSidewaysScroll,
  expectText,
  LAPTOP,
  openDeskBrowser,
  PHONE,
  snapshot,
  STEP_TIMEOUT,
  type DeskBrowser,
  type Screen,
} from './support/desk-browser.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// The desk on a phone (390×844) and on a laptop (1366×900), every page, with the worked
// example loaded as `npm run demo:load` loads it and JNIM's retraction on top: no page wider
// than the screen, a header that keeps "Sign out" on its band, chart labels of a readable
// size, the timeline a tap away, the search filters behind a button on a phone, and no
// serious or critical axe-core violation anywhere. Screenshots of each page at both sizes go
// to test-artifacts/ (desk-layout-<page>-<screen>.png); desk-ambush-<screen>.png are the
// README's.

const AMBUSH = 'Convoy ambush south of Tinzaouaten';
const BATTLE = 'Battle at Tinzaouaten';

const demo = await readDemo();
const demoId = (path: string, named: Record<string, string>) =>
  String(demo.steps.find((step) => step.path === path && Object.entries(named).every(([field, value]) => step.body[field] === value))!.body.id);
const ambushId = demoId('/incidents', { title: AMBUSH });
const jnimId = demoId('/sources', { name: 'JNIM' });
const confidentialId = demoId('/sources', { name: 'Two security sources' });
const jnimClaimId = String(demo.steps.find((step) => step.path === `/incidents/${ambushId}/claims` && step.body.claimantId === jnimId)!.body.claimId);

let app: TestApp;
let desk: DeskBrowser;

beforeAll(async () => {
  buildDeskIfStale();
  app = await startTestApp({}, { project: true });
  await loadDemo({ baseUrl: app.baseUrl, apiKey: KEYS.editor });
  const retracted = await app.http('editor', 'POST', `/incidents/${ambushId}/claims/${jnimClaimId}/retractions`, { body: { reason: 'withdrawn by JNIM', statedAt: '2024-07-30T00:00:00Z' } });
  expect(retracted.status).toBe(201);
  await eventually(async () => (await app.http('reader', 'GET', `/incidents/${ambushId}`)).body?.version >= retracted.body.version, 'the retraction in the view');
  await eventually(async () => (await app.http('reader', 'GET', `/incidents?tag=ambush`)).body?.items?.length === 1, 'the ambush in the search');
  desk = await openDeskBrowser(app.baseUrl);
}, 120_000);

afterAll(async () => {
  await desk?.close();
  await app?.close();
});

describe.each([PHONE, LAPTOP])('the desk on a $name ($width×$height)', (screen) => {
  it('signs in on a page that fits the screen', async () => {
    const page = await desk.signedOut(screen);
    await page.getByLabel('API key', { exact: true }).waitFor();
    await checkPage(page, 'sign-in', screen);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('keeps the header within the screen, with "Sign out" on its dark band', async () => {
    const page = await desk.signedIn('admin', screen);
    const masthead = (await page.locator('.masthead').boundingBox())!;
    expect(masthead.width).toBeLessThanOrEqual(screen.width);
    for (const name of ['Incidents', 'Sources', 'Ledger']) expectWithin(await page.locator('.masthead').getByRole('link', { name, exact: true }).boundingBox(), masthead);
    expectWithin(await page.getByRole('button', { name: 'Sign out' }).boundingBox(), masthead);
    // White on the band: axe measures its contrast against what is really behind it.
    await expectNoSeriousAxeViolations(page);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('shows the search results first on a phone, the filters a button away, and a tag’s link searches by the tag', async () => {
    const page = await desk.signedIn('reader', screen);
    const filters = page.getByRole('search', { name: 'Search incidents' });
    const toggle = page.getByRole('button', { name: /^Filters/ });
    await expectText(page.locator('.results'), AMBUSH);
    if (screen === PHONE) {
      expect(await filters.isVisible()).toBe(false);
      await expectInView(page.getByRole('link', { name: AMBUSH }), screen);
      await toggle.click();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await filters.waitFor();
    } else {
      expect(await toggle.isVisible()).toBe(false);
      expect(await filters.isVisible()).toBe(true);
    }
    await checkPage(page, 'search', screen);

    await page.locator('.results > li', { hasText: AMBUSH }).getByRole('list', { name: 'Tags' }).getByRole('link', { name: 'ambush', exact: true }).click();
    expect(page.url()).toMatch(/#\/\?tag=ambush$/);
    await expectCount(page.locator('.results > li'), 1);
    await expectText(page.locator('.results'), AMBUSH);
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('ambush');
    if (screen === PHONE) await expectText(toggle, 'Filters (1 set)');
    await page.context().close();
  }, STEP_TIMEOUT);

  it('shows the ambush with chart labels at least 11 px, JNIM’s withdrawn figures readable, the retraction’s reason on the claim, plain words, and nothing marked changed on arrival', async () => {
    const page = await incidentPage('editor', screen);
    const wagnerKilled = casualty(page, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '1–20');

    const labelSizes = await chartLabelSizes(page);
    expect(labelSizes.length).toBeGreaterThan(0);
    expect(Math.min(...labelSizes)).toBeGreaterThanOrEqual(11);
    expect(await overlappingLabels(page)).toEqual([]);

    // Only the withdrawn number is struck through, and the label says why.
    const jnimLabel = wagnerKilled.locator('.mark[data-status="retracted"][data-claimant="JNIM"] text');
    expect(await jnimLabel.textContent()).toBe('JNIM 50 retracted');
    expect(await jnimLabel.locator('.struck').textContent()).toBe('50');
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.casualty[data-party="Wagner"][data-outcome="killed"] .mark[data-claimant="JNIM"] text')).textDecorationLine`)).toBe('none');

    const jnimClaim = page.locator('article.claim[data-claimant="JNIM"]');
    const reason = jnimClaim.locator('.retraction');
    await expectText(reason, 'Retracted by the claimant, 30 Jul 2024: withdrawn by JNIM');
    expect(await reason.isVisible()).toBe(true);

    const where = page.locator('.incident-header .meta').first();
    await expectText(where, 'South of Tinzaouaten, Kidal, Mali (somewhere in this region)');
    expect(await where.innerText()).not.toContain('(region)');

    // Nothing has moved yet: no step's changes are marked.
    expect(await page.locator('.changed, .badge-changed').count()).toBe(0);

    await checkPage(page, 'incident', screen);
    // The README's pictures: the first screen of the ambush.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.mouse.move(0, 0); // no button under the pointer, lit as if about to be pressed
    await page.screenshot({ path: join(ARTIFACTS, `desk-ambush-${screen.name}.png`) });
    await page.context().close();
  }, STEP_TIMEOUT);

  it('reaches the timeline without scrolling past the claims, and offers one way back to the latest version, in sight', async () => {
    const page = await incidentPage('editor', screen);
    const timeline = page.getByRole('heading', { name: 'Timeline', exact: true });
    const jumps = page.getByRole('navigation', { name: 'Parts of this incident' });
    if (screen === PHONE) {
      await jumps.getByRole('button', { name: 'Timeline' }).click();
      await expectInView(timeline, screen);
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Timeline');
      // Its steps scroll with the page, not in a box of their own within it.
      expect(await page.evaluate(`(({ scrollHeight, clientHeight }) => scrollHeight <= clientHeight)(document.querySelector('.timeline-entries'))`)).toBe(true);
    } else {
      // Beside the claims, in sight from the start.
      expect(await jumps.isVisible()).toBe(false);
      await expectInView(timeline, screen);
    }
    await expectInView(page.getByLabel(/Show the incident as of version/), screen);

    const latest = Number(await page.locator('.timeline-entry').last().getAttribute('data-version'));
    await page.getByLabel(/Show the incident as of version/).fill(String(latest - 1));
    await expectText(page.locator('.time-travel'), `as of version ${latest - 1} of ${latest}`);
    // The step shown (the Malian authorities disputing JNIM's claim) is marked where it changed the view.
    await expectCount(page.locator('article.claim.changed[data-claimant="JNIM"]'), 1);
    const back = page.getByRole('button', { name: 'Back to the latest version' });
    await expectCount(back, 1);
    await expectInView(back, screen);
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    await expectInView(back, screen);

    // The steps after the one shown are set back, yet readable: axe measures their contrast.
    await page.getByLabel(/Show the incident as of version/).fill('1');
    await expectText(page.locator('.time-travel'), `as of version 1 of ${latest}`);
    await checkPage(page, 'incident-earlier-version', screen);

    await back.click();
    await expectCount(back, 0);
    await expectText(casualty(page, 'Wagner', 'killed').locator('.range'), '1–20');
    await page.context().close();
  }, STEP_TIMEOUT);

  it('links an incident’s tags to a search by the tag', async () => {
    const page = await incidentPage('reader', screen);
    await page.locator('.incident-header').getByRole('list', { name: 'Tags' }).getByRole('link', { name: 'JNIM', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    expect(page.url()).toMatch(/#\/\?tag=JNIM$/);
    await expectCount(page.locator('.results > li'), 1);
    await expectText(page.locator('.results'), AMBUSH);
    expect(await page.locator('.results').innerText()).not.toContain(BATTLE);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('lists the sources', async () => {
    const page = await desk.signedIn('editor', screen);
    await page.locator('.masthead').getByRole('link', { name: 'Sources' }).click();
    await expectText(page.getByRole('list', { name: 'Sources' }), 'Malian Armed Forces');
    await checkPage(page, 'sources', screen);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('shows an admin who was shown a confidential source', async () => {
    const page = await desk.signedIn('admin', screen);
    await page.goto(`${app.baseUrl}/#/sources/${confidentialId}/access-log`);
    await page.getByRole('heading', { level: 1, name: /^Access log of/ }).waitFor();
    await page.getByRole('table').or(page.locator('.empty')).first().waitFor();
    await checkPage(page, 'access-log', screen);
    await page.context().close();
  }, STEP_TIMEOUT);

  it('explains the ledger’s positions and names each stream by its incident or source', async () => {
    const page = await desk.signedIn('admin', screen);
    await page.locator('.masthead').getByRole('link', { name: 'Ledger', exact: true }).click();
    await expectText(page.locator('.columns-explained'), 'Positions tell which event came first');
    const events = page.locator('table.events');
    await expectText(events, 'Source JNIM');
    await expectText(events, `Incident ${AMBUSH}`);
    await page.getByRole('region', { name: 'Read models (admin)' }).waitFor();
    await checkPage(page, 'ledger', screen);

    // And an incident's raw events, below the incident for auditors.
    await page.goto(`${app.baseUrl}/#/incidents/${ambushId}`);
    await page.getByRole('region', { name: 'Raw events (auditor)' }).locator('table').waitFor();
    await checkPage(page, 'incident-raw-events', screen);
    await page.context().close();
  }, STEP_TIMEOUT);
});

it('fits every page on the narrowest phone the desk is made for, 360 px wide', async () => {
  const narrowest: Screen = { name: 'narrowest phone', width: 360, height: 740 };
  const page = await desk.signedIn('admin', narrowest);
  // Each page with what it loaded: the results, the chart, the list, the tables.
  for (const [route, loaded] of [
    ['#/', '.results > li'],
    ['#/sources', '.sources > li'],
    [`#/sources/${confidentialId}/access-log`, 'table.access-log'],
    ['#/ledger', 'table.events'],
    [`#/incidents/${ambushId}`, '.casualty-svg'],
  ]) {
    await page.goto(`${app.baseUrl}/${route}`);
    await page.locator(loaded).first().waitFor();
    await expectNoSidewaysScroll(page);
  }
  expect(Math.min(...(await chartLabelSizes(page)))).toBeGreaterThanOrEqual(11);
  expect(await overlappingLabels(page)).toEqual([]);
  await page.context().close();
}, STEP_TIMEOUT);

it('met no script error or Content-Security-Policy refusal in any page', () => {
  expect(desk.pageErrors).toEqual([]);
});

/** What every page must be on every screen: no wider than it and free of serious axe violations; then a screenshot for a reviewer. */
async function checkPage(page: Page, name: string, screen: Screen): Promise<void> {
  await expectNoSidewaysScroll(page);
  await snapshot(page, `desk-layout-${name}-${screen.name}`);
}

async function incidentPage(who: 'editor' | 'reader', screen: Screen): Promise<Page> {
  const page = await desk.signedIn(who, screen);
  await page.goto(`${app.baseUrl}/#/incidents/${ambushId}`);
  await page.getByRole('heading', { level: 1, name: AMBUSH }).waitFor();
  return page;
}

function casualty(page: Page, party: string, outcome: string): Locator {
  return page.locator(`figure.casualty[data-party="${party}"][data-outcome="${outcome}"]`);
}

async function expectInView(locator: Locator, screen: Screen): Promise<void> {
  const box = await locator.boundingBox();
  if (!box || box.y < 0 || box.y + box.height > screen.height) throw new Error(`Expected ${String(locator)} in the ${screen.name}'s screen; it is at ${JSON.stringify(box)}`);
}

function expectWithin(inner: { x: number; y: number; width: number; height: number } | null, outer: { x: number; y: number; width: number; height: number }): void {
  expect(inner).not.toBeNull();
  expect(inner!.x).toBeGreaterThanOrEqual(outer.x);
  expect(inner!.y).toBeGreaterThanOrEqual(outer.y);
  expect(inner!.x + inner!.width).toBeLessThanOrEqual(outer.x + outer.width);
  expect(inner!.y + inner!.height).toBeLessThanOrEqual(outer.y + outer.height);
}

/** The rendered type size (px) of every text in the casualty charts: its font size, scaled as its drawing is. */
async function chartLabelSizes(page: Page): Promise<number[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll('.casualty-svg')].flatMap((svg) => [...svg.querySelectorAll('text')].map((text) => parseFloat(getComputedStyle(text).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width))`,
  )) as number[];
}

/** Pairs of a chart's labels that are drawn over each other. */
async function overlappingLabels(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('.casualty-svg')].flatMap((svg) => {
    const labels = [...svg.querySelectorAll('.mark text')].map((text) => ({ text: text.textContent, box: text.getBoundingClientRect() }));
    return labels.flatMap((a, i) => labels.slice(i + 1).filter((b) => a.box.left < b.box.right && b.box.left < a.box.right && a.box.top < b.box.bottom && b.box.top < a.box.bottom).map((b) => a.text + ' / ' + b.text));
  })`)) as string[];
}
