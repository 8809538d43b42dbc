import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

const EXAMPLE = join(REPO, 'examples/configure-files.sloth');
const TASKS = ['site_dir', 'site_conf', 'motd', 'environment'];

/** Runs the example against `root` with JSON output; more flags after. */
async function apply(root: string, extra: string[] = [], env: Record<string, string> = {}) {
  const r = await runCli(['workflow', 'run', 'web', '-f', EXAMPLE, '--param', `root=${root}`, '-o', 'json', ...extra], {
    env,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const mtimes = (root: string) =>
  ['etc/site/site.conf', 'etc/motd', 'etc/environment'].map((f) => statSync(join(root, f)).mtimeMs);
const reloads = (root: string) => readFileSync(join(root, 'reloads.log'), 'utf8').split('\n').filter(Boolean).length;

describe('examples/configure-files.sloth: idempotent files, check mode, diffs, handlers, recap', () => {
  it('changes everything once, then nothing; --check shows a hand edit without undoing it; a real run restores it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sloth-configure-'));
    const home = mkdtempSync(join(tmpdir(), 'sloth-configure-home-'));
    const env = { SLOTH_HOME: home };

    const first = await apply(root, [], env);
    expect(first.status).toBe('success');
    for (const t of TASKS) expect(first.tasks[t], t).toMatchObject({ status: 'success', changed: true });
    expect(first.tasks.reload_site).toMatchObject({ status: 'success' });
    expect(first.recap).toEqual({ localhost: { ok: 5, changed: 4, failed: 0, skipped: 0 } });
    expect(first.check_mode).toBe(false);
    expect(readFileSync(join(root, 'etc/site/site.conf'), 'utf8')).toContain('listen 8080;');
    expect(readFileSync(join(root, 'etc/motd'), 'utf8')).toBe(
      'Welcome to web-01.\nMaintained by:\n  - ANA\n  - BO\nSite port: 8080\n',
    );
    expect(readFileSync(join(root, 'etc/environment'), 'utf8')).toBe('SITE_PORT=8080\n');
    expect((statSync(join(root, 'etc/site/site.conf')).mode & 0o777).toString(8)).toBe('644');
    expect(first.tasks.site_conf.changes[0]).toMatchObject({
      module: 'file_ops',
      function: 'copy',
      target: join(root, 'etc/site/site.conf'),
    });
    expect(reloads(root)).toBe(1);

    const before = mtimes(root);
    const second = await apply(root, [], env);
    for (const t of TASKS) expect(second.tasks[t], t).toMatchObject({ status: 'success', changed: false, changes: [] });
    expect(second.tasks.reload_site).toMatchObject({ status: 'skipped', skip_reason: 'not_notified' });
    expect(second.recap).toEqual({ localhost: { ok: 4, changed: 0, failed: 0, skipped: 0 } });
    expect(mtimes(root)).toEqual(before);
    expect(reloads(root)).toBe(1);

    // A hand edit: check mode reports it (with the diff) and leaves the file as it is.
    const edited = readFileSync(join(root, 'etc/site/site.conf'), 'utf8').replace('listen 8080;', 'listen 9999;');
    writeFileSync(join(root, 'etc/site/site.conf'), edited);
    const check = await runCli(['workflow', 'run', 'web', '-f', EXAMPLE, '--param', `root=${root}`, '--check', '--diff'], {
      env,
      timeoutMs: 60_000,
    });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(`[site_conf] would change: file_ops.copy ${join(root, 'etc/site/site.conf')} (content)`);
    expect(check.stdout).toContain(`--- before: ${join(root, 'etc/site/site.conf')}`);
    expect(check.stdout).toContain('-    listen 9999;\n+    listen 8080;');
    expect(check.stdout).toContain("would run (check mode): notified by 'site_conf'");
    expect(check.stdout).toContain('[site_conf] site.conf: content would be updated');
    expect(check.stdout).toMatch(/✓ site_conf \d+ms would change/);
    expect(check.stdout).toMatch(/Recap \(check mode: nothing was changed\)\n\s+localhost : ok=4 changed=1 failed=0 skipped=1/);
    expect(readFileSync(join(root, 'etc/site/site.conf'), 'utf8')).toBe(edited);
    expect(reloads(root)).toBe(1);

    const checkJson = await apply(root, ['--check'], env);
    expect(checkJson.check_mode).toBe(true);
    expect(checkJson.tasks.site_conf).toMatchObject({ changed: true });
    expect(checkJson.tasks.site_conf.changes[0].diff).toContain('+    listen 8080;');
    expect(checkJson.tasks.motd.changed).toBe(false);

    // The stack knows the files, and sees the edit as drift until a real run puts the file back.
    const resources = await runCli(['stack', 'resources', 'web'], { env });
    expect(resources.stdout).toContain(join(root, 'etc/motd'));
    const drift = await runCli(['stack', 'drift', 'web'], { env });
    expect(drift.code, drift.stdout + drift.stderr).toBe(1);
    expect(drift.stdout).toMatch(/site\.conf.*drifted/);

    const restore = await apply(root, [], env);
    expect(restore.tasks.site_conf.changed).toBe(true);
    expect(restore.tasks.motd.changed).toBe(false);
    expect(readFileSync(join(root, 'etc/site/site.conf'), 'utf8')).toContain('listen 8080;');
    expect(reloads(root)).toBe(2);
    expect((await runCli(['stack', 'drift', 'web'], { env })).code).toBe(0);
  });

  it('a mistake in a configuration call fails at its line, and changes nothing', async () => {
    const dir = writeFiles({
      'bad.sloth': 'task("conf"):command(function()\n  file_ops.copy({ content = "x\\n", mode = "0999" })\nend):build()\n',
      'bad-mode.sloth':
        'task("conf"):command(function()\n  file_ops.copy({ content = "x\\n", dest = "out.txt", mode = "0999" })\nend):build()\n',
    });
    const missing = await runCli(['workflow', 'run', '-f', 'bad.sloth'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toMatch(/bad\.sloth:2: file_ops\.copy: .*dest/);
    const mode = await runCli(['workflow', 'run', '-f', 'bad-mode.sloth'], { cwd: dir });
    expect(mode.code).toBe(1);
    expect(mode.stdout + mode.stderr).toMatch(/bad-mode\.sloth:2: file_ops\.copy: .*mode.*0999/);
    expect(() => statSync(join(dir, 'out.txt'))).toThrow(/ENOENT/);
  });

  it('delegated to a real agent: the same changes, a recap line for the agent, check mode on the agent', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'cfg1', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const root = mkdtempSync(join(tmpdir(), 'sloth-configure-agent-'));
    const remote = [...withMaster(master.url, tokenFile), '--delegate-to', 'cfg1'];

    const first = await apply(root, remote);
    for (const t of TASKS) expect(first.tasks[t], t).toMatchObject({ status: 'success', changed: true });
    expect(first.tasks.site_conf.changes[0]).toMatchObject({ host: 'cfg1', module: 'file_ops', function: 'copy' });
    expect(first.recap.cfg1).toEqual({ ok: 5, changed: 4, failed: 0, skipped: 0 });
    expect(readFileSync(join(root, 'etc/site/site.conf'), 'utf8')).toContain('listen 8080;');
    expect(reloads(root)).toBe(1);

    const before = mtimes(root);
    const second = await apply(root, remote);
    for (const t of TASKS) expect(second.tasks[t], t).toMatchObject({ changed: false });
    expect(second.tasks.reload_site.skip_reason).toBe('not_notified');
    expect(mtimes(root)).toEqual(before);

    writeFileSync(join(root, 'etc/environment'), 'SITE_PORT=1\nOTHER=1\n');
    const check = await apply(root, [...remote, '--check']);
    expect(check.tasks.environment).toMatchObject({ changed: true });
    expect(check.recap.cfg1).toMatchObject({ changed: 1 });
    expect(readFileSync(join(root, 'etc/environment'), 'utf8')).toBe('SITE_PORT=1\nOTHER=1\n');

    const restore = await apply(root, remote);
    expect(restore.tasks.environment.changed).toBe(true);
    expect(readFileSync(join(root, 'etc/environment'), 'utf8')).toBe('SITE_PORT=8080\nOTHER=1\n');
    expect(reloads(root)).toBe(2);
  });

  it('a delegated task whose src lies outside the workflow directory fails at the call, naming it', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'cfg2', master.url, tokenFile);
    await agent.waitFor(/registered with the master/);
    const outside = writeFiles({ 'shared.conf': 'x\n' });
    const dir = writeFiles({
      'wf.sloth': `task("conf"):delegate_to("cfg2"):command(function()\n  file_ops.copy({ src = "${join(outside, 'shared.conf')}", dest = "/tmp/never-written-by-sloth" })\nend):build()\n`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', ...withMaster(master.url, tokenFile)], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/wf\.sloth:2: file_ops\.copy: .*outside the workflow's directory/);
  });
});
