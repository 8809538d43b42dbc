import { type ModuleCallContext, SlothError } from '@sloth/core';

/** A package as dpkg's database knows it. */
export interface DpkgPackage {
  name: string;
  /** The installed version; undefined when it is not installed. */
  version: string | undefined;
  /** Removed with its configuration files left behind (dpkg's "rc"): what a purge still removes. */
  configFiles: boolean;
  /** dpkg's status word ("installed", "config-files", "half-configured", ...). */
  status: string;
}

/** A dpkg-query -f format: the fields, tab-separated, one package a line. */
const format = (fields: string[]) => `${fields.map((f) => `\${${f}}`).join('\\t')}\\n`;
const FORMAT = format(['Package', 'Status', 'Version']);

/** Lines of `dpkg-query -W -f='${Package}\t${Status}\t${Version}\n'`, by package name (several architectures: the installed one wins). */
export function parseDpkgQuery(stdout: string): Map<string, DpkgPackage> {
  const out = new Map<string, DpkgPackage>();
  for (const line of stdout.split('\n')) {
    const [name, statusField, version] = line.split('\t');
    if (!name || statusField === undefined) continue;
    const status = statusField.trim().split(/\s+/)[2] ?? 'not-installed';
    const installed = status !== 'not-installed' && status !== 'config-files';
    const pkg: DpkgPackage = {
      name,
      version: installed && version ? version : undefined,
      configFiles: status === 'config-files',
      status,
    };
    const seen = out.get(name);
    if (!seen?.version) out.set(name, pkg);
  }
  return out;
}

/** What dpkg's database says of each name (names it has never heard of are left out). */
export async function queryPackages(ctx: ModuleCallContext, names: readonly string[]): Promise<Map<string, DpkgPackage>> {
  if (names.length === 0) return new Map();
  const r = await ctx.host.run(['dpkg-query', '-W', `-f=${FORMAT}`, '--', ...names], { env: cEnv(ctx) });
  // Exit 1 means some name matched nothing: a fact, not a failure.
  if (r.exitCode !== 0 && r.exitCode !== 1) throw toolFailure(ctx, 'dpkg-query', r);
  return parseDpkgQuery(r.stdout);
}

/** The installed version of one package, or undefined. */
export async function installedVersion(ctx: ModuleCallContext, name: string): Promise<string | undefined> {
  return (await queryPackages(ctx, [name])).get(name)?.version;
}

/** Installed packages whose name matches a dpkg glob ("*", "lib*"), sorted by name. */
export async function listInstalled(ctx: ModuleCallContext, pattern: string): Promise<{ name: string; version: string }[]> {
  const found = await queryPackages(ctx, [pattern]);
  return [...found.values()]
    .filter((p): p is DpkgPackage & { version: string } => p.version !== undefined)
    .map((p) => ({ name: p.name, version: p.version }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const INFO_FIELDS = ['Package', 'Version', 'Architecture', 'Status', 'Installed-Size', 'Maintainer', 'Section', 'Depends'];

/** What dpkg knows of an installed package, or undefined when it is not installed. */
export async function installedInfo(ctx: ModuleCallContext, name: string): Promise<Record<string, unknown> | undefined> {
  const r = await ctx.host.run(['dpkg-query', '-W', `-f=${format([...INFO_FIELDS, 'binary:Summary'])}`, '--', name], {
    env: cEnv(ctx),
  });
  if (r.exitCode !== 0 && r.exitCode !== 1) throw toolFailure(ctx, 'dpkg-query', r);
  for (const line of r.stdout.split('\n')) {
    const [pkg, version, arch, status, size, maintainer, section, depends, summary] = line.split('\t');
    if (pkg !== name || !status?.endsWith(' installed')) continue;
    return {
      name: pkg,
      version,
      installed: true,
      architecture: arch,
      installed_size_kb: size ? Number(size) : undefined,
      maintainer: maintainer || undefined,
      section: section || undefined,
      depends: depends || undefined,
      summary: summary || undefined,
    };
  }
  return undefined;
}

/** Package and Version of a .deb file (`dpkg-deb -f`). */
export async function debFields(ctx: ModuleCallContext, path: string): Promise<{ name: string; version: string }> {
  const r = await ctx.host.run(['dpkg-deb', '-f', '--', path, 'Package', 'Version'], { env: cEnv(ctx) });
  const fields = Object.fromEntries(
    r.stdout
      .split('\n')
      .map((l) => /^(\w+): (.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  if (r.exitCode !== 0 || !fields.Package || !fields.Version) {
    throw new SlothError(
      'invalid_argument',
      `${ctx.fn}: '${path}' is not a readable .deb package: ${lastLines(r.stderr) || 'no Package/Version'}`,
      {
        hint: 'deb = names a Debian package file on the host (built with dpkg-deb, or downloaded)',
      },
    );
  }
  return { name: fields.Package, version: fields.Version };
}

/** The environment package tools run with: the task's, with messages in English (they are parsed). */
export function cEnv(ctx: ModuleCallContext): Record<string, string> {
  return { ...ctx.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C' };
}

/** The last few lines of a tool's stderr, for a message. */
export function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').filter(Boolean).slice(-count).join('\n');
}

/** A package tool that failed in a way no caller handles: what it said. */
export function toolFailure(
  ctx: ModuleCallContext,
  tool: string,
  r: { exitCode: number | null; stderr: string; stdout: string; spawnError?: string | undefined },
): SlothError {
  if (r.spawnError === 'ENOENT') {
    return new SlothError('not_found', `${ctx.fn}: ${tool} is not installed on this host`, {
      hint: "pkg runs the host's package manager and reads its database (apt-get and dpkg, dnf or yum and rpm, apk, pacman, zypper)",
    });
  }
  // apt-get prints dpkg's and the maintainer scripts' complaints on stdout, and its own verdict (E: ...) on stderr.
  const said = [lastLines(r.stdout), lastLines(r.stderr, 3)].filter(Boolean).join('\n');
  return new SlothError('task_failed', `${ctx.fn}: ${tool} failed (exit ${r.exitCode ?? 'signal'})${said ? `:\n${said}` : ''}`);
}
