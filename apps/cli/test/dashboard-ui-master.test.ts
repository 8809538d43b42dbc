import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditRows, logIn, newPage, SCREEN_WAIT_MS, startUi } from './browser.test-helper.js';
import { runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, recordedWork, startAgent, startMaster, TOKEN } from './fleet.test-helper.js';

// `sloth-runner ui --master`: the dashboard of a data directory of its own, with a real master's agents, live, and agent
// control through that master, in real Chromium.

describe('sloth-runner ui --master', () => {
  it("shows a real master's agents live, runs a command on two through it, and says when the master is gone and back", async () => {
    const { home: masterHome, tokenFile } = fleetHome();
    const master = await startMaster(masterHome, tokenFile);
    const port = new URL(master.url).port;
    const web = writeFiles({ 'web-marker': '' });
    const db = writeFiles({ 'db-marker': '' });
    startAgent(masterHome, 'web-1', master.url, tokenFile, { standalone: true, cwd: web });
    startAgent(masterHome, 'db-1', master.url, tokenFile, { standalone: true, cwd: db });
    // The dashboard's own data directory: nothing of the master's is in it.
    const uiHome = mkdtempSync(join(tmpdir(), 'sloth-ui-'));
    const ui = await startUi(uiHome, ['--master', master.url, '--token-file', tokenFile]);
    expect(ui.output()).toContain(`agents of the master at ${master.url}`);

    const page = await newPage();
    await logIn(page, `${ui.url}/#/agents`, TOKEN);
    for (const name of ['web-1', 'db-1']) {
      await page
        .locator(`tr[data-agent="${name}"] [data-status]`)
        .filter({ hasText: 'Active' })
        .waitFor({ timeout: SCREEN_WAIT_MS });
    }
    // Agent control goes through the master: each agent's output comes back tagged with it.
    await page.getByLabel('select web-1').check();
    await page.getByLabel('select db-1').check();
    await page.getByLabel('Command').fill('ls; echo to-stderr >&2');
    await page.getByRole('button', { name: 'Run on 2 agents' }).click();
    const webOut = page.locator('[data-output="web-1"]');
    const dbOut = page.locator('[data-output="db-1"]');
    await webOut.getByText('web-marker').waitFor({ timeout: SCREEN_WAIT_MS });
    await dbOut.getByText('db-marker').waitFor({ timeout: SCREEN_WAIT_MS });
    await dbOut.locator('.stderr').getByText('to-stderr').waitFor({ timeout: SCREEN_WAIT_MS });
    for (const out of [webOut, dbOut])
      await out.locator('[data-status]').filter({ hasText: 'exit 0' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await dbOut.textContent()).not.toContain('web-marker');
    // The master ran it (its work table), and the dashboard's own audit log has it.
    expect(
      recordedWork(masterHome)
        .map((w) => [w.agent, w.what, w.status])
        .sort(),
    ).toEqual([
      ['db-1', 'ls; echo to-stderr >&2', 'success'],
      ['web-1', 'ls; echo to-stderr >&2', 'success'],
    ]);
    expect(await auditRows(page, 'agent.exec', 2)).toEqual([['agent.exec', 'db-1, web-1', 'ok']]);

    // The overview counts the master's agents, not the (empty) data directory's.
    await page.getByRole('link', { name: 'Overview' }).click();
    const agents = page.locator('[data-count="agents"]');
    await agents.locator('[data-number="Active"] strong').filter({ hasText: /^2$/ }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.locator('[data-no-master]').count()).toBe(0);
    expect(await page.locator('[data-agent-charts]').count()).toBe(2);
    // The master's own machine, as that master sampled it (its first sample is taken when it starts).
    await page
      .locator('tr[data-master-charts] [data-metric="memory"] [data-now]')
      .filter({ hasText: /^\d+\.\d %$/ })
      .waitFor({ timeout: SCREEN_WAIT_MS });

    // The master dies: the page says so, /readyz fails, and the agents stay as last seen.
    master.child.kill('SIGKILL');
    await master.exited;
    const problem = page.locator('[data-master-problem]');
    await problem.waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await problem.textContent()).toContain(`the master at ${master.url} cannot be reached`);
    const down = await fetch(`${ui.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.text()).toContain('cannot be reached');
    await ui.waitFor(/its agents are shown as last seen/);

    // Back on the same port: the problem goes away without a reload, and /readyz is ready again.
    await startMaster(masterHome, tokenFile, Number(port));
    await problem.waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    await ui.waitFor(/answers again/);
    expect((await fetch(`${ui.url}/readyz`)).status).toBe(200);
  });

  it('refuses to start when the master cannot be reached or refuses the token, saying which', async () => {
    const { home: masterHome, tokenFile } = fleetHome();
    const master = await startMaster(masterHome, tokenFile);
    const uiHome = mkdtempSync(join(tmpdir(), 'sloth-ui-'));
    const wrongToken = join(uiHome, 'wrong-token');
    writeFileSync(wrongToken, 'not-the-master-token\n');

    const refused = await runCli(['ui', '--port', '0', '--master', master.url, '--token-file', wrongToken, '--data-dir', uiHome]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/token/i);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    master.child.kill('SIGKILL');
    await master.exited;
    const gone = await runCli(['ui', '--port', '0', '--master', master.url, '--token-file', tokenFile, '--data-dir', uiHome]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain(new URL(master.url).host);
    expect(gone.stderr).not.toMatch(/\n\s+at /);

    // An unknown saved name is a usage error naming it.
    const unknown = await runCli(['ui', '--port', '0', '--master', 'prod', '--data-dir', uiHome]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no saved master named 'prod'");
    // --ca belongs to --master.
    const ca = await runCli(['ui', '--port', '0', '--ca', tokenFile, '--data-dir', uiHome]);
    expect(ca.code).not.toBe(0);
    expect(ca.stderr).toMatch(/--master/);
  });
});
