import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardUrl, logIn, newPage, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, startMaster, TOKEN } from './fleet.test-helper.js';

// A stack's page in real Chromium: a real workflow run by the CLI records the stack, `sloth-runner ui` (then a master's
// dashboard) shows its outputs, its history growing live, and the drift of its file, read on this machine.

describe("a stack's page on the dashboard", () => {
  it('shows outputs (a secret masked) and history, a second run live, and drift: in_sync, then drifted by name only', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({});
    const motd = join(dir, 'motd');
    const file = join(dir, 'site.sloth');
    writeFileSync(
      file,
      `
task("motd"):command(function()
  fs.write("${motd}", "hello\\n")
  stack.register_resource({ type = "file", name = "motd", module = "fs", properties = { path = "${motd}", content = "hello\\n" } })
  stack.set_output("url", "https://site.example.com")
  stack.set_output("dsn", "postgres://app:" .. secret.get("db_pass") .. "@db1/app")
  return true
end)
workflow.define("site", { tasks = { "motd" } })`,
    );
    expect((await runCli(['secret', 'set', 'db_pass', 's3cret-pw-42', '--data-dir', home])).code).toBe(0);
    const first = await runCli(['workflow', 'run', 'site', '-f', file, '--data-dir', home]);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, `${ui.url}/#/stacks`, TOKEN);
    await page.getByRole('link', { name: 'site', exact: true }).click();
    expect(page.url()).toMatch(/#\/stacks\/site$/);
    await page.locator('tr[data-resource="file/motd"]').waitFor({ timeout: SCREEN_WAIT_MS });

    // Outputs as `stack outputs` prints them: the secret read with secret.get was stored masked.
    const outputs = page.locator('tr[data-output]');
    expect(
      await outputs.evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))),
    ).toEqual([
      ['dsn', 'postgres://app:***@db1/app'],
      ['url', 'https://site.example.com'],
    ]);

    // History as `stack history` shows it; a second run appears at its top without a reload.
    const history = page.locator('tr[data-execution]');
    expect(await history.count()).toBe(1);
    expect(await history.first().locator('[data-status]').textContent()).toBe('success');
    expect(await history.first().locator('[data-tasks]').textContent()).toBe('1 success');
    expect(await history.first().locator('[data-changes]').textContent()).toBe('1 created');
    const second = await runCli(['workflow', 'run', 'site', '-f', file, '--data-dir', home]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    await page.locator('tr[data-execution]:nth-child(2)').waitFor({ timeout: SCREEN_WAIT_MS });
    await history.first().locator('[data-changes]').filter({ hasText: '1 unchanged' }).waitFor({ timeout: SCREEN_WAIT_MS });
    const cli = JSON.parse((await runCli(['stack', 'history', 'site', '-o', 'json', '--data-dir', home])).stdout);
    expect(await history.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-execution')))).toEqual(
      cli.map((e: { id: string }) => e.id),
    );

    // Drift, as `stack drift` finds it: in sync, then drifted once the file is edited (the property's name, not its value).
    const motdDrift = page.locator('tr[data-drift="file/motd"]');
    await page.getByRole('button', { name: 'Check drift' }).click();
    await motdDrift.locator('[data-status]').filter({ hasText: 'in_sync' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('status').filter({ hasText: 'no drift found' }).waitFor({ timeout: SCREEN_WAIT_MS });
    writeFileSync(motd, 'edited by hand: hunter2\n');
    await page.getByRole('button', { name: 'Check drift' }).click();
    await motdDrift.locator('[data-status]').filter({ hasText: 'drifted' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await motdDrift.locator('[data-details]').textContent()).toBe('differs: content');
    await page.getByRole('status').filter({ hasText: '1 resource(s) drifted or missing' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.content()).not.toContain('hunter2');
    const drift = await runCli(['stack', 'drift', 'site', '-o', 'json', '--data-dir', home]);
    expect(JSON.parse(drift.stdout).resources).toMatchObject([{ name: 'motd', status: 'drifted' }]);
    await screenshot(page, 'stack');

    // A stack that does not exist says so.
    await page.goto(`${ui.url}/#/stacks/nope`);
    await page.getByText("stack 'nope' not found").waitFor({ timeout: SCREEN_WAIT_MS });

    // The master's dashboard checks drift the same way, with the modules it was started with.
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    await master.waitFor(/dashboard on http:/);
    const onMaster = await newPage();
    await logIn(onMaster, `${dashboardUrl(master.output())}/#/stacks/site`, TOKEN);
    await onMaster.getByRole('button', { name: 'Check drift' }).click();
    await onMaster
      .locator('tr[data-drift="file/motd"] [data-status]')
      .filter({ hasText: 'drifted' })
      .waitFor({ timeout: SCREEN_WAIT_MS });
  });
});
