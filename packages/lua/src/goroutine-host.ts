import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import {
  type AbortCause,
  endedNormally,
  errorMessage,
  type GoroutineHost,
  type GoroutineOutcome,
  type GoroutinePoolStats,
  type GoroutineRequest,
  killMarkedGroups,
  type ModuleCallContext,
  type ModuleSpec,
  MultipleReturns,
  nextCallSerial,
  ownerMark,
  SlothError,
  timedOutAfter,
} from '@sloth/core/internal';
import { Piscina } from 'piscina';
import type {
  GoroutineCancel,
  GoroutineJob,
  GoroutineLogLine,
  GoroutineReply,
  GoroutineStarted,
  GoroutineTargetAnswer,
  GoroutineTargetCall,
  GoroutineWorkerSetup,
} from './goroutine-messages.js';
import { callOnTarget } from './module-target.js';

/** Goroutines one worker thread runs at once: I/O waits overlap; CPU work is time-sliced. */
export const GOROUTINES_PER_THREAD = 16;
/** How long a cancelled goroutine has to stop before its worker thread is terminated. */
const STOP_GRACE_MS = 2000;
/** How long the end of a run waits for spawned goroutines. */
const SPAWN_GRACE_MS = 10_000;
/** How often a goroutine whose thread died before it started is sent to another thread. */
const MAX_RESTARTS = 3;
/** Stop flags shared with the threads: at least this many, and twice the goroutines that can run at once. */
const MIN_STOP_SLOTS = 4096;
/** How long a reply waits for log lines of its goroutine that are still on their way. */
const LOG_WAIT_MS = 2000;

// From src/ (tests) and dist/ alike, the compiled worker.
const WORKER = new URL('../dist/goroutine-worker-entry.cjs', import.meta.url);

export interface GoroutineHostOptions {
  /** The run's modules: the threads import each from its `importFrom` (those without one are not available there). */
  modules: ModuleSpec[];
  /** The workflow file (workers resolve `require` next to it). */
  file?: string | undefined;
  params?: Record<string, unknown> | undefined;
  values?: Record<string, unknown> | undefined;
  /** The run is in check mode (the `check_mode` global). */
  checkMode?: boolean | undefined;
  /** The run's signal: when it fires, every goroutine stops. */
  signal?: AbortSignal | undefined;
  /** Worker threads; default os.availableParallelism() (or SLOTH_GOROUTINE_THREADS). */
  threads?: number | undefined;
}

interface Pool {
  name: string;
  limit: number;
  queue: Job[];
  head: number;
  queued: number;
  active: number;
  completed: number;
  failed: number;
  /** Submitted since the last pool_wait. */
  batch: Job[];
}

interface Job {
  id: number;
  request: GoroutineRequest;
  ctx: ModuleCallContext;
  pool: Pool;
  state: 'queued' | 'running' | 'ended';
  outcome?: GoroutineOutcome | undefined;
  settled: Promise<GoroutineOutcome>;
  resolve: (outcome: GoroutineOutcome) => void;
  /** Log lines received so far, and the reply waiting for the rest. */
  lines: number;
  reply?: { expected: number; deliver: () => void } | undefined;
  /** The worker thread running it, once it has started. */
  thread?: number | undefined;
  /** Times it was sent again because its thread died before it started. */
  restarts: number;
  graceTimer?: NodeJS.Timeout | undefined;
  unlisten: () => void;
  /** Its calls with a target being made here, stopped when it ends or is stopped. */
  calls: Set<AbortController>;
}

/**
 * The goroutines of one workflow run, on a piscina pool created on first use and destroyed by close(). Named pools are
 * concurrency limits on the same threads. Log lines come back as worker messages; cancellations go out on a
 * BroadcastChannel, and a goroutine that does not stop within a grace period has its thread terminated.
 */
export class GoroutineThreads implements GoroutineHost {
  private piscina: Piscina | undefined;
  private channel: BroadcastChannel | undefined;
  private stops: Int32Array | undefined;
  private readonly channelName = `sloth-goroutines-${randomUUID()}`;
  private readonly threads: number;
  private readonly capacity: number;
  private nextId = 1;
  private anonymous = 0;
  private inFlight = 0;
  private readonly jobs = new Map<number, Job>();
  private readonly running = new Map<number, Job>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly pools = new Map<string, Pool>();
  private readonly defaultPool: Pool;
  private closed = false;
  private readonly onRunAbort = () => this.stopAll('the run was stopped');

