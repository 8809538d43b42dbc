import { resolve } from 'node:path';
import { arg, fn, type ModuleCallContext, type ResourceOutcome, SlothError, type z } from '@sloth/core';
import { aptGet, simulate } from './apt-get.js';
import { refreshIndex } from './apt-index.js';
import {
  installOptionsSchema,
  installRequests,
  installSpec,
  namedPackages,
  packageFile,
  removeOptionsSchema,
  removeSpec,
} from './args.js';
import { requireManager } from './backend.js';
import { type BatchItem, convergeBatch, packagesResult } from './batch.js';
import { debFields, queryPackages } from './dpkg-facts.js';
import { driverFor } from './drivers.js';
import { installWith, removeWith } from './manager-install.js';
import { serialized } from './serial.js';

type InstallSpec = z.output<typeof installSpec> & NonNullable<z.output<typeof installOptionsSchema>>;

/** A package an install names, with the argument apt-get gets for it and the version the call asks for. */
interface Target {
  name: string;
  /** What apt-get install is given: the name, "name=version", or the path of a .deb. */
  aptArg: string;
  /** The version it must be at (a pin or the .deb's), or undefined: any for present, the newest for latest. */
  version: string | undefined;
}

export const install = fn({
  doc: 'Installs packages unless they are installed at an acceptable version (then the package manager is not started at all): any version for state = "present", the newest available for "latest", the pinned one ("nginx=1.24.0-1" or version = ...). deb or file = a local package file, compared by its name and version. update_cache refreshes the index first, unless cache_valid_time (seconds) says it is recent enough. Other managers than apt: pins in their syntax (dnf name-1.2-3, apk name=1.2-r0, zypper name=1.2; a pin without its release matches any release; pacman cannot pin), latest from dnf check-update, apk version, pacman -Qu or zypper list-updates, file = a .rpm (dnf, zypper), an .apk (apk add --allow-untrusted) or a .pkg.tar.zst (pacman -U); install_recommends maps to dnf install_weak_deps and zypper --no-recommends, allow_downgrade to zypper --oldpackage (dnf and apk go down to a pin by themselves), and options a manager cannot honour are an error naming it. lock_timeout (seconds, default 120) bounds the wait for the lock of another package manager (apt, apk with --wait, zypper with ZYPP_LOCK_TIMEOUT); refused with dnf, yum and pacman. Where the manager does not say beforehand which version it would install, changes reports new = "(newest available)" in check mode.',
  args: [
    arg('packages', installSpec, 'a name, a list of names, or { packages | name, version, deb | file, options... }'),
    arg(
      'opts',
      installOptionsSchema,
      '{ state = "present"|"latest", version, update_cache, cache_valid_time, install_recommends, allow_downgrade, lock_timeout }',
    ),
  ],
  returns:
    '{ changed, changes = { [name] = { old = version or nil, new = version } }, packages = { names installed or upgraded }, cache_updated, check_mode }',
  examples: [
    'pkg.install({ packages = { "nginx", "vim" } })',
    'pkg.install("nginx", { state = "latest", update_cache = true, cache_valid_time = 3600 })',
    'local r = pkg.install({ name = "nginx", version = "1.22.1-9" })\nif r.changed then log.info("nginx: " .. tostring(r.changes.nginx.old) .. " -> " .. r.changes.nginx.new) end',
    'pkg.install({ deb = "/tmp/app_1.2.0_all.deb" })',
    'if pkg.manager() == "dnf" then pkg.install({ file = "/tmp/app-1.2.0-1.x86_64.rpm" }) end',
  ],
  run: async ([spec, opts], ctx) => {
    const o: InstallSpec = { ...spec, ...opts };
    const manager = await requireManager(ctx);
    if (manager !== 'apt') return serialized(ctx, () => installWith(ctx, driverFor(manager), o));
    return serialized(ctx, () => installPackages(ctx, o));
  },
});

