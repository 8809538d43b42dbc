import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { collect, REPO, runCli, startCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, recordedWork, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

const HELPERS = `local M = {}
function M.greet(who) return "hello from " .. who end
return M
`;

// Line numbers matter: the error test expects broken.sloth:3.
const BROKEN = `task("explode"):delegate_to("d2"):command(function()
  local why = "on purpose"
  error("kaboom " .. why)
end):build()
`;

const PIPELINE = `local helpers = require("lib.helpers")
local build = task("build"):delegate_to("d1"):command(function(this, params)
  log.info(helpers.greet(this.agent.get()) .. " for " .. params.env)
  return true, "built", { artifact = "app-" .. params.env .. "-v" .. values.version, built_on = this.agent.get() }
end):build()
local check = task("check"):delegate_to({ "d1", "d2", "d3" }):depends_on({ "build" }):command(function(this, params, deps)
  print("checking " .. deps.build.artifact)
  return true, "ok", { host = this.agent.get(), saw = deps.build.artifact }
end):build()
local pick = task("pick"):delegate_to(function(params) return params.target end):command(function(this)
  return true, "ok", { on = this.agent.get() }
end):build()
local report = task("report"):depends_on({ "check", "pick" }):command(function(this, params, deps)
  local hosts = {}
  for _, a in ipairs({ "d1", "d2", "d3" }) do hosts[#hosts + 1] = deps.check[a].host .. "=" .. deps.check[a].saw end
  log.info("report " .. table.concat(hosts, ",") .. " pick " .. deps.pick.on .. " here " .. tostring(this.agent.get()))
  return true, "done", { hosts = table.concat(hosts, ",") }
end):build()
workflow.define("ship", { tasks = { build, check, pick, report } })
`;

// A wrong argument on the agent: its code comes back, so the task is not retried.
const BAD_ARG = `task("bad"):delegate_to("d1"):retries(2, "fixed", "10ms"):command(function()
  fs.write(42, "x")
end):build()
`;

const PLAIN = `task("where"):command(function(this)
  log.info("running on " .. tostring(this.agent.get()))
  return true, "ok", { on = this.agent.get() }
end):build()
`;

// A local task first: if the run started, it would show; delegation errors must come before it.
const GUARDED = `local first = task("local_first"):command(function() log.info("local task ran") end):build()
local remote = task("remote"):depends_on({ "local_first" }):delegate_to("d9"):command(function() end):build()
workflow.define("guarded", { tasks = { first, remote } })
`;

describe('workflow tasks delegated to agents (master and agents as real processes)', () => {
  it('runs tasks on one agent, fans out to 3, lets a function choose, honours --delegate-to, and refuses unknown or inactive agents before anything runs', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agents = ['d1', 'd2', 'd3'].map((n) => startAgent(home, n, master.url, tokenFile));
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const cli = withMaster(master.url, tokenFile);
    const dir = writeFiles({
      'pipeline.sloth': PIPELINE,
      'lib/helpers.lua': HELPERS,
      'broken.sloth': BROKEN,
      'plain.sloth': PLAIN,
      'guarded.sloth': GUARDED,
      'chooser.sloth': 'task("pick"):delegate_to(function(params) return params.target end):command(function() end):build()\n',
    });
    const run = (file: string, extra: string[]) => runCli(['workflow', 'run', '-f', file, ...cli, ...extra], { cwd: dir });

    const ship = await run('pipeline.sloth', ['ship', '--param', 'env=prod', '--param', 'target=d3', '--set', 'version=7']);
    expect(ship.stderr).toBe('');
    expect(ship.code, ship.stdout).toBe(0);
    // Log lines come back prefixed with task and agent; the required helper travelled with the workflow.
    expect(ship.stdout).toContain('[build@d1] hello from d1 for prod');
    for (const a of ['d1', 'd2', 'd3']) expect(ship.stdout).toContain(`[check@${a}] checking app-prod-v7`);
    // The local dependent sees each agent's output as deps.check.<agent>, the chooser's pick, and runs on no agent.
    expect(ship.stdout).toContain('[report] report d1=app-prod-v7,d2=app-prod-v7,d3=app-prod-v7 pick d3 here nil');

    const json = await run('pipeline.sloth', [
      'ship',
      '--param',
      'env=dev',
      '--param',
      'target=d2',
      '--set',
      'version=1',
      '-o',
      'json',
      '--stack',
      'ship-json',
    ]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.tasks.build.output).toEqual({ artifact: 'app-dev-v1', built_on: 'd1' });
    expect(Object.keys(report.tasks.check.agents)).toEqual(['d1', 'd2', 'd3']);
    expect(report.tasks.check.agents.d2).toMatchObject({ status: 'success', output: { host: 'd2', saw: 'app-dev-v1' } });
    expect(report.tasks.check.output.d3).toEqual({ host: 'd3', saw: 'app-dev-v1' });
    expect(report.tasks.pick.output).toEqual({ on: 'd2' });

    const overridden = await run('plain.sloth', ['--delegate-to', 'd3']);
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toContain('[where@d3] running on d3');
    const fanned = await run('plain.sloth', ['--delegate-to', 'd1,d2', '-o', 'json', '--stack', 'plain-fan']);
    expect(JSON.parse(fanned.stdout).tasks.where.output).toEqual({ d1: { on: 'd1' }, d2: { on: 'd2' } });

    // A Lua error on the agent names the agent-side file and line.
    const broken = await run('broken.sloth', []);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('[explode] ERROR failed on d2: broken.sloth:3: kaboom on purpose');
    expect(broken.stdout).toMatch(/✗ explode failed .*: failed on d2: broken\.sloth:3: kaboom on purpose/);
    // Reported once, with its traceback, by this side: the agent's engine does not log it again.
    expect(broken.stdout).not.toContain('[explode@d2] ERROR');
    expect(broken.stdout.match(/broken\.sloth:3: in function/g)).toHaveLength(1);

    const unknown = await run('guarded.sloth', []);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `error: guarded.sloth:2: task 'remote' is delegated to 'd9', which is not an agent of the master at ${master.url}`,
    );
    expect(unknown.stderr).toContain("(did you mean 'd1'?)");
    expect(unknown.stdout).not.toContain('local_first');
    const unknownFlag = await run('plain.sloth', ['--delegate-to', 'd1,nope']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("error: task 'where' is delegated to 'nope', which is not an agent");
    expect(unknownFlag.stdout).toBe('');

    const noMaster = await runCli(['workflow', 'run', '-f', 'plain.sloth', '--delegate-to', 'd1'], {
      cwd: dir,
      env: { SLOTH_HOME: home, SLOTH_MASTER: '' },
    });
    expect(noMaster.code).toBe(2);
    expect(noMaster.stderr).toContain("error: task 'where' is delegated to d1, but no master is configured");
    expect(noMaster.stderr).toContain('hint: pass --master HOST:PORT');

    agents[2]?.child.kill('SIGTERM');
    await agents[2]?.exited;
    await master.waitFor(/agent d3 disconnected/);
    const inactive = await run('plain.sloth', ['--delegate-to', 'd3']);
    expect(inactive.code).toBe(2);
    expect(inactive.stderr).toContain("error: task 'where' is delegated to agent 'd3', which is inactive");
    expect(inactive.stdout).toBe('');
    // A function that picks an inactive agent fails that task when it starts (the master refuses it).
    const picked = await run('chooser.sloth', ['--param', 'target=d3']);
    expect(picked.code).toBe(1);
    expect(picked.stdout).toMatch(/✗ pick failed .*: failed on d3: agent d3 is inactive: last heard of/);
  });

  it("brings an agent's error code back: a wrong argument there is not retried here", async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'd1', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({ 'bad-arg.sloth': BAD_ARG });
    const r = await runCli(['workflow', 'run', '-f', 'bad-arg.sloth', '-o', 'json', ...withMaster(master.url, tokenFile)], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    const bad = JSON.parse(r.stdout).tasks.bad;
    expect(bad).toMatchObject({ status: 'failed', attempts: 1, error_code: 'invalid_argument' });
    expect(bad.agents.d1).toMatchObject({ status: 'failed', error_code: 'invalid_argument' });
    expect(bad.error).toContain('bad-arg.sloth:2: fs.write: argument #1 (path): expected string, got number');
    expect(recordedWork(home)).toHaveLength(1);
  });

  it("runs the README's Distributed Task Execution example (readme.test.ts cannot: it needs a master and agents)", async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const example = /```lua\n(-- fleet-deploy\.sloth[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agents = ['build-01', 'web-01', 'web-02'].map((n) => startAgent(home, n, master.url, tokenFile));
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const dir = writeFiles({ 'fleet-deploy.sloth': example as string });
    const r = await runCli(
      ['workflow', 'run', 'release', '-f', 'fleet-deploy.sloth', '--param', 'version=1.4', ...withMaster(master.url, tokenFile)],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The output the README shows, line for line (other lines, such as "started", come between them).
    const shown = /```\n(\[build@build-01\][\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n') ?? [];
    expect(shown).toHaveLength(4);
    for (const line of shown) expect(r.stdout).toContain(line);
  });

  it('runs examples/distributed_execution.sloth (examples.test.ts cannot: it needs a master and agents)', async () => {
    const { home, tokenFile } = fleetHome();
    // Heartbeats as slow as a real master's: this test is about the example, not about agents going silent.
    const master = await startMaster(home, tokenFile, 0, ['--heartbeat-interval', '5s']);
    const agents = ['web-01', 'web-02', 'db-01'].map((n) => startAgent(home, n, master.url, tokenFile));
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const r = await runCli([
      'workflow',
      'run',
      'distributed_deployment',
      '-f',
      'examples/distributed_execution.sloth',
      '--param',
      'version=2.0.0',
      '-o',
      'json',
      ...withMaster(master.url, tokenFile),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // Tasks created at run time checked nginx on each agent (not running on these test agents).
    expect(report.tasks.check_nginx_all.output).toEqual({ active: 0, checked: 3 });
    for (const agent of ['web-01', 'web-02', 'db-01']) expect(r.stderr).toContain(`⚠️ ${agent}: nginx is inactive`);
    expect(r.stderr).toContain('[run_db_migrations@db-01] 🗄️ Running 3 migrations on db-01');
    expect(report.tasks.run_db_migrations.output).toEqual({ schema_version: 3, host: 'db-01' });
    // On the agents, deps held prepare_release's outputs, though it is no direct dependency of deploy_web_app.
    for (const host of ['web-01', 'web-02']) {
      expect(r.stderr).toContain(`[deploy_web_app@${host}] 🌐 Deploying 2.0.0 (schema 3) on ${host}`);
      expect(report.tasks.deploy_web_app.agents[host]).toMatchObject({ status: 'success', output: { host, version: '2.0.0' } });
    }
    expect(report.tasks.verify_release.output).toEqual({ version: '2.0.0', hosts: 2 });
    expect(r.stderr).toContain('🎉 Distributed deployment completed successfully!');
    // Without a master, the example says what it needs before anything runs.
    const alone = await runCli(['workflow', 'run', '-f', 'examples/distributed_execution.sloth'], {
      env: { SLOTH_HOME: fleetHome().home, SLOTH_MASTER: '' },
    });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('but no master is configured');
  });

  it('agent killed mid-task: the task fails once the agent stays away for 3 heartbeats, and the workflow ends', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'doomed', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({
      'slow.sloth': `task("slow"):delegate_to("doomed"):command(function()
  log.info("working")
  exec.run("sleep 30")
end):build()
task("after"):depends_on({ "slow" }):command(function() log.info("after ran") end):build()
`,
    });
    const child = startCli(['workflow', 'run', '-f', 'slow.sloth', ...withMaster(master.url, tokenFile)], { cwd: dir });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const done = collect(child, 30_000);
    await waitFor(() => out.includes('[slow@doomed] working'), 20_000, 'the task to start on the agent');
    agent.child.kill('SIGKILL');
    const r = await done;
    expect(r.code).toBe(1);
    expect(out).toMatch(
      /✗ slow failed .*: failed on doomed: task 'slow' did not finish on doomed: agent doomed went away while running it and did not come back within 1\.20s/,
    );
    expect(out).not.toContain('after ran');
    expect(recordedWork(home).map((w) => [w.what, w.status])).toEqual([['task slow of slow', 'lost']]);
  });

  it('master killed while a delegated task runs: the CLI waits, re-attaches when the master is back, and gets the outputs', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const agent = startAgent(home, 'r1', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({
      'slow.sloth': `local slow = task("slow"):delegate_to("r1"):command(function()
  log.info("working")
  exec.run("sleep 1")
  return true, "ok", { finished = "yes" }
end):build()
local after = task("after"):depends_on({ "slow" }):command(function(this, params, deps)
  log.info("slow finished: " .. deps.slow.finished)
end):build()
workflow.define("slow", { tasks = { slow, after } })
`,
    });
    const child = startCli(['workflow', 'run', '-f', 'slow.sloth', ...withMaster(master.url, tokenFile)], { cwd: dir });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const done = collect(child, 60_000);
    await waitFor(() => out.includes('[slow@r1] working'), 20_000, 'the task to start on the agent');
    master.child.kill('SIGKILL');
    await master.exited;
    await waitFor(
      () => /lost the master while the task ran on r1 \(work [0-9a-f-]+\): waiting up to 1m/.test(out),
      10_000,
      'the wait',
    );
    // The task finishes on the agent while no master is there; the agent keeps the result until a master acks it.
    await agent.waitFor(/work \S+ finished: ok/, 10_000);
    const again = await startMaster(home, tokenFile, port);
    await again.waitFor(/agent r1 registered/, 15_000);
    const r = await done;
    expect(r.code, out + r.stderr).toBe(0);
    expect(out).toMatch(/re-attached to work [0-9a-f-]+ on r1/);
    expect(out).toContain('[after] slow finished: yes');
    expect(recordedWork(home).map(({ agent, what, status }) => ({ agent, what, status }))).toEqual([
      { agent: 'r1', what: 'task slow of slow', status: 'success' },
    ]);
  });

  it('delegates tasks created at run time: their body and upvalues travel as code; a coroutine upvalue is refused by name', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agents = ['k1', 'k2'].map((n) => startAgent(home, n, master.url, tokenFile));
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const dir = writeFiles({
      'runtime.sloth': `local check_all = task("check_all"):command(function(this, params)
  local results = {}
  local greeting = { text = "hello" }
  for _, agent_name in ipairs({ "k1", "k2" }) do
    local check = task("check_" .. agent_name)
      :delegate_to(agent_name)
      :command(function(t, p)
        log.info(greeting.text .. " from " .. t.agent.get())
        return true, "ok", { on = t.agent.get(), shell = (exec.run("echo " .. agent_name).stdout:gsub("%s+$", "")) }
      end)
      :timeout("10s")
      :build()
    local success, output = check:run()
    results[#results + 1] = success and (output.on .. "/" .. output.shell) or "failed"
  end
  log.info("results " .. table.concat(results, ","))
end):build()
local bad = task("bad"):depends_on({ "check_all" }):command(function()
  local co = coroutine.create(function() end)
  local child = task("bad_child"):delegate_to("k1"):command(function() return coroutine.status(co) == "suspended" end):build()
  local ok, err = child:run()
  log.info("child: " .. tostring(ok) .. " " .. tostring(err))
end):build()
workflow.define("runtime", { tasks = { check_all, bad } })
`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'runtime.sloth', ...withMaster(master.url, tokenFile)], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[check_k1@k1] hello from k1');
    expect(r.stdout).toContain('[check_k2@k2] hello from k2');
    expect(r.stdout).toContain('[check_all] results k1/k1,k2/k2');
    expect(r.stdout).toMatch(/\[bad\] child: false .*task 'bad_child' cannot travel to an agent: .*upvalue 'co' is a coroutine/);
  });
});
