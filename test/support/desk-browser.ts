import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import playwright, { type Browser, type Locator, type Page } from 'playwright-core';
import { KEYS, type KeyName } from './test-app.js';

// The desk in a real browser (headless Chromium, driven by playwright-core), for the desk's
// browser tests: signing in as each role, and waiting for what the page shows as the read
// models catch up.

export const ARTIFACTS = 'test-artifacts';

/** The two screens the desk is tried on (issue 16): a phone and a laptop. */
export interface Screen {
  name: string;
  width: number;
  height: number;
}
export const PHONE: Screen = { name: 'phone', width: 390, height: 844 };
export const LAPTOP: Screen = { name: 'laptop', width: 1366, height: 900 };

// A step drives a whole form or two through a browser, each write waiting for the read models.
export const STEP_TIMEOUT = 60_000;

// Without the background-networking flags Chromium keeps dialling Google, which a closed network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'];

export interface DeskBrowser {
  browser: Browser;
  /** Uncaught errors and Content-Security-Policy refusals in any page: there must be none. */
  pageErrors: string[];
  /** A page of its own browser context, signed in to the desk at `baseUrl` with the role's test key (on a laptop's screen unless told). */
  signedIn: (who: KeyName, screen?: Screen) => Promise<Page>;
  /** A page of its own browser context at the desk's sign-in, on `screen`. */
  signedOut: (screen: Screen) => Promise<Page>;
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
  const signedOut = async (screen: Screen, who = 'signed out'): Promise<Page> => {
    // A context of its own, so that another tab of the same browser can be opened in it.
    const page = await (await browser.newContext({ viewport: { width: screen.width, height: screen.height } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) pageErrors.push(`${who}: ${message.text()}`);
    });
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/`);
    return page;
  };
  const signedIn = async (who: KeyName, screen: Screen = LAPTOP): Promise<Page> => {
    const page = await signedOut(screen, who);
    await page.getByLabel('API key', { exact: true }).fill(KEYS[who]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${who}-desk`).waitFor();
    return page;
  };
  return { browser, pageErrors, signedIn, signedOut, close: () => browser.close() };
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

/** The incident search's filters, opened first where they wait behind a button (on a phone). */
export async function searchFilters(page: Page): Promise<Locator> {
  const toggle = page.getByRole('button', { name: /^Filters/ });
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return page.getByRole('search', { name: 'Search incidents' });
}

/** Fills the desk's date-and-time control whose legend is `legend` (`Stated at (UTC)`) with `2024-07-28T06:00`, or a day alone, `2024-07-28`; an empty value clears it. */
export async function fillDateTime(scope: Page | Locator, legend: string, value: string): Promise<void> {
  const control = scope.getByRole('group', { name: legend, exact: true });
  const [date, time = ''] = value.split('T');
  await control.getByLabel('Date', { exact: true }).fill(date);
  await control.getByLabel('Time (UTC)', { exact: true }).fill(time);
}

/** The whole page from its top (a scrolled window would carry the sticky timeline down with it), once axe finds it accessible. */
export async function snapshot(page: Page, name: string): Promise<void> {
  await expectNoSeriousAxeViolations(page);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// WCAG 2.0–2.2 A and AA, and axe's best practices; of what breaks them, the serious and the critical fail a test.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const FAILING_IMPACTS = ['serious', 'critical'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core over the page as it stands. Its script goes in through the browser's
 * debugging protocol, which the desk's Content-Security-Policy does not govern, so the
 * page is checked under the very policy it is served with.
 */
export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] }).then((results) => results.violations)`,
  )) as AxeViolation[];
  const failing = violations.filter((violation) => FAILING_IMPACTS.includes(violation.impact ?? ''));
  if (failing.length > 0) {
    const described = failing.map(({ id, impact, help, nodes }) => `${impact} ${id}: ${help}\n${nodes.slice(0, 5).map((node) => `  ${node.target.join(' ')} — ${node.failureSummary?.replaceAll('\n', ' ')}`).join('\n')}`);
    throw new Error(`axe found ${failing.length} serious or critical violations at ${page.url()}:\n${described.join('\n')}`);
  }
}

/** Nothing wider than the screen: no sideways scrolling of the page. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as { scrollWidth: number; innerWidth: number };
  if (scrollWidth > innerWidth) throw new Error(`${page.url()} is ${scrollWidth} px wide on a ${innerWidth} px screen`);
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
