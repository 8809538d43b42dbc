import { errorMessage, type LogLevel, type ModuleSpec } from '@sloth/core';
import { eventRepo, hookRepo, type Store } from '@sloth/store-sqlite';
import { type DrainReport, EventProcessor, type ProcessorOptions } from './event-processor.js';
import { describeHookFailure } from './hook-failure.js';
import type { HookRunner } from './hook-runner.js';
import { storeHookRunner } from './store-hook-runner.js';

type Write = (line: string) => void;

/** A hook runner whose hooks get `modules`, writing hook log lines as "[hook NAME] message". */
export function createHookRunner(store: Store, modules: ModuleSpec[], write: Write): HookRunner {
  return storeHookRunner(store, modules, (hook: string, level: LogLevel, message: string) =>
    write(`[hook ${hook}] ${level === 'info' ? '' : `${level}: `}${message}`),
  );
}

/** Reports failed hook executions (successes are in the hook's history). */
export function failureReporter(write: Write): ProcessorOptions['onExecution'] {
  return (hook, event, r, attempt) => {
    if (!r.success) write(describeHookFailure(hook, event, r, attempt));
  };
}

/**
 * After a workflow run: runs the hooks for this run's events, for at most `timeoutMs`; what is left stays pending for
 * a processor (`events serve`, a later run). With no enabled hook, the run's events are marked completed in one
 * statement and no Lua starts. `signal` (Ctrl-C) stops the drain early. Undefined when no hook ran.
 */
export async function drainRunEvents(
  store: Store,
  modules: ModuleSpec[],
  runId: string,
  timeoutMs: number,
  write: Write,
  signal: AbortSignal,
): Promise<DrainReport | undefined> {
  if (timeoutMs <= 0) return undefined;
  if (hookRepo(store).enabledCount() === 0) {
    eventRepo(store).completeRun(runId);
    return undefined;
  }
  const runner = createHookRunner(store, modules, write);
  const processor = new EventProcessor({
    store,
    runner,
    runId,
    onExecution: failureReporter(write),
    onError: (message) => write(`hooks: ${message}`),
  });
  const onAbort = () => void processor.stop(0);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await processor.drain(timeoutMs);
  } catch (err) {
    write(`hooks: ${errorMessage(err)}`);
    return undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await runner.close();
  }
}
