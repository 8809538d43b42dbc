import type { ModuleSpec } from '@sloth/core';
import { cryptoModule } from '@sloth/module-crypto';
import { dataModule, jsonModule, yamlModule } from '@sloth/module-data';
import { dockerModule } from '@sloth/module-docker';
import { eventModule } from '@sloth/module-event';
import { execModule } from '@sloth/module-exec';
import { fileModule, fileOpsModule } from '@sloth/module-file-ops';
import { fsModule } from '@sloth/module-fs';
import { gitModule } from '@sloth/module-git';
import { goroutineModule } from '@sloth/module-goroutine';
import { helmModule } from '@sloth/module-helm';
import { httpModule, netModule } from '@sloth/module-http';
import { incusModule } from '@sloth/module-incus';
import { infraTestModule } from '@sloth/module-infra-test';
import { kubernetesModule } from '@sloth/module-kubernetes';
import { loadBalancerModule } from '@sloth/module-load-balancer';
import { logModule } from '@sloth/module-log';
import { metricsModule } from '@sloth/module-metrics';
import { pkgModule } from '@sloth/module-pkg';
import { pulumiModule } from '@sloth/module-pulumi';
import { saltModule } from '@sloth/module-salt';
import { secretModule } from '@sloth/module-secret';
import { sshModule } from '@sloth/module-ssh';
import { stackModule } from '@sloth/module-stack';
import { stateModule } from '@sloth/module-state';
import { systemdModule } from '@sloth/module-systemd';
import { terraformModule } from '@sloth/module-terraform';
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
  gitModule,
  sshModule,
  terraformModule,
  dockerModule,
  kubernetesModule,
  helmModule,
  pulumiModule,
  saltModule,
  incusModule,
  httpModule,
  netModule,
  cryptoModule,
  infraTestModule,
  loadBalancerModule,
  metricsModule,
];

export { loadModules, loadWorkflowModules } from './load-modules.js';
export { pluginDataDir } from './plugin-data-dir.js';
export { type InstalledPlugin, installedPlugins, pluginModules, withPluginModules } from './plugin-modules.js';
export {
  cryptoModule,
  dataModule,
  dockerModule,
  eventModule,
  execModule,
  fileModule,
  fileOpsModule,
  fsModule,
  gitModule,
  goroutineModule,
  helmModule,
  httpModule,
  incusModule,
  infraTestModule,
  jsonModule,
  kubernetesModule,
  loadBalancerModule,
  logModule,
  metricsModule,
  netModule,
  pkgModule,
  pulumiModule,
  saltModule,
  secretModule,
  sshModule,
  stackModule,
  stateModule,
  systemdModule,
  terraformModule,
  userModule,
  yamlModule,
};
