import { mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { auditRows, dashboardUrl, logIn, newPage, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { collect, runCli, startCli, writeFiles } from './cli.test-helper.js';
import { writeHook } from './events.test-helper.js';
import { fleetHome, startAgent, startMaster, TOKEN } from './fleet.test-helper.js';
import { makePki } from './pki.test-helper.js';

// The web dashboard in real Chromium, against the real CLI and the real sloth-agent program.

/** The status of an API call made by the page without the CSRF header (with its session cookie, if any). */
function callWithoutCsrf(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const r = await fetch('/sloth.v1.DashboardService/WatchAgents', {
      method: 'POST',
      headers: { 'content-type': 'application/connect+json' },
      body: '',
    });
    return r.status;
  });
}

describe('the master dashboard (--dashboard-port)', () => {
  it('refuses a wrong token, logs in with the right one, and shows two real agents become Active live', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    await master.waitFor(/dashboard on http:/);
    const url = dashboardUrl(master.output());
    const page = await newPage();

    await logIn(page, `${url}/#/agents`, 'not-the-token');
    await page.getByRole('alert').filter({ hasText: 'wrong token' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await screenshot(page, 'login');
    expect(await page.context().cookies()).toEqual([]);
    // The API refuses a browser without a session.
    const refused = await callWithoutCsrf(page);
    expect(refused).toBe(401);

    await page.getByLabel('Token of the master').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('No agent has registered with this master yet.').waitFor({ timeout: SCREEN_WAIT_MS });
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'sloth_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(TOKEN);

    // Two real agents connect while the page is open: the server pushes them, the page does not reload.
    startAgent(home, 'web-1', master.url, tokenFile, { standalone: true, extra: ['--labels', 'role=web'] });
    startAgent(home, 'db-1', master.url, tokenFile, { standalone: true, extra: ['--labels', 'role=db,tier=1'] });
    for (const name of ['web-1', 'db-1']) {
      await page
        .locator(`tr[data-agent="${name}"] [data-status]`)
        .filter({ hasText: 'Active' })
        .waitFor({ timeout: SCREEN_WAIT_MS });
    }
    const db = page.locator('tr[data-agent="db-1"]');
    expect(await db.textContent()).toContain('role=db');
    expect(await db.textContent()).toContain('tier=1');
    expect(await db.locator('td[data-address]').textContent()).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await db.locator('td[data-load]').textContent()).toMatch(/^\d+\.\d\d$/);
    await screenshot(page, 'agents');

    // With the session cookie but without its CSRF header, an API call is refused.
    const withoutCsrf = await callWithoutCsrf(page);
    expect(withoutCsrf).toBe(401);
    // /metrics stays on the same port, without a login.
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/sloth_agents\{status="active"\} 2/);
  });
});

