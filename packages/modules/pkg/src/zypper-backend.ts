import { DEFAULT_LOCK_TIMEOUT } from './apt-get.js';
import type { Driver } from './driver.js';
import { notSupported, readTool } from './manager-run.js';
import { rpmFile, rpmQuery } from './rpm-database.js';

/** The package updates of `zypper --xmlout list-updates`: its `<update kind="package" name=... edition=...>` elements. */
export function parseZypperUpdates(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<update\s([^>]*)>/g)) {
    const attrs = new Map([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    const name = attrs.get('name');
    const edition = attrs.get('edition');
    if ((attrs.get('kind') ?? 'package') === 'package' && name && edition) out.set(name, edition);
  }
  return out;
}

// zypper's exit codes 100-107 are information, not failure: 102 reboot needed, 103 restart zypper, 106 some
// repositories skipped. (104, no provider of a name, is a failure for an install.)
const INFORMATIONAL = [100, 101, 102, 103, 106];
const zypper = (lockTimeout: number | undefined, ...args: string[]) => ({
  argv: ['zypper', '--non-interactive', ...args],
  // How long zypper waits for another one's lock.
  env: { ZYPP_LOCK_TIMEOUT: String(lockTimeout ?? DEFAULT_LOCK_TIMEOUT) },
  okExit: INFORMATIONAL,
});

/** zypper (SUSE), over rpm's database. */
export const zypperDriver: Driver = {
  name: 'zypper',
  fileKind: '.rpm',
  query: rpmQuery,
  readPackageFile: rpmFile,
  async updates(ctx, names) {
    const { stdout } = await readTool(ctx, ['zypper', '--non-interactive', '--xmlout', 'list-updates'], (code) => {
      return code === 0 || INFORMATIONAL.includes(code ?? -1);
    });
    const all = parseZypperUpdates(stdout);
    return names ? new Map([...all].filter(([name]) => names.includes(name))) : all;
  },
  pin: (_ctx, name, version) => `${name}=${version}`,
  upgradeArg: (name, version) => `${name}=${version}`,
  install(_ctx, args, flags) {
    const recommends = flags.recommends === undefined ? [] : [flags.recommends ? '--recommends' : '--no-recommends'];
    return [
      zypper(
        flags.lockTimeout,
        'install',
        '--auto-agree-with-licenses',
        ...recommends,
        ...(flags.downgrade ? ['--oldpackage'] : []),
        // A local .rpm is usually not signed by a key of the host's repositories.
        ...(args.some((a) => a.file) ? ['--allow-unsigned-rpm'] : []),
        ...args.map((a) => a.arg),
      ),
    ];
  },
  remove(ctx, names, purge, lockTimeout) {
    if (purge) {
      throw notSupported(
        ctx,
        'zypper',
        'purge',
        'rpm removes a package with its unchanged configuration files (changed ones are kept as .rpmsave): leave purge out',
      );
    }
    return zypper(lockTimeout, 'remove', ...names);
  },
  refresh: (_ctx, lockTimeout) => zypper(lockTimeout, 'refresh'),
  upgrade: (_ctx, dist, lockTimeout) => zypper(lockTimeout, dist ? 'dist-upgrade' : 'update', '--auto-agree-with-licenses'),
  indexFiles: ['/var/cache/zypp/raw/*/repodata/repomd.xml'],
};
