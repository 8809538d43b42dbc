import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { openStore } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';
import { writeHook } from './events.test-helper.js';
import { AGENT_BIN, type Daemon, daemon, fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

/** The http://host:port a process logged for its /metrics server. */
async function metricsBase(d: Daemon): Promise<string> {
  await d.waitFor(/metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
  return /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(d.output())?.[1] as string;
}

/** GET a path: its status and body. */
async function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The value of one sample (`name` or `name{labels}` exactly as exposed), or undefined when it is not there. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Events of the master's queue in a status, read from its database as another process would. */
function eventsIn(home: string, status: string): number {
  const store = openStore(home);
  try {
    return store.sqlite.prepare('SELECT count(*) FROM events WHERE status = ?').pluck().get(status) as number;
  } finally {
    store.close();
  }
}

// The metrics module on the agent: its series end up on the agent's /metrics.
const DELEGATED = `task("remote"):delegate_to("m1"):command(function(this)
  log.info("ran on " .. this.agent.get())
  metrics.counter("deploys_total", { help = "Deployments", labels = { env = "prod" } }):inc(2)
  metrics.gauge("queue_length"):set(7):dec()
  local n = metrics.timer("step_seconds", function() return 42 end, { buckets = { 1, 60 } })
  local s = metrics.system()
  log.info("timer gave " .. n .. ", " .. s.cpus .. " cpus")
  return true, "ok"
end):build()
`;

const LOCAL = `task("ok"):command(function()
  local c = metrics.counter("runs_total", { labels = { kind = "local" } })
  c:inc():inc(3)
  local g = metrics.gauge("temperature")
  g:set(20):inc(2):dec(0.5)
  metrics.histogram("payload_bytes", { buckets = { 10, 100 } }):observe(50)
  local a, b = metrics.timer("step_seconds", function() return 1, "two" end)
  local s = metrics.system({ path = "." })
  log.info("timer " .. a .. " " .. b .. "; keys " .. tostring(s.cpus > 0 and s.memory_total_bytes > 0 and s.disk_total_bytes > 0 and s.load1 ~= nil))
  return true, "ok"
end):build()
`;

/** Mistakes, each the second line of a task of its own file, and the error it gets. */
const MISTAKES: Record<string, [string, string]> = {
  bad_name: ['metrics.counter("bad-name"):inc()', "bad_name.sloth:2: metrics.counter: 'bad-name' is not a valid metric name"],
  bad_label: [
    'metrics.gauge("g", { labels = { le = "x" } })',
    "bad_label.sloth:2: metrics.gauge: 'le' is not a valid label name",
  ],
  down: ['metrics.counter("c_total"):inc(-1)', 'down.sloth:2: metrics.counter(...):inc: a counter cannot go down (inc by -1)'],
  twice: [
    'metrics.counter("t_total"); metrics.gauge("t_total")',
    "twice.sloth:2: metrics.gauge: metric 't_total' is already a counter with labels {}",
  ],
  reserved: [
    'metrics.counter("agents")',
    "reserved.sloth:2: metrics.counter: 'agents' is reserved for Sloth Runner's own metrics",
  ],
  buckets: [
    'metrics.histogram("h", { buckets = { 5, 1 } })',
    'buckets.sloth:2: metrics.histogram: buckets must be a non-empty list of increasing numbers',
  ],
  timer_error: [
    'metrics.timer("fails_seconds", function() error("inside the timer") end)',
    'timer_error.sloth:2: inside the timer',
  ],
  not_a_function: [
    'metrics.timer("x_seconds", 3)',
    'not_a_function.sloth:2: metrics.timer: argument #2 (fn): expected a function, got number',
  ],
};

describe('/metrics, /healthz and /readyz of a real master and agent', () => {
  it('the master exports the fleet, work, RPCs and the event queue; the agent its own families', async () => {
    const { home, tokenFile } = fleetHome();
    // No hooks: the agent.* events stay pending, so the queue depth is known. Not about heartbeats: an interval a busy
    // machine cannot miss while the agent loads the Lua engine for the task.
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0', '--no-hooks', '--heartbeat-interval', '2s']);
    const masterBase = await metricsBase(master);
    const agent = startAgent(home, 'm1', master.url, tokenFile, { extra: ['--metrics-port', '0'] });
    const agentBase = await metricsBase(agent);
    await agent.waitFor(/registered with the master/);

    expect(await get(masterBase, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    const ready = await get(masterBase, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatch(/^ready: store .*sloth\.db open\n$/);

    const dir = writeFiles({ 'remote.sloth': DELEGATED });
    const run = await runCli(['workflow', 'run', '-f', 'remote.sloth', ...withMaster(master.url, tokenFile)], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('[remote@m1] ran on m1');
    expect(run.stdout).toMatch(/\[remote@m1\] timer gave 42, \d+ cpus/);

    let text = '';
    await waitFor(
      async () => {
        text = (await get(masterBase, '/metrics')).body;
        return (sample(text, 'sloth_agent_heartbeats_received_total') ?? 0) > 0;
      },
      15_000,
      'a heartbeat counted by the master',
    );
    expect(sample(text, 'sloth_agents{status="active"}'), text).toBe(1);
    expect(sample(text, 'sloth_agents{status="inactive"}')).toBe(0);
    expect(sample(text, 'sloth_work_finished_total{kind="task",result="success"}')).toBe(1);
    expect(sample(text, 'sloth_work_in_flight')).toBe(0);
    // agent.registered and agent.connected at least; the master writes dispatched events to the table in batches.
    await waitFor(
      async () => {
        const depth = sample((await get(masterBase, '/metrics')).body, 'sloth_event_queue_depth{status="pending"}');
        return depth !== undefined && depth >= 2 && depth === eventsIn(home, 'pending');
      },
      15_000,
      'the pending depth on /metrics to be what the table holds',
    );
    expect(sample(text, 'sloth_event_queue_depth{status="processing"}')).toBe(0);
    // The CLI's calls, counted and timed by the interceptor.
    expect(text).toMatch(/^sloth_rpc_requests_total\{service="sloth\.v1\.ControlService",method="\w+",code="ok"\} [1-9]/m);
    expect(text).toMatch(/^sloth_rpc_duration_seconds_count\{service="sloth\.v1\.ControlService",method="\w+"\} [1-9]/m);
    expect(sample(text, 'sloth_process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const family of ['sloth_events_processed_total', 'sloth_hook_duration_seconds', 'sloth_hook_failures_total'])
      expect(text).toContain(`# TYPE ${family} `);
    // Every family is ours.
    for (const m of text.matchAll(/^# TYPE (\S+)/gm)) expect(m[1]).toMatch(/^sloth_/);

    const own = (await get(agentBase, '/metrics')).body;
    expect(sample(own, 'sloth_agent_connected')).toBe(1);
    expect(sample(own, 'sloth_agent_registrations_total')).toBe(1);
    expect(sample(own, 'sloth_agent_work_finished_total{kind="task",result="success"}')).toBe(1);
    expect(sample(own, 'sloth_agent_work_duration_seconds_count{kind="task"}')).toBe(1);
    expect(sample(own, 'sloth_process_cpu_seconds_total')).toBeGreaterThan(0);
    // What the delegated task defined with the metrics module.
    expect(own).toContain('# HELP sloth_deploys_total Deployments');
    expect(sample(own, 'sloth_deploys_total{env="prod"}')).toBe(2);
    expect(sample(own, 'sloth_queue_length')).toBe(6);
    expect(sample(own, 'sloth_step_seconds_count')).toBe(1);
    expect(sample(own, 'sloth_step_seconds_bucket{le="60"}')).toBe(1);
    expect(sample(text, 'sloth_deploys_total{env="prod"}')).toBeUndefined();
    for (const m of own.matchAll(/^# TYPE (\S+)/gm)) expect(m[1]).toMatch(/^sloth_/);

    expect((await get(agentBase, '/nothing')).status).toBe(404);
    expect((await fetch(`${agentBase}/metrics`, { method: 'POST' })).status).toBe(405);

    // SIGTERM stops both cleanly, the scrapers' kept-alive connections notwithstanding.
    agent.child.kill('SIGTERM');
    master.child.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(await master.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${masterBase}/healthz`)).rejects.toThrow();
  });

  it("hooks run by the master: events processed by result, each hook's runs timed and its failures counted", async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({});
    // A hook run by the master defines a metric too: it is on the master's /metrics.
    const ok = writeHook(dir, 'ok.lua', 'ok_hook', 'agent.*', 'metrics.counter("seen_total"):inc()\nreturn true, "seen"');
    const bad = writeHook(dir, 'bad.lua', 'bad_hook', 'agent.connected', 'return false, "refused"', ', max_attempts = 1');
    for (const file of [ok, bad]) expect((await runCli(['hook', 'add', file, '--data-dir', home])).code).toBe(0);
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    const base = await metricsBase(master);
    const agent = startAgent(home, 'k1', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    let text = '';
    // agent.registered (ok_hook) completes; agent.connected (ok_hook, bad_hook that fails with no retry left) fails.
    await waitFor(
      async () => {
        text = (await get(base, '/metrics')).body;
        const done = (result: string) => sample(text, `sloth_events_processed_total{result="${result}"}`) ?? 0;
        return done('failed') >= 1 && done('completed') >= 1;
      },
      20_000,
      `both events counted\n${text}`,
    );
    expect(sample(text, 'sloth_events_processed_total{result="completed"}')).toBe(1);
    expect(sample(text, 'sloth_events_processed_total{result="failed"}')).toBe(1);
    expect(sample(text, 'sloth_hook_duration_seconds_count{hook="ok_hook"}')).toBe(2);
    expect(sample(text, 'sloth_hook_duration_seconds_count{hook="bad_hook"}')).toBe(1);
    expect(sample(text, 'sloth_hook_failures_total{hook="bad_hook"}')).toBe(1);
    expect(sample(text, 'sloth_hook_failures_total{hook="ok_hook"}')).toBeUndefined();
    expect(sample(text, 'sloth_seen_total')).toBe(2);
    expect(sample(text, 'sloth_event_queue_depth{status="pending"}')).toBe(0);
  });

  it('the metrics module in a local run: counters, gauges, histograms, timers, system(); bad names at their line', async () => {
    const dir = writeFiles({
      'local.sloth': LOCAL,
      ...Object.fromEntries(
        Object.entries(MISTAKES).map(([name, [line]]) => [
          `${name}.sloth`,
          `task("t"):command(function()\n  ${line}\nend):build()\n`,
        ]),
      ),
    });
    const run = (file: string) => runCli(['workflow', 'run', '-f', file, '-o', 'json'], { cwd: dir });
    const ok = await run('local.sloth');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('timer 1 two; keys true');
    for (const [name, [, message]] of Object.entries(MISTAKES)) {
      const r = await run(`${name}.sloth`);
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      const t = JSON.parse(r.stdout).tasks.t;
      expect(t.status, name).toBe('failed');
      expect(t.error, name).toContain(message);
    }
  });

  it("an agent's /readyz is 503 while its master is down and 200 once it registered again; /healthz stays 200", async () => {
    const { home, tokenFile } = fleetHome();
    let master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const agent = startAgent(home, 'r1', master.url, tokenFile, { standalone: true, extra: ['--metrics-port', '0'] });
    const base = await metricsBase(agent);
    await agent.waitFor(/registered with the master/);
    await waitFor(async () => (await get(base, '/readyz')).status === 200, 10_000, '/readyz 200 once registered');

    master.child.kill('SIGKILL');
    await master.exited;
    let down = { status: 0, body: '' };
    await waitFor(
      async () => {
        down = await get(base, '/readyz');
        return down.status === 503;
      },
      15_000,
      `/readyz 503 with the master down\n${agent.output()}`,
    );
    expect(down.body).toBe(`not ready: not registered with the master at ${master.url} (reconnecting)\n`);
    expect((await get(base, '/healthz')).status).toBe(200);
    expect(sample((await get(base, '/metrics')).body, 'sloth_agent_connected')).toBe(0);

    master = await startMaster(home, tokenFile, port);
    await waitFor(async () => (await get(base, '/readyz')).status === 200, 30_000, `/readyz 200 again\n${agent.output()}`);
    expect(sample((await get(base, '/metrics')).body, 'sloth_agent_registrations_total')).toBe(2);
  });

  it('--health-checks: thresholds crossed for N heartbeats put system.* events from the agent into the master queue', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--no-hooks']);
    // Thresholds of 0: every reading is at or above them, so each check trips after 2 heartbeats.
    const health = ['--health-checks', '--cpu-high', '0', '--memory-high', '0', '--disk-high', '0', '--health-heartbeats', '2'];
    const agent = startAgent(home, 'h1', master.url, tokenFile, { standalone: true, extra: health });
    await agent.waitFor(/registered with the master/);
    const stored = () => {
      const store = openStore(home);
      try {
        return store.sqlite.prepare("SELECT type, source, data FROM events WHERE type LIKE 'system.%' ORDER BY type").all() as {
          type: string;
          source: string;
          data: string;
        }[];
      } finally {
        store.close();
      }
    };
    await waitFor(() => stored().length === 3, 20_000, `3 system.* events in the master's queue\n${agent.output()}`);
    const events = stored();
    expect(events.map((e) => [e.type, e.source])).toEqual([
      ['system.cpu_high', 'agent:h1'],
      ['system.disk_full', 'agent:h1'],
      ['system.memory_high', 'agent:h1'],
    ]);
    const memory = JSON.parse(events[2]?.data as string);
    expect(memory).toMatchObject({ agent: 'h1', check: 'memory', threshold_percent: 0, heartbeats: 2 });
    expect(memory.value_percent).toBeGreaterThan(0);
    // Its log line may come through the pipe after the master stored the event.
    await agent.waitFor(/health check: system\.memory_high \(memory [\d.]+%, threshold 0%\)/);

    const alone = await runCli(['agent', 'start', '--name', 'x', '--master', master.url, '--cpu-high', '80'], {
      env: { SLOTH_HOME: home },
    });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('error: --cpu-high needs --health-checks');
    const bad = await runCli(['agent', 'start', '--name', 'x', '--master', master.url, '--health-checks', '--disk-high', '120'], {
      env: { SLOTH_HOME: home },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: --disk-high '120' is not a number from 0 to 100");
  });

  it('--health-command: a command failing for N heartbeats puts health.check_failed in the master queue, then health.check_recovered', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--no-hooks']);
    const up = join(home, 'app-up');
    const check = `app=test -f ${up} || { echo "app is down" >&2; exit 3; }`;
    // Thresholds of 100: CPU, memory and disk never trip; only the command check speaks.
    const health = ['--health-checks', '--cpu-high', '100', '--memory-high', '100', '--disk-high', '100'];
    const agent = startAgent(home, 'h2', master.url, tokenFile, {
      extra: [...health, '--health-heartbeats', '2', '--health-command', check],
    });
    await agent.waitFor(/registered with the master/);
    const stored = () => {
      const store = openStore(home);
      try {
        return store.sqlite.prepare("SELECT type, source, data FROM events WHERE type LIKE 'health.%' ORDER BY id").all() as {
          type: string;
          source: string;
          data: string;
        }[];
      } finally {
        store.close();
      }
    };
    await waitFor(() => stored().length === 1, 20_000, `health.check_failed in the master's queue\n${agent.output()}`);
    expect(stored()[0]).toMatchObject({ type: 'health.check_failed', source: 'agent:h2' });
    expect(JSON.parse(stored()[0]?.data as string)).toMatchObject({
      agent: 'h2',
      check: 'app',
      exit_code: 3,
      heartbeats: 2,
      output: 'app is down',
    });
    writeFileSync(up, '');
    await waitFor(() => stored().length === 2, 20_000, `health.check_recovered in the master's queue\n${agent.output()}`);
    expect(stored()[1]).toMatchObject({ type: 'health.check_recovered', source: 'agent:h2' });

    const env = { SLOTH_HOME: home };
    const alone = await runCli(['agent', 'start', '--name', 'x', '--master', master.url, '--health-command', 'a=true'], { env });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('error: --health-command needs --health-checks');
    const bad = await runCli(
      ['agent', 'start', '--name', 'x', '--master', master.url, '--health-checks', '--health-command', 'no-command'],
      {
        env,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: --health-command 'no-command' is not NAME=COMMAND");
  });

  it('bad ports are usage errors (exit 2) naming the flag; a port in use too', async () => {
    const { home, tokenFile } = fleetHome();
    const env = { SLOTH_HOME: home };
    const word = await runCli(['agent', 'start', '--name', 'x', '--master', '127.0.0.1:1', '--metrics-port', 'abc'], { env });
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/error: .*abc/);
    expect(word.stderr).toContain('--metrics-port');

    const big = daemon(AGENT_BIN, ['--name', 'x', '--master', '127.0.0.1:1', '--metrics-port', '70000'], home);
    expect((await big.exited).code).toBe(2);
    expect(big.output()).toContain("error: --metrics-port '70000' is not a port number");

    const same = await runCli(['master', 'start', '--port', '45123', '--dashboard-port', '45123'], { env });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("error: --dashboard-port 45123 is the master's own port");

    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0']);
    const taken = Number(new URL(await metricsBase(master)).port);
    const busy = startAgent(home, 'b1', master.url, tokenFile, { debug: false, extra: ['--metrics-port', String(taken)] });
    expect((await busy.exited).code).toBe(2);
    expect(busy.output()).toContain(`error: agent b1 cannot serve metrics on 127.0.0.1:${taken}: the port is in use`);
    expect(busy.output()).toContain('hint: choose another --metrics-port');
    expect(busy.output()).not.toMatch(/\n\s+at /);
  });
});
