export { type DelegationBundle, delegationBundle } from './delegation-bundle.js';
export { GOROUTINES_PER_THREAD, type GoroutineHostOptions, GoroutineThreads } from './goroutine-host.js';
export { LuaRuntime, LuaStopped, luaErrorText } from './lua-runtime.js';
export {
  createSandbox,
  displayPath,
  findLuaFile,
  PreparedSandbox,
  type RunTaskNowResult,
  readLuaSource,
  type SandboxOptions,
  type SandboxUse,
} from './lua-sandbox.js';
export type { LuaTaskSpec, LuaWorkflowSpec } from './lua-specs.js';
export { fromLua, toLua } from './lua-values.js';
export { bindModules } from './module-binder.js';
export { DEFAULT_STUBS_DIR, luarcJson, luaStubFiles } from './stubs/lua-stubs.js';
export {
  DEFAULT_LOAD_TIMEOUT_MS,
  type DelegatedTaskRequest,
  type LoadOptions,
  moduleCallPayload,
  WorkflowFile,
} from './workflow-file.js';
