import { waitFor } from '@sloth/core/testing';
import { openStore } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';
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

const DELEGATED = `task("remote"):delegate_to("m1"):command(function(this)
  log.info("ran on " .. this.agent.get())
  return true, "ok"
end):build()
`;

describe('/metrics, /healthz and /readyz of a real master and agent', () => {
  it('the master exports the fleet, work, RPCs and the event queue; the agent its own families', async () => {
    const { home, tokenFile } = fleetHome();
    // No hooks: the agent.* events stay pending, so the queue depth is known.
    const master = await startMaster(home, tokenFile, 0, ['--dashboard-port', '0', '--no-hooks']);
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
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[remote@m1] ran on m1');

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
