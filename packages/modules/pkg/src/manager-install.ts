import { resolve } from 'node:path';
import { type ModuleCallContext, type ResourceOutcome, SlothError } from '@sloth/core';
import { installRequests, packageFile } from './args.js';
import { type BatchItem, convergeBatch, packagesResult } from './batch.js';
import type { Driver, InstallArg } from './driver.js';
import { refreshWith } from './manager-index.js';
import { runManager } from './manager-run.js';
import type { PackageDesired } from './package-resource.js';
import { versionMatches } from './version-match.js';

/** What pkg.install takes, as the driver of a manager other than apt reads it. */
export interface ManagerInstall {
  packages?: string | string[] | undefined;
  name?: string | string[] | undefined;
  version?: string | undefined;
  deb?: string | undefined;
  file?: string | undefined;
  state?: 'present' | 'latest' | undefined;
  update_cache?: boolean | undefined;
  cache_valid_time?: number | undefined;
  install_recommends?: boolean | undefined;
  allow_downgrade?: boolean | undefined;
  lock_timeout?: number | undefined;
}

interface Target extends InstallArg {
  name: string;
  pin: string | undefined;
}

/**
 * pkg.install with another manager: facts from its database first; packages installed at an acceptable version are
 * left alone (the installer is not started when all are); the others go to one install. These managers do not say
 * beforehand which version they would install, so a change reports it once the database has it.
 */
export async function installWith(ctx: ModuleCallContext, driver: Driver, o: ManagerInstall) {
  if (o.deb !== undefined) {
    throw new SlothError(
      'invalid_argument',
      `${ctx.fn}: deb is a Debian package file, and the package manager here is ${driver.name}`,
      {
        hint: `give the ${driver.fileKind} file as file = "/path/to/package${driver.fileKind}"`,
      },
    );
  }
  const targets: Target[] = installRequests(ctx, o).map((r) => ({
    name: r.name,
    pin: r.pin,
    arg: r.pin ? driver.pin(ctx, r.name, r.pin) : r.name,
    file: false,
  }));
  const file = packageFile(ctx, o);
  if (file !== undefined) {
    const path = resolve(ctx.workdir, file);
    const found = await driver.readPackageFile(ctx, path);
    if (targets.some((t) => t.name === found.name)) {
      throw new SlothError('invalid_argument', `${ctx.fn}: '${found.name}' is named twice: by file and in packages`, {
        hint: 'the package file says its name: leave it out of packages',
      });
    }
    targets.push({ name: found.name, pin: found.version, arg: path, file: true });
  }
  if (targets.length === 0) {
    throw new SlothError('invalid_argument', `${ctx.fn}: no package named`, {
      hint: `pkg.install("nginx"), pkg.install({ "nginx", "vim" }) or pkg.install({ file = "/path/to/package${driver.fileKind}" })`,
    });
  }
  const flags = { recommends: o.install_recommends, downgrade: o.allow_downgrade ?? false, lockTimeout: o.lock_timeout };
  // Refused options fail here, before the index is refreshed or anything changes.
  driver.install(ctx, targets, flags);
  const outcomes: ResourceOutcome[] = [];
  if (o.update_cache) outcomes.push(await refreshWith(ctx, driver, o.cache_valid_time, o.lock_timeout));
  const facts = await driver.query(
    ctx,
    targets.map((t) => t.name),
  );
  const latest = o.state === 'latest' || o.version === 'latest';
  const installed = targets.filter((t) => !t.pin && facts.get(t.name)?.version !== undefined).map((t) => t.name);
  const updates = latest && installed.length > 0 ? await driver.updates(ctx, installed) : new Map<string, string>();
  const items: BatchItem[] = targets.map((t) => {
    const have = facts.get(t.name)?.version;
    const newer = updates.get(t.name);
    if (newer !== undefined) t.arg = driver.upgradeArg(t.name, newer);
    const pin = t.pin ?? newer;
    const desired: PackageDesired =
      have !== undefined && (pin === undefined || versionMatches(have, pin))
        ? { installed: true, version: have }
        : { installed: true, pin };
    return { name: t.name, desired };
  });
  const byName = new Map(targets.map((t) => [t.name, t]));
  const changed = await convergeBatch(ctx, items, async (names) => {
    const args = names.map((n) => byName.get(n) as Target);
    for (const command of driver.install(ctx, args, flags)) await runManager(ctx, command);
  });
  outcomes.push(...changed);
  return packagesResult(ctx, outcomes, {
    packages: changed.filter((c) => c.changed).map((c) => c.name),
    cache_updated: outcomes.some((c) => c.type === 'package_index' && c.changed),
  });
}

/** pkg.remove with another manager: the installed ones of `names` in one run; none installed: not started. */
export async function removeWith(
  ctx: ModuleCallContext,
  driver: Driver,
  names: string[],
  purge: boolean,
  lockTimeout: number | undefined,
) {
  // Refused options fail before anything is read.
  driver.remove(ctx, names, purge, lockTimeout);
  const items: BatchItem[] = names.map((name) => ({ name, desired: { installed: false, purge } }));
  const outcomes = await convergeBatch(ctx, items, async (changing) => {
    await runManager(ctx, driver.remove(ctx, changing, purge, lockTimeout));
  });
  return packagesResult(ctx, outcomes, { packages: outcomes.filter((c) => c.changed).map((c) => c.name) });
}
