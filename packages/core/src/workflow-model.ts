import type { AssertionRecord, AssertionSummary } from './assertions.js';
import type { SlothErrorCode } from './errors.js';
import type { Host, HostBinding } from './host.js';
import type { Changes, ResourceOutcome } from './resource.js';
import type { RetryPolicy } from './retry-policy.js';
import type { RunServices } from './run-services.js';
import type { TaskLogger } from './task-logger.js';

export type TaskStatus = 'success' | 'failed' | 'skipped' | 'timeout' | 'aborted';
export type RunStatus = 'success' | 'failed' | 'aborted' | 'timeout';
/** Why a task was skipped: its run_if said no, a dependency failed, fail-fast / an abort stopped the run, or (handlers) why it did not run. */
export type SkipReason =
  | 'condition'
  | 'dependency'
  | 'fail_fast'
  | 'aborted'
  /** A handler nothing notified, one not run because the run failed, or one that would run in check mode. */
  | 'not_notified'
  | 'run_failed'
  | 'check_mode';

export type Outputs = Record<string, unknown>;

/** What a task body hands back. */
export interface TaskOutcome {
  success: boolean;
  /** The body did not run its work in check mode (a shell command): the task is reported as skipped, not failed. */
  skippedInCheckMode?: boolean | undefined;
  message?: string;
  /** What kind of failure (default task_failed): a delegated task's code from its agents. */
  errorCode?: SlothErrorCode | undefined;
  output?: Outputs;
  /** A delegated task: how it went on each agent. */
  agents?: Record<string, AgentTaskResult> | undefined;
  /** A delegated body: the resources it converged on its agent (the engine that delegated it reports them). */
  resources?: ResourceOutcome[] | undefined;
}

/** How a delegated task went on one agent. */
export interface AgentTaskResult {
  status: 'success' | 'failed';
  durationMs: number;
  output?: Outputs | undefined;
  error?: string | undefined;
  errorCode?: SlothErrorCode | undefined;
  /** Whether a resource it converged there changed (absent when it converged none). */
  changed?: boolean | undefined;
}

/** One change a task made (or in check mode would make), as reports and JSON show it. */
export interface ChangeRecord {
  /** The module and function that made it ("file_ops", "copy"). */
  module: string;
  function: string;
  /** What it changed: a path, a package, a user. */
  target: string;
  changes: Changes;
  diff?: string | undefined;
  diffSkipped?: string | undefined;
  /** The agent it was made on; absent on the machine that runs the workflow. */
  host?: string | undefined;
}

