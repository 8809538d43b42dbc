import { DEFAULT_LOCK_TIMEOUT } from './apt-get.js';
import { cEnv } from './dpkg-facts.js';
import type { Driver } from './driver.js';
import { installedFacts, notSupported, readTool } from './manager-run.js';
import { parseApkDatabase } from './other-facts.js';
import { packageFileError } from './rpm-database.js';

/** `apk version -l '<'` lines: `name-version  < newer` (apk versions end with -rN, names never do). */
export function parseApkVersion(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stdout.matchAll(/^(.+)-([^-\s]+-r\d+)\s+<\s+(\S+)\s*$/gm)) if (m[1] && m[3]) out.set(m[1], m[3]);
  return out;
}

/** `pkgname` and `pkgver` of an .apk file's .PKGINFO. */
export function parsePkgInfo(text: string): { name: string; version: string } | undefined {
  const name = /^pkgname = (\S+)$/m.exec(text)?.[1];
  const version = /^pkgver = (\S+)$/m.exec(text)?.[1];
  return name && version ? { name, version } : undefined;
}

// apk waits that long for another apk's lock, then fails.
const wait = (lockTimeout: number | undefined) => ['--wait', String(lockTimeout ?? DEFAULT_LOCK_TIMEOUT)];

/** apk (Alpine): facts from its database file, changes with apk add/del. */
export const apkDriver: Driver = {
  name: 'apk',
  fileKind: '.apk',
  async query(ctx, names) {
    const db = parseApkDatabase((await ctx.host.readFile('/lib/apk/db/installed')).toString('utf8'));
    return installedFacts(new Map([...db].filter(([name]) => names.includes(name))));
  },
  async readPackageFile(ctx, path) {
    // An .apk is gzipped tar streams; its .PKGINFO names it.
    const r = await ctx.host.run(['tar', '-xzOf', path, '.PKGINFO'], { env: cEnv(ctx) });
    const info = r.exitCode === 0 ? parsePkgInfo(r.stdout) : undefined;
    if (info) return info;
    throw packageFileError(ctx, path, '.apk', r.stderr);
  },
  async updates(ctx, names = []) {
    return parseApkVersion((await readTool(ctx, ['apk', 'version', '-l', '<', ...names])).stdout);
  },
  pin: (_ctx, name, version) => `${name}=${version}`,
  upgradeArg: (name, version) => `${name}=${version}`,
  install(ctx, args, flags) {
    if (flags.recommends) {
      throw notSupported(
        ctx,
        'apk',
        'install_recommends = true',
        'apk packages have no recommended packages: name the ones you want',
      );
    }
    // A local .apk is not signed by a key the host trusts.
    const untrusted = args.some((a) => a.file) ? ['--allow-untrusted'] : [];
    return [{ argv: ['apk', 'add', ...wait(flags.lockTimeout), ...untrusted, ...args.map((a) => a.arg)] }];
  },
  remove: (_ctx, names, purge, lockTimeout) => ({
    argv: ['apk', 'del', ...wait(lockTimeout), ...(purge ? ['--purge'] : []), ...names],
  }),
  refresh: (_ctx, lockTimeout) => ({ argv: ['apk', 'update', ...wait(lockTimeout)] }),
  upgrade: (_ctx, dist, lockTimeout) => ({
    argv: ['apk', 'upgrade', ...wait(lockTimeout), ...(dist ? ['--available'] : [])],
  }),
  indexFiles: ['/var/cache/apk/APKINDEX.*.tar.gz'],
};