  constructor(private readonly options: GoroutineHostOptions) {
    const fromEnv = Number(process.env.SLOTH_GOROUTINE_THREADS);
    this.threads = options.threads ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism());
    this.capacity = this.threads * GOROUTINES_PER_THREAD;
    this.defaultPool = newPool('', Number.POSITIVE_INFINITY);
    options.signal?.addEventListener('abort', this.onRunAbort, { once: true });
  }

  /** Worker threads this host runs (0 before the first goroutine). */
  get threadCount(): number {
    return this.piscina?.threads.length ?? 0;
  }

  submit(request: GoroutineRequest, ctx: ModuleCallContext): number {
    if (this.closed) throw new SlothError('usage', 'the run has ended: no more goroutines can start');
    // A goroutine's thread acts on this machine: in a task acting on an SSH host it would silently act on the wrong one.
    if (ctx.host.name !== 'local') {
      throw new SlothError('unsupported', `goroutines cannot act on ${ctx.host.name}: this task runs its calls there over SSH`, {
        hint: 'fan out with :delegate_to({ ... }) over several hosts instead, or start the goroutines from a task that acts here',
      });
    }
    let pool = this.defaultPool;
    if (request.pool !== undefined) {
      const named = this.pools.get(request.pool);
      if (!named) {
        throw new SlothError('not_found', `no goroutine pool named '${request.pool}'`, {
          hint: `create it first with goroutine.pool_create("${request.pool}", { workers = 4 })`,
        });
      }
      pool = named;
    }
    const id = this.nextId++;
    let resolve: (o: GoroutineOutcome) => void = () => {};
    const settled = new Promise<GoroutineOutcome>((r) => {
      resolve = r;
    });
    const job: Job = {
      id,
      request,
      ctx,
      pool,
      state: 'queued',
      settled,
      resolve,
      lines: 0,
      restarts: 0,
      unlisten: () => {},
      calls: new Set(),
    };
    // A task that ends normally leaves its goroutines running (they end with the run); a timeout or Ctrl-C stops them.
    const onAbort = () => {
      if (!endedNormally(ctx.signal.reason)) this.stop(job, stopReason(ctx.signal.reason));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    job.unlisten = () => ctx.signal.removeEventListener('abort', onAbort);
    this.jobs.set(id, job);
    pool.queue.push(job);
    pool.queued += 1;
    pool.batch.push(job);
    if (ctx.signal.aborted) onAbort();
    this.pump();
    return id;
  }

  async wait(ids: number[], timeoutMs: number | undefined, signal: AbortSignal): Promise<GoroutineOutcome[]> {
    const jobs = ids.map((id) => this.jobs.get(id) ?? id);
    const outcomes = await this.waitJobs(jobs, timeoutMs, signal);
    // Lua keeps the results on the handles; only goroutines still running stay here.
    for (const j of jobs) if (typeof j !== 'number' && j.outcome) this.jobs.delete(j.id);
    return outcomes;
  }

  createPool(name: string | undefined, workers: number): string {
    const key = name ?? `anonymous#${++this.anonymous}`;
    const existing = this.pools.get(key);
    if (existing) existing.limit = workers;
    else this.pools.set(key, newPool(key, workers));
    this.pump();
    return key;
  }

  waitPool(name: string, timeoutMs: number | undefined, signal: AbortSignal): Promise<GoroutineOutcome[]> {
    const pool = this.pool(name);
    const batch = pool.batch;
    pool.batch = [];
    return this.waitJobs(batch, timeoutMs, signal);
  }

  poolStats(name: string): GoroutinePoolStats {
    const p = this.pool(name);
    return { workers: p.limit, active: p.active, queued: p.queued, completed: p.completed, failed: p.failed };
  }

  closePool(name: string): number {
    const pool = this.pool(name);
    this.pools.delete(name);
    let stopped = 0;
    for (const job of [...pool.queue.slice(pool.head), ...this.running.values()]) {
      if (job.pool === pool && job.state !== 'ended' && !job.outcome) {
        this.stop(job, `pool '${name}' was closed`);
        stopped += 1;
      }
    }
    return stopped;
  }

  /**
   * Ends the run's goroutines and threads: spawned ones get SPAWN_GRACE_MS to finish, the rest are stopped; then the
   * threads are destroyed, so a run leaves none behind.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onRunAbort);
    const spawned = [...this.jobs.values()].filter((j) => j.request.kind === 'spawn' && !j.outcome);
    if (spawned.length > 0 && !this.options.signal?.aborted) {
      await withTimeout(Promise.all(spawned.map((j) => j.settled)), SPAWN_GRACE_MS);
    }
    const late = new Map<ModuleCallContext['log'], number>();
    for (const job of spawned) {
      if (job.outcome) continue;
      late.set(job.ctx.log, (late.get(job.ctx.log) ?? 0) + 1);
      this.stop(job, `still running ${SPAWN_GRACE_MS / 1000}s after the end of the run`, true);
    }
    for (const [log, n] of late) {
      log.log('warn', `stopped ${n} spawned goroutine(s) still running ${SPAWN_GRACE_MS / 1000}s after the end of the run`);
    }
    this.stopAll('the run ended');
    await withTimeout(Promise.all(this.pending), STOP_GRACE_MS + 1000);
    const piscina = this.piscina;
    this.piscina = undefined;
    this.channel?.close();
    this.channel = undefined;
    await piscina?.destroy();
  }

  private pool(name: string): Pool {
    const pool = this.pools.get(name);
    if (!pool) {
      throw new SlothError('not_found', `no goroutine pool named '${name}'`, {
        hint: `create it with goroutine.pool_create("${name}", { workers = 4 })`,
      });
    }
    return pool;
  }

  private async waitJobs(jobs: (Job | number)[], timeoutMs: number | undefined, signal: AbortSignal) {
    const live = jobs.filter((j): j is Job => typeof j !== 'number');
    const all = Promise.all(live.map((j) => j.settled));
    const finished = await withTimeout(all, timeoutMs, signal);
    if (!finished && timeoutMs !== undefined && !signal.aborted) {
      for (const job of live) this.stop(job, timedOutAfter(timeoutMs));
    }
    return jobs.map(
      (j): GoroutineOutcome =>
        typeof j === 'number'
          ? { ok: false, error: `goroutine handle #${j} is not known to this run (was it made in an earlier run?)` }
          : (j.outcome ?? { ok: false, error: 'the task was stopped while waiting for this goroutine' }),
    );
  }

  /** Starts queued goroutines while threads have room, pool by pool within each pool's limit. */
  private pump(): void {
    if (this.closed) return;
    for (const pool of [this.defaultPool, ...this.pools.values()]) {
      while (this.inFlight < this.capacity && pool.active < pool.limit && pool.head < pool.queue.length) {
        const job = pool.queue[pool.head++] as Job;
        if (job.state !== 'queued') continue;
        pool.queued -= 1;
        this.start(job);
      }
      if (pool.head > 1024 && pool.head * 2 > pool.queue.length) {
        pool.queue = pool.queue.slice(pool.head);
        pool.head = 0;
      }
      if (this.inFlight >= this.capacity) return;
    }
  }

  private start(job: Job): void {
    job.state = 'running';
    job.pool.active += 1;
    this.inFlight += 1;
    this.running.set(job.id, job);
    const payload = this.payload(job);
    // No piscina `signal`: piscina runs an abortable task alone on its thread, and goroutines must share threads.
    const run = this.threadsPool()
      .run(payload)
      .then(
        (reply: GoroutineReply) => this.onReply(job, reply),
        (err: unknown) => {
          if (job.thread === undefined && !job.outcome && job.restarts < MAX_RESTARTS && !this.closed) {
            // It never started: its thread died under another goroutine (terminated, or crashed). Nothing of it ran,
            // so running it on a fresh thread is safe.
            job.restarts += 1;
            job.pool.active -= 1;
            this.inFlight -= 1;
            this.start(job);
            return;
          }
          this.onReply(job, { ok: false, error: crashText(err, job), lines: job.lines });
        },
      );
    this.pending.add(run);
    run.finally(() => this.pending.delete(run));
  }

  /**
   * A call with a target made inside a goroutine: made here, where the run's link to the master and its SSH connections
   * are, for the task that started the goroutine (its log, its resources); the answer goes back on the channel.
   */
  private onTargetCall(message: GoroutineTargetCall): void {
    const answer = (a: Pick<GoroutineTargetAnswer, 'ok' | 'value' | 'values' | 'error'>) => {
      try {
        this.channel?.postMessage({ kind: 'goroutine.target.answer', job: message.job, call: message.call, ...a });
      } catch (err) {
        const text = `${message.module}.${message.fn}: its result cannot be sent back to the goroutine: ${errorMessage(err)}`;
        this.channel?.postMessage({
          kind: 'goroutine.target.answer',
          job: message.job,
          call: message.call,
          ok: false,
          error: { message: text },
        });
      }
    };
    const job = this.running.get(message.job);
    // Its goroutine has ended: nobody waits for the answer.
    if (!job || job.state !== 'running') return;
    const spec = this.options.modules.find((m) => m.name === message.module)?.functions[message.fn];
    if (!spec) {
      answer({
        ok: false,
        error: { message: `${message.module}.${message.fn} is not a function of this run`, code: 'internal' },
      });
      return;
    }
    const controller = new AbortController();
    job.calls.add(controller);
    const ctx: ModuleCallContext = {
      ...job.ctx,
      fn: `${message.module}.${message.fn}`,
      signal: AbortSignal.any([job.ctx.signal, controller.signal]),
      // A call made for a goroutine still comes between the task's own calls.
      callSerial: nextCallSerial(),
    };
    const call = callOnTarget(message.module, message.fn, spec, { agent: message.target, args: message.args }, ctx)
      .then(
        (value) => answer(value instanceof MultipleReturns ? { ok: true, values: value.values } : { ok: true, value }),
        (err: unknown) => {
          const sloth = err instanceof SlothError ? err : undefined;
          answer({ ok: false, error: { message: errorMessage(err), code: sloth?.code, hint: sloth?.hint } });
        },
      )
      .finally(() => job.calls.delete(controller));
    this.pending.add(call);
    void call.finally(() => this.pending.delete(call));
  }

  private onReply(job: Job, reply: GoroutineReply): void {
    for (const c of job.calls) c.abort({ kind: 'run', reason: 'goroutine finished' });
    job.state = 'ended';
    clearTimeout(job.graceTimer);
    if (this.stops) Atomics.compareExchange(this.stops, job.id % this.stops.length, job.id, 0);
    job.pool.active -= 1;
    this.inFlight -= 1;
    const deliver = () => {
      this.running.delete(job.id);
      job.reply = undefined;
      for (const outcome of reply.resources ?? []) job.ctx.reportResource(outcome);
      for (const assertion of reply.assertions ?? []) job.ctx.reportAssertion(assertion);
      this.settle(job, { ok: reply.ok, values: reply.values, error: reply.error, traceback: reply.traceback });
    };
    if (job.lines >= reply.lines) deliver();
    else {
      // Lines travel on another port than the reply: wait (a little) for the rest, so the log is complete first.
      const timer = setTimeout(deliver, LOG_WAIT_MS);
      job.reply = {
        expected: reply.lines,
        deliver: () => {
          clearTimeout(timer);
          deliver();
        },
      };
    }
    this.pump();
  }

  private onLine(line: GoroutineLogLine): void {
    const job = this.running.get(line.job);
    if (!job) return;
    job.lines += 1;
    job.ctx.log.log(line.level, line.message, line.fields, line.stream);
    if (job.reply && job.lines >= job.reply.expected) job.reply.deliver();
  }

  private settle(job: Job, outcome: GoroutineOutcome, quiet = false): void {
    if (job.outcome) return;
    job.outcome = outcome;
    job.unlisten();
    if (outcome.ok) job.pool.completed += 1;
    else job.pool.failed += 1;
    job.resolve(outcome);
    if (job.request.kind === 'spawn') {
      this.jobs.delete(job.id);
      if (!outcome.ok && !quiet) {
        const where = outcome.traceback ? `\n${outcome.traceback}` : '';
        job.ctx.log.log('error', `goroutine.spawn: ${outcome.error}${where}`);
      }
    }
  }

  /** Stops one goroutine: its waiters get `reason` now; a running one is told to stop, then its thread is terminated. */
  private stop(job: Job, reason: string, quiet = false): void {
    if (job.state === 'queued') {
      job.state = 'ended';
      job.pool.queued -= 1;
    }
    this.settle(job, { ok: false, error: reason }, quiet);
    for (const c of job.calls) c.abort({ kind: 'run', reason });
    if (job.state !== 'running' || job.graceTimer) return;
    // The flag reaches a thread busy in Lua at once; the message carries the reason and wakes one that waits.
    if (this.stops) Atomics.store(this.stops, job.id % this.stops.length, job.id);
    const cancel: GoroutineCancel = { kind: 'goroutine.cancel', job: job.id, reason };
    this.channel?.postMessage(cancel);
    job.graceTimer = setTimeout(() => this.terminateThreadOf(job), STOP_GRACE_MS);
  }

  /** The last resort for a goroutine that does not stop (stuck in one long C call): end its thread (piscina replaces it). */
  private terminateThreadOf(job: Job): void {
    if (job.state !== 'running' || job.thread === undefined) return;
    const worker = this.piscina?.threads.find((w) => w.threadId === job.thread);
    if (!worker) return;
    const mark = ownerMark(job.thread);
    // The thread's spawn helper does not see a terminated thread go: its commands are found by their mark.
    void worker.terminate().then(() => killMarkedGroups(mark));
  }

  private stopAll(reason: string): void {
    for (const job of [...this.jobs.values(), ...this.running.values()]) if (job.state !== 'ended') this.stop(job, reason, true);
  }

  private threadsPool(): Piscina {
    if (this.piscina) return this.piscina;
    this.channel = new BroadcastChannel(this.channelName);
    this.channel.unref();
    this.stops = new Int32Array(
      new SharedArrayBuffer(Math.max(MIN_STOP_SLOTS, this.capacity * 2) * Int32Array.BYTES_PER_ELEMENT),
    );
    const setup: GoroutineWorkerSetup = {
      channel: this.channelName,
      stops: this.stops,
      file: this.options.file,
      params: this.options.params ?? {},
      values: this.options.values ?? {},
      checkMode: this.options.checkMode === true,
      modules: this.options.modules.map((m) => ({ name: m.name, importFrom: m.importFrom })),
    };
    const piscina = new Piscina({
      filename: WORKER.href,
      minThreads: this.threads,
      maxThreads: this.threads,
      concurrentTasksPerWorker: GOROUTINES_PER_THREAD,
      idleTimeout: 60_000,
      // Idle workers must keep their event loop turning (cancellations, renewals of locks goroutines took).
      atomics: 'disabled',
      workerData: setup,
    });
    piscina.on('message', (message: GoroutineLogLine | GoroutineStarted | GoroutineTargetCall) => {
      if (message?.kind === 'goroutine.log') this.onLine(message);
      else if (message?.kind === 'goroutine.target') this.onTargetCall(message);
      else if (message?.kind === 'goroutine.started') {
        const job = this.running.get(message.job);
        if (job) job.thread = message.thread;
      }
    });
    // A thread that dies with no goroutine on it has nobody to tell; piscina replaces it.
    piscina.on('error', () => {});
    this.piscina = piscina;
    return piscina;
  }

  private payload(job: Job): GoroutineJob {
    const { ctx } = job;
    const dataDir = ctx.services?.dataDir;
    return {
      id: job.id,
      code: job.request.code,
      task: ctx.task,
      workdir: ctx.workdir,
      sourceDir: ctx.sourceDir,
      sourceBundled: ctx.sourceBundled,
      env: envDiff(ctx.env),
      user: ctx.user,
      dataDir,
      stack: ctx.services?.stack ? { ...ctx.services.stack } : undefined,
      checkMode: ctx.checkMode,
    };
  }
}

