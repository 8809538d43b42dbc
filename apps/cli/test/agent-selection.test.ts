import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

// Agents chosen by labels and by load, with real agents on 127.0.0.1 whose heartbeats carry their labels and load.
const WORKFLOW = `
local fan = task("fan"):delegate_to({ labels = { role = "web" } }):command(function(this)
  return true, "ok", { on = this.agent.get() }
end):build()

local one = task("one"):delegate_to({ labels = { role = "web" }, one = true }):command(function(this)
  return true, "ok", { on = this.agent.get() }
end):build()

local rr = {}
for i = 1, 4 do
  rr[i] = task("rr" .. i)
    :depends_on(i > 1 and { "rr" .. (i - 1) } or { "fan", "one" })
    :delegate_to(function()
      return load_balancer.select_agent({ strategy = "round_robin", affinity = { labels = { role = "web" } } })
    end)
    :command(function(this) return true, "ok", { on = this.agent.get() } end)
    :build()
end

-- web-1 is kept busy; once its heartbeat says so, a queue constraint leaves only web-2.
local busy = task("busy"):depends_on({ "rr4" }):delegate_to("web-1"):command(function()
  exec.run("sleep 6")
end):build()

local pick = task("pick"):depends_on({ "rr4" }):command(function()
  for _ = 1, 100 do
    local work = {}
    for _, a in ipairs(load_balancer.agents({ labels = { role = "web" } })) do work[a.name] = a.running_work end
    -- Heartbeats come every second: wait until they say web-1 is busy and web-2 (done with rr4) is not.
    if work["web-1"] > 0 and work["web-2"] == 0 then
        return true, "ok", {
          chosen = load_balancer.select_agent({ affinity = { labels = { role = "web" } }, constraints = { max_queue_size = 0 } }),
          db = #load_balancer.agents({ labels = { role = "db" } }),
        }
    end
    exec.run("sleep 0.1")
  end
  error("web-1 never reported its running work")
end):build()

workflow.define("select", { tasks = { fan, one, rr[1], rr[2], rr[3], rr[4], busy, pick } })
`;

