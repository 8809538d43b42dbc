import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

// `target = "agent"` on a configuration call: that one call runs on the agent through a real master, the rest of the
// task here. The agent runs on this machine too, so where a change happened is told by its host in the results.
function workflow(root: string): string {
  return `task("conf"):command(function()
  local copied = file_ops.copy({ src = "files/app.conf", dest = "${root}/app.conf", mode = "0640", target = "tgt1" })
  local rendered = file_ops.template({ src = "files/motd.j2", dest = "${root}/motd", vars = { who = "sloth" }, target = "tgt1" })
  local here = file_ops.copy({ content = "local\\n", dest = "${root}/local.txt" })
  local root_user = user.info("root", { target = "tgt1" })
  return true, "ok", { copied = copied.changed, rendered = rendered.changed, here = here.changed, uid = root_user.uid }
end):build()
`;
}

const FILES = { 'files/app.conf': 'port = 8080\n', 'files/motd.j2': 'hello {{ who }}\n' };

async function run(dir: string, args: string[]) {
  const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', '--output', 'json', ...args], { cwd: dir, timeoutMs: 90_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('target = "agent" on a configuration call', () => {
  it('runs the call on the agent (files it names travel), reports changes under its host, honours --check', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'tgt1', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const root = mkdtempSync(join(tmpdir(), 'sloth-target-'));
    const dir = writeFiles({ ...FILES, 'wf.sloth': workflow(root) });
    const remote = withMaster(master.url, tokenFile);

    const first = await run(dir, remote);
    const task = first.tasks.conf;
    expect(task).toMatchObject({ status: 'success', changed: true });
    expect(task.output).toEqual({ copied: true, rendered: true, here: true, uid: 0 });
    const hosts = task.changes.map((c: { function: string; host?: string }) => `${c.function}@${c.host ?? 'here'}`);
    expect(hosts).toEqual(['copy@tgt1', 'template@tgt1', 'copy@here']);
    expect(first.recap.tgt1).toMatchObject({ changed: 1 });
    expect(readFileSync(join(root, 'app.conf'), 'utf8')).toBe('port = 8080\n');
    expect(statSync(join(root, 'app.conf')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('hello sloth\n');

    const second = await run(dir, remote);
    expect(second.tasks.conf).toMatchObject({ changed: false });
    expect(second.tasks.conf.output).toMatchObject({ copied: false, rendered: false, here: false });

    writeFileSync(join(root, 'app.conf'), 'port = 1\n');
    const check = await run(dir, [...remote, '--check']);
    expect(check.check_mode).toBe(true);
    expect(check.tasks.conf.output).toMatchObject({ copied: true, rendered: false });
    expect(readFileSync(join(root, 'app.conf'), 'utf8')).toBe('port = 1\n');
  });

  it('errors at the caller line: an unknown agent, a failure on the agent, bad input (checked before it travels), no master', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'tgt2', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const root = mkdtempSync(join(tmpdir(), 'sloth-target-bad-'));
    const dir = writeFiles({
      ...FILES,
      'unknown.sloth': `task("t"):command(function()\n  pkg.install({ packages = { "x" }, target = "tgt9" })\nend):build()\n`,
      'missing.sloth': `task("t"):command(function()\n  file_ops.copy({ src = "files/nope.conf", dest = "${root}/nope", target = "tgt2" })\nend):build()\n`,
      'bad.sloth': `task("t"):command(function()\n  file_ops.copy({ content = "x", dest = "${root}/bad", mode = "0999", target = "tgt2" })\nend):build()\n`,
      'nosystemd.sloth': `task("t"):command(function()\n  systemd.start("nginx", { target = "tgt2" })\nend):build()\n`,
      'badtarget.sloth': `task("t"):command(function()\n  user.info("root", { target = 42 })\nend):build()\n`,
    });
    const remote = withMaster(master.url, tokenFile);
    const fails = async (file: string, args: string[], re: RegExp) => {
      const r = await runCli(['workflow', 'run', '-f', file, ...args], { cwd: dir, timeoutMs: 90_000 });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    };
    await fails('unknown.sloth', remote, /unknown\.sloth:2: pkg\.install: no agent named 'tgt9' \(did you mean 'tgt2'\?\)/);
    await fails('missing.sloth', remote, /missing\.sloth:2: file_ops\.copy: .*nope\.conf.* \(on tgt2\)/);
    await fails('bad.sloth', remote, /bad\.sloth:2: file_ops\.copy: .*mode.*0999/);
    expect(() => statSync(join(root, 'bad'))).toThrow(/ENOENT/);
    await fails(
      'nosystemd.sloth',
      remote,
      /nosystemd\.sloth:2: systemd\.start: systemd is not running here \(PID 1 is .*\) \(on tgt2\)/,
    );
    await fails(
      'badtarget.sloth',
      remote,
      /badtarget\.sloth:2: user\.info: option 'target' must be an agent's name, an inventory host or ssh:\/\/user@host, got number/,
    );
    await fails(
      'missing.sloth',
      [],
      /missing\.sloth:2: file_ops\.copy: running it on agent 'tgt2' needs a master, but this run has none/,
    );
  });

  it('infra_test checks with an agent argument run there: a pass, a failure ending (on AGENT), both counted here', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'tgt3', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const root = mkdtempSync(join(tmpdir(), 'sloth-target-check-'));
    writeFileSync(join(root, 'present'), 'x');
    const dir = writeFiles({
      'checks.sloth': `task("verify"):command(function()
  infra_test.file_exists("${root}/present", "tgt3")
  infra_test.can_connect("127.0.0.1", ${new URL(master.url).port}, "2s", "tgt3")
  infra_test.file_exists("${root}/absent", "tgt3")
end):build()
`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'checks.sloth', '--output', 'json', ...withMaster(master.url, tokenFile)], {
      cwd: dir,
      timeoutMs: 90_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const task = JSON.parse(r.stdout).tasks.verify;
    expect(task.error.split('\n')[0]).toMatch(/^checks\.sloth:4: infra_test\.file_exists: .*absent.* \(on tgt3\)$/);
    expect(task.assertions).toMatchObject({ passed: 2, failed: 1 });
  });
});
