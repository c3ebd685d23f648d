import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import playwright, { type Browser, type Locator, type Page } from 'playwright-core';
import { KEYS, startTestApp, type KeyName, type TestApp } from './support/test-app.js';

// The desk in a real browser (headless Debian Chromium, driven by playwright-core): an
// editor logs the worked example through the forms and watches the casualty picture and
// the timeline follow; a double-click or a lost answer never logs twice; a colleague's
// write in between is explained and can be re-applied; readers get no forms; auditors the
// raw record. Screenshots of the incident page go to test-artifacts/.

const ARTIFACTS = 'test-artifacts';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google, which a closed network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'];

// A step drives a whole form or two through a browser, each write waiting for the read models.
const STEP_TIMEOUT = 60_000;

let app: TestApp;
let browser: Browser;
/** Uncaught errors and Content-Security-Policy refusals in any page: there must be none. */
const pageErrors: string[] = [];
let editor: Page;
let incidentId: string;

beforeAll(async () => {
  buildDeskIfStale();
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await startTestApp({}, { project: true });
  browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  editor = await signedIn('editor');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the desk', () => {
  it('serves the desk at / and keeps the API’s paths the API’s', async () => {
    const page = await fetch(`${app.baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");

    const unknownPage = await fetch(`${app.baseUrl}/some/desk/page`, { headers: { accept: 'text/html' } });
    expect(unknownPage.status).toBe(200);
    expect(unknownPage.headers.get('content-type')).toContain('text/html');

    const unknownApiPath = await fetch(`${app.baseUrl}/incidents/0190f17c-b400-7000-8000-000000000201/nothing`, { headers: { accept: 'text/html' } });
    expect(unknownApiPath.status).toBe(404);
    expect(unknownApiPath.headers.get('content-type')).toContain('application/problem+json');

    const unknownForAClient = await fetch(`${app.baseUrl}/some/desk/page`, { headers: { accept: 'application/json' } });
    expect(unknownForAClient.status).toBe(404);
    expect(unknownForAClient.headers.get('content-type')).toContain('application/problem+json');

    expect((await app.http('none', 'GET', '/incidents')).status).toBe(401);
    expect((await app.http('reader', 'GET', '/me')).body).toEqual({ name: 'reader-desk', role: 'reader' });
    expect((await fetch(`${app.baseUrl}/openapi.json`)).headers.get('content-type')).toContain('application/json');
  }, STEP_TIMEOUT);

  it('lets an editor register the sources of the worked example', async () => {
    await editor.getByRole('link', { name: 'Sources' }).click();
    await editor.getByRole('button', { name: 'Register a source' }).click();
    const form = editor.getByRole('form', { name: 'Register a source' });
    for (const source of [
      { name: 'JNIM', kind: 'armed_group', aliases: "Jama'a Nusrat ul-Islam wa al-Muslimin" },
      { name: 'SITE Intelligence Group', kind: 'monitoring_group', country: 'US' },
      { name: 'Russian military blogs', kind: 'social_media', country: 'RU' },
      { name: 'Wagner Group', kind: 'private_military_company', country: 'RU', aliases: 'Wagner' },
    ]) {
      await form.getByLabel('Name', { exact: true }).fill(source.name);
      await form.getByLabel('Kind', { exact: true }).selectOption(source.kind);
      await form.getByLabel('Country', { exact: true }).fill(source.country ?? '');
      await form.getByLabel('Aliases', { exact: true }).fill(source.aliases ?? '');
      await form.getByRole('button', { name: 'Register source' }).click();
      await editor.locator('.announcement').getByText(`Registered the source ${source.name}.`).waitFor();
    }
    await editor.getByRole('list', { name: 'Sources' }).getByRole('heading', { name: 'Wagner Group' }).waitFor();
    const listed = await app.http('reader', 'GET', '/sources?limit=100');
    expect(listed.body.items.map((source: { name: string }) => source.name)).toEqual(['JNIM', 'SITE Intelligence Group', 'Russian military blogs', 'Wagner Group']);
  }, STEP_TIMEOUT);

  it('opens the ambush incident', async () => {
    await editor.getByRole('link', { name: 'Incidents' }).click();
    await editor.getByRole('button', { name: 'Open an incident' }).click();
    const form = editor.getByRole('form', { name: 'Open an incident' });
    await form.getByLabel('Title', { exact: true }).fill('Convoy ambush south of Tinzaouaten');
    await form.getByLabel('Description', { exact: true }).fill('A convoy of the Malian army and Wagner forces was ambushed south of Tinzaouaten, in the Kidal region.');
    const where = form.getByRole('group', { name: 'Where' });
    await where.getByLabel('Place', { exact: true }).fill('South of Tinzaouaten');
    await where.getByLabel('Region', { exact: true }).fill('Kidal');
    await where.getByLabel('Country', { exact: true }).fill('ML');
    await where.getByLabel('Precision', { exact: true }).selectOption('region');
    await form.getByRole('group', { name: 'When' }).getByLabel('From', { exact: true }).fill('2024-07-27');
    await form.getByLabel('Tags', { exact: true }).fill('Wagner, JNIM, ambush, Sahel');
    await form.getByRole('button', { name: 'Open incident' }).click();

    await editor.getByRole('heading', { level: 1, name: 'Convoy ambush south of Tinzaouaten' }).waitFor();
    incidentId = /#\/incidents\/(.+)$/.exec(editor.url())![1];
    expect((await app.http('reader', 'GET', `/incidents/${incidentId}`)).body.location).toEqual({ place: 'South of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'region' });
  }, STEP_TIMEOUT);

  it('reports the three Wagner-killed claims and draws Wagner killed as 1–50 with three marks', async () => {
    await reportClaim(editor, {
      claimant: 'JNIM',
      via: 'SITE Intelligence Group',
      statedAt: '2024-07-28T00:00',
      summary: 'JNIM claimed to have killed 10 Malian soldiers and 50 Russian Wagner mercenaries in an ambush on a convoy.',
      figures: [
        { party: 'Malian soldiers', qualifier: 'exact', value: '10', originalText: 'murdered 10 Malian soldiers' },
        { party: 'Wagner', qualifier: 'exact', value: '50', originalText: 'killed 50 Russian Wagner mercenaries' },
      ],
    });
    await reportClaim(editor, {
      claimant: 'Russian military blogs',
      statedAt: '2024-07-29T00:00',
      summary: 'A few Russian military blogs recorded at least 20 Wagner deaths.',
      figures: [{ party: 'Wagner', qualifier: 'at_least', value: '20', originalText: 'At least 20 Wagner deaths' }],
    });
    await reportClaim(editor, {
      claimant: 'Wagner Group',
      statedAt: '2024-07-29T00:00',
      summary: 'Wagner stated that its forces sustained severe losses, including the death of their commander Sergei Shevchenko.',
      figures: [{ party: 'Wagner', qualifier: 'at_least', value: '1', originalText: 'severe losses—including the death of their commander Sergei Shevchenko' }],
    });

    const wagnerKilled = casualty(editor, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '1–50');
    await expectCount(wagnerKilled.locator('.mark[data-status="active"]'), 3);
    expect(await wagnerKilled.locator('.mark').evaluateAll((marks) => marks.map((mark) => mark.getAttribute('data-claimant')).sort())).toEqual([
      'JNIM',
      'Russian military blogs',
      'Wagner Group',
    ]);
    await expectText(casualty(editor, 'Malian soldiers', 'killed').locator('.range'), '10');
    await snapshot(editor, 'desk-incident-three-claims');
  }, STEP_TIMEOUT);

  it('retracts JNIM’s claim: Wagner killed becomes 1–20, JNIM’s figure struck through, and the timeline tells it', async () => {
    const jnim = claimCard(editor, 'JNIM');
    await jnim.getByRole('button', { name: 'Retract' }).click();
    const form = editor.getByRole('form', { name: 'Retract JNIM’s claim' });
    await form.getByLabel('Retracted at (UTC)', { exact: true }).fill('2024-07-30T00:00');
    await form.getByLabel('Reason', { exact: true }).fill('withdrawn by JNIM');
    await form.getByRole('button', { name: 'Record retraction' }).click();
    await form.waitFor({ state: 'detached' });

    const wagnerKilled = casualty(editor, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '1–20');
    await expectCount(wagnerKilled.locator('.mark[data-status="active"]'), 2);
    await expectCount(wagnerKilled.locator('.mark[data-status="retracted"][data-claimant="JNIM"]'), 1);
    await expectText(jnim.locator('.badge-retracted'), 'retracted');

    const last = editor.locator('.timeline-entry[data-version="4"]');
    await expectText(last.locator('.headline'), 'JNIM retracted its claim');
    await expectText(last.locator('.changes'), 'Wagner killed: 1–50 → 1–20');
    expect(await last.getAttribute('class')).toContain('selected');
    await snapshot(editor, 'desk-incident-after-retraction');
  }, STEP_TIMEOUT);

  it('moves the timeline back and shows Wagner killed as 1–50 again', async () => {
    await editor.getByLabel(/Show the incident as of version/).fill('3');
    await expectText(editor.locator('.time-travel'), 'as of version 3 of 4');
    const wagnerKilled = casualty(editor, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '1–50');
    await expectCount(wagnerKilled.locator('.mark[data-status="active"]'), 3);
    // The step shown (version 3, Wagner's own claim) is highlighted where it changed the view.
    await expectCount(editor.locator('.claim.changed[data-claimant="Wagner Group"]'), 1);
    // No forms while looking back: changes are made to the latest version.
    expect(await editor.getByRole('button', { name: 'Report a claim' }).count()).toBe(0);
    await snapshot(editor, 'desk-incident-version-3');

    await editor.locator('.timeline-entry[data-version="1"]').getByRole('button').click();
    await expectCount(casualty(editor, 'Wagner', 'killed').locator('.mark[data-status="active"]'), 1);
    await editor.getByRole('button', { name: 'Back to the latest version' }).first().click();
    await expectText(casualty(editor, 'Wagner', 'killed').locator('.range'), '1–20');
  }, STEP_TIMEOUT);

  it('stores one claim for a double-clicked submit', async () => {
    const keys = idempotencyKeys(editor);
    const summary = 'Wagner Group said a second convoy was hit (double-clicked).';
    await fillClaim(editor, { claimant: 'Wagner Group', statedAt: '2024-07-29T12:00', summary, figures: [{ party: 'Wagner', qualifier: 'unspecified', value: '', originalText: 'a second convoy was hit' }] });
    await editor.getByRole('form', { name: 'Report a claim' }).getByRole('button', { name: 'Report claim' }).dblclick();
    await claimCard(editor, 'Wagner Group', summary).waitFor();

    expect(await claimsWithSummary(summary)).toBe(1);
    expect(new Set(keys.sent).size).toBe(1);
    // The next report is a new submission: a new key and a new claim id.
    const first = { key: keys.sent[0], claimId: keys.claimIds[0] };
    const next = idempotencyKeys(editor);
    await reportClaim(editor, { claimant: 'Wagner Group', statedAt: '2024-07-29T13:00', summary: 'Wagner Group said the convoy had air cover.', figures: [] });
    expect(next.sent).toHaveLength(1);
    expect(next.sent[0]).not.toBe(first.key);
    expect(next.claimIds[0]).not.toBe(first.claimId);
  }, STEP_TIMEOUT);

  it('stores one claim when the answer is lost and the editor submits again', async () => {
    const keys = idempotencyKeys(editor);
    const summary = 'Russian military blogs named three of the dead (answer lost on the way back).';
    // The service records the claim, but the browser never hears back.
    await editor.route(`**/incidents/${incidentId}/claims`, async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    }, { times: 1 });
    await fillClaim(editor, { claimant: 'Russian military blogs', statedAt: '2024-07-29T18:00', summary, figures: [] });
    const form = editor.getByRole('form', { name: 'Report a claim' });
    await form.getByRole('button', { name: 'Report claim' }).click();
    await expectText(form.locator('.form-problem'), 'it will not be recorded twice');
    await form.getByRole('button', { name: 'Report claim' }).click();
    await claimCard(editor, 'Russian military blogs', summary).waitFor();

    expect(await claimsWithSummary(summary)).toBe(1);
    expect(keys.sent).toHaveLength(2);
    expect(keys.sent[0]).toBe(keys.sent[1]);
    // The retry names the same claim too, so even a service that forgot the key would not log it twice.
    expect(keys.claimIds[0]).toBe(keys.claimIds[1]);
    const claims = (await app.http('reader', 'GET', `/incidents/${incidentId}`)).body.claims as { claimId: string }[];
    expect(claims.map((claim) => claim.claimId)).toContain(keys.claimIds[0]);
  }, STEP_TIMEOUT);

  it('shows the API’s field errors next to the field', async () => {
    await fillClaim(editor, {
      claimant: 'JNIM',
      statedAt: '2024-07-29T00:00',
      summary: 'A figure without its number.',
      figures: [{ party: 'Malian soldiers', qualifier: 'at_least', value: '', originalText: 'dozens of soldiers' }],
    });
    const form = editor.getByRole('form', { name: 'Report a claim' });
    await form.getByRole('button', { name: 'Report claim' }).click();
    const error = form.locator('.field-error[data-field="figures[0].value"]');
    await expectText(error, 'needs a value');
    const number = form.getByRole('group', { name: 'Figure 1' }).getByLabel('Number', { exact: true });
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    expect(await number.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
    await form.getByRole('button', { name: 'Cancel' }).click();
  }, STEP_TIMEOUT);

  it('explains a colleague’s write that came in between, and re-applies the editor’s change', async () => {
    const blogs = claimCard(editor, 'Russian military blogs', 'at least 20 Wagner deaths');
    await blogs.getByRole('button', { name: 'Grade' }).click();
    const form = editor.getByRole('form', { name: 'Grade Russian military blogs’ claim' });
    await form.getByLabel('Grade', { exact: true }).selectOption('corroborated');
    await form.getByLabel('Rationale', { exact: true }).fill('Matches the toll the Wagner-linked channels gave.');

    // Meanwhile a colleague, through the API, reports another claim on the same incident.
    const wagner = (await app.http('reader', 'GET', '/sources?q=Wagner')).body.items[0].id;
    const colleague = await app.http('editor', 'POST', `/incidents/${incidentId}/claims`, {
      body: { claimantId: wagner, summary: 'Wagner said its commander was among the dead.', kind: 'casualties', statedAt: '2024-07-29T00:00:00Z', figures: [] },
    });
    expect(colleague.status).toBe(201);

    await form.getByRole('button', { name: 'Record grade' }).click();
    const conflict = form.locator('.conflict');
    await expectText(conflict, 'Someone else changed this while you were editing');
    await expectText(conflict.locator('.conflict-steps'), 'editor-desk: Wagner Group');
    await expectText(conflict.locator('.conflict-changes'), 'Wagner Group’s claim was reported');
    await editor.screenshot({ path: join(ARTIFACTS, 'desk-conflict.png'), fullPage: false });
    expect((await app.http('reader', 'GET', `/incidents/${incidentId}`)).body.claims.find((claim: { summary: string }) => claim.summary.includes('at least 20')).grade).toBeUndefined();

    await conflict.getByRole('button', { name: /Re-apply my change on version \d+/ }).click();
    await form.waitFor({ state: 'detached' });
    await expectText(blogs.locator('.badge-grade-corroborated'), 'corroborated');
    // The latest step, the grade, is the one highlighted.
    await editor.locator('article.claim.changed', { hasText: 'at least 20 Wagner deaths' }).waitFor();
    await expectCount(editor.locator('article.claim.changed'), 1);
    await snapshot(editor, 'desk-incident-latest');
    await editor.screenshot({ path: join(ARTIFACTS, 'desk-incident-latest-laptop-screen.png') });
  }, STEP_TIMEOUT);

  it('lets the editor, told of a colleague’s write, edit first and then record against the new version', async () => {
    const wagner = claimCard(editor, 'Wagner Group', 'severe losses');
    await wagner.getByRole('button', { name: 'Grade' }).click();
    const form = editor.getByRole('form', { name: 'Grade Wagner Group’s claim' });
    await form.getByLabel('Grade', { exact: true }).selectOption('confirmed');
    await form.getByLabel('Rationale', { exact: true }).fill('Wagner named its commander among the dead.');

    const blogs = (await app.http('reader', 'GET', '/sources?q=blogs')).body.items[0].id;
    const colleague = await app.http('editor', 'POST', `/incidents/${incidentId}/claims`, {
      body: { claimantId: blogs, summary: 'The blogs posted photographs of the convoy.', kind: 'event', statedAt: '2024-07-30T00:00:00Z', figures: [] },
    });
    expect(colleague.status).toBe(201);

    await form.getByRole('button', { name: 'Record grade' }).click();
    await form.locator('.conflict').getByRole('button', { name: 'Edit my change first' }).click();
    expect(await form.locator('.conflict').count()).toBe(0);
    await form.getByLabel('Grade', { exact: true }).selectOption('corroborated');
    await form.getByRole('button', { name: 'Record grade' }).click();
    await form.waitFor({ state: 'detached' });
    await expectText(wagner.locator('.badge-grade-corroborated'), 'corroborated');
  }, STEP_TIMEOUT);

  it('shows a reader the incident with no write forms', async () => {
    const reader = await signedIn('reader');
    await reader.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await expectText(casualty(reader, 'Wagner', 'killed').locator('.range'), '1–20');
    expect(await reader.locator('form.write-form').count()).toBe(0);
    for (const name of ['Report a claim', 'Record a statement', 'Revise the incident', 'Link an incident', 'Retract', 'Amend', 'Correct', 'Grade']) {
      expect(await reader.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    expect(await reader.getByText('Raw events (auditor)').count()).toBe(0);
    await reader.getByRole('link', { name: 'Incidents' }).click();
    await reader.getByRole('link', { name: 'Convoy ambush south of Tinzaouaten' }).waitFor();
    expect(await reader.getByRole('button', { name: 'Open an incident' }).count()).toBe(0);
    await reader.getByRole('link', { name: 'Sources' }).click();
    await reader.getByRole('heading', { name: 'JNIM' }).waitFor();
    expect(await reader.getByRole('button', { name: 'Register a source' }).count()).toBe(0);
    expect(await reader.getByRole('link', { name: 'Ledger', exact: true }).count()).toBe(0);
    await reader.close();
  }, STEP_TIMEOUT);

  it('shows an auditor the incident’s raw events and the ledger', async () => {
    const auditor = await signedIn('auditor');
    await auditor.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    const raw = auditor.getByRole('region', { name: 'Raw events (auditor)' });
    await expectText(raw, 'ClaimRetracted');
    expect(await auditor.getByRole('button', { name: 'Report a claim' }).count()).toBe(0);
    await auditor.getByRole('link', { name: 'Ledger', exact: true }).click();
    await expectText(auditor.locator('table.events'), 'SourceRegistered');
    await auditor.getByRole('button', { name: 'Verify the ledger' }).click();
    await expectText(auditor.getByRole('region', { name: 'Verification' }), 'Verified:');
    await auditor.getByRole('button', { name: 'Next page' }).waitFor();
    await auditor.close();
  }, STEP_TIMEOUT);

  it('met no script error or Content-Security-Policy refusal in any page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('refuses an unknown key at sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByLabel('API key', { exact: true }).fill('not-a-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.locator('#api-key-error'), 'does not know this API key');
    await page.close();
  }, STEP_TIMEOUT);
});

// --- helpers ---

interface FigureInput {
  party: string;
  qualifier: string;
  value: string;
  originalText: string;
}

interface ClaimInput {
  claimant: string;
  via?: string;
  statedAt: string;
  summary: string;
  figures: FigureInput[];
}

async function signedIn(who: KeyName): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) pageErrors.push(`${who}: ${message.text()}`);
  });
  page.setDefaultTimeout(15_000);
  await page.goto(`${app.baseUrl}/`);
  await page.getByLabel('API key', { exact: true }).fill(KEYS[who]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${who}-desk`).waitFor();
  return page;
}

async function fillClaim(page: Page, claim: ClaimInput): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Report a claim' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const form = page.getByRole('form', { name: 'Report a claim' });
  await form.getByLabel('Claimant', { exact: true }).selectOption({ label: claim.claimant });
  if (claim.via) {
    await form.getByRole('button', { name: 'Add a conduit' }).click();
    await form.getByLabel('Conduit 1', { exact: true }).selectOption({ label: claim.via });
  }
  await form.getByLabel('Stated at (UTC)', { exact: true }).fill(claim.statedAt);
  await form.getByLabel('Summary', { exact: true }).fill(claim.summary);
  if (claim.figures.length === 0) await form.getByRole('button', { name: 'Remove figure 1' }).click();
  for (const [index, figure] of claim.figures.entries()) {
    if (index > 0) await form.getByRole('button', { name: 'Add a figure' }).click();
    const row = form.getByRole('group', { name: `Figure ${index + 1}` });
    await row.getByLabel('Party', { exact: true }).fill(figure.party);
    await row.getByLabel('Outcome', { exact: true }).selectOption('killed');
    await row.getByLabel('Qualifier', { exact: true }).selectOption(figure.qualifier);
    if (figure.value) await row.getByLabel('Number', { exact: true }).fill(figure.value);
    await row.getByLabel('Original words', { exact: true }).fill(figure.originalText);
  }
}

async function reportClaim(page: Page, claim: ClaimInput): Promise<void> {
  await fillClaim(page, claim);
  const form = page.getByRole('form', { name: 'Report a claim' });
  await form.getByRole('button', { name: 'Report claim' }).click();
  await form.waitFor({ state: 'detached' });
  await claimCard(page, claim.claimant, claim.summary).waitFor();
}

/** The whole page from its top (a scrolled window would carry the sticky timeline down with it). */
async function snapshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function claimCard(page: Page, claimant: string, summary?: string): Locator {
  const cards = page.locator(`article.claim[data-claimant="${claimant}"]`);
  return summary ? cards.filter({ hasText: summary }) : cards.first();
}

function casualty(page: Page, party: string, outcome: string): Locator {
  return page.locator(`figure.casualty[data-party="${party}"][data-outcome="${outcome}"]`);
}

/** The Idempotency-Key and claimId of every claim the page posts from now on. */
function idempotencyKeys(page: Page): { sent: string[]; claimIds: string[] } {
  const keys = { sent: [] as string[], claimIds: [] as string[] };
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith(`/incidents/${incidentId}/claims`)) return;
    keys.sent.push(request.headers()['idempotency-key']);
    keys.claimIds.push((request.postDataJSON() as { claimId: string }).claimId);
  });
  return keys;
}

async function claimsWithSummary(summary: string): Promise<number> {
  const events = await app.http('auditor', 'GET', `/incidents/${incidentId}/events?limit=1000`);
  return events.body.events.filter((event: { type: string; data: { summary?: string } }) => event.type === 'ClaimReported' && event.data.summary === summary).length;
}

/** Waits for the locator to contain the text (the desk updates as the read models catch up). */
async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor().catch(async (error: unknown) => {
    const actual = await locator.allInnerTexts().catch(() => []);
    throw new Error(`Expected ${String(locator)} to contain "${text}"; it reads ${JSON.stringify(actual)}. ${String(error)}`);
  });
}

async function expectCount(locator: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`Expected ${count} of ${String(locator)}, found ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// `npm test` builds the desk first (pretest runs `npm run build`); a direct jest run builds it here when web/ changed.
function buildDeskIfStale(): void {
  const built = 'web/dist/index.html';
  const newestSource = Math.max(...['web/index.html', 'web/vite.config.ts', ...filesUnder('web/src')].map((file) => statSync(file).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)]));
}
