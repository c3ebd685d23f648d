import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { readDemo } from '../src/demo/load-demo.js';
import { eventually } from './support/caught-up.js';
import { ARTIFACTS, buildDeskIfStale, expectCount, expectText, fillDateTime, openDeskBrowser, openForm, snapshot, STEP_TIMEOUT, submit, waitUntil, type DeskBrowser } from './support/desk-browser.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';
import { asSuperuser } from './support/test-database.js';

// The desk in a real browser (headless Chromium, driven by playwright-core): an
// editor logs the worked example (the demo data set, demo/tinzaouaten-2024.json) through
// the forms and watches the casualty picture and the timeline follow; a double-click or a
// lost answer never logs twice; a colleague's write in between is explained and can be
// re-applied; readers get no forms; auditors the raw record. Screenshots of the incident
// page go to test-artifacts/.

const BATTLE = 'Battle at Tinzaouaten';
const AMBUSH = 'Convoy ambush south of Tinzaouaten';
// What tells the blogs' toll from their other claims, before and after they raise it (which only this test makes them do).
const BLOGS_COUNT = 'Wagner deaths';

const demo = await readDemo();

let app: TestApp;
let desk: DeskBrowser;
let editor: Page;
let battleId: string;
let ambushId: string;

beforeAll(async () => {
  buildDeskIfStale();
  app = await startTestApp({}, { project: true });
  desk = await openDeskBrowser(app.baseUrl);
  editor = await desk.signedIn('editor');
}, 120_000);

