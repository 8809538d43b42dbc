import ModulesList from './commands/modules/list.js';
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
};
