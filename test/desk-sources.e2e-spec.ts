import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { eventually } from './support/caught-up.js';
import { ARTIFACTS, buildDeskIfStale, expectCount, expectText, openDeskBrowser, openForm, snapshot, STEP_TIMEOUT, type DeskBrowser } from './support/desk-browser.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sources at the desk, role by role: readers see a confidential source only as "Confidential
// source", set apart from names; editors see its name with a badge; admins alone read who
// was shown it (the access log, a page at a time) and erase a source, after a confirmation
// that says what erasing does. Screenshots go to test-artifacts/.

const SECRET = 'Two security sources in Gao';
const NOTABLE = 'A Kidal notable';
const QUOTE = 'I saw the convoy burn from my roof in Tinzaouaten';

let app: TestApp;
let desk: DeskBrowser;
let secretId: string;
let notableId: string;
/** The version the admin erases against (If-Match). */
let notableVersion: number;
let incidentId: string;
let admin: Page;

beforeAll(async () => {
  buildDeskIfStale();
  app = await startTestApp({}, { project: true });
  desk = await openDeskBrowser(app.baseUrl);

  secretId = (await posted('/sources', { name: SECRET, kind: 'anonymous', country: 'ML', confidential: true })).id;
  ({ id: notableId, version: notableVersion } = await posted('/sources', { name: NOTABLE, kind: 'other', aliases: ['the Tinzaouaten elder'], description: 'Elder of a family in Tinzaouaten' }));
  incidentId = (
    await posted('/incidents', {
      title: 'Convoy ambush south of Tinzaouaten',
      location: { place: 'south of Tinzaouaten', country: 'ML', precision: 'region' },
      occurred: { from: '2024-07-27', precision: 'day' },
    })
  ).id;
  const statement = await posted(`/incidents/${incidentId}/statements`, { sourceId: notableId, medium: 'interview', quote: QUOTE, language: 'en', statedAt: '2024-07-28T00:00:00Z' });
  await posted(`/incidents/${incidentId}/claims`, { claimantId: notableId, summary: 'The convoy burned', kind: 'event', statedAt: '2024-07-28T00:00:00Z', statementId: statement.statementId });
  const last = await posted(`/incidents/${incidentId}/claims`, { claimantId: secretId, summary: 'JNIM and separatists attacked together', kind: 'responsibility', statedAt: '2024-07-29T00:00:00Z' });
  await eventually(async () => (await app.http('reader', 'GET', `/incidents/${incidentId}`)).body?.version >= last.version, 'the incident in the read models');
}, 120_000);

afterAll(async () => {
  await desk?.close();
  await app?.close();
});

