// The public API of @sloth/core. What is not exported here is in @sloth/core/internal, for the workspace's own packages,
// with no promise that it stays as it is.

// --- Defining and running workflows ---------------------------------------------------------------------------------

// What a run is made of and what it reports.
export { type AssertionRecord, type AssertionSummary, summarizeAssertions } from './assertions.js';
// Typed builders for tasks and workflows.
export { defineTask, defineWorkflow, type TaskInit, type WorkflowInit } from './define.js';
// Durations as users write them ("30s", "5m", seconds as a number), and back.
export { formatDuration, parseDuration } from './duration.js';
// The one error type: a stable code, a message for people, a hint.
export {
  errorCodeOf,
  errorMessage,
  isSlothErrorCode,
  SLOTH_ERROR_CODES,
  SlothError,
  type SlothErrorCode,
  type SlothErrorOptions,
} from './errors.js';
export type { RetryPolicy, RetryStrategy } from './retry-policy.js';
// What a run tells its observer as it goes.
export type { RunEvent, RunObserver } from './run-events.js';
export type { LogFields, LogLevel, TaskLogger } from './task-logger.js';
export type {
  AgentReplacement,
  AgentTaskResult,
  ChangeRecord,
  HookPayload,
  Outputs,
  RunResult,
  RunStatus,
  SkipReason,
  TaskBody,
  TaskContext,
  TaskHook,
  TaskOutcome,
  TaskPredicate,
  TaskResult,
  TaskSpec,
  TaskStatus,
  WorkflowConfig,
  WorkflowSpec,
} from './workflow-model.js';
// Runs a workflow: tasks start as soon as their dependencies are done.
export { type RunOptions, runWorkflow } from './workflow-runner.js';

// --- Writing modules ----------------------------------------------------------------------------------------------

// "did you mean ...?" for messages about a misspelt name.
export { didYouMean } from './closest-name.js';
// The digest modules compare and report contents with.
export { sha256Hex } from './digest.js';
// The machine a module acts on (ctx.host).
export type {
  Host,
  HostAccount,
  HostBinding,
  HostCreateOrRead,
  HostRunOptions,
  HostStat,
  HostWriteData,
  HostWriteOptions,
} from './host.js';
// Schemas for Lua's ambiguous tables (an empty table is both {} and a list).
export { durationField, luaList, luaTable, strictTable } from './lua-schemas.js';
// The context a module function runs with; tests and hosts make one with createModuleContext.
export { createModuleContext, type ModuleContextFields } from './module-context.js';
// A module: functions with zod-checked arguments, docs and examples, which the Lua binder exposes as a global table.
export {
  type ArgSpec,
  arg,
  defineModule,
  type FunctionSpec,
  fn,
  luaTypeName,
  type ModuleCallContext,
  type ModuleSpec,
  MultipleReturns,
  moduleAlias,
  type ResourceReadback,
  returnsMany,
  z,
} from './module-sdk.js';
export type { ProcessResult } from './process-runner.js';
// Resources: identity, desired state, read (a fact), diff, apply; converge runs them, check mode stops before apply.
export {
  type Changes,
  type ContentPair,
  type ConvergeOptions,
  changeResult,
  converge,
  defineResource,
  diffState,
  type ResourceOutcome,
  type ResourceSpec,
} from './resource.js';
// What a run offers modules (state, leases, the run's stack, the event queue), and the contracts a store implements.
export type { ForwardedTargetCall, RemoteHosts, RunServices, StackBinding } from './run-services.js';
// Quoting for POSIX shells (commands sent to a host as one line).
export { shellLine, shellQuote } from './shell-quote.js';
export * from './store-contracts.js';
// A unified diff of a text change (what converge reports for a resource's content).
export { type TextDiff, textDiff } from './text-diff.js';
// Running an infrastructure tool's CLI (terraform, docker, kubectl...): binary lookup, live output, timeouts.
export {
  findTool,
  lastLines,
  notRun,
  runTool,
  TOOL_TIMEOUT_MS,
  type ToolResult,
  type ToolRunOptions,
  type ToolSpec,
  toolBinary,
  toolJson,
  toolOutcome,
} from './tool-cli.js';
