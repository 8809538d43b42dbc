import { parseDuration } from './duration.js';
import { NO_RETRY, type RetryStrategy, retryPolicy } from './retry-policy.js';
import { shellBody, shellPredicate } from './shell-command.js';
import type { TaskBody, TaskHook, TaskPredicate, TaskSpec, WorkflowSpec } from './workflow-model.js';

/** A task as TypeScript users write it: the engine's TaskSpec with friendly defaults. */
export interface TaskInit {
  name: string;
  description?: string;
  /** A function, or a shell command line that succeeds when it exits 0. */
  run: TaskBody | string;
  dependsOn?: string[];
  timeout?: string | number;
  retries?: number | { count: number; strategy?: RetryStrategy; delay?: string | number };
  runIf?: TaskPredicate | string;
  abortIf?: TaskPredicate | string;
  onSuccess?: TaskHook;
  onFailure?: TaskHook;
  onTimeout?: TaskHook;
  preHook?: TaskHook;
  postHook?: TaskHook;
  workdir?: string;
  env?: Record<string, string>;
  user?: string;
  tags?: string[];
  artifacts?: string[];
  consumes?: string[];
}

/** Builds a TaskSpec for the typed TypeScript API. */
export function defineTask(init: TaskInit): TaskSpec {
  const retries = typeof init.retries === 'number' ? { count: init.retries } : init.retries;
  return {
    name: init.name,
    description: init.description,
    body: typeof init.run === 'string' ? shellBody(init.run) : init.run,
    dependsOn: init.dependsOn ?? [],
    timeoutMs: init.timeout === undefined ? undefined : parseDuration(init.timeout, `timeout of task '${init.name}'`),
    retry: retries
      ? retryPolicy(retries.count, retries.strategy, retries.delay === undefined ? undefined : parseDuration(retries.delay))
      : NO_RETRY,
    runIf: typeof init.runIf === 'string' ? shellPredicate(init.runIf) : init.runIf,
    abortIf: typeof init.abortIf === 'string' ? shellPredicate(init.abortIf) : init.abortIf,
    onSuccess: init.onSuccess,
    onFailure: init.onFailure,
    onTimeout: init.onTimeout,
    preHook: init.preHook,
    postHook: init.postHook,
    workdir: init.workdir,
    env: init.env,
    user: init.user,
    tags: init.tags ?? [],
    artifacts: init.artifacts ?? [],
    consumes: init.consumes ?? [],
  };
}

export interface WorkflowInit {
  name: string;
  description?: string;
  version?: string;
  tasks: TaskSpec[];
  timeout?: string | number;
  maxParallelTasks?: number;
  failFast?: boolean;
  onStart?: WorkflowSpec['onStart'];
  onComplete?: WorkflowSpec['onComplete'];
}

/** Builds a WorkflowSpec for the typed TypeScript API. */
export function defineWorkflow(init: WorkflowInit): WorkflowSpec {
  return {
    name: init.name,
    description: init.description,
    version: init.version,
    tasks: init.tasks,
    config: {
      timeoutMs: init.timeout === undefined ? undefined : parseDuration(init.timeout, 'workflow timeout'),
      maxParallelTasks: init.maxParallelTasks,
      failFast: init.failFast ?? true,
      extra: {},
    },
    onStart: init.onStart,
    onComplete: init.onComplete,
  };
}
