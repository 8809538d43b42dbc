import AgentDelete from './commands/agent/delete.js';
import AgentExec from './commands/agent/exec.js';
import AgentGet from './commands/agent/get.js';
import AgentInstall from './commands/agent/install.js';
import AgentLabel from './commands/agent/label.js';
import AgentList from './commands/agent/list.js';
import AgentMetrics from './commands/agent/metrics.js';
import AgentPackage from './commands/agent/package.js';
import AgentShell from './commands/agent/shell.js';
import AgentStart from './commands/agent/start.js';
import AgentStop from './commands/agent/stop.js';
import AgentUninstall from './commands/agent/uninstall.js';
import EventsCleanup from './commands/events/cleanup.js';
import EventsList from './commands/events/list.js';
import EventsServe from './commands/events/serve.js';
import EventsShow from './commands/events/show.js';
import HookAdd from './commands/hook/add.js';
import HookDisable from './commands/hook/disable.js';
import HookEnable from './commands/hook/enable.js';
import HookHistory from './commands/hook/history.js';
import HookList from './commands/hook/list.js';
import HookRemove from './commands/hook/remove.js';
import HookShow from './commands/hook/show.js';
import HookTest from './commands/hook/test.js';
import MasterAdd from './commands/master/add.js';
import MasterList from './commands/master/list.js';
import MasterRemove from './commands/master/remove.js';
import MasterSelect from './commands/master/select.js';
import MasterShow from './commands/master/show.js';
import MasterStart from './commands/master/start.js';
import MasterStop from './commands/master/stop.js';
import MasterUpdate from './commands/master/update.js';
import ModulesList from './commands/modules/list.js';
import ModulesStubs from './commands/modules/stubs.js';
import PluginsInit from './commands/plugins/init.js';
import PluginsList from './commands/plugins/list.js';
import SchedulerAdd from './commands/scheduler/add.js';
import SchedulerDisable from './commands/scheduler/disable.js';
import SchedulerEnable from './commands/scheduler/enable.js';
import SchedulerHistory from './commands/scheduler/history.js';
import SchedulerList from './commands/scheduler/list.js';
import SchedulerRemove from './commands/scheduler/remove.js';
import SchedulerRun from './commands/scheduler/run.js';
import SchedulerRunNow from './commands/scheduler/run-now.js';
import SchedulerShow from './commands/scheduler/show.js';
import SecretDecryptValues from './commands/secret/decrypt-values.js';
import SecretDelete from './commands/secret/delete.js';
import SecretEncryptValues from './commands/secret/encrypt-values.js';
import SecretGet from './commands/secret/get.js';
import SecretList from './commands/secret/list.js';
import SecretRotateKey from './commands/secret/rotate-key.js';
import SecretSet from './commands/secret/set.js';
import StackDelete from './commands/stack/delete.js';
import StackDrift from './commands/stack/drift.js';
import StackExport from './commands/stack/export.js';
import StackHistory from './commands/stack/history.js';
import StackImport from './commands/stack/import.js';
import StackList from './commands/stack/list.js';
import StackLockForceUnlock from './commands/stack/lock/force-unlock.js';
import StackLockStatus from './commands/stack/lock/status.js';
import StackNew from './commands/stack/new.js';
import StackOutputs from './commands/stack/outputs.js';
import StackResources from './commands/stack/resources.js';
import StackShow from './commands/stack/show.js';
import StateClear from './commands/state/clear.js';
import StateDelete from './commands/state/delete.js';
import StateGet from './commands/state/get.js';
import StateList from './commands/state/list.js';
import StateSet from './commands/state/set.js';
import Ui from './commands/ui.js';
import Validate from './commands/validate.js';
import Version from './commands/version.js';
import WorkflowInit from './commands/workflow/init.js';
import WorkflowList from './commands/workflow/list.js';
import WorkflowPreview from './commands/workflow/preview.js';
import WorkflowRun from './commands/workflow/run.js';

/** Every command, by id: oclif's explicit strategy imports this one file instead of scanning a directory. */
export const COMMANDS = {
  'workflow:run': WorkflowRun,
  'workflow:init': WorkflowInit,
  'workflow:list': WorkflowList,
  'workflow:preview': WorkflowPreview,
  'scheduler:add': SchedulerAdd,
  'scheduler:disable': SchedulerDisable,
  'scheduler:enable': SchedulerEnable,
  'scheduler:history': SchedulerHistory,
  'scheduler:list': SchedulerList,
  'scheduler:remove': SchedulerRemove,
  'scheduler:run': SchedulerRun,
  'scheduler:run-now': SchedulerRunNow,
  'scheduler:show': SchedulerShow,
  validate: Validate,
  ui: Ui,
  'modules:list': ModulesList,
  'modules:stubs': ModulesStubs,
  'plugins:list': PluginsList,
  'plugins:init': PluginsInit,
  version: Version,
  'stack:new': StackNew,
  'stack:list': StackList,
  'stack:show': StackShow,
  'stack:resources': StackResources,
  'stack:outputs': StackOutputs,
  'stack:history': StackHistory,
  'stack:export': StackExport,
  'stack:import': StackImport,
  'stack:delete': StackDelete,
  'stack:drift': StackDrift,
  'stack:lock:status': StackLockStatus,
  'stack:lock:force-unlock': StackLockForceUnlock,
  'state:get': StateGet,
  'state:set': StateSet,
  'state:list': StateList,
  'state:delete': StateDelete,
  'state:clear': StateClear,
  'secret:set': SecretSet,
  'secret:get': SecretGet,
  'secret:list': SecretList,
  'secret:delete': SecretDelete,
  'secret:rotate-key': SecretRotateKey,
  'secret:encrypt-values': SecretEncryptValues,
  'secret:decrypt-values': SecretDecryptValues,
  'master:start': MasterStart,
  'master:stop': MasterStop,
  'master:add': MasterAdd,
  'master:list': MasterList,
  'master:select': MasterSelect,
  'master:show': MasterShow,
  'master:update': MasterUpdate,
  'master:remove': MasterRemove,
  'agent:start': AgentStart,
  'agent:install': AgentInstall,
  'agent:package': AgentPackage,
  'agent:uninstall': AgentUninstall,
  'agent:list': AgentList,
  'agent:get': AgentGet,
  'agent:exec': AgentExec,
  'agent:metrics': AgentMetrics,
  'agent:shell': AgentShell,
  'agent:stop': AgentStop,
  'agent:delete': AgentDelete,
  'agent:label': AgentLabel,
  'hook:add': HookAdd,
  'hook:list': HookList,
  'hook:show': HookShow,
  'hook:remove': HookRemove,
  'hook:enable': HookEnable,
  'hook:disable': HookDisable,
  'hook:test': HookTest,
  'hook:history': HookHistory,
  'events:list': EventsList,
  'events:show': EventsShow,
  'events:cleanup': EventsCleanup,
  'events:serve': EventsServe,
};
