import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb,
  cleanUp,
  dpkgStatus,
  localRepository,
  testPackageName,
} from '../../../packages/modules/pkg/src/deb.test-helper.js';
import { startSshd, type TestSshd } from '../../../packages/ssh/src/sshd.test-helper.js';
import { REPO, runCli, TEST_SLOTH_HOME, writeFiles } from './cli.test-helper.js';

// Agentless: configuration calls and whole task bodies acting on hosts reached over SSH (real sshd instances on
// 127.0.0.1, one per "host"). They all share this machine's filesystem, so each host writes under its own path.
let sshd: TestSshd;

beforeAll(async () => {
  sshd = await startSshd(3);
});
afterAll(async () => {
  await sshd?.close();
});

function inventory(): string {
  const [a, b, c] = sshd.ports;
  return `defaults:
  user: root
  key_file: ${sshd.keyFile}
hosts:
  web-01: { address: 127.0.0.1, port: ${a}, groups: [web] }
  web-02: { address: 127.0.0.1, port: ${b}, groups: [web] }
  db-01: { address: 127.0.0.1, port: ${c}, groups: [db] }
`;
}

const FILES = { 'files/app.conf': 'port = 8080\n', 'files/motd.j2': 'hello {{ who }}\n' };

function targetWorkflow(root: string, target: string): string {
  return `task("conf"):command(function()
  local copied = file_ops.copy({ src = "files/app.conf", dest = "${root}/app.conf", mode = "0640", target = "${target}" })
  local rendered = file_ops.template({ src = "files/motd.j2", dest = "${root}/motd", vars = { who = "sloth" }, target = "${target}" })
  local line = file_ops.lineinfile({ path = "${root}/extra.conf", regexp = "^port", line = "port = 9090", create = true, target = "${target}" })
  local root_user = user.info("root", { target = "${target}" })
  return true, "ok", { copied = copied.changed, rendered = rendered.changed, line = line.changed, uid = root_user.uid }
end):build()
`;
}

