import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNetCounters } from '@sloth/client';
import { processAlive, waitFor } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, runCli } from './cli.test-helper.js';
import { AGENT_BIN, fleetHome, HEARTBEAT } from './fleet.test-helper.js';

// Daemons outlive the CLI that started them: whatever a test leaves running is killed by its pid file.
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0))
    for (const f of readdirSync(home).filter((n) => n.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(home, f), 'utf8'));
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
});

function daemonHome(): { home: string; tokenFile: string; env: Record<string, string> } {
  const h = fleetHome();
  homes.push(h.home);
  return { ...h, env: { SLOTH_HOME: h.home, SLOTH_TOKEN: '' } };
}

/** `master --daemon` as the seed writes it (bare `master`, --bind-address), on a free port; its pid and URL. */
async function masterDaemon(home: { tokenFile: string; env: Record<string, string> }, extra: string[] = []) {
  const r = await runCli(
    [
      'master',
      '--port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--token-file',
      home.tokenFile,
      '--heartbeat-interval',
      HEARTBEAT,
      '--metrics-interval',
      HEARTBEAT,
      '--daemon',
      ...extra,
    ],
    { env: home.env },
  );
  const m = /the master runs in the background \(pid (\d+)\), listening on (http:\/\/127\.0\.0\.1:\d+); log: (\S+)/.exec(
    r.stdout,
  );
  expect(m, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).not.toBeNull();
  expect(r.code).toBe(0);
  return { pid: Number(m?.[1]), url: m?.[2] as string, log: m?.[3] as string };
}

