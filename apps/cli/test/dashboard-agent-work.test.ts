import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardUrl, logIn, newPage, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { collect, runCli, startCli, writeFiles } from './cli.test-helper.js';
import { writeHook } from './events.test-helper.js';
import { fleetHome, startAgent, startMaster, TOKEN, withMaster } from './fleet.test-helper.js';

// An agent's Work and Events tabs, and an event's page, in real Chromium: a real agent on a real master runs `agent
// exec` commands and a delegated task, whose event a real hook handles in the master.

describe("an agent's work and events on the dashboard", () => {
  it('lists its work with the output of each (a running one streaming), its events, and an event with its hook execution', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({
      'ship.sloth': `task("ship"):delegate_to("web-1"):command(function()
  log.info("shipping v2")
  event.dispatch("deploy.started", { version = "v2" })
  return true
end):build()
`,
    });
    const hook = writeHook(
      dir,
      'deploys.lua',
      'deploys',
      'deploy.*',
      'return true, "saw " .. event.source .. " " .. event.data.version',
    );
    expect((await runCli(['hook', 'add', hook, '--data-dir', home])).code).toBe(0);
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    await master.waitFor(/dashboard on http:/);
    const url = dashboardUrl(master.output());
    const agent = startAgent(home, 'web-1', master.url, tokenFile, { standalone: true });
    await agent.waitFor(/registered with the master/);
    const cli = withMaster(master.url, tokenFile);

    const done = await runCli(['agent', 'exec', 'web-1', 'echo first-line; echo second-line >&2; exit 4', ...cli]);
    expect(done.code).toBe(4);
    const run = await runCli(['workflow', 'run', '-f', join(dir, 'ship.sloth'), '--data-dir', join(dir, 'cli-home'), ...cli]);
    expect(run.code, run.stderr).toBe(0);
    // Still running while the page is open: it prints a line, then waits for a file to print its last.
    const go = join(dir, 'go');
    const running = startCli([
      'agent',
      'exec',
      'web-1',
      `echo started-marker; while [ ! -f ${go} ]; do sleep 0.1; done; echo finished-marker`,
      ...cli,
    ]);
    const runningDone = collect(running, 60_000);

    const page = await newPage();
    await logIn(page, `${url}/#/agents/web-1`, TOKEN);
    await page.getByRole('tab', { name: 'Work' }).click();
    expect(page.url()).toMatch(/#\/agents\/web-1\/work$/);
    const finished = page.locator('tr[data-work]', { hasText: 'first-line' });
    await finished.locator('[data-status]').filter({ hasText: 'failed' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await finished.locator('[data-exit]').textContent()).toBe('4');
    const task = page.locator('tr[data-work]', { hasText: 'task ship of' });
    await task.locator('[data-status]').filter({ hasText: 'success' }).waitFor({ timeout: SCREEN_WAIT_MS });
    const live = page.locator('tr[data-work]', { hasText: 'started-marker' });
    await live.locator('[data-status]').filter({ hasText: 'running' }).waitFor({ timeout: SCREEN_WAIT_MS });
    // Newest first: the running command, the task, then the first command.
    const order = await page.locator('tr[data-work] td.what').allTextContents();
    expect(order.map((w) => (w.includes('started-marker') ? 'live' : w.includes('ship') ? 'task' : 'done'))).toEqual([
      'live',
      'task',
      'done',
    ]);
    await screenshot(page, 'agent-work');

    // A finished command's page: its output as the master kept it, stderr included, and its exit code.
    await finished.getByRole('link').click();
    const out = page.locator('[data-work-page] [data-output]');
    await out.getByText('second-line').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await out.textContent()).toBe('first-line\nsecond-line\n');
    expect(await page.locator('[data-work-page] [data-exit]').textContent()).toBe('4');
    const finishedId = await page.locator('[data-work-page]').getAttribute('data-work-page');

    // The delegated task's page: its log line.
    await page.getByRole('link', { name: '← All work' }).click();
    await task.getByRole('link').click();
    await page.locator('[data-work-page] [data-output]').getByText('shipping v2').waitFor({ timeout: SCREEN_WAIT_MS });

    // The running command's page: its first line now, its last one and its end pushed without a reload.
    await page.getByRole('link', { name: '← All work' }).click();
    await live.getByRole('link').click();
    const liveOut = page.locator('[data-work-page] [data-output]');
    await liveOut.getByText('started-marker').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.locator('[data-work-page] h3 [data-status]').textContent()).toBe('running');
    writeFileSync(go, '');
    await page.locator('[data-work-page] h3 [data-status]').filter({ hasText: 'success' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await liveOut.textContent()).toBe('started-marker\nfinished-marker\n');
    expect((await runningDone).code).toBe(0);
    await screenshot(page, 'work-output');

    // The Events tab: the event the agent's task dispatched; its page shows the hook that ran for it, in the master.
    await page.getByRole('tab', { name: 'Events' }).click();
    const event = page.locator('tr[data-event="deploy.started"]');
    await event.waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.locator('tr[data-event]').count()).toBe(1);
    expect(await event.locator('td').nth(2).textContent()).toBe('agent:web-1');
    await event.getByRole('link', { name: 'deploy.started' }).click();
    expect(page.url()).toMatch(/#\/events\/[0-9A-Z]{26}$/);
    const execution = page.locator('tr[data-execution-hook="deploys"]');
    await execution.locator('[data-status]').filter({ hasText: 'ok' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await execution.locator('[data-output]').textContent()).toBe('saw agent:web-1 v2');
    await page.locator('[data-section="event"] [data-source]').getByText('agent:web-1').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.locator('h2 [data-status]').filter({ hasText: 'completed' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await screenshot(page, 'event');
    const eventUrl = page.url();

    // The Events screen opens the same page.
    await page.getByRole('link', { name: '← Events' }).click();
    await page.locator('tr[data-event="deploy.started"]').getByRole('link', { name: 'deploy.started' }).click();
    await page.waitForURL(eventUrl, { timeout: SCREEN_WAIT_MS });
    await page.locator('tr[data-execution-hook="deploys"]').waitFor({ timeout: SCREEN_WAIT_MS });

    // Unknown ids say so.
    await page.goto(`${url}/#/agents/web-1/work/no-such-work`);
    await page.getByText('no work no-such-work is recorded in this data directory').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.goto(`${url}/#/events/NOSUCHEVENT`);
    await page.getByText('no event NOSUCHEVENT is in the queue of this data directory').waitFor({ timeout: SCREEN_WAIT_MS });

    // `ui` over the master's data directory shows the same work with its output, and the same event.
    const ui = await startUi(home, ['--token-file', tokenFile]);
    const other = await newPage();
    await logIn(other, `${ui.url}/#/agents/web-1/work/${finishedId}`, TOKEN);
    await other.locator('[data-work-page] [data-output]').getByText('second-line').waitFor({ timeout: SCREEN_WAIT_MS });
    await other.goto(`${ui.url}/#/agents/web-1/events`);
    await other.locator('tr[data-event="deploy.started"]').waitFor({ timeout: SCREEN_WAIT_MS });
  });
});
