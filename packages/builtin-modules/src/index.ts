import type { ModuleSpec } from '@sloth/core';
import { dataModule, jsonModule, yamlModule } from '@sloth/module-data';
import { eventModule } from '@sloth/module-event';
import { execModule } from '@sloth/module-exec';
import { fileModule, fileOpsModule } from '@sloth/module-file-ops';
import { fsModule } from '@sloth/module-fs';
import { goroutineModule } from '@sloth/module-goroutine';
import { logModule } from '@sloth/module-log';
import { pkgModule } from '@sloth/module-pkg';
import { secretModule } from '@sloth/module-secret';
import { stackModule } from '@sloth/module-stack';
import { stateModule } from '@sloth/module-state';
import { systemdModule } from '@sloth/module-systemd';
import { userModule } from '@sloth/module-user';

/** The native modules every workflow gets as globals, in the order `modules list` shows them. */
export const builtinModules: ModuleSpec[] = [
  logModule,
  execModule,
  fsModule,
  fileOpsModule,
  fileModule,
  jsonModule,
  yamlModule,
  dataModule,
  stateModule,
  secretModule,
  stackModule,
  goroutineModule,
  eventModule,
  pkgModule,
  userModule,
  systemdModule,
];

export {
  dataModule,
  eventModule,
  execModule,
  fileModule,
  fileOpsModule,
  fsModule,
  goroutineModule,
  jsonModule,
  logModule,
  pkgModule,
  secretModule,
  stackModule,
  stateModule,
  systemdModule,
  userModule,
  yamlModule,
};
