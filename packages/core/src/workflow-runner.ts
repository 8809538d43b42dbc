import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AbortCause } from './abort.js';
import { validateWorkflow } from './dag-plan.js';
import { errorCodeOf, errorMessage } from './errors.js';
import { runHandlers } from './handlers.js';
import type { RunObserver } from './run-events.js';
import type { RunServices } from './run-services.js';
import { maskDeep } from './secret-mask.js';
import { executeTask, type TaskRunEnv } from './task-executor.js';
import type { Outputs, RunResult, RunStatus, TaskResult, TaskSpec, WorkflowSpec } from './workflow-model.js';

export interface RunOptions {
  params?: Record<string, unknown>;
  /** Stops the run (SIGINT): running tasks are stopped, the rest are not started. */
  signal?: AbortSignal;
  observer?: RunObserver;
  /** Working directory of tasks that set none; defaults to the process's. */
  baseDir?: string;
  env?: Record<string, string>;
  runId?: string;
  random?: () => number;
  services?: RunServices;
  /** Check mode: resources report what they would change and change nothing. */
  checkMode?: boolean;
  /** The workflow file's directory (where a relative `src` is found); default baseDir. */
  sourceDir?: string;
  /** Run notified handlers even when the run failed. */
  forceHandlers?: boolean;
  /** Told the run as it starts (before workflow.started), for work that joins it from inside a task. */
  onRunStarted?: (run: ActiveRun) => void;
}

/** A run in progress, as work that joins it from inside one of its tasks sees it (Lua's `Task:run()`). */
export interface ActiveRun {
  readonly runId: string;
  /** Runs one more task now in the run's environment: `params` over the run's, stopped by `signal` (its caller's). */
  runTask(task: TaskSpec, params: Record<string, unknown>, signal: AbortSignal): Promise<TaskResult>;
}

const FAILED = (r: TaskResult) => r.status === 'failed' || r.status === 'timeout' || r.status === 'aborted';
// A task its run_if skipped, or a command check mode did not run, lets its dependents go on.
const OK_FOR_DEPENDENTS = (r: TaskResult) =>
  r.status === 'success' || (r.status === 'skipped' && (r.skipReason === 'condition' || r.skipReason === 'check_mode'));

/** Runs a workflow: tasks start as soon as their dependencies are done, up to max_parallel_tasks at once. */
export async function runWorkflow(workflow: WorkflowSpec, options: RunOptions = {}): Promise<RunResult> {
  validateWorkflow(workflow);
  const runId = options.runId ?? randomUUID();
  const started = performance.now();
  const observer = options.observer;
  // Everything the run reports leaves through here (renderers, --output json, the events it records, its stack's
  // record): secrets read during the run are masked in it; the tasks themselves still see the values.
  const emit: RunObserver = observer ? (e) => observer(maskDeep(e)) : () => {};
  const controller = new AbortController();
  // Every running task listens on the run's signal; hundreds at once is normal, not a leak.
  setMaxListeners(0, controller.signal);
  const abort = (reason: string) => {
    if (!controller.signal.aborted) controller.abort({ kind: 'run', reason } satisfies AbortCause);
  };
  let stopStatus: RunStatus | undefined;
  const onExternalAbort = () => {
    stopStatus ??= 'aborted';
    abort('cancelled by the user (SIGINT)');
  };
  if (options.signal?.aborted) onExternalAbort();
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const workflowTimer =
    workflow.config.timeoutMs !== undefined
      ? setTimeout(() => {
          stopStatus ??= 'timeout';
          abort(`workflow timeout of ${workflow.config.timeoutMs}ms exceeded`);
        }, workflow.config.timeoutMs)
      : undefined;

  const artifactStore = await mkdtemp(join(tmpdir(), 'sloth-artifacts-'));
  try {
    const env: TaskRunEnv = {
      runId,
      params: options.params ?? {},
      baseDir: options.baseDir ?? process.cwd(),
      baseEnv: options.env ?? (process.env as Record<string, string>),
      runSignal: controller.signal,
      emit,
      artifactStore,
      artifactProducers: new Map(),
      requestAbort: (reason) => {
        stopStatus ??= 'failed';
        abort(reason);
      },
      services: options.services,
      checkMode: options.checkMode,
      sourceDir: options.sourceDir,
      ...(options.random ? { random: options.random } : {}),
    };

    options.onRunStarted?.({
      runId,
      // Its own artifacts and abort: a task run this way hands no files on and cannot stop the run.
      runTask: (task, params, signal) =>
        executeTask(
          { ...task, artifacts: [], consumes: [] },
          {},
          {
            ...env,
            params: { ...env.params, ...params },
            runSignal: signal,
            artifactProducers: new Map(),
            requestAbort: () => {},
          },
        ),
    });
    emit({
      type: 'workflow.started',
      runId,
      workflow: workflow.name,
      tasks: workflow.tasks.map((t) => t.name),
      deps: Object.fromEntries(workflow.tasks.map((t) => [t.name, [...t.dependsOn]])),
      at: Date.now(),
    });
    let runError: string | undefined;
    const results = new Map<string, TaskResult>();
    try {
      if (workflow.onStart) await workflow.onStart();
      await schedule({ ...workflow, tasks: workflow.tasks.filter((t) => !t.handler) }, env, results, emit);
      const finish = (r: TaskResult) => {
        results.set(r.name, r);
        emit({ type: 'task.finished', runId, task: r.name, result: r, at: Date.now() });
      };
      await runHandlers(workflow, results, {
        runFailed: [...results.values()].some((r) => FAILED(r)),
        force: options.forceHandlers === true,
        stopped: controller.signal.aborted,
        checkMode: options.checkMode === true,
        execute: (task) => executeTask(task, {}, env),
        finish,
      });
    } catch (err) {
      runError = errorMessage(err);
    } finally {
      clearTimeout(workflowTimer);
      options.signal?.removeEventListener('abort', onExternalAbort);
    }
    // If on_start (or the scheduler) threw, some tasks never got a result; every task must have one.
    for (const task of workflow.tasks) {
      if (results.has(task.name)) continue;
      const skipped: TaskResult = {
        name: task.name,
        status: 'skipped',
        attempts: 0,
        durationMs: 0,
        skipReason: 'aborted',
        error: 'not started: the run failed before it',
      };
      results.set(task.name, skipped);
      emit({ type: 'task.finished', runId, task: task.name, result: skipped, at: Date.now() });
    }

    const ordered = workflow.tasks.map((t) => results.get(t.name) as TaskResult);
    const failed = ordered.some(FAILED);
    let status: RunStatus = stopStatus ?? (failed || runError ? 'failed' : 'success');
    if (workflow.onComplete) {
      try {
        await workflow.onComplete(status === 'success', Object.fromEntries(results));
      } catch (err) {
        runError ??= `on_complete failed: ${errorMessage(err)}`;
        if (status === 'success') status = 'failed';
      }
    }
    const cause = controller.signal.reason as AbortCause | undefined;
    const result: RunResult = {
      runId,
      workflow: workflow.name,
      status,
      durationMs: performance.now() - started,
      tasks: ordered,
      error: runError ?? (cause?.kind === 'run' ? cause.reason : undefined),
      ...(options.checkMode ? { checkMode: true } : {}),
    };
    emit({ type: 'workflow.finished', runId, result, at: Date.now() });
    return maskDeep(result);
  } finally {
    await rm(artifactStore, { recursive: true, force: true });
  }
}

