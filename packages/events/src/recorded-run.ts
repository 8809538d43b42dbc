import {
  errorMessage,
  type RunObserver,
  type RunResult,
  type RunServices,
  type TaskDelegator,
  type WorkflowSpec,
} from '@sloth/core/internal';
import type { WorkflowFile } from '@sloth/lua';
import { beginStackRun, type StackRun, type StackRunSummary, type Store } from '@sloth/store-sqlite';
import type { DrainReport } from './event-processor.js';
import type { RunEventRecorder } from './run-event-recorder.js';
import { drainRunEvents } from './run-hooks.js';

export interface RecordedRunOptions {
  file: WorkflowFile;
  workflow: WorkflowSpec;
  /** The data directory's store, opened on first use. */
  store: () => Store;
  /** What the file was loaded with (state...); the run adds its stack, its events and the delegator. */
  services: RunServices;
  /** The run's event sink: the one the file was loaded with, so load-time dispatches share it. */
  events: RunEventRecorder;
  /** The stack the run records into (its lock is held while the run goes on). */
  stack: string;
  params: Record<string, unknown>;
  /** Cancels the run (Ctrl-C) and the wait for the stack's lock. */
  signal: AbortSignal;
  observer?: RunObserver | undefined;
  /** Runs delegated tasks on agents. */
  delegate?: TaskDelegator | undefined;
  /** How long to wait for another run's lock on the stack (0: fail at once). */
  lockTimeoutMs?: number | undefined;
  /** Run notified handlers even when the run failed. */
  forceHandlers?: boolean | undefined;
  /** Told when the stack's lock is lost mid-run (the caller stops the run). */
  onLeaseLost?: ((message: string) => void) | undefined;
  /** Receives the stack run once its lock is held, so an abrupt exit can still record its end. */
  onStackRun?: ((run: StackRun) => void) | undefined;
  /** Told the result and the stack's record as soon as the run ends, before its hooks run. */
  onFinished?: ((result: RunResult, stack: StackRunSummary) => void) | undefined;
  /** After the run (unless it was cancelled), runs the hooks of its events for at most `timeoutMs` (0: none). */
  hooks?: { timeoutMs: number; write: (line: string) => void } | undefined;
}

export interface RecordedRun {
  result: RunResult;
  /** The stack's record of the run. */
  stack: StackRunSummary;
  /** What the hooks did with the run's events; undefined when none ran. */
  hooks?: DrainReport | undefined;
}

/**
 * Runs a workflow of a loaded file the way `workflow run` does: with its stack locked and recorded, its events (and
 * the engine's) persisted, delegated tasks sent through `delegate`, then the hooks of its events run with a bound.
 */
export async function runRecordedWorkflow(options: RecordedRunOptions): Promise<RecordedRun> {
  const { file, workflow, events } = options;
  const stackRun = await beginStackRun(options.store(), {
    stack: options.stack,
    workflow: workflow.name,
    lockTimeoutMs: options.lockTimeoutMs,
    signal: options.signal,
    onLeaseLost: options.onLeaseLost,
  });
  options.onStackRun?.(stackRun);
  events.bind(workflow.name, stackRun.stack.name);
  const render = options.observer;
  const observer: RunObserver = (e) => {
    events.observe(e);
    render?.(e);
  };
  let result: RunResult;
  try {
    result = await file.run(workflow, {
      params: options.params,
      signal: options.signal,
      forceHandlers: options.forceHandlers,
      observer,
      services: { ...options.services, stack: stackRun.binding, events, delegate: options.delegate },
    });
  } catch (err) {
    stackRun.finish('failed', {}, errorMessage(err));
    throw err;
  }
  const stack = stackRun.finish(result.status, taskCounts(result), result.error);
  options.onFinished?.(result, stack);
  // Hooks never run inside the workflow: after it, with a bound; what is left stays pending for a processor.
  let hooks: DrainReport | undefined;
  if (options.hooks && events.runId !== undefined && !options.signal.aborted) {
    hooks = await drainRunEvents(
      options.store(),
      file.modules,
      events.runId,
      options.hooks.timeoutMs,
      options.hooks.write,
      options.signal,
    );
  }
  return { result, stack, hooks };
}

/** { total, success, failed, ... } of a run, as the execution records it. */
function taskCounts(result: RunResult): Record<string, number> {
  const counts: Record<string, number> = { total: result.tasks.length };
  for (const t of result.tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}
