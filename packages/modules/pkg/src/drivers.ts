import type { ModuleCallContext } from '@sloth/core';
import { apkDriver } from './apk-backend.js';
import { type PackageManager, requireManager } from './backend.js';
import { dnfDriver } from './dnf-backend.js';
import { queryPackages } from './dpkg-facts.js';
import type { Driver, PackageFact } from './driver.js';
import { pacmanDriver } from './pacman-backend.js';
import { zypperDriver } from './zypper-backend.js';

const DRIVERS: Record<Exclude<PackageManager, 'apt'>, Driver> = {
  dnf: dnfDriver('dnf'),
  yum: dnfDriver('yum'),
  apk: apkDriver,
  pacman: pacmanDriver,
  zypper: zypperDriver,
};

/** The driver of a package manager other than apt. */
export function driverFor(manager: Exclude<PackageManager, 'apt'>): Driver {
  return DRIVERS[manager];
}

/** What the host's package database says of each name (dpkg's, rpm's, apk's or pacman's); unknown names are left out. */
export async function packageFacts(ctx: ModuleCallContext, names: readonly string[]): Promise<Map<string, PackageFact>> {
  const manager = await requireManager(ctx);
  return manager === 'apt' ? queryPackages(ctx, names) : DRIVERS[manager].query(ctx, names);
}
