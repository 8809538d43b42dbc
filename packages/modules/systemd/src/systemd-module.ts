import { defineModule } from '@sloth/core';
import { readSystemdResource } from './read-resource.js';
import { service } from './service-function.js';
import { isActive, isEnabled, status } from './status-functions.js';
import { daemonReload, disable, enable, mask, reload, restart, start, stop, unmask } from './unit-functions.js';

/** The `systemd` module: units started, enabled and masked, and service unit files, through systemctl. */
export const systemdModule = defineModule({
  name: 'systemd',
  importFrom: import.meta.url,
  // Every function also runs on an agent: `target = "agent-name"` in its options.
  targetable: true,
  doc:
    'systemd units on the change contract: facts from `systemctl show`, changes through systemctl. start, stop, ' +
    'enable, disable, mask and unmask act only when the unit is not as asked; restart, reload and daemon_reload ' +
    'always act (changed = true; in check mode they only say they would). service writes a unit file and brings ' +
    'the service up in one call. On a machine not booted with systemd (a container) every function says so.',
  functions: {
    start,
    stop,
    restart,
    reload,
    enable,
    disable,
    mask,
    unmask,
    daemon_reload: daemonReload,
    status,
    is_active: isActive,
    is_enabled: isEnabled,
    service,
  },
  // `stack drift` reads back the units recorded by these functions.
  readResource: readSystemdResource,
});
