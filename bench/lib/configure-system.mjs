// The configure case's machine-wide resources: throw-away users and small local .deb packages served by a private
// apt repository (its own APT_CONFIG: the machine's sources and index are left alone). Needs root and Debian's
// apt, dpkg-deb and useradd.
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { hasTool } from './measure.mjs';
import { debHelpers, userHelpers } from './test-helpers.mjs';

const VERSION = '1.0-1';
const nn = (i) => String(i).padStart(2, '0');

/** Why this machine cannot run the users-and-packages part, or undefined when it can. */
export function systemUnavailable() {
  if (process.getuid?.() !== 0) return 'needs root (useradd, apt-get)';
  for (const tool of ['apt-get', 'dpkg-deb', 'useradd']) if (!hasTool(tool)) return `needs ${tool} (Debian)`;
  return undefined;
}

/**
 * `count` users (slothbench-uNN) and `count` packages (slothbench-pNN, version 1.0-1) published in a private apt
 * repository whose index is fetched once here. Removes leftovers of an earlier run that died before its clean-up.
 */
export async function configureSystem(count) {
  const deb = await debHelpers();
  const { getent, accountMtimes } = await userHelpers();
  const users = Array.from({ length: count }, (_, i) => `slothbench-u${nn(i + 1)}`);
  const packages = Array.from({ length: count }, (_, i) => `slothbench-p${nn(i + 1)}`);
  const repo = deb.localRepository();
  const env = { ...process.env, APT_CONFIG: repo.aptConfig };

  const removeUsers = () => {
    for (const name of users) {
      spawnSync('userdel', ['-r', name], { stdio: 'ignore' });
      spawnSync('groupdel', [name], { stdio: 'ignore' });
    }
  };
  /** Removes the users (their homes and groups too) and purges the packages: the state "from scratch" starts in. */
  const reset = () => {
    removeUsers();
    const known = packages.filter((n) => deb.dpkgStatus(n) !== '');
    if (known.length > 0) execFileSync('dpkg', ['--purge', ...known], { stdio: 'pipe', timeout: 120_000 });
  };
  /** reset, and the repository and .deb files removed (the helper's clean-up). */
  const remove = () => {
    removeUsers();
    deb.cleanUp(packages);
  };
  try {
    reset();
    repo.publish(packages.map((name) => deb.buildDeb(name, VERSION)));
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'pipe', timeout: 60_000 });
  } catch (e) {
    remove();
    throw e;
  }

  /** What the machine says of the users (passwd entry without uid and gid, home present) and packages. */
  const state = () => ({
    users: users.map((name) => {
      const entry = getent('passwd', name);
      if (!entry) return `${name}: missing`;
      const [, , , , gecos, home, shell] = entry.split(':');
      let homeDir = 'no home';
      try {
        if (statSync(home).isDirectory()) homeDir = 'home exists';
      } catch {}
      return `${name}: ${gecos}, ${home} (${homeDir}), ${shell}`;
    }),
    packages: packages.map((name) => `${name}: ${deb.dpkgStatus(name) || 'not installed'}`),
  });

  /** Throws naming the first user or package that is not there as configured. */
  const expectConfigured = (shell) => {
    const s = state();
    const badUser = s.users.find((u) => !u.includes('(home exists)') || !u.endsWith(`, ${shell}`));
    if (badUser) throw new Error(`user ${badUser}`);
    const badPkg = s.packages.find((p) => !p.endsWith(`install ok installed ${VERSION}`));
    if (badPkg) throw new Error(`package ${badPkg}`);
  };

  /**
   * Evidence that a run changed nothing, taken before and compared after: apt's history in the private repository
   * (strict: a new entry means apt-get installed something) and the account databases' mtimes (other work on the
   * machine may create users too, so that one is reported, not fatal).
   */
  const watch = () => {
    const before = { history: repo.history(), accounts: accountMtimes().join('\n') };
    return () => {
      if (repo.history() !== before.history) throw new Error('apt-get changed packages (a new entry in its history)');
      return { accountsTouched: accountMtimes().join('\n') !== before.accounts };
    };
  };

  return { users, packages, env, aptConfig: repo.aptConfig, reset, remove, state, expectConfigured, watch };
}
