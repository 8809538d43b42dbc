import { readNetCounters } from '@sloth/client';
import { describe, expect, it } from 'vitest';
import { dashboardUrl, logIn, newPage, type PageDom, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { runCli, runGoodAndBad } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, TOKEN } from './fleet.test-helper.js';

// The dashboard's home screen in real Chromium: the counts, the agents' charts and the recent runs and failures, from
// runs of the real CLI and a real sloth-agent.

describe('the overview screen', () => {
  it("under `ui` counts today's runs of the CLI live, lists the failure with a link to its run, and says there is no master", async () => {
    const { home, tokenFile } = fleetHome();
    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    // The overview is the first screen after login.
    await logIn(page, ui.url, TOKEN);
    const runs = page.locator('[data-count="runs"]');
    const count = (status: string) => runs.locator(`[data-number="${status}"] strong`);
    await page.locator('[data-no-master]').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.locator('[data-no-master]').textContent()).toContain('No master here');
    await page.locator('[data-no-failures]').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await count('success').textContent()).toBe('0');
    expect(await count('failed').textContent()).toBe('0');

    // Two runs of the CLI on the same data directory, one that succeeds and one that fails: the page follows.
    await runGoodAndBad(home);
    await count('failed').filter({ hasText: /^1$/ }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await count('success').textContent()).toBe('1');
    expect(await count('running').textContent()).toBe('0');

    // The event queue's counts are those `events list` gives.
    const pending = await runCli(['events', 'list', '--status', 'pending', '-n', '1000', '-o', 'json', '--data-dir', home]);
    expect(await page.locator('[data-count="events"] [data-number="pending"] strong').textContent()).toBe(
      String(JSON.parse(pending.stdout).length),
    );

    const failures = page.locator('[data-section="failures"]');
    await failures.getByRole('link', { name: 'bad' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await failures.getByRole('link', { name: 'good' }).count()).toBe(0);
    const recent = page.locator('[data-section="recent-runs"]');
    expect(await recent.locator('tr[data-run] a').allTextContents()).toEqual(['bad', 'good']);
    await screenshot(page, 'overview');

    await failures.getByRole('link', { name: 'bad' }).click();
    expect(page.url()).toMatch(/#\/runs\/.+/);
    await page.locator('[data-task="break"]').first().waitFor({ timeout: SCREEN_WAIT_MS });
  });

  it("on a master counts a real agent Active and charts its heartbeats' load, memory, disk and network, and the master's own machine", async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0', '--metrics-interval', '1s']);
    await master.waitFor(/dashboard on http:/);
    const page = await newPage();
    await logIn(page, dashboardUrl(master.output()), TOKEN);
    const agents = page.locator('[data-count="agents"]');
    await page.getByText('No agent has registered with this master yet.').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await agents.locator('[data-number="Active"] strong').textContent()).toBe('0');
    // The master's machine has its row from its first sample on, and is not an agent.
    const masterRow = page.locator('tr[data-master-charts]');
    await masterRow
      .locator('[data-metric="memory"] [data-now]')
      .filter({ hasText: /^\d+\.\d %$/ })
      .waitFor({
        timeout: SCREEN_WAIT_MS,
      });
    expect(await masterRow.locator('td').first().textContent()).toContain('master');
    expect(await agents.locator('[data-number="Inactive"] strong').textContent()).toBe('0');

    startAgent(home, 'web-1', master.url, tokenFile, { standalone: true });
    await agents.locator('[data-number="Active"] strong').filter({ hasText: /^1$/ }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await agents.locator('[data-number="Inactive"] strong').textContent()).toBe('0');
    const row = page.locator('tr[data-agent-charts="web-1"]');
    expect(await row.locator('[data-status]').textContent()).toBe('Active');
    // The charts grow with the heartbeats, without a reload.
    await page.waitForFunction(
      (selector) => Number((globalThis as unknown as PageDom).document.querySelector(selector)?.getAttribute('data-points')) >= 3,
      'tr[data-agent-charts="web-1"] [data-metric="memory"]',
      { timeout: SCREEN_WAIT_MS },
    );
    expect(await row.locator('[data-metric="disk"] [data-now]').textContent()).toMatch(/^\d+\.\d %$/);
    expect(await row.locator('[data-metric="load"] svg polyline').getAttribute('points')).toMatch(
      /^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/,
    );
    // Network: bytes per second in and out between heartbeats, from this machine's counters (where it has any).
    const net = await readNetCounters();
    const rate = /^in [\d.]+ \w*B\/s, out [\d.]+ \w*B\/s$/;
    for (const r of [row, masterRow]) {
      const now = r.locator('[data-metric="network"] [data-now]');
      if (net.rxBytes > 0n && net.txBytes > 0n) {
        await now.filter({ hasText: rate }).waitFor({ timeout: SCREEN_WAIT_MS });
        // A line, or a dot while there is one rate only.
        expect(await r.locator('[data-metric="network"] svg .line.first > *').count()).toBeGreaterThan(0);
      } else {
        await now.filter({ hasText: /^no network data/ }).waitFor({ timeout: SCREEN_WAIT_MS });
      }
    }
    expect(await page.locator('tr[data-agent-charts]').count()).toBe(1);
    expect(await agents.locator('[data-number="Active"] strong').textContent()).toBe('1');
    await screenshot(page, 'overview-master');
    await row.getByRole('link', { name: 'web-1' }).click();
    await page
      .locator('[data-section="overview"] [data-status]')
      .filter({ hasText: 'Active' })
      .waitFor({ timeout: SCREEN_WAIT_MS });
  });
});
