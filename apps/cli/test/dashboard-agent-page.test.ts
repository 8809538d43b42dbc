import { readNetCounters } from '@sloth/client';
import { describe, expect, it } from 'vitest';
import { dashboardUrl, logIn, newPage, type PageDom, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, TOKEN } from './fleet.test-helper.js';

// An agent's own page on the master's dashboard, in real Chromium, with the real sloth-agent program.

describe("an agent's page on the master dashboard", () => {
  it('shows a real agent with its system info and metrics growing live, runs a command in its exec box, and audits it', async () => {
    const { home, tokenFile } = fleetHome();
    // One sample kept per second, so the kept history grows too while the page is open.
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0', '--metrics-interval', '1s']);
    await master.waitFor(/dashboard on http:/);
    const url = dashboardUrl(master.output());
    const dir = writeFiles({ 'page-marker': '' });
    startAgent(home, 'web-1', master.url, tokenFile, { standalone: true, extra: ['--labels', 'role=web'], cwd: dir });
    const page = await newPage();
    await logIn(page, `${url}/#/agents`, TOKEN);
    await page.locator('tr[data-agent="web-1"] [data-status]').filter({ hasText: 'Active' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('link', { name: 'web-1' }).click();

    const overview = page.locator('[data-section="overview"]');
    await overview.locator('[data-status]').filter({ hasText: 'Active' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(page.url()).toMatch(/#\/agents\/web-1$/);
    expect(await overview.textContent()).toContain('role=web');
    expect(await overview.textContent()).toMatch(/127\.0\.0\.1:\d+/);
    // Each tab switches without a reload: the agent's stream (and its charts' points) go on underneath.
    const heartbeat = await overview.locator('[data-heartbeat]').getAttribute('data-heartbeat');
    await page.getByRole('tab', { name: 'System' }).click();
    expect(page.url()).toMatch(/#\/agents\/web-1\/system$/);
    const system = page.locator('[data-section="system"]');
    expect(Number(await system.locator('[data-cpus]').textContent())).toBeGreaterThan(0);
    expect(await system.locator('[data-os]').textContent()).toMatch(/^linux \(\w+\)$/);
    expect(await system.locator('[data-memory]').textContent()).toMatch(/^[\d.]+ \w+ used of [\d.]+ \w+$/);
    expect(await system.locator('[data-network]').textContent()).toMatch(/^[\d.]+ \w+ in, [\d.]+ \w+ out$|^not reported$/);

    // Live: without a reload, each chart gets more points, and the heartbeat time has moved on.
    await page.getByRole('tab', { name: 'Metrics' }).click();
    await page.locator('[data-metric="load"]').waitFor({ timeout: SCREEN_WAIT_MS });
    const points = Number(await page.locator('[data-metric="load"]').getAttribute('data-points'));
    await page.waitForFunction(
      (atLeast) => {
        const { document } = globalThis as unknown as PageDom;
        return Number(document.querySelector('[data-metric="memory"]')?.getAttribute('data-points')) >= atLeast;
      },
      points + 3,
      { timeout: SCREEN_WAIT_MS },
    );
    expect(await page.locator('[data-metric="disk"] [data-now]').textContent()).toMatch(/^\d+\.\d %$/);
    expect(await page.locator('[data-metric="load"] svg polyline').getAttribute('points')).toMatch(
      /^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/,
    );
    // Network throughput in and out, from this machine's counters (where it has any: else the chart says so).
    const net = await readNetCounters();
    const network = page.locator('[data-metric="network"]');
    if (net.rxBytes > 0n && net.txBytes > 0n) {
      expect(await network.locator('[data-now]').textContent()).toMatch(/^in [\d.]+ \w*B\/s, out [\d.]+ \w*B\/s$/);
      expect(await network.locator('svg .line.second polyline').first().getAttribute('points')).toMatch(
        /^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/,
      );
    } else {
      expect(await network.locator('[data-now]').textContent()).toMatch(/^no network data/);
    }
    await screenshot(page, 'agent');
    await page.getByRole('tab', { name: 'Overview' }).click();
    expect(await overview.locator('[data-heartbeat]').getAttribute('data-heartbeat')).not.toBe(heartbeat);

    // The exec box: the command runs on this agent (in its directory), its output streamed, then its exit code.
    await page.getByRole('tab', { name: 'Run a command' }).click();
    await page.getByLabel('Command').fill('ls; echo to-stderr >&2; exit 3');
    await page.getByRole('button', { name: 'Run on web-1' }).click();
    const out = page.locator('[data-output="web-1"]');
    await out.getByText('page-marker').waitFor({ timeout: SCREEN_WAIT_MS });
    await out.locator('.stderr').getByText('to-stderr').waitFor({ timeout: SCREEN_WAIT_MS });
    await out.locator('[data-status]').filter({ hasText: 'exit 3' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await screenshot(page, 'agent-exec');
    // Another tab and back: the command and its output are still there.
    await page.getByRole('tab', { name: 'Work' }).click();
    await page.locator('tr[data-work]', { hasText: 'exit 3' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('tab', { name: 'Run a command' }).click();
    expect(await page.getByLabel('Command').inputValue()).toBe('ls; echo to-stderr >&2; exit 3');
    await out.getByText('page-marker').waitFor({ timeout: SCREEN_WAIT_MS });

    await page.getByRole('link', { name: 'Audit' }).click();
    const entry = page.locator('tr[data-audit="agent.exec"]');
    await entry.waitFor({ timeout: SCREEN_WAIT_MS });
    const cells = await entry.locator('td').allTextContents();
    expect(cells.slice(1, 6)).toEqual([
      expect.stringMatching(/^session [0-9a-f]{8} from 127\.0\.0\.1$/),
      'agent.exec',
      'web-1',
      'failed',
      expect.stringMatching(/^ls; echo to-stderr >&2; exit 3: web-1: /),
    ]);
  });

  it('under `ui` shows the agent and the samples its master wrote, with the exec box disabled saying why', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--metrics-interval', '1s']);
    startAgent(home, 'web-1', master.url, tokenFile, { standalone: true });
    // `ui` over the master's data directory: no master in its process, the agent as the master recorded it.
    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, `${ui.url}/#/agents/web-1`, TOKEN);
    await page
      .locator('[data-section="overview"] [data-status]')
      .filter({ hasText: 'Active' })
      .waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('tab', { name: 'Metrics' }).click();
    await page.locator('[data-metric="load"] svg polyline').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('tab', { name: 'Run a command' }).click();
    await page.getByText('Running a command needs a master').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.getByLabel('Command').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Run on web-1' }).isDisabled()).toBe(true);
  });

  it('says so for an agent that never registered', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    await master.waitFor(/dashboard on http:/);
    const page = await newPage();
    await logIn(page, `${dashboardUrl(master.output())}/#/agents/ghost`, TOKEN);
    await page.getByText("no agent named 'ghost' has registered").waitFor({ timeout: SCREEN_WAIT_MS });
  });
});