async function installPackages(ctx: ModuleCallContext, o: InstallSpec) {
  const targets = await installTargets(ctx, o);
  const flags = [
    ...(o.install_recommends === true ? ['-o', 'APT::Install-Recommends=true'] : []),
    ...(o.install_recommends === false ? ['--no-install-recommends'] : []),
    ...(o.allow_downgrade ? ['--allow-downgrades'] : []),
  ];
  const outcomes: ResourceOutcome[] = [];
  if (o.update_cache) outcomes.push(await refreshIndex(ctx, o.cache_valid_time, { lockTimeout: o.lock_timeout }));
  const facts = await queryPackages(
    ctx,
    targets.map((t) => t.name),
  );
  const latest = o.state === 'latest' || o.version === 'latest';
  // The version each must be at, when the call says it or what is installed is acceptable.
  const wanted = new Map<string, string | undefined>();
  for (const t of targets) {
    const installed = facts.get(t.name)?.version;
    wanted.set(t.name, t.version ?? (installed !== undefined && !latest ? installed : undefined));
  }
  const moving = targets.filter((t) => wanted.get(t.name) === undefined || wanted.get(t.name) !== facts.get(t.name)?.version);
  if (moving.length > 0) {
    // The simulation checks the names and versions before anything changes (in check mode too), and says which
    // version apt would install where the call names none.
    const plan = await simulate(ctx, ['install', ...flags, ...moving.map((t) => t.aptArg)]);
    for (const t of moving) {
      if (wanted.get(t.name) !== undefined) continue;
      const version = plan.get(t.name)?.new ?? facts.get(t.name)?.version;
      if (version === undefined) {
        throw new SlothError(
          'invalid_argument',
          `${ctx.fn}: apt would not install a package named '${t.name}' (a virtual package?)`,
          {
            hint: `name the package that provides it (apt-cache showpkg ${t.name})`,
          },
        );
      }
      wanted.set(t.name, version);
    }
  }
  const items: BatchItem[] = targets.map((t) => ({
    name: t.name,
    desired: { installed: true, version: wanted.get(t.name) as string },
  }));
  const byName = new Map(targets.map((t) => [t.name, t]));
  const changed = await convergeBatch(ctx, items, async (names) => {
    await aptGet(ctx, ['install', ...flags, ...names.map((n) => byName.get(n)?.aptArg ?? n)], { lockTimeout: o.lock_timeout });
  });
  outcomes.push(...changed);
  return packagesResult(ctx, outcomes, {
    packages: changed.filter((c) => c.changed).map((c) => c.name),
    cache_updated: outcomes.some((c) => c.type === 'package_index' && c.changed),
  });
}

/** The packages an install names, each with what apt-get is given for it; a .deb file is read for its name. */
async function installTargets(ctx: ModuleCallContext, o: InstallSpec): Promise<Target[]> {
  const named = installRequests(ctx, o);
  const targets: Target[] = named.map((r) => ({ name: r.name, version: r.pin, aptArg: r.pin ? `${r.name}=${r.pin}` : r.name }));
  const file = packageFile(ctx, o);
  if (file !== undefined) {
    const path = resolve(ctx.workdir, file);
    const deb = await debFields(ctx, path);
    if (targets.some((t) => t.name === deb.name)) {
      throw new SlothError('invalid_argument', `${ctx.fn}: '${deb.name}' is named twice: by deb and in packages`, {
        hint: 'the .deb file says its name: leave it out of packages',
      });
    }
    targets.push({ name: deb.name, version: deb.version, aptArg: path });
  }
  if (targets.length === 0) {
    throw new SlothError('invalid_argument', `${ctx.fn}: no package named`, {
      hint: 'pkg.install("nginx"), pkg.install({ "nginx", "vim" }) or pkg.install({ deb = "/path/to/file.deb" })',
    });
  }
  return targets;
}

export const remove = fn({
  doc: 'Removes packages that are installed (apt-get remove, dnf/yum remove -y, apk del, pacman -R, zypper remove; purge = true also deletes their configuration files: apt-get purge, also of packages removed before, apk del --purge, pacman -R --nosave; refused with dnf, yum and zypper). Absent packages: changed = false, the package manager is not started.',
  args: [
    arg('packages', removeSpec, 'a name, a list of names, or { packages | name, purge, lock_timeout }'),
    arg('opts', removeOptionsSchema, '{ purge = true, lock_timeout = seconds }'),
  ],
  returns: '{ changed, changes = { [name] = { old = version, new = nil } }, packages = { names removed }, check_mode }',
  examples: ['pkg.remove("apache2")', 'pkg.remove({ "telnet", "rsh-client" }, { purge = true })'],
  run: async ([spec, opts], ctx) => {
    const o = { ...spec, ...opts };
    const manager = await requireManager(ctx);
    const named = namedPackages(ctx, o);
    if (named.length === 0)
      throw new SlothError('invalid_argument', `${ctx.fn}: no package named`, { hint: 'pkg.remove("nginx")' });
    const pinned = named.find((r) => r.pin !== undefined);
    if (pinned) {
      throw new SlothError('invalid_argument', `${ctx.fn}: '${pinned.name}=${pinned.pin}': a removal takes names, not versions`, {
        hint: `pkg.remove("${pinned.name}")`,
      });
    }
    const purge = o.purge ?? false;
    if (manager !== 'apt') {
      const names = named.map((r) => r.name);
      return serialized(ctx, () => removeWith(ctx, driverFor(manager), names, purge, o.lock_timeout));
    }
    return serialized(ctx, async () => {
      const items: BatchItem[] = named.map((r) => ({ name: r.name, desired: { installed: false, purge } }));
      const outcomes = await convergeBatch(ctx, items, async (names) => {
        await aptGet(ctx, [purge ? 'purge' : 'remove', ...names], { lockTimeout: o.lock_timeout });
      });
      return packagesResult(ctx, outcomes, { packages: outcomes.filter((c) => c.changed).map((c) => c.name) });
    });
  },
});