describe('agent control on the master dashboard', () => {
  it("runs a command on two real agents chosen by label and by box, each one's output streamed as it runs, and audits it", async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    await master.waitFor(/dashboard on http:/);
    const url = dashboardUrl(master.output());
    // Each agent runs in a directory of its own: `ls` there tells whose output is whose.
    const web = writeFiles({ 'web-marker': '' });
    const db = writeFiles({ 'db-marker': '' });
    startAgent(home, 'web-1', master.url, tokenFile, { standalone: true, extra: ['--labels', 'role=web'], cwd: web });
    startAgent(home, 'db-1', master.url, tokenFile, { standalone: true, extra: ['--labels', 'role=db'], cwd: db });
    const page = await newPage();
    await logIn(page, `${url}/#/agents`, TOKEN);
    for (const name of ['web-1', 'db-1']) {
      await page
        .locator(`tr[data-agent="${name}"] [data-status]`)
        .filter({ hasText: 'Active' })
        .waitFor({ timeout: SCREEN_WAIT_MS });
    }
    await page.getByLabel('Select by label').fill('role=web');
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    expect(await page.getByLabel('select web-1').isChecked()).toBe(true);
    expect(await page.getByLabel('select db-1').isChecked()).toBe(false);
    await page.getByLabel('select db-1').check();

    const gate = join(mkdtempSync(join(tmpdir(), 'sloth-gate-')), 'go');
    await page
      .getByLabel('Command')
      .fill(`ls; echo to-stderr >&2; for i in $(seq 600); do [ -f '${gate}' ] && break; sleep 0.05; done; echo after the gate`);
    await page.getByRole('button', { name: 'Run on 2 agents' }).click();
    const webOut = page.locator('[data-output="web-1"]');
    const dbOut = page.locator('[data-output="db-1"]');
    await webOut.getByText('web-marker').waitFor({ timeout: SCREEN_WAIT_MS });
    await dbOut.getByText('db-marker').waitFor({ timeout: SCREEN_WAIT_MS });
    // The first lines are on the page while the command still waits for the gate.
    expect(await webOut.locator('[data-status]').textContent()).toBe('running');
    expect(await dbOut.textContent()).not.toContain('web-marker');
    await dbOut.locator('.stderr').getByText('to-stderr').waitFor({ timeout: SCREEN_WAIT_MS });
    writeFileSync(gate, '1');
    for (const out of [webOut, dbOut]) {
      await out.getByText('after the gate').waitFor({ timeout: SCREEN_WAIT_MS });
      await out.locator('[data-status]').filter({ hasText: 'exit 0' }).waitFor({ timeout: SCREEN_WAIT_MS });
    }
    await screenshot(page, 'agent-control');

    // A command that fails on one agent: that agent says why, and the audit entry is failed.
    await page.getByLabel('Command').fill('test -e web-marker');
    await page.getByRole('button', { name: 'Run on 2 agents' }).click();
    await dbOut.locator('[data-status]').filter({ hasText: 'exit code 1' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await webOut.locator('[data-status]').filter({ hasText: 'exit 0' }).waitFor({ timeout: SCREEN_WAIT_MS });

    await page.getByRole('link', { name: 'Audit' }).click();
    const entries = page.locator('tr[data-audit="agent.exec"]');
    await entries.nth(1).waitFor({ timeout: SCREEN_WAIT_MS });
    const [failed, ok] = await entries.evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(ok?.[1]).toMatch(/^session [0-9a-f]{8} from 127\.0\.0\.1$/);
    expect(ok?.[3]?.split(', ').sort()).toEqual(['db-1', 'web-1']);
    expect(ok?.[4]).toBe('ok');
    expect(ok?.[5]).toMatch(/^ls; echo to-stderr .*: (db-1: exit 0; web-1: exit 0|web-1: exit 0; db-1: exit 0)$/);
    expect(failed?.[4]).toBe('failed');
    expect(failed?.[5]).toContain('db-1: exit code 1');
    expect(failed?.[5]).toContain('web-1: exit 0');
  });
});

describe('the master dashboard over TLS', () => {
  it("serves the dashboard over HTTPS with the master's certificate, its session cookie Secure", async () => {
    const pki = makePki();
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0', '--tls-cert', pki.cert, '--tls-key', pki.key]);
    await master.waitFor(/dashboard on https:/);
    const url = dashboardUrl(master.output());
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The test's CA is not one the browser trusts: the test trusts the certificate as a user who added the CA would.
    const page = await newPage({ ignoreHTTPSErrors: true });
    await logIn(page, `${url}/#/agents`, TOKEN);
    await page.getByText('No agent has registered with this master yet.').waitFor({ timeout: SCREEN_WAIT_MS });
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'sloth_session', httpOnly: true, sameSite: 'Strict', secure: true });
  });
});

