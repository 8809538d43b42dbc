import { didYouMean } from './closest-name.js';
import { SlothError } from './errors.js';
import type { TaskResult, TaskSpec, WorkflowSpec } from './workflow-model.js';

/**
 * Checks the handler links of a workflow: each `notify` names a handler of it, and no task depends on a handler or
 * is one with dependencies (a handler runs after every other task, when notified, so neither can be ordered).
 */
export function validateHandlers(workflow: WorkflowSpec): void {
  const handlers = new Set(workflow.tasks.filter((t) => t.handler).map((t) => t.name));
  const others = workflow.tasks.filter((t) => !t.handler).map((t) => t.name);
  for (const task of workflow.tasks) {
    for (const name of task.notify ?? []) {
      if (handlers.has(name)) continue;
      const what = others.includes(name)
        ? `'${name}', which is not a handler`
        : `'${name}', which is not a handler of workflow '${workflow.name}'${didYouMean(name, handlers)}`;
      throw new SlothError('load', `task '${task.name}' notifies ${what}`, {
        location: task.location,
        hint:
          handlers.size > 0
            ? `handlers in this workflow: ${[...handlers].join(', ')} (declare one with task("name"):handler())`
            : 'declare the handler with task("name"):handler() and list it in the workflow\'s tasks',
      });
    }
    if (task.handler && task.dependsOn.length > 0) {
      throw new SlothError('load', `handler '${task.name}' has depends_on; handlers run after every other task, when notified`, {
        location: task.location,
        hint: 'remove its depends_on (handlers run in the order they are declared)',
      });
    }
    const handlerDep = task.dependsOn.find((d) => handlers.has(d));
    if (!task.handler && handlerDep !== undefined) {
      throw new SlothError(
        'load',
        `task '${task.name}' depends on handler '${handlerDep}', which only runs when notified, after the other tasks`,
        {
          location: task.location,
          hint: `use :notify({"${handlerDep}"}) instead of depends_on`,
        },
      );
    }
  }
}

/** How the handlers of a run are to be run. */
export interface HandlerRunOptions {
  /** The run failed or was stopped before the handlers. */
  runFailed: boolean;
  /** Run notified handlers even when the run failed (`--force-handlers`); not when it was stopped. */
  force: boolean;
  /** The run was stopped (Ctrl-C, a timeout, abort_if): no handler runs. */
  stopped: boolean;
  checkMode: boolean;
  execute: (task: TaskSpec) => Promise<TaskResult>;
  finish: (result: TaskResult) => void;
}

/**
 * Runs the handlers of a workflow once the other tasks are done: each notified one once, in declaration order, and a
 * handler that changes something may notify later ones. Every handler gets a result: skipped when not notified, when
 * the run failed (unless forced), and in check mode, where it is reported as "would run".
 */
export async function runHandlers(
  workflow: WorkflowSpec,
  results: ReadonlyMap<string, TaskResult>,
  options: HandlerRunOptions,
): Promise<void> {
  const notified = new Map<string, string>();
  const notifyFrom = (task: TaskSpec, result: TaskResult | undefined) => {
    // A task that changed something and then failed still notifies: the change is on the machine.
    if (result?.changed !== true) return;
    for (const name of task.notify ?? []) if (!notified.has(name)) notified.set(name, task.name);
  };
  for (const task of workflow.tasks) if (!task.handler) notifyFrom(task, results.get(task.name));
  for (const handler of workflow.tasks) {
    if (!handler.handler) continue;
    const by = notified.get(handler.name);
    const skip = (skipReason: TaskResult['skipReason'], message: string) =>
      options.finish({ name: handler.name, status: 'skipped', attempts: 0, durationMs: 0, skipReason, message });
    if (by === undefined) skip('not_notified', 'not notified');
    else if (options.stopped) skip('aborted', `notified by '${by}', not run: the run was stopped`);
    else if (options.runFailed && !options.force)
      skip('run_failed', `notified by '${by}', not run: the run failed (--force-handlers runs it anyway)`);
    else if (options.checkMode) skip('check_mode', `would run (check mode): notified by '${by}'`);
    else {
      const result = await options.execute(handler);
      options.finish(result);
      notifyFrom(handler, result);
    }
  }
}
