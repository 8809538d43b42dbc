import { errorMessage, type LogLevel, type ModuleSpec } from '@sloth/core';
import {
  type DrainReport,
  describeHookFailure,
  EventProcessor,
  type HookRunner,
  type ProcessorOptions,
  storeHookRunner,
} from '@sloth/events';
import { eventRepo, hookRepo, type Store } from '@sloth/store-sqlite';
import { ms } from './format.js';

type Write = (line: string) => void;

/** A hook runner whose hooks get `modules`, writing hook log lines as "[hook NAME] message". */
export function createHookRunner(store: Store, modules: ModuleSpec[], write: Write): HookRunner {
  return storeHookRunner(store, modules, (hook: string, level: LogLevel, message: string) =>
    write(`[hook ${hook}] ${level === 'info' ? '' : `${level}: `}${message}`),
  );
}

/** Reports failed hook executions (successes are in `hook history`). */
export function failureReporter(write: Write): ProcessorOptions['onExecution'] {
  return (hook, event, r, attempt) => {
    if (!r.success) write(describeHookFailure(hook, event, r, attempt));
  };
}

/**
 * After a workflow run: runs the hooks for this run's events (with the run's modules), for at most `timeoutMs`; what is left stays pending for
 * `events serve` (or a later run). With no enabled hook, the run's events are marked completed in one statement and no
 * Lua starts. `signal` (Ctrl-C) stops the drain early.
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
    const report = await processor.drain(timeoutMs);
    if (report.left > 0) {
      write(
        `hooks: ${report.left} event(s) of this run left pending after ${ms(timeoutMs)} (raise --hooks-timeout, or run \`sloth-runner events serve\` to process them)`,
      );
    }
    return report;
  } catch (err) {
    write(`hooks: ${errorMessage(err)}`);
    return undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await runner.close();
  }
}
