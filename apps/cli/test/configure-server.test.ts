import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The package and account helpers of the modules' own tests: real .deb files, a local apt repository, real users.
import {
  buildDeb,
  dpkgStatus,
  localRepository,
  cleanUp as purgePackages,
  testPackageName,
} from '../../../packages/modules/pkg/src/deb.test-helper.js';
import { getent, cleanUp as removeUsers, throwAwayName } from '../../../packages/modules/user/src/user-test.test-helper.js';
import { REPO, runCli, writeFiles } from './cli.test-helper.js';

const EXAMPLE = join(REPO, 'examples/configure-server.sloth');
const packages: string[] = [];
afterAll(() => {
  purgePackages(packages);
  removeUsers();
});

/** A package apt can install by name (from a local repository, offline), and a user name: the example's values. */
function server() {
  const name = testPackageName();
  packages.push(name);
  const repo = localRepository();
  repo.publish([buildDeb(name, '1.0-1')]);
  execFileSync('apt-get', ['update', '-qq'], { env: { ...process.env, APT_CONFIG: repo.aptConfig }, stdio: 'pipe' });
  const username = throwAwayName();
  const values = writeFiles({ 'server.yaml': `packages: [${name}]\nusername: ${username}\n` });
  const run = (extra: string[] = []) =>
    runCli(['workflow', 'run', '-f', EXAMPLE, '-v', join(values, 'server.yaml'), ...extra], {
      env: { APT_CONFIG: repo.aptConfig },
      timeoutMs: 120_000,
    });
  return { name, username, repo, run };
}

describe('examples/configure-server.sloth: the README first example, with real apt, dpkg and useradd (as root)', () => {
  it('installs and creates once, then finds the system in its desired state without starting apt; drift sees a user deleted by hand', async () => {
    const { name, username, repo, run } = server();
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('[configure-server] Changes were made');
    expect(first.stdout).toMatch(/localhost : ok=1 changed=1 failed=0 skipped=0/);
    expect(dpkgStatus(name)).toBe('install ok installed 1.0-1');
    expect(getent('passwd', username)).toBeDefined();
    const runsOfApt = repo.history();

    const second = await run(['-o', 'json']);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.tasks['configure-server']).toMatchObject({ status: 'success', changed: false, changes: [] });
    expect(second.stderr).toContain('[configure-server] System already in desired state');
    // apt-get was not started: its history has no new run.
    expect(repo.history()).toBe(runsOfApt);

    execFileSync('userdel', [username]);
    const drift = await runCli(['stack', 'drift', 'configure-server']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(1);
    expect(drift.stdout).toMatch(new RegExp(`user\\W+${username}\\W+user\\W+missing`));
    expect(drift.stdout).toMatch(new RegExp(`package\\W+${name}\\W+pkg\\W+in_sync`));
  });

  it('--check on a machine without them changes nothing and says what it would do', async () => {
    const { name, username, repo, run } = server();
    const check = await run(['--check', '-o', 'json']);
    expect(check.code, check.stderr).toBe(0);
    const report = JSON.parse(check.stdout);
    expect(report.check_mode).toBe(true);
    expect(report.tasks['configure-server'].changed).toBe(true);
    const targets = report.tasks['configure-server'].changes.map(
      (c: { module: string; target: string }) => `${c.module}:${c.target}`,
    );
    expect(targets).toEqual(expect.arrayContaining([`pkg:${name}`, `user:${username}`]));
    expect(check.stderr).toContain('Changes were made');
    expect(dpkgStatus(name)).toBe('');
    expect(getent('passwd', username)).toBeUndefined();
    expect(repo.history()).toBe('');
  });
});
