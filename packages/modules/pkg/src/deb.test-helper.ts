import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { testContext } from '@sloth/core/testing';

// The directories the helpers made, removed by cleanUp.
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** A unique throw-away package name (purge it afterwards with cleanUp). */
export const testPackageName = () => `slothtest-${randomBytes(4).toString('hex')}`;

/**
 * Builds a tiny .deb with dpkg-deb: one file under /usr/share/NAME, and with `conffile` an /etc/NAME.conf that dpkg
 * keeps on remove (until a purge), with `postinst` that script. Returns its absolute path.
 */
export function buildDeb(name: string, version: string, options: { conffile?: boolean; postinst?: string } = {}): string {
  const root = tempDir('sloth-deb-');
  const pkg = join(root, `${name}_${version}`);
  mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
  mkdirSync(join(pkg, 'usr/share', name), { recursive: true });
  writeFileSync(join(pkg, 'usr/share', name, 'VERSION'), `${version}\n`);
  writeFileSync(
    join(pkg, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Sloth Runner tests <tests@example.invalid>\nDescription: throw-away package of the Sloth Runner tests\n`,
  );
  if (options.conffile) {
    mkdirSync(join(pkg, 'etc'), { recursive: true });
    writeFileSync(join(pkg, 'etc', `${name}.conf`), 'setting = 1\n');
    writeFileSync(join(pkg, 'DEBIAN/conffiles'), `/etc/${name}.conf\n`);
  }
  if (options.postinst !== undefined) writeFileSync(join(pkg, 'DEBIAN/postinst'), options.postinst, { mode: 0o755 });
  const deb = join(root, `${name}_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', pkg, deb], { stdio: 'pipe' });
  return deb;
}

/** What dpkg's database says of a package: "STATUS VERSION", or "" when it does not know it. */
export function dpkgStatus(name: string): string {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
    return execFileSync('dpkg-query', ['-W', '-f=${Status} ${Version}', name], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return '';
  }
}

/** Purges the test packages that dpkg knows and removes the helpers' files (afterAll: also after a failed test). */
export function cleanUp(packages: readonly string[]): void {
  const known = packages.filter((n) => dpkgStatus(n) !== '');
  if (known.length > 0) execFileSync('dpkg', ['--purge', ...known], { stdio: 'pipe' });
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * An apt configuration (for APT_CONFIG) whose only source is a local flat repository, with its own lists and cache
 * directories: `apt-get update` and `upgrade` run for real and offline against it, leaving the machine's index alone.
 * Installed packages are still dpkg's (the machine's). `publish` replaces the repository's contents with these .deb
 * files; `context` makes a test context whose apt uses this configuration; `history` is apt's log of the runs that
 * changed packages with it (apt-get writes it, whoever started apt-get: evidence that no run happened).
 */
export function localRepository() {
  const root = tempDir('sloth-apt-');
  for (const dir of ['repo', 'log', 'state/lists/partial', 'cache/archives/partial', 'etc/sources.list.d', 'etc/preferences.d']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  writeFileSync(join(root, 'etc/sources.list'), `deb [trusted=yes] file:${root}/repo ./\n`);
  const aptConfig = join(root, 'apt.conf');
  writeFileSync(
    aptConfig,
    [
      `Dir::State "${root}/state";`,
      `Dir::Cache "${root}/cache";`,
      `Dir::Log "${root}/log";`,
      `Dir::Etc::sourcelist "${root}/etc/sources.list";`,
      `Dir::Etc::sourceparts "${root}/etc/sources.list.d";`,
      `Dir::Etc::preferencesparts "${root}/etc/preferences.d";`,
      '',
    ].join('\n'),
  );
  const publish = (debs: string[]) => {
    const stanzas = debs.map((deb) => {
      const file = basename(deb);
      copyFileSync(deb, join(root, 'repo', file));
      const control = execFileSync('dpkg-deb', ['-f', deb], { encoding: 'utf8' }).trim();
      const bytes = readFileSync(deb);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return `${control}\nFilename: ./${file}\nSize: ${bytes.length}\nSHA256: ${sha256}\n`;
    });
    writeFileSync(join(root, 'repo/Packages'), `${stanzas.join('\n')}\n`);
  };
  /** A test context whose apt uses this configuration. */
  const context = (options: { checkMode?: boolean } = {}) => {
    const t = testContext(options);
    return { ...t, ctx: { ...t.ctx, env: { ...t.ctx.env, APT_CONFIG: aptConfig } } };
  };
  /** apt's history of the runs that changed packages with this configuration ("" before the first). */
  const history = () => (existsSync(join(root, 'log/history.log')) ? readFileSync(join(root, 'log/history.log'), 'utf8') : '');
  return { root, aptConfig, lists: join(root, 'state/lists'), publish, context, history };
}
