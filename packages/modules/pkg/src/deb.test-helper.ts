import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** A unique throw-away package name (purge it afterwards with purgePackages). */
export const testPackageName = () => `slothtest-${randomBytes(4).toString('hex')}`;

/**
 * Builds a tiny .deb with dpkg-deb: one file under /usr/share/NAME, and with `conffile` an /etc/NAME.conf that dpkg
 * keeps on remove (until a purge), with `postinst` that script. Returns its absolute path.
 */
export function buildDeb(name: string, version: string, options: { conffile?: boolean; postinst?: string } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'sloth-deb-'));
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

/** Purges the test packages that are installed (afterAll: also when a test failed half-way). */
export function purgePackages(names: readonly string[]): void {
  const known = names.filter((n) => dpkgStatus(n) !== '');
  if (known.length > 0) execFileSync('dpkg', ['--purge', ...known], { stdio: 'pipe' });
}

/**
 * An apt configuration (for APT_CONFIG) whose only source is a local flat repository, with its own lists and cache
 * directories: `apt-get update` and `upgrade` run for real and offline against it, leaving the machine's index alone.
 * `publish` replaces the repository's contents with these .deb files.
 */
export function localRepository() {
  const root = mkdtempSync(join(tmpdir(), 'sloth-apt-'));
  for (const dir of ['repo', 'state/lists/partial', 'cache/archives/partial', 'etc/sources.list.d', 'etc/preferences.d']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  writeFileSync(join(root, 'etc/sources.list'), `deb [trusted=yes] file:${root}/repo ./\n`);
  const aptConfig = join(root, 'apt.conf');
  writeFileSync(
    aptConfig,
    [
      `Dir::State "${root}/state";`,
      `Dir::Cache "${root}/cache";`,
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
  return { root, aptConfig, lists: join(root, 'state/lists'), publish };
}
