import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { filesHolding, runCli, writeFiles } from './cli.test-helper.js';
import { eventsOf } from './events.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

const TOKEN = 'tok-d3l3g4t3d-9911';

const WORKFLOW = `local remote = task("remote"):delegate_to("s1"):command(function()
  local token = secret.get("api_token")
  log.info("calling with " .. token)
  exec.run("echo agent-command " .. token)
  event.dispatch("remote.called", { auth = "Bearer " .. token })
  return true, "used " .. token, { header = "Bearer " .. token, has = secret.exists("api_token") }
end):build()
local dynamic = task("dynamic"):delegate_to("s1"):depends_on({ "remote" }):command(function()
  -- Set on the CLI's machine, but named by no literal: it is not sent.
  local name = "db_" .. "password"
  return true, "x", { v = secret.get(name) }
end):build()
workflow.define("w", { tasks = { remote, dynamic } })
`;

describe('secrets in delegated tasks (a real master and agent)', () => {
  it('sends the literal names the files read, masks them everywhere, writes them nowhere, and explains a name built at run time', async () => {
    const { home, tokenFile } = fleetHome();
    const agentHome = mkdtempSync(join(tmpdir(), 'sloth-agent-home-'));
    const agentTmp = mkdtempSync(join(tmpdir(), 'sloth-agent-tmp-'));
    const cliHome = mkdtempSync(join(tmpdir(), 'sloth-cli-home-'));
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 's1', master.url, tokenFile, { env: { SLOTH_HOME: agentHome, TMPDIR: agentTmp } });
    await agent.waitFor(/registered with the master/);
    const env = { SLOTH_HOME: cliHome };
    expect((await runCli(['secret', 'set', 'api_token'], { env, input: TOKEN })).code).toBe(0);
    expect((await runCli(['secret', 'set', 'db_password', 'pw-not-sent'], { env })).code).toBe(0);
    const dir = writeFiles({ 'w.sloth': WORKFLOW });

    const r = await runCli(['workflow', 'run', 'w', '-f', 'w.sloth', ...withMaster(master.url, tokenFile), '--output', 'json'], {
      cwd: dir,
      env,
    });
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stderr).not.toContain(TOKEN);
    const report = JSON.parse(r.stdout);
    expect(r.stderr).toContain('[remote@s1] calling with ***');
    expect(r.stderr).toContain('[remote@s1] agent-command ***');
    expect(report.tasks.remote.status).toBe('success');
    expect(report.outputs.remote).toEqual({ header: 'Bearer ***', has: true });
    expect(report.tasks.dynamic.status).toBe('failed');
    expect(report.tasks.dynamic.error).toContain("secret.get: secret 'db_password' was not sent with this delegated task");
    expect(report.tasks.dynamic.error).toContain('name as literals (secret.get("db_password"))');
    expect(report.tasks.dynamic.error).not.toContain('pw-not-sent');

    // The event the task dispatched on the agent reaches the master's queue (from the agent's outbox), masked.
    await waitFor(() => eventsOf(home, 'remote.called').length === 1, 20_000, 'the agent event at the master');
    expect(eventsOf(home, 'remote.called')[0]?.data).toEqual({ auth: 'Bearer ***' });
    // The agent got it in memory only: not in its output, its data directory (outbox), its temp files; nor is it in
    // the master's database (work results, the event the task dispatched) or the CLI's.
    expect(agent.output()).not.toContain(TOKEN);
    expect(master.output()).not.toContain(TOKEN);
    for (const d of [agentHome, agentTmp, home, cliHome]) expect(filesHolding(d, TOKEN)).toEqual([]);
  });
});
