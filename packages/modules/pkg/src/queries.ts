import { arg, fn, type ModuleCallContext, z } from '@sloth/core';
import { detectBackend, requireManager } from './backend.js';
import { cEnv, installedInfo, installedVersion, listInstalled, toolFailure } from './dpkg-facts.js';
import { packageFacts } from './drivers.js';
import { globToRegExp, installedPackages } from './other-facts.js';

const nameArg = arg('name', z.string().min(1, 'expected a package name'), 'package name');

export const manager = fn({
  doc: 'The package manager pkg found on this host ("apt", "dnf", "yum", "apk", "pacman", "zypper"), or nil: from /etc/os-release and the binaries present (found once per host, then kept for a minute).',
  args: [],
  returns: 'string or nil',
  examples: ['if pkg.manager() == "apt" then pkg.install("nginx") end'],
  run: async (_args, ctx) => (await detectBackend(ctx)).manager,
});

export const isInstalled = fn({
  doc: "True when the package is installed (the package database: dpkg's, rpm's, apk's or pacman's).",
  args: [nameArg],
  returns: 'boolean',
  examples: ['if not pkg.is_installed("nginx") then log.warn("nginx is missing") end'],
  run: async ([name], ctx) => (await versionOf(ctx, name)) !== undefined,
});

export const version = fn({
  doc: 'The installed version of a package, or nil when it is not installed.',
  args: [nameArg],
  returns: 'string or nil',
  examples: ['log.info("nginx " .. (pkg.version("nginx") or "not installed"))'],
  run: ([name], ctx) => versionOf(ctx, name),
});

export const info = fn({
  doc: 'What is known of a package: installed ones from dpkg (version, architecture, installed_size_kb, maintainer, section, depends, summary), others from apt (installed = false, candidate = the version apt would install); nil when apt knows no such package. With another manager: { name, installed = true, version } from its database, nil when not installed.',
  args: [nameArg],
  returns:
    '{ name, installed, version, architecture, installed_size_kb, maintainer, section, depends, summary } | { name, installed = false, candidate } | nil',
  examples: ['local i = pkg.info("nginx")\nif i and i.installed then log.info(i.name .. " " .. i.version) end'],
  run: async ([name], ctx) => {
    if ((await requireManager(ctx)) !== 'apt') {
      const version = (await packageFacts(ctx, [name])).get(name)?.version;
      return version === undefined ? undefined : { name, installed: true, version };
    }
    return (await installedInfo(ctx, name)) ?? (await candidateInfo(ctx, name));
  },
});

export const listInstalledFn = fn({
  doc: 'The installed packages whose names match a glob ("*" by default, "lib*ssl*"), sorted by name.',
  args: [arg('pattern', z.string().min(1).optional(), 'a glob of package names, "*" by default')],
  returns: '{ { name, version }, ... }',
  examples: ['for _, p in ipairs(pkg.list_installed("nginx*")) do log.info(p.name .. " " .. p.version) end'],
  run: async ([pattern], ctx) => {
    const manager = await requireManager(ctx);
    if (manager === 'apt') return listInstalled(ctx, pattern ?? '*');
    const matches = globToRegExp(pattern ?? '*');
    return [...(await installedPackages(ctx, manager))]
      .filter(([name]) => matches.test(name))
      .map(([name, version]) => ({ name, version }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },
});

/** The installed version of a package, from the host's package database; undefined when it is not installed. */
export async function versionOf(ctx: ModuleCallContext, name: string): Promise<string | undefined> {
  const manager = await requireManager(ctx);
  if (manager === 'apt') return installedVersion(ctx, name);
  return (await installedPackages(ctx, manager)).get(name);
}

/** A package apt knows but dpkg has not installed: its candidate version (`apt-cache policy`). */
async function candidateInfo(ctx: ModuleCallContext, name: string): Promise<Record<string, unknown> | undefined> {
  const r = await ctx.host.run(['apt-cache', 'policy', '--', name], { env: cEnv(ctx) });
  if (r.exitCode !== 0) throw toolFailure(ctx, 'apt-cache policy', r);
  const candidate = /^\s+Candidate: (\S+)/m.exec(r.stdout)?.[1];
  if (!r.stdout.trim() || candidate === undefined) return undefined;
  return { name, installed: false, candidate: candidate === '(none)' ? undefined : candidate };
}
