import type { ModuleCallContext } from '@sloth/core';
import type { PackageManager } from './backend.js';
import { cEnv, toolFailure } from './dpkg-facts.js';

// Facts of the package managers other than apt, read from their package databases (rpm's, apk's, pacman's).

/** Installed packages by name, with their versions. */
export type Installed = Map<string, string>;

/** rpm's query format for name and version (epoch:version-release). */
export const RPM_FORMAT = '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n';

/** `rpm -q --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'` lines (a zero epoch left out, as rpm shows versions). */
export function parseRpmQuery(stdout: string): Installed {
  const out: Installed = new Map();
  for (const line of stdout.split('\n')) {
    const m = /^([^\t\s]+)\t(\d+):(\S+)$/.exec(line);
    if (m?.[1] && m[3]) out.set(m[1], m[2] === '0' ? m[3] : `${m[2]}:${m[3]}`);
  }
  return out;
}

/** apk's database (/lib/apk/db/installed): stanzas of `P:name` and `V:version` lines, among others. */
export function parseApkDatabase(text: string): Installed {
  const out: Installed = new Map();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^P:(.+)$/m.exec(stanza)?.[1];
    const version = /^V:(.+)$/m.exec(stanza)?.[1];
    if (name && version) out.set(name.trim(), version.trim());
  }
  return out;
}

/** `pacman -Q` lines: `name version`. */
export function parsePacmanQuery(stdout: string): Installed {
  const out: Installed = new Map();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out.set(m[1], m[2]);
  }
  return out;
}

/** Every installed package of a host whose manager is not apt. */
export async function installedPackages(ctx: ModuleCallContext, manager: Exclude<PackageManager, 'apt'>): Promise<Installed> {
  if (manager === 'apk') return parseApkDatabase((await ctx.host.readFile('/lib/apk/db/installed')).toString('utf8'));
  const argv = manager === 'pacman' ? ['pacman', '-Q'] : ['rpm', '-qa', '--qf', RPM_FORMAT];
  const r = await ctx.host.run(argv, { env: cEnv(ctx) });
  if (r.exitCode !== 0) throw toolFailure(ctx, argv[0] as string, r);
  return manager === 'pacman' ? parsePacmanQuery(r.stdout) : parseRpmQuery(r.stdout);
}

/** A shell-style glob ("lib*ssl?") as a regular expression over whole names. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body.replace(/\[!/g, '[^')}$`);
}
