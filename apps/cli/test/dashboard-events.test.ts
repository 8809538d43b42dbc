import { describe, expect, it } from 'vitest';
import { logIn, newPage, SCREEN_WAIT_MS, startUi } from './browser.test-helper.js';
import { runCli, runGoodAndBad } from './cli.test-helper.js';
import { fleetHome, TOKEN } from './fleet.test-helper.js';

// The Events screen's run filter in real Chromium, over the events of two real runs of the CLI: a run's page links to
// its events, and the filter takes any run's id.

/** The events of a run as `events list --run` gives them, newest first: their ids. */
async function eventIdsOf(home: string, run: string): Promise<string[]> {
  const r = await runCli(['events', 'list', '--run', run, '-n', '1000', '-o', 'json', '--data-dir', home]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((e) => e.id);
}

describe('the events screen', () => {
  it("filters by run: a run's page links to its events, and the filter takes another run's id", async () => {
    const { home, tokenFile } = fleetHome();
    await runGoodAndBad(home);
    const all = JSON.parse((await runCli(['events', 'list', '-n', '1000', '-o', 'json', '--data-dir', home])).stdout) as {
      source: string;
      run_id: string;
    }[];
    const good = all.find((e) => e.source === 'workflow:good')?.run_id as string;
    const bad = all.find((e) => e.source === 'workflow:bad')?.run_id as string;
    const goodEvents = await eventIdsOf(home, good);
    const badEvents = await eventIdsOf(home, bad);
    expect(goodEvents.length).toBeGreaterThan(0);
    expect(badEvents.length).toBeGreaterThan(0);

    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, ui.url, TOKEN);
    const shown = () => page.locator('tr[data-event-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')));

    // Unfiltered, the queue has both runs' events.
    await page.getByRole('link', { name: 'Events' }).click();
    await page.locator(`tr[data-event-id="${badEvents[0]}"]`).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(new Set(await shown())).toEqual(new Set([...goodEvents, ...badEvents]));

    // From the good run's page: its events only, the filter showing its id.
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('link', { name: 'good' }).click();
    await page.locator('[data-run-events]').click();
    expect(page.url()).toContain(`#/events?run=${encodeURIComponent(good)}`);
    expect(await page.getByLabel('Run').inputValue()).toBe(good);
    await page.locator(`tr[data-event-id="${badEvents[0]}"]`).waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    await page.locator(`tr[data-event-id="${goodEvents[0]}"]`).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await shown()).toEqual(goodEvents);
    // Each row links to its run.
    expect(await page.locator('tr[data-event-id] a[href^="#/runs/"]').first().getAttribute('href')).toBe(`#/runs/${good}`);

    // Another run's id typed in, with the type filter too; then an id no run has.
    await page.getByLabel('Run').fill(bad);
    await page.getByLabel('Run').press('Enter');
    await page.locator(`tr[data-event-id="${goodEvents[0]}"]`).waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    await page.locator(`tr[data-event-id="${badEvents[0]}"]`).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await shown()).toEqual(badEvents);
    await page.getByLabel('Type').fill('task.failed');
    await page.getByLabel('Type').press('Enter');
    await page.locator('tr[data-event="workflow.failed"]').waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    expect(await page.locator('tr[data-event]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event')))).toEqual([
      'task.failed',
    ]);
    await page.getByLabel('Type').fill('');
    await page.getByLabel('Type').press('Enter');
    await page.getByLabel('Run').fill('no-such-run');
    await page.getByLabel('Run').press('Enter');
    await page.getByText('No event matches.').waitFor({ timeout: SCREEN_WAIT_MS });
  });
});
