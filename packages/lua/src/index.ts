export { LuaRuntime, LuaStopped, luaErrorText } from './lua-runtime.js';
export { toLua, fromLua } from './lua-values.js';
export { bindModules } from './module-binder.js';
export { WorkflowFile, type LoadOptions, displayPath } from './workflow-file.js';
export type { LuaTaskSpec, LuaWorkflowSpec } from './lua-specs.js';
