import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { type AbortCause, abortableSleep, abortError, raceAbort, TASK_FINISHED } from './abort.js';
import { consumeArtifacts, publishArtifacts } from './artifacts.js';
import { type AssertionRecord, summarizeAssertions } from './assertions.js';
import { delegatedBody, isDelegated } from './delegated-body.js';
import { timedOutAfter } from './duration.js';
import { errorCodeOf, errorMessage, SlothError, type SlothErrorCode } from './errors.js';
import { makeDirectory } from './make-directory.js';
import type { ResourceOutcome } from './resource.js';
import { isRetryable, retryDelay } from './retry-policy.js';
import type { RunObserver } from './run-events.js';
import type { RunServices } from './run-services.js';
import type { LogFields, LogLevel, TaskLogger } from './task-logger.js';
import type {
  ChangeRecord,
  HookPayload,
  Outputs,
  TaskBody,
  TaskContext,
  TaskHook,
  TaskResult,
  TaskSpec,
  TaskStatus,
} from './workflow-model.js';

/** What a task needs from the run it belongs to. */
export interface TaskRunEnv {
  runId: string;
  params: Record<string, unknown>;
  /** Working directory of tasks that set none. */
  baseDir: string;
  baseEnv: Record<string, string>;
  /** Fires when the whole run is cancelled (SIGINT, abort_if, workflow timeout). */
  runSignal: AbortSignal;
  emit: RunObserver;
  artifactStore: string;
  /** Artifact name -> task that published it, filled as tasks finish. */
  artifactProducers: Map<string, string>;
  /** Stops the whole run; used by abort_if. */
  requestAbort: (reason: string) => void;
  services?: RunServices | undefined;
  random?: () => number;
  /** The agent this engine runs on (`this.agent.get()`); unset on the machine that runs the workflow. */
  agent?: string | undefined;
  /**
   * A delegated body: how the attempt failed goes back in its result and the engine that delegated it logs it, so it is
   * not logged here too (it would show twice).
   */
  callerLogsFailure?: boolean | undefined;
  /** Check mode: resources report what they would change and change nothing. */
  checkMode?: boolean | undefined;
  /** The workflow file's directory; default baseDir. */
  sourceDir?: string | undefined;
  /** On an agent: only the files that travelled with the task are under sourceDir. */
  sourceBundled?: boolean | undefined;
  /** Told each resource a task converges (an agent sends them back to the engine that delegated the task). */
  onResource?: ((outcome: ResourceOutcome) => void) | undefined;
}