describe('choosing agents by labels and load (real master and agents)', () => {
  it('fans out by labels, picks one, spreads round robin, and a constraint excludes a busy agent', async () => {
    const { home, tokenFile } = fleetHome();
    // Not a test of heartbeats: an agent compiling its Lua engine for its first task on a loaded machine can miss
    // three 400 ms heartbeats and be taken for gone.
    const master = await startMaster(home, tokenFile, 0, ['--heartbeat-interval', '1s']);
    const agents = [
      ['web-1', 'role=web'],
      ['web-2', 'role=web'],
      ['db-1', 'role=db'],
    ].map(([name, labels]) => startAgent(home, name as string, master.url, tokenFile, { extra: ['--labels', labels as string] }));
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const dir = writeFiles({ 'select.sloth': WORKFLOW });
    const r = await runCli(
      ['workflow', 'run', 'select', '-f', 'select.sloth', '-o', 'json', ...withMaster(master.url, tokenFile)],
      {
        cwd: dir,
        timeoutMs: 120_000,
      },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.tasks.fan.agents).sort()).toEqual(['web-1', 'web-2']);
    expect(Object.keys(out.tasks.one.agents)).toHaveLength(1);
    expect(['web-1', 'web-2']).toContain(Object.keys(out.tasks.one.agents)[0]);
    const spread = [1, 2, 3, 4].map((i) => out.tasks[`rr${i}`].output.on);
    expect(spread.filter((a: string) => a === 'web-1')).toHaveLength(2);
    expect(spread.filter((a: string) => a === 'web-2')).toHaveLength(2);
    expect(out.tasks.pick.output).toEqual({ chosen: 'web-2', db: 1 });

    const listed = await runCli(['agent', 'list', '--labels', 'role=web', '-o', 'json', ...withMaster(master.url, tokenFile)]);
    expect(
      JSON.parse(listed.stdout)
        .map((a: { name: string }) => a.name)
        .sort(),
    ).toEqual(['web-1', 'web-2']);
  });

  it('an unknown label is a clear error at the task; no master is one too', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'web-9', master.url, tokenFile, { extra: ['--labels', 'role=web'] });
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({
      'unknown.sloth': 'task("t"):delegate_to({ labels = { role = "cache" } }):command(function() end):build()\n',
      'nomaster.sloth': 'task("t"):command(function()\n  load_balancer.select_agent({})\nend):build()\n',
    });
    const unknown = await runCli(['workflow', 'run', '-f', 'unknown.sloth', ...withMaster(master.url, tokenFile)], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout + unknown.stderr).toMatch(/cannot choose an agent: no active agent with labels role=cache/);
    expect(unknown.stdout + unknown.stderr).toMatch(/web-9 \[role=web\]/);
    const none = await runCli(['workflow', 'run', '-f', 'nomaster.sloth'], { cwd: dir, env: { SLOTH_MASTER: '' } });
    expect(none.code).toBe(1);
    expect(none.stdout + none.stderr).toMatch(/nomaster\.sloth:2: load_balancer\.select_agent: choosing agents needs a master/);
  });

  it('agent label sets and removes labels that hold over the agent’s own across restarts of both, and selection sees them', async () => {
    const { home, tokenFile } = fleetHome();
    let master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const flags = withMaster(master.url, tokenFile);
    let agent = startAgent(home, 'node-1', master.url, tokenFile, { extra: ['--labels', 'role=db,tier=gold'] });
    await agent.waitFor(/registered with the master/);

    const set = await runCli(['agent', 'label', 'node-1', 'role=web', 'zone=eu', 'tier-', ...flags]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe('agent node-1 labels: role=web, zone=eu');
    const dir = writeFiles({
      'web.sloth':
        'task("t"):delegate_to({ labels = { role = "web" } }):command(function(this)\n  return true, "ok", { on = this.agent.get() }\nend):build()\n',
    });
    const run = await runCli(['workflow', 'run', '-f', 'web.sloth', '-o', 'json', ...flags], { cwd: dir, timeoutMs: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout).tasks.t.agents)).toEqual(['node-1']);

    const labelsNow = async () => {
      const r = await runCli(['agent', 'get', 'node-1', '-o', 'json', ...flags]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).labels;
    };
    // The agent comes back with its own --labels: what was set on the master still wins.
    agent.child.kill('SIGTERM');
    await agent.exited;
    agent = startAgent(home, 'node-1', master.url, tokenFile, { extra: ['--labels', 'role=db,tier=gold'] });
    await agent.waitFor(/registered with the master/);
    expect(await labelsNow()).toEqual({ role: 'web', zone: 'eu' });
    // So does a restarted master (stored in its data directory).
    master.child.kill('SIGTERM');
    await master.exited;
    master = await startMaster(home, tokenFile, port);
    await agent.waitFor(/registered with the master[\s\S]*registered with the master/, 30_000);
    expect(await labelsNow()).toEqual({ role: 'web', zone: 'eu' });
    const listed = await runCli(['agent', 'list', '--labels', 'zone=eu', '-o', 'json', ...flags]);
    expect(JSON.parse(listed.stdout).map((a: { name: string }) => a.name)).toEqual(['node-1']);

    const removed = await runCli(['agent', 'label', 'node-1', 'zone-', '-o', 'json', ...flags]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).labels).toEqual({ role: 'web' });

    const unknown = await runCli(['agent', 'label', 'node-2', 'role=web', ...flags]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no agent named 'node-2' \(did you mean 'node-1'\?\)/);
    const bad = await runCli(['agent', 'label', 'node-1', 'role', ...flags]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/agent label: 'role' is neither key=value nor key-/);
    const badKey = await runCli(['agent', 'label', 'node-1', 'a b=c', ...flags]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/label keys are 1-63 letters/);
    expect(unknown.stderr + bad.stderr + badKey.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  }, 180_000);

  it('one = true replaces an agent where the task failed on the retry, and at once an agent killed mid-task', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agents = ['web-1', 'web-2', 'web-3'].map((name) =>
      startAgent(home, name, master.url, tokenFile, { extra: ['--labels', 'role=web'] }),
    );
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const marks = writeFiles({});
    const dir = writeFiles({
      'replace.sloth': `
local web = { labels = { role = "web" }, one = true, strategy = "round_robin" }
-- Round robin starts with web-1, where this task fails: its retry goes to another agent.
local elsewhere = task("elsewhere"):delegate_to(web):retries(1):command(function(this)
  if this.agent.get() == "web-1" then error("broken on web-1") end
  return true, "ok", { on = this.agent.get() }
end):build()

-- The first agent to run this waits until it is killed; the one that takes over finds the mark and succeeds.
local survives = task("survives"):depends_on({ "elsewhere" }):delegate_to(web):command(function(this)
  local me = this.agent.get()
  if fs.exists("${marks}/started") then return true, "ok", { on = me } end
  fs.write("${marks}/started", me)
  for _ = 1, 600 do exec.run("sleep 0.1") end
  error("was not killed")
end):build()

workflow.define("replace", { tasks = { elsewhere, survives } })
`,
    });
    const run = runCli(
      ['workflow', 'run', 'replace', '-f', 'replace.sloth', '-o', 'json', ...withMaster(master.url, tokenFile)],
      {
        cwd: dir,
        timeoutMs: 150_000,
      },
    );
    await waitFor(() => existsSync(join(marks, 'started')), 120_000, 'the survives task to start on an agent');
    const victim = readFileSync(join(marks, 'started'), 'utf8');
    agents.find((_, i) => ['web-1', 'web-2', 'web-3'][i] === victim)?.child.kill('SIGKILL');
    const r = await run;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tasks.elsewhere.attempts).toBe(2);
    expect(['web-2', 'web-3']).toContain(out.tasks.elsewhere.output.on);
    expect(out.tasks.survives.attempts).toBe(1);
    expect(out.tasks.survives.output.on).not.toBe(victim);
    expect(r.stderr).toMatch(/agent web-1 failed there \(.*broken on web-1.*\): task goes to web-[23] instead/);
    expect(r.stderr).toMatch(new RegExp(`agent ${victim} went away \\(.*\\): task goes to web-[123] instead`));
  }, 180_000);
});
