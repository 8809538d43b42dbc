import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventOutboxRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { collect, runCli, startCli, waitFor, writeFiles } from './cli.test-helper.js';
import { eventsOf, peek, writeHook } from './events.test-helper.js';
import { fleetHome, startAgent, startMaster } from './fleet.test-helper.js';

const withMaster = (url: string, tokenFile: string) => ['--master', url, '--token-file', tokenFile];
const agentHome = () => mkdtempSync(join(tmpdir(), 'sloth-agent-home-'));

/** The outputs of the successful runs of `hook` for events of `type` in a data directory, oldest first. */
function hookOutputs(home: string, type: string, hook: string): string[] {
  return eventsOf(home, type).flatMap((e) => e.executions.filter((x) => x.hook === hook && x.success).map((x) => x.output ?? ''));
}

const outboxSize = (home: string) => peek(home, (s) => eventOutboxRepo(s).count());

describe('fleet events: agent.* from the master, events from agents, hooks in the master (real processes)', () => {
  it('records agent.registered, connected, heartbeat_failed and disconnected, and runs the master hooks on them', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({});
    const hook = writeHook(dir, 'fleet.lua', 'fleet_watch', 'agent.*', 'return true, event.type .. " " .. event.data.agent.name');
    expect((await runCli(['hook', 'add', hook, '--data-dir', home])).code).toBe(0);
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(agentHome(), 'e1', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const outputs = () => hookOutputs(home, 'agent.*', 'fleet_watch').sort();
    await waitFor(() => outputs().length === 2, 20_000, 'the hook to run for agent.registered and agent.connected');
    expect(outputs()).toEqual(['agent.connected e1', 'agent.registered e1']);
    expect(eventsOf(home, 'agent.registered')[0]).toMatchObject({
      source: 'master',
      data: { agent: { name: 'e1', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/), version: expect.any(String) } },
    });

    // Frozen, the agent keeps its connection open but stops heartbeating: the master gives up on it.
    agent.child.kill('SIGSTOP');
    await waitFor(() => eventsOf(home, 'agent.disconnected').length === 1, 20_000, 'agent.disconnected');
    const failed = eventsOf(home, 'agent.heartbeat_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ agent: { name: 'e1' }, missed_heartbeats: 3 });
    expect(eventsOf(home, 'agent.disconnected')[0]?.data).toMatchObject({ reason: expect.stringMatching(/^no heartbeat for /) });

    // Thawed, it connects again: connected, but not registered a second time.
    agent.child.kill('SIGCONT');
    await waitFor(() => eventsOf(home, 'agent.connected').length === 2, 20_000, 'a second agent.connected');
    expect(eventsOf(home, 'agent.registered')).toHaveLength(1);

    agent.child.kill('SIGKILL');
    await waitFor(() => eventsOf(home, 'agent.disconnected').length === 2, 20_000, 'agent.disconnected after SIGKILL');
    await waitFor(() => outputs().length === 6, 20_000, 'the hook to run for every agent event');

    // A master that stops is not the agents leaving: no agent.disconnected for them.
    const other = startAgent(agentHome(), 'e2', master.url, tokenFile);
    await other.waitFor(/registered with the master/);
    master.child.kill('SIGTERM');
    expect((await master.exited).code).toBe(0);
    expect(eventsOf(home, 'agent.disconnected').map((e) => (e.data.agent as { name: string }).name)).toEqual(['e1', 'e1']);
  });

  it('events a delegated task dispatches reach the master with the run stack, and survive a dead master and a killed agent in the outbox', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({
      'ship.sloth': `task("ship"):delegate_to("e3"):command(function(this)
  local id = event.dispatch("deploy.started", { version = "v2", host = this.agent.get() })
  return true, "ok", { id = id }
end):build()
`,
      'late.sloth': `task("late"):delegate_to("e3"):timeout("60s"):command(function()
  while not fs.exists("${join(dir0(), 'go')}") do exec.run("sleep 0.05") end
  event.dispatch("deploy.finished", { version = "v2" })
  fs.write("${join(dir0(), 'dispatched')}", "yes")
end):build()
`,
    });
    const hook = writeHook(
      dir,
      'deploys.lua',
      'deploys',
      'deploy.*',
      'return true, event.source .. " " .. event.data.version',
      ', stack = "prod"',
    );
    expect((await runCli(['hook', 'add', hook, '--data-dir', home])).code).toBe(0);
    const master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const ahome = agentHome();
    let agent = startAgent(ahome, 'e3', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const cliHome = agentHome();

    const run = await runCli([
      'workflow',
      'run',
      '-f',
      join(dir, 'ship.sloth'),
      '--stack',
      'prod',
      '--data-dir',
      cliHome,
      '-o',
      'json',
      ...withMaster(master.url, tokenFile),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const id = JSON.parse(run.stdout).tasks.ship.output.id as string;
    await waitFor(() => hookOutputs(home, 'deploy.started', 'deploys').length === 1, 20_000, 'the master hook on deploy.started');
    expect(eventsOf(home, 'deploy.started')).toMatchObject([
      { id, source: 'agent:e3', stack: 'prod', data: { version: 'v2', host: 'e3' }, status: 'completed' },
    ]);
    expect(hookOutputs(home, 'deploy.started', 'deploys')).toEqual(['agent:e3 v2']);
    await waitFor(() => outboxSize(ahome) === 0, 10_000, 'the agent outbox to be emptied by the ack');
    // The CLI's own record of the task says where it ran.
    expect(eventsOf(cliHome, 'task.completed')[0]?.data).toMatchObject({ task: { task_name: 'ship', agent_name: 'e3' } });

    // The master dies while the task waits; the event it then dispatches waits in the agent's outbox.
    const late = startCli([
      'workflow',
      'run',
      '-f',
      join(dir, 'late.sloth'),
      '--data-dir',
      cliHome,
      ...withMaster(master.url, tokenFile),
    ]);
    const lateDone = collect(late, 90_000);
    await agent.waitFor(/running work \S+: task late/);
    master.child.kill('SIGKILL');
    await master.exited;
    writeFileSync(join(dir0(), 'go'), '');
    await waitFor(() => existsSync(join(dir0(), 'dispatched')), 20_000, 'the task to dispatch its event');
    expect(outboxSize(ahome)).toBe(1);
    // Killed before any master saw it: the event is still on the agent's disk.
    agent.child.kill('SIGKILL');
    await agent.exited;
    agent = startAgent(ahome, 'e3', master.url, tokenFile);
    const again = await startMaster(home, tokenFile, port);
    await agent.waitFor(/registered with the master/);
    await waitFor(() => eventsOf(home, 'deploy.finished').length === 1, 20_000, 'the outbox event at the master');
    expect(eventsOf(home, 'deploy.finished')[0]).toMatchObject({ source: 'agent:e3', data: { version: 'v2' } });
    await waitFor(() => outboxSize(ahome) === 0, 10_000, 'the outbox to be emptied');
    // The CLI re-attached to the new master, which knows the agent came back without the task (it was killed).
    const lateRun = await lateDone;
    expect(lateRun.code).toBe(1);
    expect(lateRun.stdout).toMatch(/did not finish on e3: agent e3 came back without it/);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });

  it('SendEvent stores an event for the master hooks, and refuses a bad type or data with a clear error', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--no-hooks']);
    const { controlClient } = await import('@sloth/master/client');
    const c = controlClient({ address: master.url, token: 'fleet-test-token-42' });
    const { id } = await c.sendEvent({ type: 'backup.done', dataJson: '{"db":"main"}', stack: 'prod' });
    expect(eventsOf(home, 'backup.done')).toMatchObject([
      { id, source: 'api', stack: 'prod', data: { db: 'main' }, status: 'pending' },
    ]);
    await expect(c.sendEvent({ type: 'Backup Done', dataJson: '{}', stack: '' })).rejects.toThrow(
      /invalid SendEvent: type must be lowercase words separated by dots/,
    );
    await expect(c.sendEvent({ type: 'backup.done', dataJson: '[1]', stack: '' })).rejects.toThrow(
      /dataJson must be a JSON object/,
    );
    await expect(c.sendEvent({ type: 'backup.done', dataJson: '{', stack: '' })).rejects.toThrow(/dataJson is not JSON/);
  });
});

/** A directory the late task polls (created once per test file). */
let shared: string | undefined;
function dir0(): string {
  shared ??= mkdtempSync(join(tmpdir(), 'sloth-late-'));
  return shared;
}