async function run(dir: string, args: string[]) {
  const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', '--output', 'json', ...args], { cwd: dir, timeoutMs: 90_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('target = an SSH host on a configuration call', () => {
  it('converges over SSH with the same changes and diffs as here; a re-run changes nothing; --check changes nothing', async () => {
    const remoteRoot = mkdtempSync(join(tmpdir(), 'sloth-ssh-remote-'));
    const localRoot = mkdtempSync(join(tmpdir(), 'sloth-ssh-local-'));
    const dir = writeFiles({
      ...FILES,
      'inventory.yaml': inventory(),
      'wf.sloth': targetWorkflow(remoteRoot, 'web-01'),
      'local.sloth': targetWorkflow(localRoot, 'web-01')
        .replaceAll(', target = "web-01"', '')
        .replace(', { target = "web-01" }', ''),
    });
    const inv = ['-i', 'inventory.yaml'];
    const first = await run(dir, [...inv, '--diff']);
    const task = first.tasks.conf;
    expect(task).toMatchObject({ status: 'success', changed: true });
    expect(task.output).toEqual({ copied: true, rendered: true, line: true, uid: 0 });
    expect(task.changes.map((c: { function: string; host?: string }) => `${c.function}@${c.host}`)).toEqual([
      'copy@web-01',
      'template@web-01',
      'lineinfile@web-01',
    ]);
    expect(first.recap['web-01']).toMatchObject({ changed: 1 });
    expect(readFileSync(join(remoteRoot, 'app.conf'), 'utf8')).toBe('port = 8080\n');
    expect(readFileSync(join(remoteRoot, 'extra.conf'), 'utf8')).toBe('port = 9090\n');
    expect(statSync(join(remoteRoot, 'app.conf')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(remoteRoot, 'motd'), 'utf8')).toBe('hello sloth\n');

    // The same calls made here report the same changes and diffs (paths aside).
    const local = JSON.parse(
      (await runCli(['workflow', 'run', '-f', 'local.sloth', '-o', 'json'], { cwd: dir, timeoutMs: 90_000 })).stdout,
    );
    const shape = (changes: Array<Record<string, unknown>>, root: string) =>
      JSON.parse(JSON.stringify(changes.map(({ host: _h, ...c }) => c)).replaceAll(root, 'ROOT'));
    expect(shape(task.changes, remoteRoot)).toEqual(shape(local.tasks.conf.changes, localRoot));

    const second = await run(dir, inv);
    expect(second.tasks.conf).toMatchObject({ changed: false });
    expect(second.tasks.conf.output).toMatchObject({ copied: false, rendered: false, line: false });

    writeFileSync(join(remoteRoot, 'app.conf'), 'port = 1\n');
    const before = statSync(join(remoteRoot, 'app.conf'));
    const check = await run(dir, [...inv, '--check']);
    expect(check.tasks.conf.output).toMatchObject({ copied: true, rendered: false });
    expect(readFileSync(join(remoteRoot, 'app.conf'), 'utf8')).toBe('port = 1\n');
    expect(statSync(join(remoteRoot, 'app.conf')).ino).toBe(before.ino);
  });

  it('takes an ssh:// address (the data directory keeps the host key), and says clearly what failed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sloth-ssh-url-'));
    const port = sshd.ports[0];
    const dir = writeFiles({
      'wf.sloth': `task("t"):command(function()\n  local r = file_ops.file({ path = "${root}/flag", state = "touch", target = "ssh://root@127.0.0.1:${port}" })\n  return true, "ok", { changed = r.changed }\nend):build()\n`,
      'down.sloth': `task("t"):command(function()\n  file_ops.file({ path = "${root}/x", state = "touch", target = "gone-01" })\nend):build()\n`,
      'inventory.yaml': `hosts:\n  gone-01: { address: 127.0.0.1, port: 1, user: root, key_file: ${sshd.keyFile} }\n`,
    });
    // With no key given, the user's usual keys are tried: the test's key is made the default one for this run.
    const home = writeFiles({ '.ssh/id_ed25519': readFileSync(sshd.keyFile, 'utf8') });
    const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', '-o', 'json'], {
      cwd: dir,
      env: { HOME: home, SSH_AUTH_SOCK: '' },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tasks.t.changes[0].host).toBe(`ssh://root@127.0.0.1:${port}`);
    expect(readFileSync(join(TEST_SLOTH_HOME, 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${port} ssh-ed25519 `);

    const down = await runCli(['workflow', 'run', '-f', 'down.sloth', '-i', 'inventory.yaml'], { cwd: dir, timeoutMs: 60_000 });
    expect(down.code).toBe(1);
    expect(down.stdout + down.stderr).toMatch(/down\.sloth:2: .*ssh root@127\.0\.0\.1:1: cannot connect: ECONNREFUSED/);
    expect(down.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});

describe(':delegate_to SSH hosts (agentless fan-out)', () => {
  const fanout = (root: string) => `local deploy = task("deploy")
  :delegate_to("web")
  :command(function(this)
    local host = this.agent.get()
    file_ops.file({ path = "${root}/" .. host, state = "directory" })
    local r = file_ops.copy({ content = "served by " .. host .. "\\n", dest = "${root}/" .. host .. "/index.html", mode = "0644" })
    local who = exec.run("id -un")
    return true, "ok", { host = host, changed = r.changed, user = who.stdout }
  end)
  :build()

local report = task("report")
  :depends_on({ "deploy" })
  :command(function(this, params, deps)
    log.info("deployed on " .. deps.deploy["web-01"].host .. " and " .. deps.deploy["web-02"].host)
    return true
  end)
  :build()

workflow.define("site", { tasks = { deploy, report } })
`;

  it('runs the body here once per host of the group, each module call acting there; recap per host; --limit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sloth-ssh-fanout-'));
    const dir = writeFiles({ 'inventory.yaml': inventory(), 'wf.sloth': fanout(root) });
    const out = await run(dir, ['-i', 'inventory.yaml', '--forks', '1']);
    expect(out.tasks.deploy.status).toBe('success');
    expect(out.tasks.deploy.output['web-01']).toMatchObject({ host: 'web-01', changed: true, user: 'root\n' });
    expect(Object.keys(out.tasks.deploy.agents).sort()).toEqual(['web-01', 'web-02']);
    expect(out.recap['web-01']).toEqual({ ok: 1, changed: 1, failed: 0, skipped: 0 });
    expect(out.recap['web-02']).toEqual({ ok: 1, changed: 1, failed: 0, skipped: 0 });
    expect(readFileSync(join(root, 'web-02/index.html'), 'utf8')).toBe('served by web-02\n');

    const again = await run(dir, ['-i', 'inventory.yaml']);
    expect(again.recap['web-01']).toEqual({ ok: 1, changed: 0, failed: 0, skipped: 0 });

    const limited = await runCli(['workflow', 'run', '-f', 'wf.sloth', '-i', 'inventory.yaml', '--limit', 'web-02,db'], {
      cwd: dir,
      timeoutMs: 90_000,
    });
    // report reads web-01's output, which a run limited to web-02 does not have: it fails, naming that.
    expect(limited.code).toBe(1);
    expect(limited.stdout).toMatch(/web-02 +: ok=1 changed=0/);
    expect(limited.stdout).not.toMatch(/web-01 +:/);
  });

  it('refuses goroutines in a task acting on an SSH host (their threads would act on this machine)', async () => {
    const dir = writeFiles({
      'inventory.yaml': inventory(),
      'wf.sloth': `task("t"):delegate_to("web-01"):command(function()\n  goroutine.async(function() return 1 end)\nend):build()\n`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', '-i', 'inventory.yaml'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /wf\.sloth:2: goroutine\.async: goroutines cannot act on web-01: this task runs its calls there over SSH/,
    );
  });

  it('refuses bad flags and inventories with clear errors', async () => {
    const dir = writeFiles({ 'inventory.yaml': inventory(), 'wf.sloth': fanout('/tmp/unused') });
    const cases: Array<[string[], RegExp]> = [
      [['--limit', 'web'], /--limit needs an inventory/],
      [
        ['-i', 'inventory.yaml', '--limit', 'wbe'],
        /--limit wbe: 'wbe' is neither a host nor a group of the inventory \(did you mean 'web'\?\)/,
      ],
      [['-i', 'missing.yaml'], /missing\.yaml/],
      [['-i', 'inventory.yaml', '--forks', '0'], /forks/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', ...args], { cwd: dir, timeoutMs: 60_000 });
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});

describe('users and checks on an SSH host', () => {
  it('user.create over SSH: created, then unchanged, --check changes nothing; infra_test checks read the host', async () => {
    const name = `slothssh${process.pid % 100000}`;
    const dir = writeFiles({
      'inventory.yaml': inventory(),
      'wf.sloth': `task("t"):command(function()
  local u = user.create({ name = "${name}", shell = "/bin/sh", comment = "over ssh", target = "web-02" })
  infra_test.user_exists("${name}", "web-02")
  local results = infra_test.soft(function()
    infra_test.file_exists("/nonexistent/${name}", "web-02")
  end)
  return true, "ok", { changed = u.changed, failure = results[1].message }
end):build()
`,
    });
    try {
      const first = await run(dir, ['-i', 'inventory.yaml']);
      expect(first.tasks.t.output).toEqual({
        changed: true,
        failure: `infra_test.file_exists: /nonexistent/${name} does not exist (on web-02)`,
      });
      expect(first.tasks.t.changes[0]).toMatchObject({ function: 'create', host: 'web-02' });
      expect(execFileSync('getent', ['passwd', name], { encoding: 'utf8' })).toContain(':over ssh:');
      const second = await run(dir, ['-i', 'inventory.yaml']);
      expect(second.tasks.t.output.changed).toBe(false);
      execFileSync('usermod', ['-c', 'changed here', name]);
      const check = await run(dir, ['-i', 'inventory.yaml', '--check']);
      expect(check.tasks.t.output.changed).toBe(true);
      expect(execFileSync('getent', ['passwd', name], { encoding: 'utf8' })).toContain(':changed here:');
    } finally {
      execFileSync('sh', ['-c', `userdel -r ${name} 2>/dev/null || true`]);
    }
  });
});

describe("the README's SSH example", () => {
  it("runs as written against the test hosts (its inventory and paths swapped for the test's)", async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const example = /```lua\n(-- site\.sloth[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const root = mkdtempSync(join(tmpdir(), 'sloth-ssh-readme-'));
    const source = (example as string)
      .replace('dest = "/etc/motd"', `dest = "${root}/" .. this.agent.get() .. ".motd"`)
      .replace('"/etc/db.conf"', `"${root}/db.conf"`);
    expect(source).not.toContain('/etc/');
    const dir = writeFiles({ 'inventory.yaml': inventory(), 'site.sloth': source });
    const r = await runCli(['workflow', 'run', 'site', '-f', 'site.sloth', '-i', 'inventory.yaml', '-o', 'json'], {
      cwd: dir,
      timeoutMs: 90_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.tasks.motd.output).sort()).toEqual(['web-01', 'web-02']);
    expect(readFileSync(join(root, 'web-01.motd'), 'utf8')).toBe('served by web-01\n');
    expect(readFileSync(join(root, 'db.conf'), 'utf8')).toBe('listen = 0.0.0.0\n');
    expect(out.recap['db-01']).toMatchObject({ changed: 1 });
  });
});

describe("packages on an SSH host (real apt and dpkg; the host's apt reads a local repository)", () => {
  it('pkg.install over SSH: installed, then unchanged without starting apt, --check installs nothing', async () => {
    const name = testPackageName();
    const repo = localRepository();
    repo.publish([buildDeb(name, '1.0-1')]);
    execFileSync('apt-get', ['update', '-qq'], { env: { ...process.env, APT_CONFIG: repo.aptConfig }, stdio: 'pipe' });
    // The "host" is configured with that apt configuration (sshd gives it to every session).
    const host = await startSshd(1, { APT_CONFIG: repo.aptConfig });
    const dir = writeFiles({
      'inventory.yaml': `hosts:\n  pkg-01: { address: 127.0.0.1, port: ${host.ports[0]}, user: root, key_file: ${host.keyFile} }\n`,
      'wf.sloth': `task("t"):command(function()\n  local r = pkg.install({ packages = { "${name}" }, target = "pkg-01" })\n  return true, "ok", { changed = r.changed }\nend):build()\n`,
    });
    try {
      const first = await run(dir, ['-i', 'inventory.yaml']);
      expect(first.tasks.t.output).toEqual({ changed: true });
      expect(first.tasks.t.changes[0]).toMatchObject({ host: 'pkg-01' });
      expect(dpkgStatus(name)).toBe('install ok installed 1.0-1');
      const history = repo.history();
      const second = await run(dir, ['-i', 'inventory.yaml']);
      expect(second.tasks.t.output).toEqual({ changed: false });
      expect(repo.history()).toBe(history);
      execFileSync('dpkg', ['--purge', name], { stdio: 'pipe' });
      const check = await run(dir, ['-i', 'inventory.yaml', '--check']);
      expect(check.tasks.t.output).toEqual({ changed: true });
      expect(dpkgStatus(name)).toBe('');
    } finally {
      cleanUp([name]);
      await host.close();
    }
  });
});
