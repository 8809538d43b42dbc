import { defineModule } from '@sloth/core';
import { install, remove } from './install-remove.js';
import { readPkgResource } from './package-resource.js';
import { info, isInstalled, listInstalledFn, manager, version } from './queries.js';
import { update, upgrade } from './update-upgrade.js';

/** The `pkg` module: system packages, idempotent, through apt-get and dpkg. */
export const pkgModule = defineModule({
  name: 'pkg',
  importFrom: import.meta.url,
  // Every function also runs on an agent: `target = "agent-name"` in its options.
  targetable: true,
  doc: 'System packages, idempotent: installs, upgrades and removes only what differs, reads facts from the package database, and runs the package manager non-interactively, one call at a time. Changes packages with apt and dpkg (Debian, Ubuntu) so far; on a host with another manager, is_installed, version and list_installed read its database and the functions that change packages say they do not support it yet.',
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
