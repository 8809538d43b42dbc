import { defineModule } from '@sloth/core';
import { install, remove } from './install-remove.js';
import { readPkgResource } from './package-resource.js';
import { info, isInstalled, listInstalledFn, manager, version } from './queries.js';
import { update, upgrade } from './update-upgrade.js';

/** The `pkg` module: system packages, idempotent, through the host's package manager. */
export const pkgModule = defineModule({
  name: 'pkg',
  importFrom: import.meta.url,
  // Every function also runs on an agent: `target = "agent-name"` in its options.
  targetable: true,
  doc: 'System packages, idempotent: installs, upgrades and removes only what differs, reads facts from the package database, and runs the package manager non-interactively, one call at a time. Works with the manager it finds: apt and dpkg (Debian, Ubuntu), dnf or yum and rpm (Fedora, RHEL), apk (Alpine), pacman (Arch), zypper and rpm (SUSE). apt is tested against the real apt and dpkg; the others only against fake package managers that print in their formats.',
  functions: {
    install,
    remove,
    update,
    upgrade,
    is_installed: isInstalled,
    version,
    info,
    list_installed: listInstalledFn,
    manager,
  },
  // `stack drift` reads back the packages (installed? which version?) that a workflow's pkg calls recorded.
  readResource: readPkgResource,
});