describe('sloth-runner ui', () => {
  it('shows a workflow run of the CLI in Runs with its tasks and log lines, growing while it runs; then its stack and events', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sloth-ui-'));
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, ui.url, TOKEN);
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByText('No workflow run is recorded in this data directory yet.').waitFor({ timeout: SCREEN_WAIT_MS });

    const dir = mkdtempSync(join(tmpdir(), 'sloth-ui-run-'));
    const file = join(dir, 'release.sloth');
    writeFileSync(
      file,
      `
task("prepare"):command(function()
  stack.register_resource({ type = "marker", name = "gate", properties = { n = 1 } })
  log.info("preparing the release")
  exec.run("echo first line from a command")
  return true
end)
task("wait"):depends_on({"prepare"}):command(function()
  exec.run("echo waiting for the gate; for i in $(seq 600); do [ -f '${dir}/go' ] && exit 0; sleep 0.05; done; exit 1")
  exec.run("echo after the gate")
  return true
end)
workflow.define("release", { tasks = { "prepare", "wait" } })
`,
    );
    const run = collect(startCli(['workflow', 'run', 'release', '-f', file, '--data-dir', home]), 60_000);

    await page.getByRole('link', { name: 'release' }).click();
    const prepare = page.locator('[data-task="prepare"]');
    const wait = page.locator('[data-task="wait"]');
    await wait.getByText('waiting for the gate').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await prepare.locator('h3 [data-status]').textContent()).toBe('success');
    expect(await prepare.locator('.log').textContent()).toContain('preparing the release');
    expect(await prepare.locator('.log').textContent()).toContain('first line from a command');
    expect(await wait.locator('h3 [data-status]').textContent()).toBe('running');
    expect(await page.locator('h2 [data-status]').textContent()).toBe('running');
    // The task graph: each task a box in its status, an arrow from prepare to wait, which depends on it.
    const graph = page.getByRole('img', { name: 'Task graph' });
    expect(await graph.locator('[data-graph-task="prepare"]').getAttribute('data-status')).toBe('success');
    expect(await graph.locator('[data-graph-task="wait"]').getAttribute('data-status')).toBe('running');
    expect(
      await graph.locator('[data-graph-edge]').evaluateAll((es) => es.map((e) => e.getAttribute('data-graph-edge'))),
    ).toEqual(['prepare->wait']);

    writeFileSync(join(dir, 'go'), '1');
    await wait.getByText('after the gate').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.locator('h2 [data-status]').filter({ hasText: 'success' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await wait.locator('h3').textContent()).toMatch(/attempts? 1/);
    await graph.locator('[data-graph-task="wait"][data-status="success"]').waitFor({ timeout: SCREEN_WAIT_MS });
    await screenshot(page, 'run');
    expect((await run).code).toBe(0);

    await page.getByRole('link', { name: '← Runs' }).click();
    const row = page.locator('tr[data-run]');
    await row.locator('[data-status]').filter({ hasText: 'success' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await row.textContent()).toContain('release');
    await screenshot(page, 'runs');

    // Stacks: the run's stack, its latest run and, on its page, its resource (names only).
    await page.getByRole('link', { name: 'Stacks' }).click();
    const stack = page.locator('tr[data-stack="release"]');
    await stack.getByText('success').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await stack.locator('td').nth(1).textContent()).toBe('1');
    await screenshot(page, 'stacks');
    await stack.getByRole('link', { name: 'release' }).click();
    await page.locator('tr[data-resource="marker/gate"]').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('link', { name: 'Events' }).click();

    // Events: the run's events, filtered by type, then by a status none has.
    await page.locator('tr[data-event="task.completed"]').first().waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByLabel('Type').fill('workflow.*');
    await page.getByLabel('Type').press('Enter');
    await page.locator('tr[data-event="workflow.completed"]').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.locator('tr[data-event="task.completed"]').first().waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    expect(await page.locator('tr[data-event]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event')))).toEqual([
      'workflow.completed',
      'workflow.started',
    ]);
    await screenshot(page, 'events');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No event matches.').waitFor({ timeout: SCREEN_WAIT_MS });
  });

  it('lists hooks with their history, disables one from the page (seen by `hook list`) and records it in Audit', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({});
    const hook = writeHook(
      dir,
      'count.lua',
      'count_tasks',
      'task.completed',
      'return true, "counted " .. event.data.task.task_name',
    );
    expect((await runCli(['hook', 'add', hook, '--data-dir', home])).code).toBe(0);
    writeFileSync(
      join(dir, 'one.sloth'),
      'task("only"):command(function() return true end)\nworkflow.define("one", { tasks = { "only" } })\n',
    );
    // The run's own hooks run after it, in its process: the hook has one execution before the page opens.
    expect((await runCli(['workflow', 'run', 'one', '-f', join(dir, 'one.sloth'), '--data-dir', home])).code).toBe(0);

    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, ui.url, TOKEN);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByText('Nothing has been changed through the dashboard yet.').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByRole('link', { name: 'Hooks' }).click();
    const row = page.locator('tr[data-hook="count_tasks"]');
    await row.locator('[data-enabled]').filter({ hasText: 'enabled' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await row.locator('td').nth(1).textContent()).toBe('task.completed');
    expect(await row.locator('td').nth(4).textContent()).toMatch(/^ok /);
    expect(await row.locator('td').nth(5).textContent()).toBe('1');
    await row.getByRole('button', { name: 'count_tasks' }).click();
    const execution = page.locator('[data-history="count_tasks"] tr[data-execution]');
    await execution.first().waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await execution.count()).toBe(1);
    expect(await execution.textContent()).toContain('task.completed');
    expect(await execution.textContent()).toContain('counted only');

    await row.getByRole('button', { name: 'Disable' }).click();
    await row.locator('[data-enabled]').filter({ hasText: 'disabled' }).waitFor({ timeout: SCREEN_WAIT_MS });
    await screenshot(page, 'hooks');
    const list = await runCli(['hook', 'list', '-o', 'json', '--data-dir', home]);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'count_tasks', enabled: false }]);
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.locator('[data-enabled]').filter({ hasText: 'enabled' }).waitFor({ timeout: SCREEN_WAIT_MS });

    const entries = await auditRows(page, 'hook.enable');
    expect(entries).toEqual([
      [expect.stringMatching(/^session [0-9a-f]{8} from 127\.0\.0\.1$/), 'hook.enable', 'count_tasks', 'ok'],
      [entries[0]?.[0], 'hook.disable', 'count_tasks', 'ok'],
    ]);
    await screenshot(page, 'audit');
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sloth-ui-'));
    const r = await runCli(['ui', '--port', '0', '--bind', '0.0.0.0', '--data-dir', home], { env: { SLOTH_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: refusing to listen on 0.0.0.0 without a token');
    expect(r.stderr).toContain('--insecure');
  });

  it('without a token on loopback opens the screens with no login', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sloth-ui-'));
    const ui = await startUi(home, []);
    const page = await newPage();
    await page.goto(ui.url);
    await page.getByRole('heading', { name: 'Agents' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    // A page reached through another name (DNS rebinding) is refused.
    const rebound = await new Promise<number | undefined>((resolve, reject) =>
      get(`${ui.url}/api/session`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject),
    );
    expect(rebound).toBe(403);
  });

  it('a CLI run given --master is reported to it as it goes: the master records it and its dashboard shows it; a master that refuses the report does not fail the run', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0', '--no-hooks']);
    await master.waitFor(/dashboard on http:/);
    const url = dashboardUrl(master.output());
    const gate = join(mkdtempSync(join(tmpdir(), 'sloth-gate-')), 'go');
    const dir = writeFiles({
      'remote-report.sloth': `task("build"):command(function()
  log.info("compiling on the laptop")
  while not fs.exists("${gate}") do goroutine.sleep(20) end
  log.info("compiled")
end)
`,
    });
    const cliHome = mkdtempSync(join(tmpdir(), 'sloth-cli-home-'));
    const cli = startCli(['workflow', 'run', '-f', 'remote-report.sloth', '--master', master.url, '--token-file', tokenFile], {
      cwd: dir,
      env: { SLOTH_HOME: cliHome },
    });
    const finished = collect(cli, 120_000);
    const page = await newPage();
    await logIn(page, `${url}/#/runs`, TOKEN);
    // The run is on the master's Runs while it goes on, its first line there before the gate opens.
    await page.getByRole('link', { name: 'remote-report' }).click({ timeout: SCREEN_WAIT_MS });
    const build = page.locator('[data-task="build"]');
    await build.getByText('compiling on the laptop').waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.locator('h2 [data-status]').textContent()).toBe('running');
    writeFileSync(gate, '1');
    await build.getByText('compiled', { exact: true }).waitFor({ timeout: SCREEN_WAIT_MS });
    await page.locator('h2 [data-status]').filter({ hasText: 'success' }).waitFor({ timeout: SCREEN_WAIT_MS });
    const done = await finished;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stderr).not.toContain('warning');

    // A wrong token: the run goes on and succeeds, saying once that it is not reported.
    const wrong = join(cliHome, 'wrong-token');
    writeFileSync(wrong, 'not-the-token\n');
    writeFileSync(gate, '1');
    const refused = await runCli(
      ['workflow', 'run', '-f', 'remote-report.sloth', '--master', master.url, '--token-file', wrong],
      {
        cwd: dir,
        env: { SLOTH_HOME: cliHome },
      },
    );
    expect(refused.code, refused.stdout + refused.stderr).toBe(0);
    expect(refused.stderr.match(/warning: this run is not reported to the master/g)).toHaveLength(1);
  });
});