afterAll(async () => {
  await desk?.close();
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

  it('keeps the API key for the browser session only', async () => {
    const stored = JSON.parse(
      String(await editor.evaluate('JSON.stringify({ session: Object.keys(sessionStorage).map((name) => sessionStorage.getItem(name)), local: localStorage.length, cookie: document.cookie })')),
    ) as { session: string[]; local: number; cookie: string };
    expect(stored.session.join()).toContain(KEYS.editor);
    expect(stored.local).toBe(0);
    expect(stored.cookie).toBe('');
    expect(editor.url()).not.toContain(KEYS.editor);

    // A reload keeps the tab's session; another tab of the same browser asks for the key again.
    await editor.reload();
    await editor.getByText('Signed in as editor-desk').waitFor();
    const otherTab = await editor.context().newPage();
    await otherTab.goto(`${app.baseUrl}/`);
    await otherTab.getByLabel('API key', { exact: true }).waitFor();
    await otherTab.close();
  }, STEP_TIMEOUT);

  it('lets an editor register the sources of the worked example, and revise one as the report goes on', async () => {
    await editor.getByRole('link', { name: 'Sources' }).click();
    // The report first calls JNIM "an al Qaeda group"; a later paragraph says what it is.
    const { description: jnimDescription, ...jnimAsFirstNamed } = workedSource('JNIM');
    await registerSource(editor, jnimAsFirstNamed);
    for (const source of demoSources().filter((candidate) => candidate.name !== 'JNIM')) await registerSource(editor, source);

    await reviseSource(editor, 'JNIM', { description: jnimDescription! }, 'the report names it an al Qaeda affiliate');
    const jnim = editor.getByRole('list', { name: 'Sources' }).getByRole('listitem').filter({ has: editor.getByRole('heading', { name: 'JNIM', exact: true }) });
    await expectText(jnim, jnimDescription!);
    await expectText(jnim.locator('.meta'), 'version 1');
    await expectText(editor.getByRole('list', { name: 'Sources' }).getByRole('listitem').filter({ hasText: 'Two security sources' }).locator('.badge-confidential'), 'confidential');

    const sources = (await app.http('editor', 'GET', '/sources?limit=100')).body.items as { name: string; description?: string }[];
    expect(sources.map((source) => source.name)).toEqual(demoSources().map((source) => source.name));
    expect(sources.find((source) => source.name === 'JNIM')!.description).toBe(jnimDescription);
  }, STEP_TIMEOUT);

  it('opens the battle and the ambush, revises the ambush, and links it to the battle it follows', async () => {
    battleId = await openIncident(editor, workedIncident(BATTLE));
    const ambush = workedIncident(AMBUSH);
    // The report's first lines place the ambush south of the town; later ones, in a distant area of the Kidal region.
    ambushId = await openIncident(editor, { ...ambush, description: 'A convoy of the Malian army and Wagner forces was ambushed south of Tinzaouaten.' });
    expect((await app.http('reader', 'GET', `/incidents/${ambushId}`)).body.location).toEqual(ambush.location);

    await reviseIncident(editor, { description: ambush.description }, 'the report places it in a distant area of the Kidal region');
    await expectText(editor.locator('.description'), ambush.description);
    await expectText(lastTimelineEntry(editor).locator('.headline'), "The desk revised the incident's description");

    await eventually(async () => (await app.http('reader', 'GET', `/incidents?q=${encodeURIComponent(BATTLE)}`)).body.items.length > 0, 'the battle in the search');
    await linkIncident(editor, 'follows', BATTLE);
    await expectText(editor.getByRole('list', { name: 'Linked incidents' }), `This incident follows ${BATTLE}`);
    expect((await app.http('reader', 'GET', `/incidents/${ambushId}`)).body.links).toEqual([{ incidentId: battleId, relation: 'follows' }]);
  }, STEP_TIMEOUT);

  it('logs the battle: CSP-PSD’s “numerous” casualties, the army’s losses, and the Malian authorities disputing that the Russians are Wagner', async () => {
    await editor.getByRole('list', { name: 'Linked incidents' }).getByRole('link', { name: BATTLE }).click();
    await editor.getByRole('heading', { level: 1, name: BATTLE }).waitFor();
    await reportClaim(editor, workedClaim('CSP-PSD'));
    await recordStatement(editor, workedStatement('Malian Armed Forces'));
    await reportClaim(editor, workedClaim('Malian Armed Forces'));
    await recordStatement(editor, workedStatement('Malian authorities', BATTLE));

    const csp = claimCard(editor, 'CSP-PSD');
    await expectText(csp.locator('.figures'), 'Wagner killed: no number given');
    await expectText(csp.locator('.stances'), 'Malian authorities disputes it');
    const malianKilled = casualty(editor, 'Malian soldiers', 'killed');
    await expectText(malianKilled.locator('.range'), 'no number');
    await expectText(malianKilled.locator('.unnumbered'), 'CSP-PSD: “killed and injured numerous');
    await expectText(malianKilled.locator('.unnumbered'), 'Malian Armed Forces: “significant material and human losses” (no number)');
    await expectCount(editor.locator('figure.casualty'), 4);
    await snapshot(editor, 'desk-battle');
  }, STEP_TIMEOUT);

  it('logs the ambush’s three Wagner tolls, fixes its own typo, and draws Wagner killed as 1–50 with three marks', async () => {
    await editor.getByRole('link', { name: 'Incidents' }).click();
    await editor.getByRole('link', { name: AMBUSH }).click();
    await editor.getByRole('heading', { level: 1, name: AMBUSH }).waitFor();

    await recordStatement(editor, { ...workedStatement('JNIM'), retrievedAt: '2024-07-29T08:00' });
    await reportClaim(editor, workedClaim('JNIM'));
    await recordStatement(editor, workedStatement('Wagner Group'));
    // The editor types 11 for Wagner's one named death (its commander)…
    const wagner = workedClaim('Wagner Group');
    await reportClaim(editor, { ...wagner, figures: [{ ...wagner.figures[0], value: 11 }] });
    await reportClaim(editor, workedClaim('Russian military blogs'));
    const wagnerKilled = casualty(editor, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '11–50');
    // …and corrects the desk's own record: not the claimant's amendment.
    await correctClaim(claimCard(editor, 'Wagner Group'), { figures: wagner.figures, reason: 'typo: Wagner named one death, its commander' });

    await expectText(wagnerKilled.locator('.range'), '1–50');
    await expectCount(wagnerKilled.locator('.mark[data-status="active"]'), 3);
    expect(await wagnerKilled.locator('.mark').evaluateAll((marks) => marks.map((mark) => mark.getAttribute('data-claimant')).sort())).toEqual([
      'JNIM',
      'Russian military blogs',
      'Wagner Group',
    ]);
    await expectText(casualty(editor, 'Malian soldiers', 'killed').locator('.range'), '10');
    await expectText(claimCard(editor, 'Wagner Group').locator('.history'), 'corrected by the desk: figures (typo: Wagner named one death, its commander)');
    await expectText(editor.getByRole('article', { name: 'Statement by JNIM' }).locator('.meta'), 'via SITE Intelligence Group · communique · stated 28 Jul 2024 · published 28 Jul 2024 · retrieved 29 Jul 2024, 08:00 UTC');
    await snapshot(editor, 'desk-incident-three-claims');
  }, STEP_TIMEOUT);

  it('logs who attacked the convoy, and the Malian authorities disputing that JNIM killed Wagner mercenaries', async () => {
    await recordStatement(editor, workedStatement('Two security sources'));
    await reportClaim(editor, workedClaim('Two security sources'));
    await recordStatement(editor, workedStatement('Malian authorities', AMBUSH));

    await expectText(claimCard(editor, 'JNIM').locator('.stances'), 'Malian authorities disputes it');
    await expectText(claimCard(editor, 'Two security sources').locator('.badge-kind'), 'responsibility');
    await expectText(lastTimelineEntry(editor).locator('.headline'), 'Malian authorities disputed');

    // Everything the demo data set records about the ambush is now on record, as the forms put it
    // (read as the desk reads it: readers are not shown the security sources' words).
    const view = (await app.http('editor', 'GET', `/incidents/${ambushId}`)).body as { claims: { summary: string }[]; statements: { quote: string }[] };
    const ofTheAmbush = ({ incident }: { incident: string }) => incident === AMBUSH;
    expect(view.claims.map((claim) => claim.summary).sort()).toEqual(posted<DemoClaim>('claims').filter(ofTheAmbush).map(({ body }) => body.summary).sort());
    expect(view.statements.map((statement) => statement.quote).sort()).toEqual(posted<DemoStatement>('statements').filter(ofTheAmbush).map(({ body }) => body.quote).sort());
  }, STEP_TIMEOUT);

  it('retracts JNIM’s claim: Wagner killed becomes 1–20, JNIM’s figure struck through, and the timeline tells it', async () => {
    const jnim = claimCard(editor, 'JNIM');
    await retractClaim(jnim, { statedAt: '2024-07-30T00:00', reason: 'withdrawn by JNIM' });

    const wagnerKilled = casualty(editor, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '1–20');
    await expectCount(wagnerKilled.locator('.mark[data-status="active"]'), 2);
    await expectCount(wagnerKilled.locator('.mark[data-status="retracted"][data-claimant="JNIM"]'), 1);
    await expectText(jnim.locator('.badge-retracted'), 'retracted');

    const last = lastTimelineEntry(editor);
    await expectText(last.locator('.headline'), 'JNIM retracted its claim');
    await expectText(last.locator('.changes'), 'Wagner killed: 1–50 → 1–20');
    expect(await last.getAttribute('class')).toContain('selected');
    await snapshot(editor, 'desk-incident-after-retraction');
  }, STEP_TIMEOUT);

  it('moves the timeline back and shows Wagner killed as 1–50 again', async () => {
    const latest = Number(await lastTimelineEntry(editor).getAttribute('data-version'));
    await editor.getByLabel(/Show the incident as of version/).fill(String(latest - 1));
    await expectText(editor.locator('.time-travel'), `as of version ${latest - 1} of ${latest}`);
    const wagnerKilled = casualty(editor, 'Wagner', 'killed');
    await expectText(wagnerKilled.locator('.range'), '1–50');
    await expectCount(wagnerKilled.locator('.mark[data-status="active"]'), 3);
    // The step shown (the Malian authorities' statement) is highlighted where it changed the view: their stance on JNIM's claim.
    await expectCount(editor.locator('.claim.changed[data-claimant="JNIM"]'), 1);
    await expectCount(editor.locator('.statement.changed'), 1);
    // No forms while looking back: changes are made to the latest version.
    expect(await editor.getByRole('button', { name: 'Report a claim' }).count()).toBe(0);
    await snapshot(editor, 'desk-incident-stance-step');

    await timelineEntry(editor, /^JNIM, via SITE Intelligence Group, claimed/).getByRole('button').click();
    await expectCount(casualty(editor, 'Wagner', 'killed').locator('.mark[data-status="active"]'), 1);
    await editor.getByRole('button', { name: 'Back to the latest version' }).first().click();
    await expectText(casualty(editor, 'Wagner', 'killed').locator('.range'), '1–20');
  }, STEP_TIMEOUT);

  it('records the blogs raising their count: the claim reads amended and Wagner killed becomes 1–30', async () => {
    const blogs = claimCard(editor, 'Russian military blogs', BLOGS_COUNT);
    await amendClaim(blogs, {
      statedAt: '2024-07-31T00:00',
      summary: `A few Russian military blogs raised their count to at least 30 ${BLOGS_COUNT}.`,
      figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'at_least', value: 30, originalText: `At least 30 ${BLOGS_COUNT}` }],
      reason: 'the blogs named ten more of the dead',
    });

    await expectText(blogs.locator('.badge-amended'), 'amended');
    await expectText(blogs.locator('.figures'), 'Wagner killed: at least 30');
    await expectText(casualty(editor, 'Wagner', 'killed').locator('.range'), '1–30');
    await expectText(lastTimelineEntry(editor).locator('.changes'), 'Wagner killed: 1–20 → 1–30');
  }, STEP_TIMEOUT);

  it('stores one claim for a double-clicked submit', async () => {
    const keys = idempotencyKeys(editor);
    const summary = 'Wagner Group said a second convoy was hit (double-clicked).';
    await fillClaim(editor, {
      claimant: 'Wagner Group',
      statedAt: '2024-07-29T12:00',
      summary,
      figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'unspecified', originalText: 'a second convoy was hit' }],
    });
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
    await editor.route(`**/incidents/${ambushId}/claims`, async (route) => {
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
    const claims = (await app.http('reader', 'GET', `/incidents/${ambushId}`)).body.claims as { claimId: string }[];
    expect(claims.map((claim) => claim.claimId)).toContain(keys.claimIds[0]);
  }, STEP_TIMEOUT);

  it('shows what is wrong next to the field, named as the form names it', async () => {
    await fillClaim(editor, {
      claimant: 'JNIM',
      statedAt: '2024-07-29T00:00',
      summary: 'A figure without its number.',
      figures: [{ party: 'Malian soldiers', outcome: 'killed', qualifier: 'at_least', originalText: 'dozens of soldiers' }],
    });
    const form = editor.getByRole('form', { name: 'Report a claim' });
    await form.getByRole('button', { name: 'Report claim' }).click();
    const error = form.locator('.field-error[data-field="figures[0].value"]');
    await expectText(error, 'needs a number');
    const number = form.getByRole('group', { name: 'Figure 1', exact: true }).getByLabel('Number', { exact: true });
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    expect(await number.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
    // The list at the top names the field as the form labels it, and takes the keyboard there.
    const listed = form.locator('.form-problem li');
    await expectText(listed, 'Figure 1 — Number');
    expect(await listed.innerText()).not.toContain('figures[0]');
    await listed.getByRole('button').click();
    expect(await editor.evaluate('document.activeElement.id')).toBe(await number.getAttribute('id'));

    // An error about a whole group (more conduits than a claim may name) is read with the group.
    await fillVia(form, Array.from({ length: 11 }, () => 'SITE Intelligence Group'));
    await form.getByRole('button', { name: 'Report claim' }).click();
    const via = form.getByRole('group', { name: 'Via (conduits, in order)' });
    const viaError = form.locator('.field-error[data-field="via"]');
    await viaError.waitFor();
    expect(await via.getAttribute('aria-describedby')).toBe(await viaError.getAttribute('id'));
    await expectText(form.locator('.form-problem li'), 'Via (conduits, in order)');
    await form.getByRole('button', { name: 'Cancel' }).click();
  }, STEP_TIMEOUT);

  it('explains a colleague’s write that came in between, and re-applies the editor’s change', async () => {
    const blogs = claimCard(editor, 'Russian military blogs', BLOGS_COUNT);
    const form = await fillGrade(blogs, { grade: 'corroborated', rationale: 'Matches the toll the Wagner-linked channels gave.' });

    // Meanwhile a colleague, through the API, reports another claim on the same incident.
    const wagner = (await app.http('reader', 'GET', '/sources?q=Wagner')).body.items[0].id;
    const colleague = await app.http('editor', 'POST', `/incidents/${ambushId}/claims`, {
      body: { claimantId: wagner, summary: 'Wagner said its commander was among the dead.', kind: 'casualties', statedAt: '2024-07-29T00:00:00Z', figures: [] },
    });
    expect(colleague.status).toBe(201);

    await form.getByRole('button', { name: 'Record grade' }).click();
    const conflict = form.locator('.conflict');
    await expectText(conflict, 'Someone else changed this while you were editing');
    await expectText(conflict.locator('.conflict-steps'), 'editor-desk: Wagner Group');
    await expectText(conflict.locator('.conflict-changes'), 'Wagner Group’s claim was reported');
    await editor.screenshot({ path: join(ARTIFACTS, 'desk-conflict.png'), fullPage: false });
    const blogsClaim = (await app.http('reader', 'GET', `/incidents/${ambushId}`)).body.claims.find((claim: { summary: string }) => claim.summary.includes(BLOGS_COUNT));
    expect(blogsClaim.grade).toBeUndefined();

    await conflict.getByRole('button', { name: /Re-apply my change on version \d+/ }).click();
    await form.waitFor({ state: 'detached' });
    await expectText(blogs.locator('.badge-grade-corroborated'), 'corroborated');
    // The latest step, the grade, is the one highlighted.
    await editor.locator('article.claim.changed', { hasText: BLOGS_COUNT }).waitFor();
    await expectCount(editor.locator('article.claim.changed'), 1);
    await snapshot(editor, 'desk-incident-latest');
    await editor.screenshot({ path: join(ARTIFACTS, 'desk-incident-latest-laptop-screen.png') });
  }, STEP_TIMEOUT);

  it('lets the editor, told of a colleague’s write, edit first and then record against the new version', async () => {
    const wagner = claimCard(editor, 'Wagner Group', 'severe losses');
    const form = await fillGrade(wagner, { grade: 'confirmed', rationale: 'Wagner named its commander among the dead.' });

    const blogs = (await app.http('reader', 'GET', '/sources?q=blogs')).body.items[0].id;
    const colleague = await app.http('editor', 'POST', `/incidents/${ambushId}/claims`, {
      body: { claimantId: blogs, summary: 'The blogs posted photographs of the convoy.', kind: 'event', statedAt: '2024-07-30T00:00:00Z', figures: [] },
    });
    expect(colleague.status).toBe(201);

    await form.getByRole('button', { name: 'Record grade' }).click();
    await form.locator('.conflict').getByRole('button', { name: 'Edit my change first' }).click();
    expect(await form.locator('.conflict').count()).toBe(0);
    await form.getByLabel('Grade', { exact: true }).selectOption('corroborated');
    await submit(form, 'Record grade');
    await expectText(wagner.locator('.badge-grade-corroborated'), 'corroborated');
  }, STEP_TIMEOUT);

  it('shows a reader the incident with no write forms', async () => {
    const reader = await desk.signedIn('reader');
    await reader.goto(`${app.baseUrl}/#/incidents/${ambushId}`);
    await expectText(casualty(reader, 'Wagner', 'killed').locator('.range'), '1–30');
    await expectText(claimCard(reader, 'JNIM').locator('.stances'), 'Malian authorities disputes it');
    expect(await reader.locator('form.write-form').count()).toBe(0);
    for (const name of ['Report a claim', 'Record a statement', 'Link an incident', 'Retract', 'Amend', 'Correct', 'Grade']) {
      expect(await reader.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    expect(await reader.getByRole('button', { name: /^Revise/ }).count()).toBe(0);
    expect(await reader.getByText('Raw events (auditor)').count()).toBe(0);
    await reader.getByRole('link', { name: 'Incidents' }).click();
    await reader.getByRole('link', { name: AMBUSH }).waitFor();
    expect(await reader.getByRole('button', { name: 'Open an incident' }).count()).toBe(0);
    await reader.getByRole('link', { name: 'Sources' }).click();
    await reader.getByRole('heading', { name: 'JNIM' }).waitFor();
    expect(await reader.getByRole('button', { name: 'Register a source' }).count()).toBe(0);
    expect(await reader.getByRole('button', { name: /^Revise/ }).count()).toBe(0);
    expect(await reader.getByRole('link', { name: 'Ledger', exact: true }).count()).toBe(0);
    await reader.context().close();
  }, STEP_TIMEOUT);

  it('shows an auditor the incident’s raw events and the ledger', async () => {
    const auditor = await desk.signedIn('auditor');
    await auditor.goto(`${app.baseUrl}/#/incidents/${ambushId}`);
    const raw = auditor.getByRole('region', { name: 'Raw events (auditor)' });
    await expectText(raw, 'ClaimRetracted');
    expect(await auditor.getByRole('button', { name: 'Report a claim' }).count()).toBe(0);
    await auditor.getByRole('link', { name: 'Ledger', exact: true }).click();
    await expectText(auditor.locator('table.events'), 'SourceRegistered');
    await auditor.getByRole('button', { name: 'Verify the ledger' }).click();
    await expectText(auditor.getByRole('region', { name: 'Verification' }), 'Verified:');
    await auditor.getByRole('button', { name: 'Next page' }).waitFor();
    await auditor.context().close();
  }, STEP_TIMEOUT);

  it('lets an admin see each read model’s state and rebuild one, which auditors do not see', async () => {
    const auditor = await desk.signedIn('auditor');
    await auditor.getByRole('link', { name: 'Ledger', exact: true }).click();
    await expectText(auditor.locator('table.events'), 'SourceRegistered');
    expect(await auditor.getByRole('region', { name: 'Read models (admin)' }).count()).toBe(0);
    await auditor.context().close();

    // A view row gone wrong behind the projector's back, which only a rebuild from the ledger mends.
    await asSuperuser(app.database.url, `UPDATE incident_views SET view = jsonb_set(view, '{title}', '"Garbled title"') WHERE incident_id = $1`, [ambushId]);
    const admin = await desk.signedIn('admin');
    await admin.getByRole('link', { name: 'Ledger', exact: true }).click();
    const readModels = admin.getByRole('region', { name: 'Read models (admin)' });
    await expectText(readModels.getByRole('row', { name: /incident-view/ }), 'running');
    await readModels.getByRole('button', { name: 'Rebuild incident-view' }).click();
    await expectText(readModels.getByRole('status'), 'Rebuilt incident-view from the start of the ledger');
    const [row] = await app.app.get(DataSource).query<{ title: string }[]>("SELECT view->>'title' AS title FROM incident_views WHERE incident_id = $1", [ambushId]);
    expect(row.title).toBe(AMBUSH);
    await admin.goto(`${app.baseUrl}/#/incidents/${ambushId}`);
    await admin.getByRole('heading', { name: AMBUSH }).waitFor();
    await admin.context().close();
  }, STEP_TIMEOUT);

  it('finds incidents with the search filters, a page at a time', async () => {
    // More incidents than a page of results holds, opened by colleagues through the API.
    const backlog = Array.from({ length: 21 }, (_, index) => ({
      title: `Backlog incident ${index + 1}`,
      location: { place: 'Ménaka', region: 'Ménaka', country: 'ML', precision: 'region' },
      occurred: { from: '2024-06-01', precision: 'day' },
      tags: ['backlog'],
    }));
    for (const body of backlog) expect((await app.http('editor', 'POST', '/incidents', { body })).status).toBe(201);
    await eventually(async () => (await app.http('reader', 'GET', '/incidents?tag=backlog&limit=100')).body.items.length === backlog.length, 'the backlog in the search');

    const queries = incidentSearches(editor);
    await editor.getByRole('link', { name: 'Incidents' }).click();
    const filters = editor.getByRole('search', { name: 'Search incidents' });
    await searchIncidents(editor, { Country: 'ML', Tag: 'backlog' });
    await editor.getByRole('button', { name: 'Next page' }).click();
    // Unfiltered, the second page would hold the battle and the ambush too.
    await expectText(editor.locator('#results-heading'), 'Page 2: 1 incident');
    await expectText(editor.locator('ol.results'), 'Backlog incident');
    expect(queries).toContainEqual(expect.objectContaining({ country: 'ML', tag: 'backlog', limit: '20' }));
    expect(queries.at(-1)).toMatchObject({ country: 'ML', tag: 'backlog', cursor: expect.any(String) });
    expect(await editor.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await editor.getByRole('button', { name: 'Previous page' }).click();
    await expectText(editor.locator('#results-heading'), 'Page 1: 20 incidents');

    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await searchIncidents(editor, { Region: 'Kidal', Claimant: 'JNIM' });
    await expectResults(editor, [AMBUSH]);
    const jnim = (await app.http('reader', 'GET', '/sources?q=JNIM')).body.items[0].id;
    expect(queries.at(-1)).toMatchObject({ region: 'Kidal', claimant: jnim });

    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await searchIncidents(editor, { Words: 'numerous', Order: 'relevance' });
    await expectResults(editor, [BATTLE]);
  }, STEP_TIMEOUT);

  it('downloads the matches of a search, and an incident, as CSV files', async () => {
    // The search left by the test before: the battle alone matches.
    const matches = await downloaded(editor, 'Download every match', 'Figures (CSV)');
    expect(matches.name).toBe('figures.csv');
    expect(new Set(matches.rows.map((row) => row.incidentId))).toEqual(new Set([battleId]));

    await editor.goto(`${app.baseUrl}/#/incidents/${ambushId}`);
    const ranges = await downloaded(editor, 'Download this incident', 'Ranges per incident (CSV)');
    expect(new Set(ranges.rows.map((row) => row.incidentId))).toEqual(new Set([ambushId]));
    expect(ranges.rows.find((row) => row.party === 'Wagner')).toMatchObject({ outcome: 'killed', lowestClaimed: '1', highestClaimed: '30' });
  }, STEP_TIMEOUT);

  it('shows the ambush’s link on the battle too, read from the battle’s side', async () => {
    await editor.goto(`${app.baseUrl}/#/incidents/${battleId}`);
    await expectText(editor.getByRole('list', { name: 'Linked incidents' }), `This incident is followed by ${AMBUSH}`);
  }, STEP_TIMEOUT);

  it('merges a duplicate of the ambush into it, and each page says where the claims went', async () => {
    // A colleague opened the same ambush again and logged JNIM's claim there too.
    const duplicateId = await openedByColleague('Kidal convoy attack', { from: '2024-07-27', precision: 'day' });
    const jnim = (await app.http('reader', 'GET', '/sources?q=JNIM')).body.items[0].id;
    const summary = 'JNIM says it killed Wagner mercenaries near Kidal';
    const claim = { claimantId: jnim, summary, kind: 'casualties', figures: [], statedAt: '2024-07-28T00:00:00Z' };
    await postedByColleague(`/incidents/${duplicateId}/claims`, claim);

    await editor.goto(`${app.baseUrl}/#/incidents/${duplicateId}`);
    const form = await openForm(editor, 'Merge into another', 'Merge into another incident');
    await form.getByLabel('Find the other incident', { exact: true }).fill('convoy ambush');
    await choose(form.getByLabel('The incident this one duplicates', { exact: true }), AMBUSH);
    await form.getByLabel('Why they are one incident', { exact: true }).fill('Two editors opened the same ambush');
    await submit(form, 'Merge incidents');

    const notes = editor.getByRole('list', { name: 'Merges and splits' });
    await expectText(notes, `This incident was merged into ${AMBUSH}`);
    expect(await editor.getByRole('button', { name: 'Report a claim' }).count()).toBe(0);
    await notes.getByRole('link', { name: AMBUSH }).click();
    await expectText(editor.getByRole('list', { name: 'Merges and splits' }), 'Merged in from Kidal convoy attack: 1 claim.');
    await claimCard(editor, 'JNIM', summary).waitFor();
    expect(editor.url()).toContain(ambushId);
    await snapshot(editor, 'ambush-after-merge');
  }, STEP_TIMEOUT);

  it('splits the battle’s claims off an incident that conflated it with the ambush', async () => {
    const conflatedId = await openedByColleague('Fighting around Tinzaouaten', { from: '2024-07-25', to: '2024-07-28', precision: 'day' });
    const blogs = (await app.http('reader', 'GET', '/sources?q=blogs')).body.items[0].id;
    const battleClaim = { claimantId: blogs, summary: 'Heavy Wagner losses in the fight for the town', kind: 'casualties', figures: [], statedAt: '2024-07-26T00:00:00Z' };
    await postedByColleague(`/incidents/${conflatedId}/claims`, battleClaim);

    await editor.goto(`${app.baseUrl}/#/incidents/${conflatedId}`);
    const form = await openForm(editor, 'Split off claims', 'Split off into a new incident');
    await form.getByRole('group', { name: 'Claims to move' }).getByLabel(`Russian military blogs: ${battleClaim.summary}`, { exact: true }).check();
    await form.getByLabel('Title', { exact: true }).fill('Battle of Tinzaouaten, 25–27 July');
    const when = form.getByRole('group', { name: 'When' });
    await fillDateTime(when, 'From (UTC)', '2024-07-25');
    await fillDateTime(when, 'To (UTC)', '2024-07-27');
    await form.getByLabel('Why they are two incidents', { exact: true }).fill('The battle and the ambush after it are two incidents');
    await submit(form, 'Split incident');

    const notes = editor.getByRole('list', { name: 'Merges and splits' });
    await expectText(notes, 'Split off into Battle of Tinzaouaten, 25–27 July: 1 claim.');
    expect(await claimCard(editor, 'Russian military blogs', battleClaim.summary).count()).toBe(0);
    await notes.getByRole('link', { name: 'Battle of Tinzaouaten, 25–27 July' }).click();
    await expectText(editor.getByRole('list', { name: 'Merges and splits' }), 'This incident was split off from Fighting around Tinzaouaten, taking 1 claim.');
    await expectText(editor.getByRole('list', { name: 'Linked incidents' }), 'This incident is related to Fighting around Tinzaouaten');
    await claimCard(editor, 'Russian military blogs', battleClaim.summary).waitFor();
    await snapshot(editor, 'battle-split-off');
  }, STEP_TIMEOUT);

  it('met no script error or Content-Security-Policy refusal in any page', () => {
    expect(desk.pageErrors).toEqual([]);
  });

  it('refuses an unknown key at sign-in', async () => {
    const page = await desk.browser.newPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByLabel('API key', { exact: true }).fill('not-a-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.locator('#api-key-error'), 'does not know this API key');
    await page.close();
  }, STEP_TIMEOUT);
});

// --- the worked example, as the editor reads it off the demo data set ---
// Times are as a datetime-local box takes them, read as UTC: `2024-07-28T00:00`.

interface SourceInput {
  name: string;
  kind: string;
  aliases?: string[];
  country?: string;
  description?: string;
  confidential?: boolean;
}

interface IncidentInput {
  title: string;
  description: string;
  location: { place: string; region?: string; country: string; precision: string };
  occurred: { from: string; to?: string; precision: string };
  tags: string[];
}

interface FigureInput {
  party: string;
  outcome: string;
  qualifier: string;
  value?: number;
  originalText: string;
}

interface StatementInput {
  source: string;
  via: string[];
  medium: string;
  quote: string;
  language: string;
  statedAt: string;
  publishedAt?: string;
  retrievedAt?: string;
  /** Each on the claim of the named claimant. */
  stances: { claimant: string; stance: string }[];
}

interface ClaimInput {
  claimant: string;
  via?: string[];
  /** Whose statement (of this incident) carries the claim. */
  statement?: string;
  kind?: string;
  statedAt: string;
  summary: string;
  figures: FigureInput[];
}

interface DemoStatement {
  statementId: string;
  sourceId: string;
  via?: string[];
  medium: string;
  quote: string;
  language: string;
  statedAt: string;
  publishedAt?: string;
  stances?: { claimId: string; stance: string }[];
}

interface DemoClaim {
  claimId: string;
  claimantId: string;
  via?: string[];
  statementId?: string;
  summary: string;
  kind: string;
  figures?: FigureInput[];
  statedAt: string;
}

function demoSources(): (SourceInput & { id: string })[] {
  return demo.steps.filter((step) => step.path === '/sources').map((step) => step.body as unknown as SourceInput & { id: string });
}

function workedSource(name: string): SourceInput {
  const { id: _id, ...source } = demoSources().find((candidate) => candidate.name === name)!;
  return source;
}

function workedIncident(title: string): IncidentInput {
  const { id: _id, ...incident } = demo.steps.find((step) => step.path === '/incidents' && step.body.title === title)!.body as unknown as IncidentInput & { id: string };
  return incident;
}

function sourceName(sourceId: string): string {
  return demoSources().find((source) => source.id === sourceId)!.name;
}

/** What the demo posts to an incident's `statements` or `claims`. */
function posted<T>(collection: 'statements' | 'claims'): { incident: string; body: T }[] {
  const titles = new Map(demo.steps.filter((step) => step.path === '/incidents').map((step) => [step.body.id, step.body.title as string]));
  return demo.steps
    .filter((step) => step.path.endsWith(`/${collection}`))
    .map((step) => ({ incident: titles.get(step.path.split('/')[2])!, body: step.body as unknown as T }));
}

function workedClaim(claimant: string): ClaimInput {
  const claim = posted<DemoClaim>('claims').find(({ body }) => sourceName(body.claimantId) === claimant)!.body;
  const statement = posted<DemoStatement>('statements').find(({ body }) => body.statementId === claim.statementId);
  return {
    claimant,
    via: (claim.via ?? []).map(sourceName),
    statement: statement && sourceName(statement.body.sourceId),
    kind: claim.kind,
    statedAt: typedTime(claim.statedAt),
    summary: claim.summary,
    figures: claim.figures ?? [],
  };
}

/** The named source's statement; the Malian authorities made theirs in both incidents. */
function workedStatement(source: string, incident?: string): StatementInput {
  const statement = posted<DemoStatement>('statements').find((candidate) => sourceName(candidate.body.sourceId) === source && (!incident || candidate.incident === incident))!.body;
  const claimantOf = (claimId: string) => sourceName(posted<DemoClaim>('claims').find(({ body }) => body.claimId === claimId)!.body.claimantId);
  return {
    source,
    via: (statement.via ?? []).map(sourceName),
    medium: statement.medium,
    quote: statement.quote,
    language: statement.language,
    statedAt: typedTime(statement.statedAt),
    publishedAt: statement.publishedAt && typedTime(statement.publishedAt),
    stances: (statement.stances ?? []).map(({ claimId, stance }) => ({ claimant: claimantOf(claimId), stance })),
  };
}

/** `2024-07-28T00:00:00.000Z` → `2024-07-28T00:00`, as the editor types it. */
function typedTime(instant: string): string {
  return instant.slice(0, 16);
}

// --- the editor's forms, one helper each ---

/** Clicks a download button of the group named `group`: the file's name and its CSV records. */
async function downloaded(page: Page, group: string, button: string): Promise<{ name: string; rows: Record<string, string>[] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('group', { name: group }).getByRole('button', { name: button }).click()]);
  return { name: download.suggestedFilename(), rows: parse(await readFile((await download.path())!, 'utf8'), { bom: true, columns: true }) };
}

/** Picks the option that mentions `text` (a source's name, a claim's claimant). */
async function choose(select: Locator, text: string): Promise<void> {
  const value = await select.locator('option', { hasText: text }).getAttribute('value');
  await select.selectOption(value!);
}

async function registerSource(page: Page, source: SourceInput): Promise<void> {
  const form = await openForm(page, 'Register a source', 'Register a source');
  await form.getByLabel('Name', { exact: true }).fill(source.name);
  await form.getByLabel('Kind', { exact: true }).selectOption(source.kind);
  await form.getByLabel('Country', { exact: true }).fill(source.country ?? '');
  await form.getByLabel('Aliases', { exact: true }).fill((source.aliases ?? []).join(', '));
  await form.getByLabel('Description', { exact: true }).fill(source.description ?? '');
  await form.getByLabel(/^Confidential/).setChecked(source.confidential ?? false);
  await form.getByRole('button', { name: 'Register source' }).click();
  await page.locator('.announcement').getByText(`Registered the source ${source.name}.`).waitFor();
}

async function reviseSource(page: Page, name: string, change: { description: string }, reason: string): Promise<void> {
  const form = await openForm(page, `Revise ${name}`, `Revise ${name}`);
  await form.getByLabel('Description', { exact: true }).fill(change.description);
  await form.getByLabel('Reason for the revision', { exact: true }).fill(reason);
  await submit(form, 'Save revision');
  await page.locator('.announcement').getByText(`Revised the source ${name}.`).waitFor();
}

/** An incident a colleague opened through the API, once the search finds it (the forms that pick an incident search for it). */
async function openedByColleague(title: string, occurred: object): Promise<string> {
  const body = { title, location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' }, occurred };
  const opened = await app.http('editor', 'POST', '/incidents', { body });
  expect(opened.status).toBe(201);
  await eventually(async () => (await app.http('reader', 'GET', `/incidents/${opened.body.id}`)).status === 200, `${title} in the read models`);
  return opened.body.id;
}

/** A colleague's claim, once the incident's view shows it: the page the editor opens next begins from it. */
async function postedByColleague(path: string, body: object): Promise<void> {
  const posted = await app.http('editor', 'POST', path, { body });
  expect(posted.status).toBe(201);
  await eventually(async () => (await app.http('reader', 'GET', `/incidents/${posted.body.id}`)).body.version >= posted.body.version, 'the claim in the view');
}

/** Opens the incident and returns its id, from the page the desk then shows. */
async function openIncident(page: Page, incident: IncidentInput): Promise<string> {
  await page.getByRole('link', { name: 'Incidents' }).click();
  const form = await openForm(page, 'Open an incident', 'Open an incident');
  await form.getByLabel('Title', { exact: true }).fill(incident.title);
  await form.getByLabel('Description', { exact: true }).fill(incident.description);
  const where = form.getByRole('group', { name: 'Where' });
  await where.getByLabel('Place', { exact: true }).fill(incident.location.place);
  await where.getByLabel('Region', { exact: true }).fill(incident.location.region ?? '');
  await where.getByLabel('Country', { exact: true }).fill(incident.location.country);
  await where.getByLabel('Precision', { exact: true }).selectOption(incident.location.precision);
  const when = form.getByRole('group', { name: 'When' });
  await fillDateTime(when, 'From (UTC)', incident.occurred.from);
  await fillDateTime(when, 'To (UTC)', incident.occurred.to ?? '');
  await when.getByLabel('Precision', { exact: true }).selectOption(incident.occurred.precision);
  await form.getByLabel('Tags', { exact: true }).fill(incident.tags.join(', '));
  await submit(form, 'Open incident');
  await page.getByRole('heading', { level: 1, name: incident.title }).waitFor();
  return /#\/incidents\/(.+)$/.exec(page.url())![1];
}

async function reviseIncident(page: Page, change: { description: string }, reason: string): Promise<void> {
  const form = await openForm(page, 'Revise the incident', 'Revise the incident');
  await form.getByLabel('Description', { exact: true }).fill(change.description);
  await form.getByLabel('Reason for the revision', { exact: true }).fill(reason);
  await submit(form, 'Save revision');
}

async function linkIncident(page: Page, relation: string, otherTitle: string): Promise<void> {
  const form = await openForm(page, 'Link an incident', 'Link another incident');
  await form.getByLabel('Find the other incident', { exact: true }).fill(otherTitle);
  await form.getByLabel('This incident…', { exact: true }).selectOption(relation);
  await choose(form.getByLabel('…the other incident', { exact: true }), otherTitle);
  await submit(form, 'Link incidents');
}

async function recordStatement(page: Page, statement: StatementInput): Promise<void> {
  const form = await openForm(page, 'Record a statement', 'Record a statement');
  await choose(form.getByLabel('Source', { exact: true }), statement.source);
  await form.getByLabel('Medium', { exact: true }).selectOption(statement.medium);
  await form.getByLabel('Language', { exact: true }).fill(statement.language);
  await fillVia(form, statement.via);
  await form.getByLabel('Quote, in the original language', { exact: true }).fill(statement.quote);
  await fillDateTime(form, 'Stated at (UTC)', statement.statedAt);
  await fillDateTime(form, 'Published at (UTC)', statement.publishedAt ?? '');
  await fillDateTime(form, 'Retrieved at (UTC)', statement.retrievedAt ?? '');
  for (const [index, { claimant, stance }] of statement.stances.entries()) {
    await form.getByRole('button', { name: 'Add a stance' }).click();
    await choose(form.getByLabel(`Claim ${index + 1}`, { exact: true }), `${claimant}:`);
    await form.getByLabel(`Stance ${index + 1}`, { exact: true }).selectOption(stance);
  }
  await submit(form, 'Record statement');
  await page.getByRole('article', { name: `Statement by ${statement.source}` }).filter({ hasText: statement.quote.slice(0, 40) }).waitFor();
}

async function fillClaim(page: Page, claim: ClaimInput): Promise<Locator> {
  const form = await openForm(page, 'Report a claim', 'Report a claim');
  await choose(form.getByLabel('Claimant', { exact: true }), claim.claimant);
  await form.getByLabel('Kind', { exact: true }).selectOption(claim.kind ?? 'casualties');
  await fillVia(form, claim.via ?? []);
  if (claim.statement) await choose(form.getByLabel('In the statement', { exact: true }), `${claim.statement},`);
  await fillDateTime(form, 'Stated at (UTC)', claim.statedAt);
  await form.getByLabel('Summary', { exact: true }).fill(claim.summary);
  await fillFigures(form, claim.figures);
  return form;
}

async function reportClaim(page: Page, claim: ClaimInput): Promise<void> {
  await submit(await fillClaim(page, claim), 'Report claim');
  await claimCard(page, claim.claimant, claim.summary).waitFor();
}

/** Opens one of a claim's forms from its card. */
async function claimForm(card: Locator, action: 'Amend' | 'Retract' | 'Correct' | 'Grade'): Promise<Locator> {
  await card.getByRole('button', { name: action, exact: true }).click();
  return card.getByRole('form');
}

async function amendClaim(card: Locator, amendment: { statedAt: string; summary: string; figures: FigureInput[]; reason: string }): Promise<void> {
  const form = await claimForm(card, 'Amend');
  await fillDateTime(form, 'Amended at (UTC)', amendment.statedAt);
  await form.getByLabel('Summary', { exact: true }).fill(amendment.summary);
  await fillFigures(form, amendment.figures);
  await form.getByLabel('Reason', { exact: true }).fill(amendment.reason);
  await submit(form, 'Record amendment');
}

async function retractClaim(card: Locator, retraction: { statedAt: string; reason: string }): Promise<void> {
  const form = await claimForm(card, 'Retract');
  await fillDateTime(form, 'Retracted at (UTC)', retraction.statedAt);
  await form.getByLabel('Reason', { exact: true }).fill(retraction.reason);
  await submit(form, 'Record retraction');
}

async function correctClaim(card: Locator, correction: { figures: FigureInput[]; reason: string }): Promise<void> {
  const form = await claimForm(card, 'Correct');
  await fillFigures(form, correction.figures);
  await form.getByLabel('Reason for the correction', { exact: true }).fill(correction.reason);
  await submit(form, 'Record correction');
}

/** Fills the grade form and leaves it unsent, for a colleague to write in between. */
async function fillGrade(card: Locator, assessment: { grade: string; rationale: string }): Promise<Locator> {
  const form = await claimForm(card, 'Grade');
  await form.getByLabel('Grade', { exact: true }).selectOption(assessment.grade);
  await form.getByLabel('Rationale', { exact: true }).fill(assessment.rationale);
  return form;
}

/** Makes the conduit rows say `via`, in order. */
async function fillVia(form: Locator, via: string[]): Promise<void> {
  const rows = () => form.getByLabel(/^Conduit \d+$/);
  while ((await rows().count()) < via.length) await form.getByRole('button', { name: 'Add a conduit' }).click();
  for (const [index, conduit] of via.entries()) await choose(form.getByLabel(`Conduit ${index + 1}`, { exact: true }), conduit);
}

/** Makes the figure rows say `figures`: as many rows, each filled in. */
async function fillFigures(form: Locator, figures: FigureInput[]): Promise<void> {
  const rows = () => form.getByRole('group', { name: /^Figure \d+$/ });
  while ((await rows().count()) > figures.length) await form.getByRole('button', { name: `Remove figure ${await rows().count()}` }).click();
  while ((await rows().count()) < figures.length) await form.getByRole('button', { name: 'Add a figure' }).click();
  for (const [index, figure] of figures.entries()) {
    const row = form.getByRole('group', { name: `Figure ${index + 1}`, exact: true });
    await row.getByLabel('Party', { exact: true }).fill(figure.party);
    await row.getByLabel('Outcome', { exact: true }).selectOption(figure.outcome);
    await row.getByLabel('Qualifier', { exact: true }).selectOption(figure.qualifier);
    await row.getByLabel('Number', { exact: true }).fill(figure.value === undefined ? '' : String(figure.value));
    await row.getByLabel('Original words', { exact: true }).fill(figure.originalText);
  }
}

/** Fills the named search boxes (by label), then searches. */
async function searchIncidents(page: Page, filters: Partial<Record<'Words' | 'Country' | 'Region' | 'Tag' | 'Claimant' | 'Order', string>>): Promise<void> {
  const form = page.getByRole('search', { name: 'Search incidents' });
  for (const [label, value] of Object.entries(filters)) {
    const box = form.getByLabel(label, { exact: true });
    if (label === 'Claimant') await choose(box, value);
    else if (label === 'Order') await box.selectOption(value);
    else await box.fill(value);
  }
  await form.getByRole('button', { name: 'Search' }).click();
}

// --- what the page shows ---

function claimCard(page: Page, claimant: string, summary?: string): Locator {
  const cards = page.locator(`article.claim[data-claimant="${claimant}"]`);
  return summary ? cards.filter({ hasText: summary }) : cards.first();
}

function casualty(page: Page, party: string, outcome: string): Locator {
  return page.locator(`figure.casualty[data-party="${party}"][data-outcome="${outcome}"]`);
}

function lastTimelineEntry(page: Page): Locator {
  return page.locator('.timeline-entry').last();
}

function timelineEntry(page: Page, headline: RegExp): Locator {
  return page.locator('.timeline-entry').filter({ has: page.locator('.headline', { hasText: headline }) });
}

/** The Idempotency-Key and claimId of every claim the page posts from now on. */
function idempotencyKeys(page: Page): { sent: string[]; claimIds: string[] } {
  const keys = { sent: [] as string[], claimIds: [] as string[] };
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith(`/incidents/${ambushId}/claims`)) return;
    keys.sent.push(request.headers()['idempotency-key']);
    keys.claimIds.push((request.postDataJSON() as { claimId: string }).claimId);
  });
  return keys;
}

/** The query of every incident search the page sends from now on. */
function incidentSearches(page: Page): Record<string, string>[] {
  const queries: Record<string, string>[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() === 'GET' && url.pathname === '/incidents') queries.push(Object.fromEntries(url.searchParams));
  });
  return queries;
}

async function claimsWithSummary(summary: string): Promise<number> {
  const events = await app.http('auditor', 'GET', `/incidents/${ambushId}/events?limit=1000`);
  return events.body.events.filter((event: { type: string; data: { summary?: string } }) => event.type === 'ClaimReported' && event.data.summary === summary).length;
}

/** Waits for the search results to be these titles, in this order. */
async function expectResults(page: Page, titles: string[]): Promise<void> {
  const results = page.locator('ol.results .result-title');
  const shown = async () => JSON.stringify(await results.allInnerTexts());
  await waitUntil(async () => (await shown()) === JSON.stringify(titles), async () => `Expected the results ${JSON.stringify(titles)}, found ${await shown()}`);
}
