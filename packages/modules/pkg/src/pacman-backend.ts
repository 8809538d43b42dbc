import { cEnv } from './dpkg-facts.js';
import type { Driver } from './driver.js';
import { installedFacts, noLockWait, notSupported, readTool } from './manager-run.js';
import { parsePacmanQuery } from './other-facts.js';
import { packageFileError } from './rpm-database.js';

/** `pacman -Qu` lines: `name old -> new` (updates pacman is told to ignore are marked and left out). */
export function parsePacmanUpdates(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stdout.matchAll(/^(\S+) \S+ -> (\S+)$/gm)) if (m[1] && m[2]) out.set(m[1], m[2]);
  return out;
}

// pacman answers a name it does not know with "error: package 'x' was not found" and exit 1: a fact.
const onlyNotFound = (code: number | null, stderr: string) =>
  code === 0 || (code === 1 && stderr.split('\n').every((l) => !l.trim() || /^error: package '.*' was not found$/.test(l)));

/** pacman (Arch): facts from pacman -Q, installs from its repositories (no version pins) or package files. */
export const pacmanDriver: Driver = {
  name: 'pacman',
  fileKind: '.pkg.tar.zst',
  async query(ctx, names) {
    if (names.length === 0) return new Map();
    return installedFacts(parsePacmanQuery((await readTool(ctx, ['pacman', '-Q', ...names], onlyNotFound)).stdout));
  },
  async readPackageFile(ctx, path) {
    const r = await ctx.host.run(['pacman', '-Qp', path], { env: cEnv(ctx) });
    const [entry] = r.exitCode === 0 ? parsePacmanQuery(r.stdout) : [];
    if (entry) return { name: entry[0], version: entry[1] };
    throw packageFileError(ctx, path, '.pkg.tar.zst', r.stderr);
  },
  async updates(ctx, names = []) {
    // Exit 1 with nothing said: no updates.
    const { stdout } = await readTool(
      ctx,
      ['pacman', '-Qu', ...names],
      (code, stderr) => code === 0 || (code === 1 && !stderr.trim()),
    );
    return parsePacmanUpdates(stdout);
  },
  pin(ctx, name, version) {
    throw notSupported(
      ctx,
      'pacman',
      `a version pin ('${name}=${version}')`,
      'pacman installs the version its repositories have: leave the version out, or install a package file with file = "/path/x.pkg.tar.zst"',
    );
  },
  upgradeArg: (name) => name,
  install(ctx, args, flags) {
    noLockWait(ctx, 'pacman', flags.lockTimeout);
    if (flags.recommends) {
      throw notSupported(
        ctx,
        'pacman',
        'install_recommends = true',
        "pacman never installs a package's optional dependencies: name the ones you want",
      );
    }
    const names = args.filter((a) => !a.file).map((a) => a.arg);
    const files = args.filter((a) => a.file).map((a) => a.arg);
    // -S takes repository names, -U files: two runs when a call has both.
    return [
      ...(names.length > 0 ? [{ argv: ['pacman', '-S', '--noconfirm', '--needed', ...names] }] : []),
      ...(files.length > 0 ? [{ argv: ['pacman', '-U', '--noconfirm', '--needed', ...files] }] : []),
    ];
  },
  remove(ctx, names, purge, lockTimeout) {
    noLockWait(ctx, 'pacman', lockTimeout);
    // --nosave deletes the configuration files instead of keeping them as .pacsave.
    return { argv: ['pacman', '-R', '--noconfirm', ...(purge ? ['--nosave'] : []), ...names] };
  },
  refresh(ctx, lockTimeout) {
    noLockWait(ctx, 'pacman', lockTimeout);
    return { argv: ['pacman', '-Sy', '--noconfirm'] };
  },
  upgrade(ctx, _dist, lockTimeout) {
    noLockWait(ctx, 'pacman', lockTimeout);
    // -Su, not -Syu: it upgrades to what the index that pacman -Qu read has (pkg.update() refreshes it, with -Sy).
    return { argv: ['pacman', '-Su', '--noconfirm'] };
  },
  indexFiles: ['/var/lib/pacman/sync/*.db'],
};
