import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import playwright, { type Browser, type Locator, type Page } from 'playwright-core';
import { KEYS, type KeyName } from './test-app.js';

// The desk in a real browser (headless Chromium, driven by playwright-core), for the desk's
// browser tests: signing in as each role, and waiting for what the page shows as the read
// models catch up.

export const ARTIFACTS = 'test-artifacts';

// A step drives a whole form or two through a browser, each write waiting for the read models.
export const STEP_TIMEOUT = 60_000;

// Without the background-networking flags Chromium keeps dialling Google, which a closed network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'];

export interface DeskBrowser {
  browser: Browser;
  /** Uncaught errors and Content-Security-Policy refusals in any page: there must be none. */
  pageErrors: string[];
  /** A page of its own browser context, signed in to the desk at `baseUrl` with the role's test key. */
  signedIn: (who: KeyName) => Promise<Page>;
  close: () => Promise<void>;
}

/** `npm test` builds first; a run of the desk's tests alone may find the desk's build older than its sources. */
export function buildDeskIfStale(): void {
  execSync('npm run build:if-stale --silent', { stdio: 'inherit' });
}

export async function openDeskBrowser(baseUrl: string): Promise<DeskBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The browser comes from the npm registry with `npm ci` (@sparticuz/chromium ships the binary,
  // unpacked into the temporary folder on first use); CHROMIUM_PATH names another.
  const executablePath = process.env.CHROMIUM_PATH ?? (await chromium.executablePath());
  const browser = await playwright.chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const pageErrors: string[] = [];
  const signedIn = async (who: KeyName): Promise<Page> => {
    // A context of its own, so that another tab of the same browser can be opened in it.
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) pageErrors.push(`${who}: ${message.text()}`);
    });
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('API key', { exact: true }).fill(KEYS[who]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${who}-desk`).waitFor();
    return page;
  };
  return { browser, pageErrors, signedIn, close: () => browser.close() };
}

/** Opens the form a toggle button shows (once: a second click would close it). */
export async function openForm(page: Page | Locator, toggle: string, form: string): Promise<Locator> {
  const button = page.getByRole('button', { name: toggle, exact: true });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  return page.getByRole('form', { name: form });
}

/** Sends the form and waits until the page has shown what it recorded and closed it. */
export async function submit(form: Locator, label: string): Promise<void> {
  await form.getByRole('button', { name: label }).click();
  await form.waitFor({ state: 'detached' });
}

/** Fills the desk's date-and-time control whose legend is `legend` (`Stated at (UTC)`) with `2024-07-28T06:00`, or a day alone, `2024-07-28`; an empty value clears it. */
export async function fillDateTime(scope: Page | Locator, legend: string, value: string): Promise<void> {
  const control = scope.getByRole('group', { name: legend, exact: true });
  const [date, time = ''] = value.split('T');
  await control.getByLabel('Date', { exact: true }).fill(date);
  await control.getByLabel('Time (UTC)', { exact: true }).fill(time);
}

/** The whole page from its top (a scrolled window would carry the sticky timeline down with it). */
export async function snapshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits for the locator to contain the text (the desk updates as the read models catch up). */
export async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor().catch(async (error: unknown) => {
    const actual = await locator.allInnerTexts().catch(() => []);
    throw new Error(`Expected ${String(locator)} to contain "${text}"; it reads ${JSON.stringify(actual)}. ${String(error)}`);
  });
}

export async function expectCount(locator: Locator, count: number): Promise<void> {
  await waitUntil(async () => (await locator.count()) === count, async () => `Expected ${count} of ${String(locator)}, found ${await locator.count()}`);
}

export async function waitUntil(holds: () => Promise<boolean>, failure: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(await failure());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
