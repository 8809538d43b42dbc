import type { Driver } from './driver.js';
import { noLockWait, notSupported, readTool } from './manager-run.js';
import { rpmFile, rpmQuery } from './rpm-database.js';

/**
 * `dnf check-update -q` lines: `name.arch  [epoch:]version-release  repository`, until the obsoletes section.
 * The name is everything before the last dot of the first column (names have dots: python3.11).
 */
export function parseCheckUpdate(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (/^Obsoleting/i.test(line)) break;
    const m = /^(\S+)\.([^.\s]+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m?.[1] && m[3]) out.set(m[1], m[3]);
  }
  return out;
}

/** dnf, or yum (its predecessor, with the same commands), over rpm's database. */
export function dnfDriver(bin: 'dnf' | 'yum'): Driver {
  return {
    name: bin,
    fileKind: '.rpm',
    query: rpmQuery,
    readPackageFile: rpmFile,
    async updates(ctx, names = []) {
      // Exit 100: updates found; 0: none.
      const { stdout, exitCode } = await readTool(
        ctx,
        [bin, 'check-update', '-q', ...names],
        (code) => code === 0 || code === 100,
      );
      return exitCode === 100 ? parseCheckUpdate(stdout) : new Map();
    },
    pin: (_ctx, name, version) => `${name}-${version}`,
    upgradeArg: (name, version) => `${name}-${version}`,
    install(ctx, args, flags) {
      noLockWait(ctx, bin, flags.lockTimeout);
      // Weak dependencies are rpm's recommends; dnf install also downgrades to a lower pinned version by itself.
      const weak = flags.recommends === undefined ? [] : [`--setopt=install_weak_deps=${flags.recommends ? 'True' : 'False'}`];
      return [{ argv: [bin, 'install', '-y', ...weak, ...args.map((a) => a.arg)] }];
    },
    remove(ctx, names, purge, lockTimeout) {
      noLockWait(ctx, bin, lockTimeout);
      if (purge) {
        throw notSupported(
          ctx,
          bin,
          'purge',
          'rpm removes a package with its unchanged configuration files (changed ones are kept as .rpmsave): leave purge out',
        );
      }
      return { argv: [bin, 'remove', '-y', ...names] };
    },
    refresh(ctx, lockTimeout) {
      noLockWait(ctx, bin, lockTimeout);
      return { argv: [bin, 'makecache'] };
    },
    upgrade(ctx, dist, lockTimeout) {
      noLockWait(ctx, bin, lockTimeout);
      return { argv: [bin, dist ? 'distro-sync' : 'upgrade', '-y'] };
    },
    indexFiles:
      bin === 'dnf'
        ? ['/var/cache/dnf/*/repodata/repomd.xml', '/var/cache/libdnf5/*/repodata/repomd.xml']
        : ['/var/cache/yum/*/*/*/repomd.xml'],
  };
}