describe('sources at the desk', () => {
  it('shows readers a confidential source only as “Confidential source”, set apart from names, and offers them no admin action', async () => {
    const reader = await desk.signedIn('reader');
    await reader.goto(`${app.baseUrl}/#/sources`);
    const item = sourceItem(reader, secretId);
    await expectText(item.locator('h2 .source-tag.source-confidential'), 'Confidential source');
    expect(await item.locator('.badge-confidential').count()).toBe(0);

    await reader.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await expectText(reader.locator('article.claim[data-claimant="Confidential source"] h3 .source-confidential'), 'Confidential source');
    expect(await reader.getByText(SECRET).count()).toBe(0);
    await expectNoAdminActions(reader);
    await reader.context().close();
  }, STEP_TIMEOUT);

  it('shows editors a confidential source’s name with a badge, and no admin action', async () => {
    const editor = await desk.signedIn('editor');
    await editor.getByRole('link', { name: 'Sources', exact: true }).click();
    const item = sourceItem(editor, secretId);
    await expectText(item.locator('h2'), SECRET);
    await expectText(item.locator('h2 .badge-confidential'), 'confidential');
    await item.getByRole('button', { name: `Revise ${SECRET}` }).waitFor();
    await expectNoAdminActions(editor);

    // The editor reads the incident, and with it who the confidential claimant is: the access log records it.
    await editor.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await expectText(editor.locator(`article.claim[data-claimant="${SECRET}"] h3`), SECRET);
    await editor.goto(`${app.baseUrl}/#/sources/${secretId}/access-log`);
    await expectText(editor.locator('main'), 'The access log is open to admins');
    await editor.context().close();
  }, STEP_TIMEOUT);

  it('shows an admin who was shown a confidential source, when and through which route, newest first, a page at a time', async () => {
    // Enough showings for a second page (the desk shows 50 at a time).
    for (let read = 0; read < 55; read++) expect((await app.http('editor', 'GET', `/sources/${secretId}`)).status).toBe(200);

    admin = await desk.signedIn('admin');
    await admin.getByRole('link', { name: 'Sources', exact: true }).click();
    await sourceItem(admin, secretId).getByRole('link', { name: `Access log of ${SECRET}` }).click();
    await admin.getByRole('heading', { level: 1, name: `Access log of ${SECRET}` }).waitFor();
    const rows = admin.locator('table.access-log tbody tr');
    await expectCount(rows, 50);
    await expectText(rows, 'editor-desk');
    await expectText(rows, 'GET /sources/{sourceId}');
    // The admin's own reading of the sources list is the newest showing.
    await expectText(rows.first(), 'admin-desk');
    await expectNewestFirst(admin);
    await snapshot(admin, 'desk-source-access-log');

    await admin.getByRole('button', { name: 'Older entries' }).click();
    await admin.getByRole('heading', { name: 'Shown to, page 2' }).waitFor();
    await expectText(rows.filter({ hasText: 'editor-desk' }), 'GET /incidents/{incidentId}');
    await expectNewestFirst(admin);
    expect(await admin.getByRole('button', { name: 'Older entries' }).isDisabled()).toBe(true);
    await admin.getByRole('button', { name: 'Newer entries' }).click();
    await admin.getByRole('heading', { name: 'Shown to, page 1' }).waitFor();
    await expectCount(rows, 50);
  }, STEP_TIMEOUT);

  it('asks an admin to confirm an erasure in plain words, then shows the source as erased to everyone', async () => {
    await admin.getByRole('link', { name: 'Back to the sources' }).click();
    const form = await openForm(admin, `Erase ${NOTABLE}…`, `Erase ${NOTABLE}`);
    const consequence = form.locator('.consequence');
    for (const words of ['This cannot be undone.', 'for ever', 'the aliases the Tinzaouaten elder', 'the words of its statements', '“erased source”', 'What stays: the events in the ledger']) {
      await expectText(consequence, words);
    }
    const erasures: Request[] = [];
    admin.on('request', (request) => request.url().endsWith('/erasure') && erasures.push(request));

    await form.getByLabel('Reason for the erasure', { exact: true }).fill('The notable asked to be forgotten after threats');
    await form.getByRole('button', { name: 'Erase for ever' }).click();
    await expectText(form.getByRole('alert'), 'Nothing was erased');
    await expectText(form.locator('.field-error[data-field="confirmName"]'), `Type ${NOTABLE} exactly`);
    expect(erasures).toEqual([]);
    await form.screenshot({ path: join(ARTIFACTS, 'desk-source-erase-confirmation.png') });

    await form.getByLabel('Type the source’s name to confirm', { exact: true }).fill(NOTABLE.toLowerCase());
    const [answer] = await Promise.all([admin.waitForResponse((response) => response.url().endsWith(`/sources/${notableId}/erasure`)), form.getByRole('button', { name: 'Erase for ever' }).click()]);
    expect(answer.request().postDataJSON()).toEqual({ reason: 'The notable asked to be forgotten after threats' });
    expect(answer.request().headers()['if-match']).toBe(`"${notableVersion}"`);
    expect(answer.status()).toBe(201);

    await form.waitFor({ state: 'detached' });
    await expectText(admin.locator('.announcement'), 'Erased the source');
    const item = sourceItem(admin, notableId);
    await expectText(item.locator('h2 .source-tag.source-erased'), 'erased source');
    await expectText(item.locator('.erased-note'), 'Erased');
    expect(await item.getByRole('button').count()).toBe(0);
    await snapshot(admin, 'desk-source-erased');

    const erased = (await app.http('reader', 'GET', `/sources/${notableId}`)).body;
    expect(erased).toMatchObject({ erased: true, name: 'erased source', aliases: [] });
    expect(erased.description).toBeUndefined();

    const reader = await desk.signedIn('reader');
    await reader.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    await expectText(reader.locator('article.claim[data-claimant="erased source"] h3 .source-erased'), 'erased source');
    await reader.getByRole('article', { name: 'Statement by erased source' }).waitFor();
    expect(await reader.getByText(QUOTE).count()).toBe(0);
    expect(await reader.getByText(NOTABLE).count()).toBe(0);
    await snapshot(reader, 'desk-incident-erased-source');
    await reader.context().close();

    // Nothing new is recorded from an erased source: the desk does not offer it.
    await admin.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
    const statementForm = await openForm(admin, 'Record a statement', 'Record a statement');
    expect(await statementForm.getByLabel('Source', { exact: true }).locator('option', { hasText: 'erased source' }).count()).toBe(0);
  }, STEP_TIMEOUT);

  it('met no script error or Content-Security-Policy refusal in any page', () => {
    expect(desk.pageErrors).toEqual([]);
  });
});

async function posted(path: string, body: object): Promise<{ id: string; version: number; statementId?: string }> {
  const answer = await app.http('editor', 'POST', path, { body });
  expect(answer.status).toBe(201);
  return answer.body;
}

function sourceItem(page: Page, sourceId: string) {
  return page.getByRole('list', { name: 'Sources' }).locator(`li[data-source-id="${sourceId}"]`);
}

/** No erase action and no access log, on the sources page or at the access log's address. */
async function expectNoAdminActions(page: Page): Promise<void> {
  await page.goto(`${app.baseUrl}/#/sources`);
  await sourceItem(page, notableId).waitFor();
  expect(await page.getByRole('button', { name: /^Erase/ }).count()).toBe(0);
  expect(await page.getByRole('link', { name: /^Access log/ }).count()).toBe(0);
}

async function expectNewestFirst(page: Page): Promise<void> {
  const times = await page.locator('table.access-log tbody time').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('datetime') ?? ''));
  expect(times).toEqual([...times].sort().reverse());
}
