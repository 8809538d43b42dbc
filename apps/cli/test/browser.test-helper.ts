import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll } from 'vitest';
import { BIN } from './cli.test-helper.js';
import { daemon } from './fleet.test-helper.js';

/** Debian's Chromium (`.ci/run` installs it), driven by playwright-core: no browser is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';
/** How long a screen may take to show what a test waits for, on a busy 2-core machine. */
export const SCREEN_WAIT_MS = 20_000;

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  browser = undefined;
});

/** A fresh page (its own cookies) in the shared headless Chromium, which is closed after the file's tests. */
export async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
  const context = await browser.newContext(options);
  return context.newPage();
}

/**
 * Saves what the page shows as `<name>.png` in the directory $SLOTH_SCREENSHOTS names (the README's images, made by
 * scripts/dashboard-screenshots.sh); does nothing without it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SLOTH_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Just enough of the page's DOM for a check run in it (the tests are type-checked without the DOM's types). */
export type PageDom = { document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null } };

/**
 * Opens the Audit screen once the entry of `action` is there, and returns its rows, newest first, each as its cells
 * from `from` on (1: the actor, 2: the action): [actor, action, target, result].
 */
export async function auditRows(page: Page, action: string, from = 1): Promise<(string | null)[][]> {
  await page.getByRole('link', { name: 'Audit' }).click();
  await page.locator(`tr[data-audit="${action}"]`).waitFor({ timeout: SCREEN_WAIT_MS });
  return page
    .locator('tr[data-audit]')
    .evaluateAll(
      (rows, start) => rows.map((r) => [...r.querySelectorAll('td')].slice(start, 5).map((td) => td.textContent)),
      from,
    );
}

/** Logs in on the dashboard's login page with `token`. */
export async function logIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Token of the master').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The dashboard's address a master or `ui` printed. */
export function dashboardUrl(output: string): string {
  return /dashboard on (https?:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
}

/** `sloth-runner ui` over data directory `home` (with `env` added to its environment), waiting until it listens. */
export async function startUi(home: string, extra: string[], env: Record<string, string> = {}) {
  const d = daemon(BIN, ['ui', '--port', '0', ...extra], home, env);
  await d.waitFor(/dashboard on https?:\/\/127\.0\.0\.1:\d+/);
  return { ...d, url: dashboardUrl(d.output()) };
}
