import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { alive, collect, runCli, startCli, waitFor, waitForPid, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, TOKEN } from './fleet.test-helper.js';

const withMaster = (url: string, tokenFile: string) => ['--master', url, '--token-file', tokenFile];

/** The work the master recorded, read from its database as another process would. */
function recordedWork(home: string) {
  const store = openStore(home);
  try {
    return store.sqlite
      .prepare('SELECT id, agent, what, status, exit_code AS exitCode FROM agent_work ORDER BY created_at')
      .all() as {
      id: string;
      agent: string;
      what: string;
      status: string;
      exitCode: number | null;
    }[];
  } finally {
    store.close();
  }
}

describe('master and agents as real processes', () => {
  it('a master and 3 agents: agent list, agent exec (live output, remote exit code), unknown agent, wrong token', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agents = [
      startAgent(home, 'web-01', master.url, tokenFile, { extra: ['--labels', 'env=prod,role=web'] }),
      startAgent(home, 'web-02', master.url, tokenFile),
      startAgent(home, 'db-01', master.url, tokenFile, { standalone: true }),
    ];
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const cli = withMaster(master.url, tokenFile);

    const list = await runCli(['agent', 'list', ...cli]);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    for (const name of ['web-01', 'web-02', 'db-01'])
      expect(list.stdout).toMatch(new RegExp(`${name}\\s+│ 127\\.0\\.0\\.1:\\d+\\s+│ Active`));
    expect(list.stdout).toContain('env=prod, role=web');
    const json = JSON.parse((await runCli(['agent', 'list', ...cli, '-o', 'json'])).stdout);
    expect(json.map((a: { name: string; status: string }) => [a.name, a.status])).toEqual([
      ['db-01', 'active'],
      ['web-01', 'active'],
      ['web-02', 'active'],
    ]);

    const exec = await runCli(['agent', 'exec', 'db-01', 'echo "out on $(hostname)"; echo oops >&2; exit 7', ...cli]);
    expect(exec.code).toBe(7);
    expect(exec.stdout).toMatch(/^out on \S+\n$/);
    expect(exec.stderr).toBe('oops\n');
    const ok = await runCli([
      'agent',
      'exec',
      'web-02',
      'printf "%s" "$GREETING" && pwd',
      '--env',
      'GREETING=hi',
      '--workdir',
      '/tmp',
      ...cli,
    ]);
    expect([ok.code, ok.stdout]).toEqual([0, 'hi/tmp\n']);

    const get = await runCli(['agent', 'get', 'web-01', ...cli]);
    expect(get.stdout).toMatch(/status\s+Active/);
    expect(get.stdout).toMatch(/memory\s+[\d.]+ \w+ free of/);

    const unknown = await runCli(['agent', 'exec', 'web-1', 'true', ...cli]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: no agent named 'web-1' (did you mean 'web-01'?)");
    expect(unknown.stderr).toContain('hint: `sloth-runner agent list` shows the registered agents');

    const wrong = await runCli(['agent', 'list', '--master', master.url, '--token', 'not-the-token']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`error: the master at ${master.url} refused the token: invalid token`);
    const envToken = await runCli(['agent', 'list', '--master', master.url], { env: { SLOTH_TOKEN: TOKEN } });
    expect(envToken.code).toBe(0);

    const unreachable = await runCli(['agent', 'list', '--master', '127.0.0.1:1']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('error: cannot reach the master at 127.0.0.1:1');
    expect(unreachable.stderr).toContain('hint: check that `sloth-runner master start` runs there');

    // agent stop: the agent exits cleanly and shows Inactive; then it can be deleted.
    const stop = await runCli(['agent', 'stop', 'web-02', ...cli]);
    expect(stop.code).toBe(0);
    expect(await agents[1]?.exited).toEqual({ code: 0, signal: null });
    await waitFor(() => !master.output().includes('agent web-02 disconnected') === false, 10_000, 'the master to see web-02 go');
    const inactive = await runCli(['agent', 'exec', 'web-02', 'true', ...cli]);
    expect(inactive.code).toBe(2);
    expect(inactive.stderr).toMatch(/error: agent web-02 is inactive: last heard of .* ago/);
    expect((await runCli(['agent', 'delete', 'web-02', ...cli])).code).toBe(0);
    expect((await runCli(['agent', 'list', ...cli])).stdout).not.toContain('web-02');

    master.child.kill('SIGTERM');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    await Promise.all([agents[0], agents[2]].map((a) => a?.waitFor(/reconnecting to/)));
  });

  it('refuses to listen beyond loopback without a token, and refuses a second agent with a connected name', async () => {
    const { home, tokenFile } = fleetHome();
    const open = await runCli(['master', 'start', '--bind', '0.0.0.0', '--port', '0'], { env: { SLOTH_HOME: home } });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('error: refusing to listen on 0.0.0.0 without a token');
    expect(open.stderr).toContain('--insecure');

    const master = await startMaster(home, tokenFile);
    const first = startAgent(home, 'twin', master.url, tokenFile);
    await first.waitFor(/registered with the master/);
    const second = startAgent(home, 'twin', master.url, tokenFile, { standalone: true });
    const exit = await second.exited;
    expect(exit.code).toBe(2);
    expect(second.output()).toMatch(
      /error: an agent named 'twin' is already connected from 127\.0\.0\.1:\d+: agent names must be unique/,
    );
    expect(alive(first.child.pid as number)).toBe(true);
  });

  it('master killed and restarted: agents register again, and `agent exec` re-attaches to the command that finished meanwhile', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const agents = ['r1', 'r2', 'r3'].map((n) => startAgent(home, n, master.url, tokenFile));
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const dir = writeFiles({});
    const exec = startCli([
      'agent',
      'exec',
      'r1',
      `sleep 1; echo finished > ${join(dir, 'done')}`,
      ...withMaster(master.url, tokenFile),
    ]);
    const execDone = collect(exec, 60_000);
    await agents[0]?.waitFor(/running work/);
    master.child.kill('SIGKILL');
    await master.exited;
    // The command finishes on the agent while no master is there; `agent exec` waits for the master.
    await agents[0]?.waitFor(/work \S+ finished: ok/, 10_000);
    expect(readFileSync(join(dir, 'done'), 'utf8')).toBe('finished\n');

    const again = await startMaster(home, tokenFile, port);
    const reattached = await execDone;
    expect(reattached.code, reattached.stderr).toBe(0);
    expect(reattached.stderr).toMatch(
      /lost the master while the command ran on r1 \(work [0-9a-f-]+\): waiting up to 1m00s for it to come back\n.*re-attached to work [0-9a-f-]+ on r1/s,
    );
    // Every agent is back within the backoff bound (max 1s here, plus the time to notice).
    await waitFor(
      () => ['r1', 'r2', 'r3'].every((n) => again.output().includes(`agent ${n} registered`)),
      15_000,
      'all agents back',
    );
    await waitFor(() => recordedWork(home).some((w) => w.status === 'success'), 10_000, 'the result to be recorded');
    expect(recordedWork(home)).toEqual([expect.objectContaining({ agent: 'r1', status: 'success', exitCode: 0 })]);
    const list = await runCli(['agent', 'list', ...withMaster(again.url, tokenFile), '-o', 'json']);
    expect(JSON.parse(list.stdout).map((a: { status: string }) => a.status)).toEqual(['active', 'active', 'active']);
  });

  it('`agent exec` across a master restart: the output printed while the master was away arrives complete and in order', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const agent = startAgent(home, 'talker', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({});
    // Ten lines, then it waits for the master to be gone (the test says so with a file), then ten more.
    const script = `for i in $(seq 1 10); do echo line $i; done; while [ ! -e ${join(dir, 'gone')} ]; do sleep 0.05; done; for i in $(seq 11 20); do echo line $i; done`;
    const exec = startCli(['agent', 'exec', 'talker', script, ...withMaster(master.url, tokenFile)]);
    const execDone = collect(exec, 60_000);
    let seen = '';
    exec.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    await waitFor(() => seen.includes('line 10\n'), 15_000, 'the first ten lines to arrive');
    master.child.kill('SIGKILL');
    await master.exited;
    writeFileSync(join(dir, 'gone'), '');
    await agent.waitFor(/work \S+ finished: ok/, 10_000);

    await startMaster(home, tokenFile, port);
    const r = await execDone;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join(''));
    expect(r.stderr).toMatch(/re-attached to work [0-9a-f-]+ on talker/);
    expect(r.stderr).not.toMatch(/lines of output .* were lost/);
  });

  it('an agent killed together with its spawn helper: the next agent of that name kills the commands they left', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const first = startAgent(home, 'phoenix', master.url, tokenFile);
    await first.waitFor(/registered with the master/);
    const dir = writeFiles({});
    const exec = startCli([
      'agent',
      'exec',
      'phoenix',
      `echo $$ > ${join(dir, 'pid')}; exec sleep 60`,
      ...withMaster(master.url, tokenFile),
    ]);
    const execDone = collect(exec, 30_000);
    const pid = await waitForPid(join(dir, 'pid'), 'the command to start');
    // The helper first (SIGKILL: it cannot clean up), then the agent: nothing is left to kill the command.
    const agentPid = first.child.pid as number;
    for (const child of childrenOf(agentPid).filter((c) => c !== pid)) process.kill(child, 'SIGKILL');
    first.child.kill('SIGKILL');
    await first.exited;
    await execDone;
    expect(alive(pid)).toBe(true);

    const second = startAgent(home, 'phoenix', master.url, tokenFile);
    await second.waitFor(/registered with the master/);
    await waitFor(() => !alive(pid), 10_000, 'the command the previous agent left to be killed');
    expect(second.output()).toMatch(
      new RegExp(`killed 1 process group\\(s\\) left running by the previous agent process \\(pid ${agentPid}\\)`),
    );
  });

  it('agent killed mid-command: the caller gets an error within 3 heartbeats, and the work is recorded as lost', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'doomed', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({});
    const exec = startCli([
      'agent',
      'exec',
      'doomed',
      `echo $$ > ${join(dir, 'pid')}; exec sleep 30`,
      ...withMaster(master.url, tokenFile),
    ]);
    const done = collect(exec, 20_000);
    const pid = await waitForPid(join(dir, 'pid'), 'the command to start');
    agent.child.kill('SIGKILL');
    // Its command dies with it (SIGKILL leaves the agent no handler: its spawn helper sees it go).
    await waitFor(() => !alive(pid), 10_000, 'the command of the killed agent to die');
    const r = await done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/agent doomed went away while running it and did not come back within 1\.20s/);
    expect(recordedWork(home).map((w) => w.status)).toEqual(['lost']);
    // A command line may hold a secret: neither daemon logs it.
    expect(agent.output()).not.toContain('exec sleep 30');
    expect(master.output()).not.toContain('exec sleep 30');
  });

  it('agent SIGTERM: kills its running command, reports it, and exits 0', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'term', master.url, tokenFile, { standalone: true });
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({});
    const exec = startCli([
      'agent',
      'exec',
      'term',
      `echo $$ > ${join(dir, 'pid')}; exec sleep 30`,
      ...withMaster(master.url, tokenFile),
    ]);
    const done = collect(exec, 20_000);
    const pid = await waitForPid(join(dir, 'pid'), 'the command to start');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(alive(pid)).toBe(false);
    const r = await done;
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('on term: cancelled');
  });

  it('without --debug an agent logs no line per piece of work, only work that failed to run', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'quiet', master.url, tokenFile, { debug: false });
    await agent.waitFor(/registered with the master/);
    const cli = withMaster(master.url, tokenFile);
    expect((await runCli(['agent', 'exec', 'quiet', 'echo hi', ...cli])).code).toBe(0);
    expect((await runCli(['agent', 'exec', 'quiet', 'exit 3', ...cli])).code).toBe(3);
    const late = await runCli(['agent', 'exec', 'quiet', 'sleep 20', '--timeout', '300ms', ...cli]);
    expect(late.code).not.toBe(0);
    await agent.waitFor(/work \S+ \(a command\) failed: timed out after 300ms/);
    const lines = agent.output().split('\n');
    expect(lines.filter((l) => /work /.test(l))).toHaveLength(1);
  });
});

