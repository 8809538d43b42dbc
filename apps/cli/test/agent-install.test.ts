import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../packages/ssh/src/sshd.test-helper.js';
import { runCli, waitForOutput, writeFiles } from './cli.test-helper.js';
import { fleetHome, startMaster, TOKEN, withMaster } from './fleet.test-helper.js';

// `agent install` into a host reached over a real sshd on 127.0.0.1 (this machine: the install goes under temp
// directories given as --prefix and friends). PID 1 here is not systemd: the install says so, and the test starts the
// agent with the unit's own ExecStart, as systemd would.
/** `workflow run` of one task delegated to `agent` whose body is `body` (Lua), its JSON report on stdout. */
function runOnAgent(agent: string, body: string, master: string[]) {
  const flow = writeFiles({
    'on-agent.sloth': `task("there"):delegate_to("${agent}"):command(function()\n  ${body}\nend):build()\n`,
  });
  return runCli(['workflow', 'run', '-f', 'on-agent.sloth', '-o', 'json', ...master], { cwd: flow, timeoutMs: 120_000 });
}

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd(1);
});
afterAll(async () => {
  await sshd?.close();
});

describe('agent install over SSH (no systemd here: the test starts the unit command itself)', () => {
  it('installs Node and sloth-agent with a 0600 token and a unit; the unit command registers Active; re-install changes nothing; an upgrade replaces the release; uninstall removes it', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const root = mkdtempSync(join(tmpdir(), 'sloth-install-'));
    const layout = [
      '--prefix',
      `${root}/opt`,
      '--unit-dir',
      `${root}/units`,
      '--config-dir',
      `${root}/etc`,
      '--agent-data-dir',
      `${root}/data`,
    ];
    const dest = `root@127.0.0.1:${sshd.ports[0]}`;
    const install = [
      'agent',
      'install',
      dest,
      '--name',
      'inst-01',
      '--key-file',
      sshd.keyFile,
      ...withMaster(master.url, tokenFile),
      '--labels',
      'role=web',
      ...layout,
    ];

    const first = await runCli(install, { timeoutMs: 180_000 });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toMatch(/sending Node and sloth-agent \(release [0-9a-f]{16}\)/);
    expect(first.stdout).toContain(`agent inst-01 installed on ${dest} (${root}/units/sloth-agent-inst-01.service)`);
    expect(first.stdout).toContain('has no systemd (/run/systemd/system is missing)');
    const unit = readFileSync(join(root, 'units/sloth-agent-inst-01.service'), 'utf8');
    expect(unit).toMatch(/^Restart=always$/m);
    const token = join(root, 'etc/agent-inst-01.token');
    expect(readFileSync(token, 'utf8')).toBe(`${TOKEN}\n`);
    expect(statSync(token).mode & 0o777).toBe(0o600);
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] as string;
    expect(first.stdout).toContain(execStart);
    expect(execStart).toContain('--labels role=web');

    // As systemd would: the unit's command, nothing else (its own Node, its own copy of the agent).
    const [file, ...args] = execStart.split(' ');
    let out = '';
    const collect = (child: ChildProcess) => {
      child.stdout?.on('data', (d) => {
        out += d;
      });
      child.stderr?.on('data', (d) => {
        out += d;
      });
    };
    let agent = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
    collect(agent);
    try {
      await waitForOutput(() => out, /registered with the master/, 60_000);
      const list = await runCli(['agent', 'list', '-o', 'json', ...withMaster(master.url, tokenFile)]);
      expect(JSON.parse(list.stdout)).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'inst-01', status: 'active', labels: { role: 'web' } })]),
      );
      // The installed copy runs Lua: a delegated task with a module call and a goroutine (its Lua files and worker).
      const ran = await runOnAgent(
        'inst-01',
        'local ok, n = goroutine.await(goroutine.async(function() return #fs.ls("/") end))\n  assert(ok, n)\n  return true, "ok", { entries = n, out = exec.run("echo installed").stdout }',
        withMaster(master.url, tokenFile),
      );
      expect(ran.code, ran.stdout + ran.stderr + out).toBe(0);
      expect(JSON.parse(ran.stdout).tasks.there.output).toMatchObject({ out: 'installed\n' });

      const second = await runCli(install, { timeoutMs: 120_000 });
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toContain(`agent inst-01 on ${dest}: nothing to change`);
      expect(second.stderr).not.toContain('sending');
      expect(second.stdout).not.toContain('keeps its old release');

      // An upgrade: another release is current there (the same files under another name stand for an older one).
      const releases = join(root, 'opt/releases');
      const [id] = readdirSync(releases) as [string];
      renameSync(join(releases, id), join(releases, 'older'));
      rmSync(join(root, 'opt/current'));
      symlinkSync('releases/older', join(root, 'opt/current'));
      const upgrade = await runCli(install, { timeoutMs: 180_000 });
      expect(upgrade.code, upgrade.stdout + upgrade.stderr).toBe(0);
      expect(upgrade.stderr).toContain(`sending Node and sloth-agent (release ${id})`);
      expect(upgrade.stdout).toContain(`agent inst-01 installed on ${dest}`);
      expect(upgrade.stdout).toContain('An agent running there keeps its old release until restarted.');
      expect(readlinkSync(join(root, 'opt/current'))).toBe(`releases/${id}`);
      expect(readdirSync(releases)).toEqual([id]);
      // Restarted as systemd would after an upgrade: the new release registers again.
      agent.kill('SIGTERM');
      await waitFor(() => agent.exitCode !== null || agent.signalCode !== null, 20_000, 'the old agent to stop');
      out = '';
      agent = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
      collect(agent);
      await waitForOutput(() => out, /registered with the master/, 60_000);

      const removed = await runCli(['agent', 'uninstall', dest, '--name', 'inst-01', '--key-file', sshd.keyFile, ...layout], {
        timeoutMs: 60_000,
      });
      expect(removed.code, removed.stdout + removed.stderr).toBe(0);
      expect(removed.stdout).toContain(`agent inst-01 removed from ${dest}`);
      await waitFor(() => agent.exitCode !== null || agent.signalCode !== null, 20_000, 'the agent to stop');
      expect(
        existsSync(join(root, 'units/sloth-agent-inst-01.service')) || existsSync(token) || existsSync(join(root, 'opt')),
      ).toBe(false);
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
  }, 300_000);

  it('agent package writes the standalone agent: unpacked anywhere, it registers and runs a Lua task with its own Node', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const out = join(mkdtempSync(join(tmpdir(), 'sloth-package-')), 'agent.tar.gz');
    const made = await runCli(['agent', 'package', '--out', out], { timeoutMs: 120_000 });
    expect(made.code, made.stdout + made.stderr).toBe(0);
    expect(made.stdout).toMatch(new RegExp(`^wrote ${out} \\(release [0-9a-f]{16}: Node v`));
    const dir = mkdtempSync(join(tmpdir(), 'sloth-unpacked-'));
    expect(spawnSync('tar', ['-xzf', out, '-C', dir]).status).toBe(0);
    const args = [join(dir, 'agent/bin/sloth-agent.js'), '--name', 'pkg-1', '--master', master.url, '--token-file', tokenFile];
    const agent = spawn(join(dir, 'node'), [...args, '--data-dir', join(dir, 'data')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    let log = '';
    agent.stdout?.on('data', (d) => {
      log += d;
    });
    agent.stderr?.on('data', (d) => {
      log += d;
    });
    try {
      await waitForOutput(() => log, /registered with the master/, 60_000);
      const ran = await runOnAgent(
        'pkg-1',
        'local ok, out = goroutine.await(goroutine.async(function() return exec.run("echo packaged").stdout end))\n  assert(ok, out)\n  return true, "ok", { out = out }',
        withMaster(master.url, tokenFile),
      );
      expect(ran.code, ran.stdout + ran.stderr + log).toBe(0);
      expect(JSON.parse(ran.stdout).tasks.there.output).toEqual({ out: 'packaged\n' });
    } finally {
      agent.kill('SIGTERM');
    }
    const bad = await runCli(['agent', 'package', '--out', join(dir, 'no-such-dir', 'x.tar.gz')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no-such-dir/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('says what is wrong: no token, a host it cannot reach', async () => {
    const noToken = await runCli(['agent', 'install', 'root@127.0.0.1:1', '--name', 'x'], { env: { SLOTH_TOKEN: '' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/agent install needs the master's token/);
    const { tokenFile } = fleetHome();
    const down = await runCli([
      'agent',
      'install',
      'root@127.0.0.1:1',
      '--name',
      'x',
      '--token-file',
      tokenFile,
      '--master',
      '127.0.0.1:1',
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/ssh root@127\.0\.0\.1:1: cannot connect: ECONNREFUSED/);
    expect(down.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});