/** A pid no process has: one that just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

describe('master and agents as daemons', () => {
  it('the seed command lines: they return, the daemons keep serving, agent metrics over time, stop by pid file', async () => {
    const h = daemonHome();
    const master = await masterDaemon(h);
    // The CLI has exited (runCli waited for it) and the master still answers.
    expect(readFileSync(join(h.home, 'master.pid'), 'utf8').trim()).toBe(String(master.pid));
    expect(processAlive(master.pid)).toBe(true);
    expect(master.log).toBe(join(h.home, 'master.log'));
    const again = await runCli(['master', 'start', '--port', '0', '--daemon'], { env: h.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`the master already runs in the background (pid ${master.pid}`);
    expect(again.stderr).toContain('hint: stop it with `sloth-runner master stop`');

    const cli = ['--master', master.url, '--token-file', h.tokenFile];
    const start = await runCli(
      ['agent', 'start', '--name', 'agent1', '--port', '50051', ...cli, '--bind-address', '192.168.1.16', '--daemon'],
      { env: h.env },
    );
    expect(start.stderr).toBe(
      'note: --port and --bind-address ignored: an agent listens on no port, it dials out to its master (--master)\n',
    );
    expect(start.code).toBe(0);
    const agentPid = Number(/agent agent1 runs in the background \(pid (\d+)\), registered with/.exec(start.stdout)?.[1]);
    expect(processAlive(agentPid)).toBe(true);
    expect(readFileSync(join(h.home, 'agent-agent1.pid'), 'utf8').trim()).toBe(String(agentPid));
    const list = await runCli(['agent', 'list', ...cli], { env: h.env });
    expect(list.stdout).toMatch(/agent1\s+│ 127\.0\.0\.1:\d+\s+│ Active/);

    // One sample per heartbeat here (--metrics-interval = --heartbeat-interval): wait for a few.
    let samples: {
      at: string;
      load: number[];
      memory_total_bytes: number;
      disk_total_bytes: number;
      running_work: number;
      net_rx_bytes: number | null;
      net_tx_bytes: number | null;
    }[] = [];
    await waitFor(
      async () => {
        const r = await runCli(['agent', 'metrics', 'agent1', ...cli, '-o', 'json'], { env: h.env });
        expect(r.code).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(json).toMatchObject({ agent: 'agent1', interval_ms: 400, retention_ms: 86_400_000 });
        samples = json.samples;
        return samples.length >= 3;
      },
      20_000,
      '3 metrics samples',
    );
    const net = await readNetCounters();
    const times = samples.map((s) => Date.parse(s.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const s of samples) {
      expect(s.load).toHaveLength(3);
      expect(s.memory_total_bytes).toBeGreaterThan(0);
      expect(s.disk_total_bytes).toBeGreaterThan(0);
      expect(s.running_work).toBe(0);
      // A real agent reads its network counters (this machine's, as the test reads them); they only grow from one sample
      // to the next.
      if (net.rxBytes > 0n) expect(s.net_rx_bytes).toBeGreaterThan(0);
      if (net.txBytes > 0n) expect(s.net_tx_bytes).toBeGreaterThan(0);
    }
    for (let i = 1; i < samples.length; i++)
      expect(samples[i]?.net_rx_bytes).toBeGreaterThanOrEqual(samples[i - 1]?.net_rx_bytes as number);
    const table = await runCli(['agent', 'metrics', 'agent1', ...cli, '--since', '10m'], { env: h.env });
    expect(table.stdout).toMatch(/Time\s+│ Load 1\/5\/15\s+│ Memory used\s+│ Disk used\s+│ Network in\/out\s+│ Running work/);
    expect(table.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ [\d.]+ [\d.]+ [\d.]+\s+│ [\d.]+ \w+ of [\d.]+ \w+ \(\d+%\)/);
    // The first sample has no rate (nothing before it); the next ones have one, in and out.
    if (net.rxBytes > 0n && net.txBytes > 0n) expect(table.stdout).toMatch(/│ [\d.]+ \w*B\/s \/ [\d.]+ \w*B\/s\s+│ 0/);
    expect(table.stdout).toContain('(one sample per 400ms of heartbeats, kept 24h; times in UTC)');
    const limited = JSON.parse(
      (await runCli(['agent', 'metrics', 'agent1', ...cli, '--limit', '2', '-o', 'json'], { env: h.env })).stdout,
    );
    expect(limited.samples).toHaveLength(2);
    const unknown = await runCli(['agent', 'metrics', 'agent2', ...cli], { env: h.env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no agent named 'agent2'");

    const stopAgent = await runCli(['agent', 'stop', 'agent1', '--local'], { env: h.env });
    expect(stopAgent.stdout).toBe(`stopped agent agent1 (pid ${agentPid})\n`);
    expect(processAlive(agentPid)).toBe(false);
    expect(existsSync(join(h.home, 'agent-agent1.pid'))).toBe(false);
    await waitFor(
      () => readFileSync(master.log, 'utf8').includes('agent agent1 disconnected'),
      10_000,
      'the master to see agent1 go',
    );

    const stop = await runCli(['master', 'stop'], { env: h.env });
    expect(stop.stdout).toBe(`stopped the master (pid ${master.pid})\n`);
    expect(processAlive(master.pid)).toBe(false);
    expect(existsSync(join(h.home, 'master.pid'))).toBe(false);
    expect(readFileSync(master.log, 'utf8')).toContain('master stopped');
    const twice = await runCli(['master', 'stop'], { env: h.env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(
      `the master does not run in the background here: ${join(h.home, 'master.pid')} does not exist`,
    );
  });

  it('a daemon that fails to start is reported with its log, and leaves no pid file', async () => {
    const h = daemonHome();
    const master = await masterDaemon(h);
    const port = new URL(master.url).port;
    const other = daemonHome();
    const busy = await runCli(['master', 'start', '--port', port, '--daemon'], { env: other.env });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/error: the master exited \(code 2\) before it was ready; its log says:\n/);
    expect(busy.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    expect(busy.stderr).toContain(`hint: its log is ${join(other.home, 'master.log')}`);
    expect(existsSync(join(other.home, 'master.pid'))).toBe(false);

    writeFileSync(join(h.home, 'wrong-token'), 'not-the-token-at-all\n');
    const refused = await runCli(
      ['agent', 'start', '--name', 'a2', '--master', master.url, '--token-file', join(h.home, 'wrong-token'), '--daemon'],
      { env: h.env },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error: agent a2 exited (code 2) before it was ready; its log says:');
    expect(refused.stderr).toContain('refused the token');
    expect(existsSync(join(h.home, 'agent-a2.pid'))).toBe(false);

    const unsafe = await runCli(['master', '--bind-address', '0.0.0.0', '--daemon'], { env: other.env });
    expect(unsafe.code).toBe(2);
    expect(unsafe.stderr).toContain('refusing to listen on 0.0.0.0 without a token');
    const retention = await runCli(['master', '--metrics-interval', '1h', '--metrics-retention', '1m', '--daemon'], {
      env: other.env,
    });
    expect(retention.code).toBe(2);
    expect(retention.stderr).toContain('the metrics retention is shorter than the metrics interval');
    expect(readdirSync(other.home).filter((f) => f.startsWith('master.'))).toEqual(['master.log']);
    const usage = await runCli(['agent', 'start', '--master', master.url, '--daemon'], { env: h.env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('the agent needs a name');
    const badName = await runCli(['agent', 'stop', '../master', '--local'], { env: h.env });
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("invalid agent name '../master'");
    const noDaemon = await runCli(['agent', 'stop', 'a2', '--local'], { env: h.env });
    expect(noDaemon.code).toBe(2);
    expect(noDaemon.stderr).toContain('agent a2 does not run in the background here');
  });

  it('a stale pid file (its process gone) is reported and removed, by stop and by start', async () => {
    const h = daemonHome();
    const pidFile = join(h.home, 'master.pid');
    const dead = deadPid();
    writeFileSync(pidFile, `${dead}\n`);
    const stop = await runCli(['master', 'stop'], { env: h.env });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(`the master was not running (process ${dead} is gone): removed the stale pid file ${pidFile}\n`);
    expect(existsSync(pidFile)).toBe(false);

    writeFileSync(pidFile, `${dead}\n`);
    const r = await runCli(['master', '--port', '0', '--token-file', h.tokenFile, '--daemon'], { env: h.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`note: removed a stale pid file ${pidFile} (process ${dead} is gone)\n`);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).not.toBe(dead);
    expect(processAlive(pid)).toBe(true);
    expect((await runCli(['master', 'stop'], { env: h.env })).code).toBe(0);
    expect(processAlive(pid)).toBe(false);
  });

  it('sloth-agent --daemon does the same, and agent stop --local stops it', async () => {
    const h = daemonHome();
    const master = await masterDaemon(h);
    const child = (await import('node:child_process')).spawn(
      process.execPath,
      [AGENT_BIN, '--name', 'solo', '--master', master.url, '--token-file', h.tokenFile, '--port', '50051', '--daemon'],
      { env: { ...process.env, ...h.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = await collect(child, 30_000);
    expect(r.stderr).toBe('note: --port ignored: an agent listens on no port, it dials out to its master (--master)\n');
    expect(r.code).toBe(0);
    const pid = Number(/agent solo runs in the background \(pid (\d+)\), registered with/.exec(r.stdout)?.[1]);
    expect(processAlive(pid)).toBe(true);
    const stop = await runCli(['agent', 'stop', 'solo', '--local'], { env: h.env });
    expect(stop.stdout).toBe(`stopped agent solo (pid ${pid})\n`);
    expect(processAlive(pid)).toBe(false);
  });
});