/** Everything a task body, condition or hook may use while it runs. */
export interface TaskContext {
  runId: string;
  task: string;
  attempt: number;
  params: Readonly<Record<string, unknown>>;
  /** Outputs of the task's dependencies, direct and farther (a dependency's dependencies, ...), by task name. */
  deps: Readonly<Record<string, Outputs | undefined>>;
  /** The directory the task works in: its `workdir` if set, else the run's base directory. */
  workdir: string;
  /** True when `workdir` was set by the workflow (so it may be created and cleaned up). */
  workdirIsOwn: boolean;
  /** The workflow file's directory (see ModuleCallContext.sourceDir). */
  sourceDir: string;
  /** True on an agent, where only the files that travelled with the task are under sourceDir. */
  sourceBundled: boolean;
  env: Readonly<Record<string, string>>;
  user: string | undefined;
  agent: string | undefined;
  /** Fires when the attempt times out or the run is cancelled. */
  signal: AbortSignal;
  log: TaskLogger;
  /** Persistent state and the run's stack, when the run has them. */
  services?: RunServices | undefined;
  /** Check mode: resources report what they would change and change nothing. */
  checkMode: boolean;
  /** Told the outcome of each resource the task converges (its result's `changed`). */
  reportResource: (outcome: ResourceOutcome) => void;
  /** Told each check the task makes (infra_test): its result's `assertions`. */
  reportAssertion?: ((assertion: AssertionRecord) => void) | undefined;
  /** Where the task's module calls act (a host reached over SSH); absent: this machine. */
  hostFor?: ((binding: HostBinding) => Host) | undefined;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a body written `async () => {}` returns Promise<void>, and that must type-check
export type TaskBody = (ctx: TaskContext) => Promise<TaskOutcome | undefined | void>;
export type TaskPredicate = (ctx: TaskContext) => Promise<boolean>;
export interface HookPayload {
  output?: Outputs | undefined;
  error?: string | undefined;
}
export type TaskHook = (ctx: TaskContext, payload: HookPayload) => Promise<void>;

/** A task, ready to run: the engine's view, whatever language declared it. */
export interface TaskSpec {
  name: string;
  description?: string | undefined;
  body: TaskBody;
  dependsOn: string[];
  timeoutMs?: number | undefined;
  retry: RetryPolicy;
  runIf?: TaskPredicate | undefined;
  abortIf?: TaskPredicate | undefined;
  onSuccess?: TaskHook | undefined;
  onFailure?: TaskHook | undefined;
  onTimeout?: TaskHook | undefined;
  preHook?: TaskHook | undefined;
  postHook?: TaskHook | undefined;
  workdir?: string | undefined;
  env?: Record<string, string> | undefined;
  user?: string | undefined;
  tags: string[];
  artifacts: string[];
  consumes: string[];
  /** Agent name(s) the task's body runs on (services.delegate); more than one fans it out. */
  delegateTo?: string[] | undefined;
  /**
   * Chooses the agent(s) when the task starts (a `delegate_to` function); used when `delegateTo` is unset. With
   * `replace`, it chooses `count` others than those excluded (a `replaceAgents` task replacing agents that failed).
   */
  chooseAgents?: ((ctx: TaskContext, replace?: AgentReplacement) => Promise<string[]>) | undefined;
  /**
   * The chooser picks some of the agents that qualify (`one`/`count`): an agent that goes away while the task runs is
   * replaced by another at once, and one where it failed is replaced for the next attempt.
   */
  replaceAgents?: boolean | undefined;
  /** `file:line` where the task was declared, for error messages. */
  location?: string | undefined;
  /** A handler: it runs only when notified, once, after the workflow's other tasks. */
  handler?: boolean | undefined;
  /** Handlers this task notifies when it ends having changed something. */
  notify?: string[] | undefined;
}

/** What a chooser is asked when agents are replaced: this many others, none of those excluded. */
export interface AgentReplacement {
  count: number;
  exclude: string[];
}

export interface WorkflowConfig {
  timeoutMs?: number | undefined;
  maxParallelTasks?: number | undefined;
  failFast: boolean;
  /** Keys the engine does not interpret (environment, retry_policy...), kept for the workflow's own use. */
  extra: Record<string, unknown>;
}

export interface TaskResult {
  name: string;
  status: TaskStatus;
  attempts: number;
  durationMs: number;
  message?: string | undefined;
  output?: Outputs | undefined;
  /** Why the task failed, as people read it (a module error keeps its position and hint in the text). */
  error?: string | undefined;
  /**
   * What kind of failure (set with `error` when the task failed, timed out or was aborted): a module's own code
   * (`invalid_argument`, `not_found`, ...), `task_failed` for the task's own code, `timeout`, `aborted`.
   */
  errorCode?: SlothErrorCode | undefined;
  /** What to do about it, when the error said. */
  errorHint?: string | undefined;
  /** `file:line` in the workflow where the error was raised, when known. */
  errorLocation?: string | undefined;
  skipReason?: SkipReason | undefined;
  /**
   * Whether a resource the task converged changed something (in check mode: would have); false when every one was in
   * its desired state already; absent when the task converged none (commands run by exec or a shell are not counted).
   */
  changed?: boolean | undefined;
  /** What it changed (in check mode: would change), in the order it happened. */
  changes?: ChangeRecord[] | undefined;
  /** A delegated task: its result on each agent. */
  agents?: Record<string, AgentTaskResult> | undefined;
  /** The checks it made (infra_test) in its hooks and its last attempt; absent when it made none. */
  assertions?: AssertionSummary | undefined;
}

export interface WorkflowSpec {
  name: string;
  description?: string | undefined;
  version?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  tasks: TaskSpec[];
  config: WorkflowConfig;
  onStart?: (() => Promise<void>) | undefined;
  onComplete?: ((success: boolean, results: Record<string, TaskResult>) => Promise<void>) | undefined;
  location?: string | undefined;
}

export interface RunResult {
  runId: string;
  workflow: string;
  status: RunStatus;
  durationMs: number;
  /** In the order tasks were declared. */
  tasks: TaskResult[];
  /** Why the run was stopped early, if it was. */
  error?: string | undefined;
  /** It ran in check mode: nothing was changed. */
  checkMode?: boolean | undefined;
}