/** Runs one task to its final result: conditions, pre-hook, attempts with retries and timeouts, hooks, artifacts. */
export async function executeTask(
  task: TaskSpec,
  deps: Record<string, Outputs | undefined>,
  env: TaskRunEnv,
): Promise<TaskResult> {
  const started = performance.now();
  const log = taskLogger(task.name, env);
  const workdir = task.workdir === undefined ? env.baseDir : resolve(env.baseDir, task.workdir);
  // Over all attempts and hooks: a change made by a failed attempt is still a change to the machine.
  let changed: boolean | undefined;
  const changes: ChangeRecord[] = [];
  // The checks of the hooks and of the last attempt: a retried attempt's failed checks are not the task's verdict.
  const assertions: AssertionRecord[] = [];
  const base: Omit<TaskContext, 'attempt' | 'signal'> = {
    runId: env.runId,
    task: task.name,
    params: env.params,
    deps,
    workdir,
    workdirIsOwn: task.workdir !== undefined,
    sourceDir: env.sourceDir ?? env.baseDir,
    sourceBundled: env.sourceBundled === true,
    env: { ...env.baseEnv, ...(task.env ?? {}) },
    user: task.user,
    agent: env.agent,
    log,
    services: env.services,
    checkMode: env.checkMode === true,
    reportResource: (outcome) => {
      changed = changed === true || outcome.changed;
      if (outcome.changed) changes.push(changeRecord(outcome));
      reportOutcome(task.name, outcome, env, log);
    },
    reportAssertion: (assertion) => void assertions.push(assertion),
  };
  const result = (status: TaskStatus, attempts: number, extra: Partial<TaskResult> = {}): TaskResult => ({
    name: task.name,
    status,
    attempts,
    durationMs: performance.now() - started,
    ...extra,
    ...changeFields(),
  });
  const changeFields = () => ({
    ...(changed === undefined ? {} : { changed }),
    ...(changes.length > 0 ? { changes: [...changes] } : {}),
    ...(assertions.length > 0 ? { assertions: summarizeAssertions(assertions) } : {}),
  });
  const ctx0: TaskContext = { ...base, attempt: 1, signal: env.runSignal };

  try {
    if (task.abortIf && (await raceAbort(task.abortIf(ctx0), env.runSignal))) {
      const reason = `abort_if of task '${task.name}' returned true`;
      log.log('warn', `${reason}: stopping the workflow`);
      env.requestAbort(reason);
      return result('aborted', 0, failedWith('aborted', reason));
    }
    if (task.runIf && !(await raceAbort(task.runIf(ctx0), env.runSignal))) {
      log.log('info', 'skipped: run_if returned false');
      return result('skipped', 0, { skipReason: 'condition', message: 'run_if returned false' });
    }
  } catch (err) {
    if (env.runSignal.aborted) return result('aborted', 0, failedWith('aborted', runReason(env)));
    return result('failed', 0, failure(err, `run_if/abort_if failed: ${errorMessage(err)}`));
  }

  try {
    if (task.workdir !== undefined) await makeDirectory(workdir);
    if (task.consumes.length > 0) {
      await consumeArtifacts(env.artifactStore, task.name, workdir, task.consumes, env.artifactProducers);
    }
    await runHook(task.preHook, 'pre_hook', ctx0, {}, task, env, true);
  } catch (err) {
    const message = errorMessage(err);
    log.log('error', message);
    if (env.runSignal.aborted) return result('aborted', 0, failedWith('aborted', message));
    return result('failed', 0, failure(err));
  }

  // A delegated task's body runs on its agents; the rest of its life (conditions, hooks, retries) stays here.
  const body = isDelegated(task) ? delegatedBody(task, env.runId, env.emit) : task.body;
  const maxAttempts = task.retry.retries + 1;
  let last: TaskResult = result('failed', 0);
  const beforeAttempts = assertions.length;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    assertions.length = beforeAttempts;
    env.emit({ type: 'task.started', runId: env.runId, task: task.name, attempt, at: Date.now() });
    last = await runAttempt(task, body, { ...base, attempt, signal: env.runSignal }, env, attempt, started);
    if (last.status === 'success' || last.status === 'skipped' || last.status === 'aborted' || attempt === maxAttempts) break;
    if (!isRetryable(last.errorCode)) {
      log.log('warn', `not retried: ${last.errorCode} errors fail the same way on every attempt`);
      break;
    }
    const delayMs = retryDelay(task.retry, attempt + 1, env.random);
    env.emit({
      type: 'task.retrying',
      runId: env.runId,
      task: task.name,
      attempt: attempt + 1,
      delayMs,
      error: last.error ?? 'failed',
      errorCode: last.errorCode,
      at: Date.now(),
    });
    log.log('warn', `attempt ${attempt}/${maxAttempts} failed: ${last.error ?? 'failed'}; retrying in ${delayMs}ms`);
    try {
      await abortableSleep(delayMs, env.runSignal);
    } catch {
      last = { ...last, status: 'aborted', ...failedWith('aborted', runReason(env)) };
      break;
    }
  }

  const ctx: TaskContext = { ...base, attempt: last.attempts, signal: env.runSignal };
  try {
    if (last.status === 'success') {
      await runHook(task.onSuccess, 'on_success', ctx, { output: last.output }, task, env, true);
      if (task.artifacts.length > 0) {
        await publishArtifacts(env.artifactStore, task.name, workdir, task.artifacts);
        for (const name of task.artifacts) env.artifactProducers.set(name.split('/').pop() as string, task.name);
      }
    } else if (last.status === 'timeout') {
      await runHook(task.onTimeout, 'on_timeout', ctx, { error: last.error }, task, env, false);
      await runHook(task.onFailure, 'on_failure', ctx, { error: last.error }, task, env, false);
    } else if (last.status === 'failed') {
      await runHook(task.onFailure, 'on_failure', ctx, { error: last.error }, task, env, false);
    }
    await runHook(
      task.postHook,
      'post_hook',
      ctx,
      { output: last.output, error: last.error },
      task,
      env,
      last.status === 'success',
    );
  } catch (err) {
    log.log('error', errorMessage(err));
    last = { ...last, status: 'failed', ...failure(err) };
  }
  return { ...last, durationMs: performance.now() - started, ...changeFields() };
}

