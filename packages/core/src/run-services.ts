import type { AgentSummary } from './agent-selection.js';
import type { Host, HostBinding } from './host.js';
import type { ModuleCallContext } from './module-sdk.js';
import type { EventSink, LeaseStore, SecretStore, StackStore, StateStore } from './store-contracts.js';
import type { TaskLogger } from './task-logger.js';
import type { TaskContext, TaskOutcome } from './workflow-model.js';

/** The stack a run records into: its id and name, and this run's execution id. */
export interface StackBinding {
  id: string;
  name: string;
  executionId: string;
}

/** What the run environment offers modules beyond the task itself (persistent state, the run's stack, events). */
export interface RunServices {
  /** Persistent key-value state (the state module); a composer may open its database on first access. */
  state?: StateStore | undefined;
  /** Named leases (state locks), on the same data as `state`. */
  leases?: LeaseStore | undefined;
  /** The stacks' resources and outputs; with `stack`, the run's stack. */
  stacks?: StackStore | undefined;
  /** The data directory's secrets (the secret module); a composer may open them on first access. */
  secrets?: SecretStore | undefined;
  /** The data directory the stores are kept in, for threads that open their own (goroutines). */
  dataDir?: string | undefined;
  stack?: StackBinding | undefined;
  events?: EventSink | undefined;
  /** The run's goroutine threads (the goroutine module); absent outside a run. */
  goroutines?: GoroutineHost | undefined;
  /** True for code running inside a goroutine, where goroutines cannot be started. */
  insideGoroutine?: boolean | undefined;
  /**
   * Inside a goroutine: makes a call that has a `target` (an agent, an SSH host) from the thread that started the
   * goroutine, which holds the run's link to the master and its SSH connections. Arguments are plain data.
   */
  forwardTarget?: ((call: ForwardedTargetCall) => Promise<unknown>) | undefined;
  /** Runs the bodies of delegated tasks on agents (the CLI's link to a master); absent: delegation is an error. */
  delegate?: TaskDelegator | undefined;
  /** Machines reached without an agent (ssh:// addresses, inventory hosts); absent: targets are agents only. */
  remote?: RemoteHosts | undefined;
}

/** A module call with a target, made inside a goroutine and sent to the thread that started it. */
export interface ForwardedTargetCall {
  module: string;
  fn: string;
  target: string;
  args: unknown[];
}

/**
 * Machines a run reaches directly (over SSH) rather than through agents: a task delegated to one runs here with its
 * module calls acting there; a call's `target` may name one. Connections are the run's, closed when it ends.
 */
export interface RemoteHosts {
  /** True when `target` names one of these hosts (an ssh:// address, an inventory host) rather than an agent. */
  has(target: string): boolean;
  /** The host `target` names, acting for `binding` (connected on first use). */
  host(target: string, binding: HostBinding): Host;
  /**
   * The names a task delegated to `names` runs on: inventory groups replaced by their hosts, hosts outside the run's
   * `--limit` left out; agents' names pass through.
   */
  select(names: readonly string[]): string[];
  /** How many hosts a fan-out reaches at once. */
  readonly forks?: number | undefined;
}

/** Runs a task body on agents (a fan-out step is one request) and hands back each one's outcome. */
export interface TaskDelegator {
  /** Outcomes in the order of `agents`, each settling when its agent is done; `ctx.signal` cancels them there. */
  runTasks(request: {
    agents: string[];
    ctx: TaskContext;
    /** Where each agent's log lines go. */
    logFor: (agent: string) => TaskLogger;
    timeoutMs: number | undefined;
  }): Promise<TaskOutcome>[];
  /**
   * Runs one module function call on an agent (`target = "agent"` in its options) and hands back what it returned;
   * each resource it converged there is reported to `ctx` (with the agent as host), also when the call failed.
   */
  runCall?(request: ModuleCallRequest): Promise<ModuleCallOutcome>;
  /** The master's agents with their labels and last reported load (choosing agents by label or load). */
  listAgents?(): Promise<AgentSummary[]>;
}

/** One module function call to make on an agent, with arguments as plain data (they travel as JSON). */
export interface ModuleCallRequest {
  agent: string;
  module: string;
  fn: string;
  args: unknown[];
  /** The calling task's context: its signal cancels the call there, its log gets the agent's lines, its check mode. */
  ctx: ModuleCallContext;
}

/** What a call made on an agent returned. */
export interface ModuleCallOutcome {
  value: unknown;
}

/** A function call encoded by the Lua goroutine codec, to run on a worker thread. */
export interface GoroutineRequest {
  /** The encoded function and arguments. */
  code: string;
  /** 'spawn': nobody waits for it; its failure is logged, and the end of the run waits for it a little. */
  kind: 'async' | 'spawn';
  /** A named pool that limits how many of its goroutines run at once. */
  pool?: string | undefined;
}

/** How a goroutine ended: its encoded return values, or its error with the Lua traceback. */
export interface GoroutineOutcome {
  ok: boolean;
  values?: string | undefined;
  error?: string | undefined;
  traceback?: string | undefined;
}

export interface GoroutinePoolStats {
  workers: number;
  active: number;
  queued: number;
  completed: number;
  failed: number;
}

/** Runs goroutines for one workflow run; its threads are stopped when the run ends. */
export interface GoroutineHost {
  /** Queues a goroutine for the calling task (its log, workdir, env; stopped with it) and returns its id. */
  submit(request: GoroutineRequest, ctx: ModuleCallContext): number;
  /** Waits for goroutines; those still running after `timeoutMs` are stopped and reported as timed out. */
  wait(ids: number[], timeoutMs: number | undefined, signal: AbortSignal): Promise<GoroutineOutcome[]>;
  /** Creates (or resizes) a named pool; without a name, an anonymous one. Returns its name. */
  createPool(name: string | undefined, workers: number): string;
  /** Waits for the goroutines submitted to a pool since its last wait, in submission order. */
  waitPool(name: string, timeoutMs: number | undefined, signal: AbortSignal): Promise<GoroutineOutcome[]>;
  poolStats(name: string): GoroutinePoolStats;
  /** Stops a pool's queued and running goroutines and forgets it; returns how many were stopped. */
  closePool(name: string): number;
}
