export { type EngineEvent, engineEvent } from './engine-events.js';
export { type DrainReport, EventProcessor, type ProcessorOptions } from './event-processor.js';
export { describeHookFailure } from './hook-failure.js';
export {
  DEFAULT_HOOK_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  type HookDefinition,
  type HookOverrides,
  readHookFile,
} from './hook-file.js';
export { HookRunner, type HookRunnerOptions, type HookRunResult } from './hook-runner.js';
export { type RecordedRun, type RecordedRunOptions, runRecordedWorkflow } from './recorded-run.js';
export { hookServices, RunEventRecorder } from './run-event-recorder.js';
export { createHookRunner, drainRunEvents, failureReporter } from './run-hooks.js';
export { RunRecorder } from './run-recorder.js';
export { storeHookRunner } from './store-hook-runner.js';
