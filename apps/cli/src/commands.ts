import ModulesList from './commands/modules/list.js';
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
import Validate from './commands/validate.js';
import Version from './commands/version.js';
import WorkflowList from './commands/workflow/list.js';
import WorkflowPreview from './commands/workflow/preview.js';
import WorkflowRun from './commands/workflow/run.js';

/** Every command, by id: oclif's explicit strategy imports this one file instead of scanning a directory. */
export const COMMANDS = {
  'workflow:run': WorkflowRun,
  'workflow:list': WorkflowList,
  'workflow:preview': WorkflowPreview,
  validate: Validate,
  'modules:list': ModulesList,
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
};