async function schedule(
  workflow: WorkflowSpec,
  env: TaskRunEnv,
  results: Map<string, TaskResult>,
  emit: RunObserver,
): Promise<void> {
  const byName = new Map<string, TaskSpec>(workflow.tasks.map((t) => [t.name, t]));
  const pending = new Map(byName);
  const running = new Map<string, Promise<void>>();
  const limit = workflow.config.maxParallelTasks ?? Number.POSITIVE_INFINITY;
  let failFastTripped = false;

  const finish = (result: TaskResult) => {
    results.set(result.name, result);
    emit({ type: 'task.finished', runId: env.runId, task: result.name, result, at: Date.now() });
  };
  const skipAll = (reason: 'fail_fast' | 'aborted', why: string) => {
    for (const task of pending.values())
      finish({ name: task.name, status: 'skipped', attempts: 0, durationMs: 0, skipReason: reason, error: why });
    pending.clear();
  };

  while (pending.size > 0 || running.size > 0) {
    if (env.runSignal.aborted) skipAll('aborted', 'not started: the run was stopped');
    else if (failFastTripped) skipAll('fail_fast', 'not started: an earlier task failed (fail_fast)');

    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const task of [...pending.values()]) {
        const depResults = task.dependsOn.map((d) => results.get(d));
        if (depResults.some((r) => r === undefined)) continue;
        const blocked = (depResults as TaskResult[]).find((r) => !OK_FOR_DEPENDENTS(r));
        if (blocked) {
          pending.delete(task.name);
          finish({
            name: task.name,
            status: 'skipped',
            attempts: 0,
            durationMs: 0,
            skipReason: 'dependency',
            error: `dependency '${blocked.name}' ${blocked.status}`,
          });
          progressed = true;
          continue;
        }
        if (running.size >= limit) continue;
        pending.delete(task.name);
        const run = executeTask(task, ancestorOutputs(task, byName, results), env)
          .catch(
            (err): TaskResult => ({
              name: task.name,
              status: 'failed',
              attempts: 1,
              durationMs: 0,
              error: errorMessage(err),
              errorCode: errorCodeOf(err),
            }),
          )
          .then((result) => {
            running.delete(task.name);
            finish(result);
            if ((result.status === 'failed' || result.status === 'timeout') && workflow.config.failFast) failFastTripped = true;
          });
        running.set(task.name, run);
        progressed = true;
      }
    }
    if (running.size === 0) {
      if (pending.size > 0) skipAll('aborted', 'not started: its dependencies can never finish');
      break;
    }
    await Promise.race(running.values());
  }
}

/**
 * What a task sees as `deps`: the outputs of every task it depends on, directly or through others, by task name.
 * Nearer tasks are entered first, so a direct dependency shadows a farther one. A task only starts once all of
 * them succeeded or were skipped by their `run_if`; a skipped one is there with no outputs.
 */
function ancestorOutputs(
  task: TaskSpec,
  byName: ReadonlyMap<string, TaskSpec>,
  results: ReadonlyMap<string, TaskResult>,
): Record<string, Outputs | undefined> {
  const deps: Record<string, Outputs | undefined> = {};
  const queue = [...task.dependsOn];
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i] as string;
    if (Object.hasOwn(deps, name)) continue;
    deps[name] = results.get(name)?.output;
    queue.push(...(byName.get(name)?.dependsOn ?? []));
  }
  return deps;
}
