import { join } from 'node:path';
import type { Locator, Page, Request } from 'playwright-core';
import { eventually } from './support/caught-up.js';
import { ARTIFACTS, buildDeskIfStale, expectText, fillDateTime, openDeskBrowser, openForm, STEP_TIMEOUT, type DeskBrowser } from './support/desk-browser.js';
import { recorded, startTestApp, type TestApp } from './support/test-app.js';

// The desk's write forms as an editor meets them, on a phone and on a desktop: one submit
// shows every problem the desk can find, in plain words naming each field as the form
// labels it; what only the service can know comes back the same way; every date and time
// is entered with one control, in UTC, with "stated at" set to now; a source that looks
// registered already is flagged before it is registered twice; and a claimant the desk
// lacks is registered from the claim form itself. Screenshots go to test-artifacts/.

const SIZES = [
  { size: 'phone', width: 390, height: 844 },
  { size: 'desktop', width: 1366, height: 900 },
] as const;

const ARMY = 'Malian Armed Forces';
/** What the validator says, which an editor must never read. */
const VALIDATOR_WORDS = /Too small|Too big|Invalid|expected|>=|UUID|claimantId|statedAt|figures\[/;

let app: TestApp;
let desk: DeskBrowser;
let incidentId: string;

beforeAll(async () => {
  buildDeskIfStale();
  app = await startTestApp({}, { project: true });
  desk = await openDeskBrowser(app.baseUrl);
  await recorded(app, '/sources', { name: ARMY, kind: 'state_military', country: 'ML', aliases: ['Malian army', 'FAMa'] });
  await recorded(app, '/sources', { name: 'JNIM', kind: 'armed_group' });
  incidentId = (
    await recorded(app, '/incidents', {
      title: 'Convoy ambush south of Tinzaouaten',
      location: { place: 'south of Tinzaouaten', country: 'ML', precision: 'near' },
      occurred: { from: '2024-07-27', precision: 'day' },
    })
  ).id;
  await eventually(async () => (await app.http('reader', 'GET', `/incidents/${incidentId}`)).status === 200, 'the incident in the read models');
}, 120_000);

afterAll(async () => {
  await desk?.close();
  await app?.close();
});

describe.each(SIZES)('the desk’s forms on a $size ($width×$height)', ({ size, width, height }) => {
  let editor: Page;

  beforeAll(async () => {
    editor = await desk.signedIn('editor');
    await editor.setViewportSize({ width, height });
  }, 60_000);

  afterAll(async () => {
    await editor?.context().close();
  });

  it('flags a blank summary, a missing date and a figure of −2 all at once, in plain words, and sends nothing until they are fixed', async () => {
    const form = await claimForm(editor);
    await choose(form.getByLabel('Claimant', { exact: true }), 'JNIM');
    await fillDateTime(form, 'Stated at (UTC)', '');
    const figure = form.getByRole('group', { name: 'Figure 1', exact: true });
    await figure.getByLabel('Party', { exact: true }).fill('Malian soldiers');
    await figure.getByLabel('Number', { exact: true }).fill('-2');
    await figure.getByLabel('Original words', { exact: true }).fill('two soldiers');

    // The marks and limits the browser knows before anything is sent.
    for (const required of [form.getByLabel('Claimant', { exact: true }), form.getByLabel('Summary', { exact: true }), figure.getByLabel('Original words', { exact: true })]) {
      expect(await required.getAttribute('required')).not.toBeNull();
    }
    expect(await figure.getByLabel('Number', { exact: true }).getAttribute('min')).toBe('0');
    expect(await form.getByLabel('Summary', { exact: true }).getAttribute('maxlength')).toBe('2000');

    const sent = requestsTo(editor, '/claims');
    await form.getByRole('button', { name: 'Report claim' }).click();
    const problem = form.locator('.form-problem');
    await expectText(problem, 'Nothing was sent: fix the 3 fields marked below.');
    expect(await problem.getByRole('listitem').allInnerTexts()).toEqual(['Stated at (UTC): needs a date', 'Summary: is required', 'Figure 1 — Number: must be 0 or more']);
    await expectText(form.locator('.field-error[data-field="summary"]'), 'Summary is required');
    await expectText(form.locator('.field-error[data-field="figures[0].value"]'), 'Number must be 0 or more');
    expect(await figure.getByLabel('Number', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.innerText()).not.toMatch(VALIDATOR_WORDS);
    expect(sent).toEqual([]);
    await form.screenshot({ path: join(ARTIFACTS, `desk-forms-claim-all-at-once-${size}.png`) });

    // Fixed, it is recorded at once.
    await fillDateTime(form, 'Stated at (UTC)', '2024-07-29T08:30');
    await form.getByLabel('Summary', { exact: true }).fill(`JNIM said it killed two soldiers (${size}).`);
    await figure.getByLabel('Number', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Report claim' }).click();
    await form.waitFor({ state: 'detached' });
    await claimCard(editor, `JNIM said it killed two soldiers (${size}).`).waitFor();
    expect(sent).toHaveLength(1);
    expect(sent[0].postDataJSON()).toMatchObject({ statedAt: '2024-07-29T08:30:00.000Z', figures: [{ value: 2 }] });
  }, STEP_TIMEOUT);

  it('checks a statement the same way: a blank quote, a wrong language tag, a web address without http and two stances on one claim, in one submit', async () => {
    await onIncidentPage(editor);
    const form = await openForm(editor, 'Record a statement', 'Record a statement');
    const sent = requestsTo(editor, '/statements');
    await choose(form.getByLabel('Source', { exact: true }), 'JNIM');
    await form.getByLabel('Language', { exact: true }).fill('English');
    await form.getByLabel('Web address', { exact: true }).fill('telegram: az-zallaqa');
    for (const index of [1, 2]) {
      await form.getByRole('button', { name: 'Add a stance' }).click();
      await choose(form.getByLabel(`Claim ${index}`, { exact: true }), 'JNIM:');
    }
    await form.getByRole('button', { name: 'Record statement' }).click();
    expect(await form.locator('.form-problem').getByRole('listitem').allInnerTexts()).toEqual([
      'Language: must be a language tag such as en or ar',
      'Quote, in the original language: is required',
      'Web address: must be a web address beginning http:// or https://',
      'Claim 2: names a claim another stance names already: one stance per claim',
    ]);
    expect(sent).toEqual([]);
    await form.getByRole('button', { name: 'Cancel' }).click();
  }, STEP_TIMEOUT);

  it('shows what only the service can know (a claimant erased meanwhile) at the field, named by its label', async () => {
    const notable = await recorded(app, '/sources', { name: `A Gao notable (${size})`, kind: 'other' });
    await eventually(async () => (await app.http('reader', 'GET', `/sources/${notable.id}`)).status === 200, 'the source in the read models');
    const form = await claimForm(editor);
    // The desk listed the source when the page loaded; an admin erases it before the editor sends.
    const erased = await app.http('admin', 'POST', `/sources/${notable.id}/erasure`, { body: { reason: 'Asked to be forgotten' }, headers: { 'if-match': `"${notable.version}"` } });
    expect(erased.status).toBe(201);

    await choose(form.getByLabel('Claimant', { exact: true }), `A Gao notable (${size})`);
    await form.getByLabel('Summary', { exact: true }).fill('The convoy burned.');
    await form.getByRole('button', { name: 'Remove figure 1' }).click();
    await form.getByRole('button', { name: 'Report claim' }).click();

    const problem = form.locator('.form-problem');
    await expectText(problem, 'Nothing was recorded: the service asks to fix the field marked below.');
    expect(await problem.getByRole('listitem').allInnerTexts()).toEqual(['Claimant: was erased: nothing more is recorded from it, or through it']);
    await expectText(form.locator('.field-error[data-field="claimantId"]'), 'Claimant was erased');
    expect(await form.getByLabel('Claimant', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.innerText()).not.toMatch(VALIDATOR_WORDS);
    expect(await form.innerText()).not.toContain(notable.id);
    await form.getByRole('button', { name: 'Cancel' }).click();
  }, STEP_TIMEOUT);

  it('enters every date and time with one control, in UTC, with “stated at” set to now', async () => {
    const claim = await claimForm(editor);
    const statedAt = claim.getByRole('group', { name: 'Stated at (UTC)', exact: true });
    const shownDate = await statedAt.getByLabel('Date', { exact: true }).inputValue();
    const shownTime = await statedAt.getByLabel('Time (UTC)', { exact: true }).inputValue();
    expect(Math.abs(Date.parse(`${shownDate}T${shownTime}Z`) - Date.now())).toBeLessThan(3 * 60_000);
    // Read back in words, whatever order the browser's locale shows a date in.
    await expectText(statedAt.locator('.hint'), `${shownTime} UTC`);
    await claim.getByRole('button', { name: 'Cancel' }).click();

    const statement = await openForm(editor, 'Record a statement', 'Record a statement');
    for (const legend of ['Stated at (UTC)', 'Published at (UTC)', 'Retrieved at (UTC)']) await expectDateTimeControl(statement.getByRole('group', { name: legend, exact: true }));
    expect(await statement.getByRole('group', { name: 'Published at (UTC)', exact: true }).getByLabel('Date', { exact: true }).inputValue()).toBe('');
    await fillDateTime(statement, 'Published at (UTC)', '2024-07-28');
    await expectText(statement.getByRole('group', { name: 'Published at (UTC)', exact: true }).locator('.hint'), '28 Jul 2024');
    await statement.getByRole('button', { name: 'Retrieved at: now' }).click();
    expect(await statement.getByRole('group', { name: 'Retrieved at (UTC)', exact: true }).getByLabel('Date', { exact: true }).inputValue()).toBe(new Date().toISOString().slice(0, 10));
    await statement.getByRole('button', { name: 'Cancel' }).click();

    const revision = await openForm(editor, 'Revise the incident', 'Revise the incident');
    const when = revision.getByRole('group', { name: 'When' });
    for (const legend of ['From (UTC)', 'To (UTC)']) await expectDateTimeControl(when.getByRole('group', { name: legend, exact: true }));
    expect(await when.getByRole('group', { name: 'From (UTC)', exact: true }).getByLabel('Date', { exact: true }).inputValue()).toBe('2024-07-27');
    await revision.getByRole('button', { name: 'Cancel' }).click();
  }, STEP_TIMEOUT);

  it('warns that a new source is likely registered already, naming it, and lets the editor pick it or register anyway', async () => {
    await editor.goto(`${app.baseUrl}/#/sources`);
    const form = await openForm(editor, 'Register a source', 'Register a source');
    const warning = form.locator('.duplicate-warning');
    const registrations = requestsTo(editor, '/sources', 'POST');

    // Case and accents aside, the name is an alias of the army.
    await form.getByLabel('Name', { exact: true }).fill('MALIAN ármy');
    await expectText(warning, `“MALIAN ármy” is an alias (“Malian army”) of ${ARMY}`);
    await form.getByRole('button', { name: 'Register anyway' }).waitFor();
    await form.screenshot({ path: join(ARTIFACTS, `desk-forms-likely-duplicate-${size}.png`) });
    await form.getByRole('button', { name: `Use ${ARMY}` }).click();
    await expectText(editor.locator('.announcement'), `Chose ${ARMY}, registered already: nothing new was registered.`);
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('');

    // An alias that matches is flagged too; the editor knows it is another source and registers it.
    const reserve = `Army reserve unit (${size})`;
    await form.getByLabel('Name', { exact: true }).fill(reserve);
    expect(await warning.count()).toBe(0);
    await form.getByLabel('Aliases', { exact: true }).fill('the reserve, fama');
    await expectText(warning, `“fama” is an alias (“FAMa”) of ${ARMY}`);
    expect(registrations).toEqual([]);
    await form.getByRole('button', { name: 'Register anyway' }).click();
    await expectText(editor.locator('.announcement'), `Registered the source ${reserve}.`);
    expect(registrations).toHaveLength(1);
    expect(registrations[0].postDataJSON()).toMatchObject({ name: reserve, aliases: ['the reserve', 'fama'] });
  }, STEP_TIMEOUT);

  it('registers a claimant from inside the claim form and chooses it, and offers the existing source for a conduit that is one', async () => {
    const form = await claimForm(editor);
    const claimsSent = requestsTo(editor, '/claims');

    await form.getByRole('button', { name: 'New source for Claimant' }).click();
    const dialog = editor.getByRole('dialog', { name: 'Register a source' });
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    const notable = `A Kidal notable (${size})`;
    await dialog.getByLabel('Name', { exact: true }).fill(notable);
    await dialog.getByLabel('Kind', { exact: true }).selectOption('other');
    await dialog.screenshot({ path: join(ARTIFACTS, `desk-forms-source-from-claim-${size}.png`) });
    await dialog.getByRole('button', { name: 'Register source' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await selectedText(form.getByLabel('Claimant', { exact: true }))).toBe(notable);
    expect(claimsSent).toEqual([]);

    // A conduit the desk has under another name: the editor takes the existing one.
    await form.getByRole('button', { name: 'Add a conduit' }).click();
    await form.getByRole('button', { name: 'New source for Conduit 1' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('Malian Army');
    await expectText(dialog.locator('.duplicate-warning'), ARMY);
    await dialog.getByRole('button', { name: `Use ${ARMY}` }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await selectedText(form.getByLabel('Conduit 1', { exact: true }))).toBe(ARMY);

    const summary = `The notable saw the convoy burn (${size}).`;
    await form.getByLabel('Summary', { exact: true }).fill(summary);
    await form.getByRole('button', { name: 'Remove figure 1' }).click();
    await form.getByRole('button', { name: 'Report claim' }).click();
    await form.waitFor({ state: 'detached' });
    const card = claimCard(editor, summary);
    await expectText(card, notable);
    await expectText(card, ARMY);
    expect(claimsSent).toHaveLength(1);

    const statement = await openForm(editor, 'Record a statement', 'Record a statement');
    await statement.getByRole('button', { name: 'New source for Source' }).waitFor();
    await statement.getByRole('button', { name: 'Cancel' }).click();
  }, STEP_TIMEOUT);
});

it('met no script error or Content-Security-Policy refusal in any page', () => {
  expect(desk.pageErrors).toEqual([]);
});

/** The incident page, freshly loaded: with the desk's list of sources as it is now. */
async function onIncidentPage(page: Page): Promise<void> {
  await page.goto(`${app.baseUrl}/#/incidents/${incidentId}`);
  await page.reload();
}

async function claimForm(page: Page): Promise<Locator> {
  await onIncidentPage(page);
  return openForm(page, 'Report a claim', 'Report a claim');
}

function claimCard(page: Page, summary: string): Locator {
  return page.locator('article.claim').filter({ hasText: summary });
}

/** The write requests the page sends to paths ending in `ending`, as they go. */
function requestsTo(page: Page, ending: string, method = 'POST'): Request[] {
  const sent: Request[] = [];
  page.on('request', (request) => request.method() === method && new URL(request.url()).pathname.endsWith(ending) && sent.push(request));
  return sent;
}

async function choose(select: Locator, text: string): Promise<void> {
  await select.locator('option', { hasText: text }).first().waitFor({ state: 'attached' });
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value');
  await select.selectOption(value!);
}

async function selectedText(select: Locator): Promise<string> {
  return (await select.locator(`option[value="${await select.inputValue()}"]`).textContent()) ?? '';
}

async function expectDateTimeControl(group: Locator): Promise<void> {
  expect(await group.getByLabel('Date', { exact: true }).getAttribute('type')).toBe('date');
  expect(await group.getByLabel('Time (UTC)', { exact: true }).getAttribute('type')).toBe('time');
}
