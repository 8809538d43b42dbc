import type { AssertionRecord, LogFields, LogLevel, ResourceOutcome, StackBinding } from '@sloth/core';

/** What every worker thread of a run is started with (piscina workerData). */
export interface GoroutineWorkerSetup {
  /** The BroadcastChannel on which the host sends cancellations (with their reason). */
  channel: string;
  /**
   * Stop requests the Lua count hook reads without the worker's event loop (a loop inside a C call never yields to
   * it): slot `id % length` holds the id of a goroutine told to stop.
   */
  stops: Int32Array;
  /** The workflow file, so `require` finds Lua files next to it. */
  file: string | undefined;
  params: Record<string, unknown>;
  values: Record<string, unknown>;
  /** The run is in check mode (the `check_mode` global). */
  checkMode: boolean;
  /** The run's modules, by name, with the URL each is imported from (undefined: not available in goroutines). */
  modules: { name: string; importFrom: string | undefined }[];
}

/** One goroutine, as posted to a worker. */
export interface GoroutineJob {
  id: number;
  /** The function and arguments, encoded by the Lua transfer codec. */
  code: string;
  task: string | undefined;
  workdir: string;
  sourceDir: string;
  sourceBundled: boolean;
  /** The task's environment as a difference from the process's (which workers inherit): set these, unset those. */
  env: { set: Record<string, string>; unset: string[] };
  user: string | undefined;
  /** The data directory whose store state/stack calls open (lazily) in the worker. */
  dataDir: string | undefined;
  stack: StackBinding | undefined;
  checkMode: boolean;
}

/** What a worker answers for a job; `lines` is how many log lines it posted, which may arrive after this. */
export interface GoroutineReply {
  ok: boolean;
  values?: string;
  error?: string;
  traceback?: string;
  /** True when the job was stopped by a cancellation. */
  stopped?: boolean;
  lines: number;
  /** The resources it converged, for the task that started it. */
  resources?: ResourceOutcome[] | undefined;
  /** The checks it made (infra_test), counted in the task that started it. */
  assertions?: AssertionRecord[] | undefined;
}

/** A log line of a goroutine, posted by its worker to the host (piscina's 'message' event). */
export interface GoroutineLogLine {
  kind: 'goroutine.log';
  job: number;
  level: LogLevel;
  message: string;
  fields?: LogFields | undefined;
  stream?: 'stdout' | 'stderr' | undefined;
}

/** Posted by a worker when a job's Lua code begins, so the host knows which thread to terminate if the job will not stop. */
export interface GoroutineStarted {
  kind: 'goroutine.started';
  job: number;
  thread: number;
}

/** Host -> workers, on the run's BroadcastChannel. */
export interface GoroutineCancel {
  kind: 'goroutine.cancel';
  job: number;
  reason: string;
}

/** Worker -> host: a module call with a target, made by goroutine `job`, to be made by the host (its link to the fleet). */
export interface GoroutineTargetCall {
  kind: 'goroutine.target';
  job: number;
  /** Numbers the calls of one job, to match the answer. */
  call: number;
  module: string;
  fn: string;
  target: string;
  args: unknown[];
}

/** Host -> workers, on the run's BroadcastChannel: how a forwarded call ended. */
export interface GoroutineTargetAnswer {
  kind: 'goroutine.target.answer';
  job: number;
  call: number;
  ok: boolean;
  /** The value (ok), its values when the function returned several. */
  value?: unknown;
  values?: unknown[] | undefined;
  /** The error (not ok), its code and hint kept. */
  error?: { message: string; code?: string | undefined; hint?: string | undefined } | undefined;
}