function newPool(name: string, limit: number): Pool {
  return { name, limit, queue: [], head: 0, queued: 0, active: 0, completed: 0, failed: 0, batch: [] };
}

const envDiffs = new WeakMap<object, GoroutineJob['env']>();
/** The task's environment as changes to the process's (workers start with a copy of it), computed once per env. */
function envDiff(env: Readonly<Record<string, string>>): GoroutineJob['env'] {
  const known = envDiffs.get(env);
  if (known) return known;
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (process.env[k] !== v) set[k] = v;
  const unset = Object.keys(process.env).filter((k) => !(k in env));
  const diff = { set, unset };
  envDiffs.set(env, diff);
  return diff;
}

function stopReason(reason: unknown): string {
  const cause = reason as AbortCause | undefined;
  if (cause?.kind === 'timeout') return `the task ${timedOutAfter(cause.timeoutMs)}`;
  if (cause?.kind === 'run') return `stopped: ${cause.reason}`;
  return 'stopped: the task was cancelled';
}

function crashText(err: unknown, job: Job): string {
  if (job.outcome) return job.outcome.error ?? 'stopped';
  const message = errorMessage(err);
  if (/terminat/i.test(message)) {
    return 'its worker thread was terminated (another goroutine on the same thread did not stop when cancelled)';
  }
  return `the goroutine's worker thread failed: ${message}`;
}

/** Resolves true when `p` settles, false after `ms` (undefined: never) or when `signal` fires. */
function withTimeout(p: Promise<unknown>, ms: number | undefined, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => done(false);
    const done = (v: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    if (ms !== undefined) timer = setTimeout(() => done(false), ms);
    if (signal) {
      if (signal.aborted) return done(false);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    p.then(
      () => done(true),
      () => done(true),
    );
  });
}