describe('saved masters', () => {
  it('add (the first becomes the default), list, select, show, update, remove, and --master NAME', async () => {
    const { home, tokenFile } = fleetHome();
    const env = { SLOTH_HOME: home };
    const add = await runCli(['master', 'add', 'production', '192.168.1.29:50053', '--description', 'Production master'], {
      env,
    });
    expect(add.stdout).toBe(
      "Master 'production' added\n  Address: 192.168.1.29:50053\n  Set as default master (first master added)\n",
    );
    const master = await startMaster(home, tokenFile);
    expect((await runCli(['master', 'add', 'local', master.url], { env })).stdout).not.toContain('default');
    const dup = await runCli(['master', 'add', 'local', '10.0.0.1:1'], { env });
    expect([dup.code, dup.stderr]).toEqual([2, expect.stringContaining("a master named 'local' is already saved")]);
    const bad = await runCli(['master', 'add', 'x.y', '10.0.0.1:1'], { env });
    expect(bad.stderr).toContain("'x.y' is not a valid master name");

    const list = await runCli(['master', 'list'], { env });
    expect(list.stdout).toMatch(/\* production\s+│ 192\.168\.1\.29:50053\s+│ Production master/);
    expect(list.stdout).toMatch(/ {3}local\s+│ http:\/\/127\.0\.0\.1:\d+/);

    const byName = await runCli(['agent', 'list', '--master', 'local', '--token-file', tokenFile], { env });
    expect([byName.code, byName.stdout]).toEqual([0, expect.stringContaining('no agents have registered')]);
    const typo = await runCli(['agent', 'list', '--master', 'locl'], { env });
    expect(typo.stderr).toContain("error: no saved master named 'locl' (did you mean 'local'?)");

    expect((await runCli(['master', 'select', 'local'], { env })).stdout).toContain("Master 'local' is now the default");
    const viaDefault = await runCli(['agent', 'list', '--token-file', tokenFile], { env });
    expect(viaDefault.code).toBe(0);
    const show = await runCli(['master', 'show', '--token-file', tokenFile], { env });
    expect(show.stdout).toMatch(/name\s+local \(default\)/);
    expect(show.stdout).toMatch(/status\s+reachable: 0 agent\(s\), 0 active/);
    const showProd = await runCli(['master', 'show', 'production', '-o', 'json'], { env, timeoutMs: 20_000 });
    expect(JSON.parse(showProd.stdout)).toMatchObject({ name: 'production', default: false, reachable: false });

    expect((await runCli(['master', 'update', 'production', '10.0.0.9:50053'], { env })).code).toBe(0);
    expect((await runCli(['master', 'remove', 'local'], { env })).stdout).toBe(
      "Master 'local' removed; the default is 'production'\n",
    );
    const json = JSON.parse((await runCli(['master', 'list', '-o', 'json'], { env })).stdout);
    expect(json).toEqual([expect.objectContaining({ name: 'production', address: '10.0.0.9:50053', default: true })]);
    expect((await runCli(['master', 'remove', 'nope'], { env })).stderr).toContain("no saved master named 'nope'");
  });
});

/** The pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // gone
    }
  }
  return children;
}