/** A resource outcome as a task's change list shows it. */
function changeRecord(o: ResourceOutcome): ChangeRecord {
  const dot = o.fn.indexOf('.');
  return {
    module: dot < 0 ? o.fn : o.fn.slice(0, dot),
    function: dot < 0 ? '' : o.fn.slice(dot + 1),
    target: o.name,
    changes: o.changes,
    ...(o.diff !== undefined ? { diff: o.diff } : {}),
    ...(o.diffSkipped !== undefined ? { diffSkipped: o.diffSkipped } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
  };
}

/**
 * Tells the run about a converged resource: a `resource.changed` event when it changed, and its record in the run's
 * stack (named `agent:name` when it lives on an agent), so `stack resources` and `stack drift` know what the workflow
 * manages.
 */
function reportOutcome(task: string, o: ResourceOutcome, env: TaskRunEnv, log: TaskLogger): void {
  env.onResource?.(o);
  if (o.changed)
    env.emit({
      type: 'resource.changed',
      runId: env.runId,
      task,
      change: changeRecord(o),
      checkMode: o.checkMode,
      at: Date.now(),
    });
  const stacks = env.services?.stacks;
  const stack = env.services?.stack;
  if (!o.record || !stacks || !stack) return;
  const { module } = changeRecord(o);
  const input = {
    type: o.type,
    name: o.host === undefined ? o.name : `${o.host}:${o.name}`,
    module,
    properties: o.host === undefined ? o.record : { ...o.record, host: o.host },
  };
  try {
    void Promise.resolve(stacks.registerResource(stack.id, stack.executionId, input)).catch((err: unknown) =>
      log.log('warn', `could not record ${o.type} '${input.name}' in stack '${stack.name}': ${errorMessage(err)}`),
    );
  } catch (err) {
    log.log('warn', `could not record ${o.type} '${input.name}' in stack '${stack.name}': ${errorMessage(err)}`);
  }
}

async function runAttempt(
  task: TaskSpec,
  body: TaskBody,
  base: TaskContext,
  env: TaskRunEnv,
  attempt: number,
  started: number,
): Promise<TaskResult> {
  const controller = new AbortController();
  // A body may start many processes or Lua awaits at once, each listening on its signal.
  setMaxListeners(0, controller.signal);
  const onRunAbort = () => controller.abort(env.runSignal.reason);
  env.runSignal.addEventListener('abort', onRunAbort, { once: true });
  if (env.runSignal.aborted) onRunAbort();
  const timeoutMs = task.timeoutMs;
  const timer =
    timeoutMs !== undefined
      ? setTimeout(() => controller.abort({ kind: 'timeout', timeoutMs } satisfies AbortCause), timeoutMs)
      : undefined;
  const ctx: TaskContext = { ...base, signal: controller.signal };
  const logFailure = (message: string) => {
    if (!env.callerLogsFailure) base.log.log('error', message);
  };
  const done = (status: TaskStatus, extra: Partial<TaskResult>): TaskResult => ({
    name: task.name,
    status,
    attempts: attempt,
    durationMs: performance.now() - started,
    ...extra,
  });
  try {
    const outcome = await raceAbort(body(ctx), controller.signal);
    const agents = outcome?.agents ? { agents: outcome.agents } : {};
    if (outcome?.skippedInCheckMode) return done('skipped', { skipReason: 'check_mode', message: outcome.message });
    if (!outcome || outcome.success) return done('success', { message: outcome?.message, output: outcome?.output, ...agents });
    const error = outcome.message ?? 'task returned false';
    logFailure(error);
    return done('failed', {
      message: outcome.message,
      output: outcome.output,
      ...failedWith(outcome.errorCode ?? 'task_failed', error),
      ...agents,
    });
  } catch (err) {
    if (controller.signal.aborted) {
      const cause = controller.signal.reason as AbortCause;
      if (cause?.kind === 'timeout') {
        const message = timedOutAfter(cause.timeoutMs);
        logFailure(message);
        return done('timeout', failedWith('timeout', message));
      }
      return done('aborted', failedWith('aborted', runReason(env)));
    }
    logFailure(errorMessage(err));
    return done('failed', failure(err));
  } finally {
    clearTimeout(timer);
    env.runSignal.removeEventListener('abort', onRunAbort);
    // Anything the body left running (child processes, Lua threads) is told to stop.
    if (!controller.signal.aborted) controller.abort(TASK_FINISHED);
  }
}

async function runHook(
  hook: TaskHook | undefined,
  name: string,
  base: TaskContext,
  payload: HookPayload,
  task: TaskSpec,
  env: TaskRunEnv,
  fatal: boolean,
): Promise<void> {
  if (!hook) return;
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(env.runSignal.reason);
  env.runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timeoutMs = task.timeoutMs;
  const timer =
    timeoutMs !== undefined
      ? setTimeout(() => controller.abort({ kind: 'timeout', timeoutMs } satisfies AbortCause), timeoutMs)
      : undefined;
  try {
    await raceAbort(hook({ ...base, signal: controller.signal }, payload), controller.signal);
  } catch (err) {
    const inner = controller.signal.aborted ? abortError(controller.signal.reason as AbortCause) : err;
    const message = `${name} of task '${task.name}' failed: ${errorMessage(inner)}`;
    if (fatal) throw new SlothError(errorCodeOf(inner), message, { ...slothDetails(inner), cause: err });
    base.log.log('error', message);
  } finally {
    clearTimeout(timer);
    env.runSignal.removeEventListener('abort', onRunAbort);
  }
}

/** A failure's fields in a TaskResult: the message and its code. */
function failedWith(code: SlothErrorCode, error: string): Partial<TaskResult> {
  return { error, errorCode: code };
}

/** The failure fields for something thrown (its code, hint and location kept), with its message or `message`. */
function failure(err: unknown, message = errorMessage(err)): Partial<TaskResult> {
  const { hint, location } = slothDetails(err);
  return {
    ...failedWith(errorCodeOf(err), message),
    ...(hint !== undefined ? { errorHint: hint } : {}),
    ...(location !== undefined ? { errorLocation: location } : {}),
  };
}

/** The hint and location of a SlothError (none for anything else). */
function slothDetails(err: unknown): { hint?: string; location?: string } {
  if (!(err instanceof SlothError)) return {};
  return {
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
    ...(err.location !== undefined ? { location: err.location } : {}),
  };
}

function runReason(env: TaskRunEnv): string {
  const cause = env.runSignal.reason as AbortCause | undefined;
  return cause?.kind === 'run' ? cause.reason : 'the run was stopped';
}

function taskLogger(task: string, env: TaskRunEnv): TaskLogger {
  return {
    log(level: LogLevel, message: string, fields?: LogFields, stream?: 'stdout' | 'stderr') {
      env.emit({ type: 'task.log', runId: env.runId, task, level, message, fields, stream, at: Date.now() });
    },
  };
}
