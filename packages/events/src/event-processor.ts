import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { errorMessage, eventTypeMatches } from '@sloth/core/internal';
import {
  type ClaimedEvent,
  type EventOutcome,
  type EventRepo,
  eventRepo,
  type HookRecord,
  type HookRepo,
  hookRepo,
  type LeaseOwner,
  type Store,
  watchWrites,
} from '@sloth/store-sqlite';
import type { HookRunner, HookRunResult } from './hook-runner.js';

export interface ProcessorOptions {
  store: Store;
  runner: HookRunner;
  /**
   * Slices of events processed at once. A slice runs its matching hooks in parallel, each hook over the slice's
   * events in turn; the claimed events are shared out so that up to this many run at once. Default 16.
   */
  concurrency?: number | undefined;
  /** Events claimed per transaction (then shared out in slices). Default 512. */
  batchSize?: number | undefined;
  /** How long a claim lasts without renewal; renewed every third of it while the processor lives. Default 60s. */
  leaseMs?: number | undefined;
  /**
   * How often an idle processor looks for due events (a retry whose delay ran out) when nothing else happens. Events
   * another process commits wake it at once (it watches the database's write-ahead log while idle). Default 250ms.
   */
  pollMs?: number | undefined;
  /** Delay before the first retry of an event whose hook failed; doubled each time, at most 60s. Default 1s. */
  retryDelayMs?: number | undefined;
  /** Only this run's events (the CLI drains its own run). */
  runId?: string | undefined;
  /** Called after each hook execution. */
  onExecution?: ((hook: HookRecord, event: ClaimedEvent, result: HookRunResult, attempt: number) => void) | undefined;
  /** Called for each event processed: completed, failed (attempts exhausted) or put back for a retry. */
  onProcessed?: ((result: 'completed' | 'failed' | 'retried') => void) | undefined;
  /** Called when something goes wrong outside any hook (a busy database, a flush that failed). */
  onError?: ((message: string) => void) | undefined;
}

/** What a drain did. */
export interface DrainReport {
  /** Events this processor finished (completed, failed, or put back for a retry). */
  processed: number;
  /** Events of the run still pending or processing when the drain ended. */
  left: number;
}

/** An event's outcome, and whether it was stopped (put back unprocessed) rather than processed. */
interface Settled {
  outcome: EventOutcome;
  stopped: boolean;
}

const MAX_RETRY_DELAY_MS = 60_000;
/**
 * Events a slot runs in one Lua call of a hook. It bounds what runs twice after a kill: outcomes are written before
 * the event loop turns again after their slice ends, so only the slices in flight and those that ended in the
 * current turn (at most 2 x concurrency x MAX_SLICE events) had hooks run without their outcome written.
 */
export const MAX_SLICE = 16;
const HOOKS_REFRESH_MS = 1000;
/**
 * The least time between two claims of an idle processor woken by writes elsewhere: another process writing all the
 * time (state, stacks) must not keep it claiming in a loop.
 */
const MIN_WAKE_GAP_MS = 10;

/**
 * The event queue processor: claims pending events in batches (leased to it), runs the enabled hooks whose
 * event_type and stack match with bounded concurrency, records every execution, and retries failed hooks with
 * back-off until their max_attempts. Events left processing by a dead processor are taken back at start (at once when
 * it was a process of this host, otherwise when its lease runs out). At-least-once: a crash between a hook's run and
 * its record runs the hook again.
 */
export class EventProcessor {
  readonly owner: LeaseOwner = { token: randomUUID(), host: hostname(), pid: process.pid };
  private readonly events: EventRepo;
  private readonly hooks: HookRepo;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retryDelayMs: number;
  private readonly active = new Map<string, Promise<void>>();
  /** Fired when in-flight hooks must stop (the grace ran out, or a drain's deadline). */
  private stopHooks = new AbortController();
  private readonly queue: ClaimedEvent[] = [];
  /** Events per slice: the last claim shared out over the slots. */
  private sliceSize = 1;
  private outcomes: EventOutcome[] = [];
  private flushSoon: NodeJS.Immediate | undefined;
  private hookCache: { at: number; hooks: HookRecord[] } | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  /** PRAGMA data_version at the last claim: another process committed since when it differs. */
  private claimedAtVersion = -1;
  /** performance.now() at the last claim (Date.now() has whole milliseconds only: a 10ms gap could be 9). */
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  private graceMs = 10_000;
  private stopping = false;
  private running = false;
  private processed = 0;

  constructor(private readonly options: ProcessorOptions) {
    this.events = eventRepo(options.store);
    this.hooks = hookRepo(options.store);
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.batchSize = Math.max(1, options.batchSize ?? 512);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 250;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  /**
   * Loads the sandboxes of the enabled hooks, one after the other (a long-running processor: `events serve` before it
   * says it is ready, the master at start), so the first events are not held up by loading. Hooks added later load on
   * their first event.
   */
  async warmUp(): Promise<void> {
    let hooks: HookRecord[];
    try {
      hooks = this.hooks.enabled();
    } catch (err) {
      this.options.onError?.(`could not read the hooks: ${errorMessage(err)}`);
      return;
    }
    for (const hook of hooks) {
      if (this.stopping) return;
      await this.options.runner.preload(hook);
    }
  }

  /** Processes events until stop() is called (`events serve`, the master). */
  async run(): Promise<void> {
    await this.loop(Number.POSITIVE_INFINITY, false);
  }

  /**
   * Processes this run's events (options.runId) until none is left to claim, or until `timeoutMs` has passed: hooks
   * still running then are stopped and their events left pending for the next processor.
   */
  async drain(timeoutMs: number): Promise<DrainReport> {
    await this.loop(Date.now() + timeoutMs, true);
    const runId = this.options.runId;
    return { processed: this.processed, left: runId === undefined ? 0 : this.events.liveCount(runId) };
  }

  /** Stops claiming; in-flight hooks get `graceMs` to finish, then are stopped and their events released. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.graceMs = graceMs;
    this.signalWake();
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Wakes an idle processor at once (a dispatch in the same process). */
  notify(): void {
    this.signalWake();
  }

  private async loop(deadline: number, drain: boolean): Promise<void> {
    if (this.running) throw new Error('this event processor is already running');
    this.running = true;
    this.stopHooks = new AbortController();
    // Every in-flight hook listens to it: as many listeners as the concurrency, which is not a leak.
    setMaxListeners(0, this.stopHooks.signal);
    this.recover();
    const keeper = setInterval(() => this.keepLeases(), Math.max(50, Math.floor(this.leaseMs / 3)));
    keeper.unref();
    try {
      while (!this.stopping && Date.now() < deadline) {
        this.fill();
        // Outcomes a failed write left behind are tried again.
        if (this.outcomes.length > 0) this.flush();
        if (this.active.size > 0) {
          await this.sleep(deadline - Date.now());
          continue;
        }
        this.flush();
        if (!drain) {
          await this.idle(Math.min(this.pollMs, deadline - Date.now()));
          continue;
        }
        // Drain: done when nothing of the run is left to claim before the deadline (a retry due later waits for it).
        const next = this.options.runId === undefined ? undefined : this.events.nextAvailable(this.options.runId);
        if (next === undefined || next >= deadline) break;
        await this.sleep(Math.max(1, Math.min(next - Date.now(), deadline - Date.now())));
      }
    } finally {
      clearInterval(keeper);
      await this.windDown(drain ? 0 : this.graceMs);
      this.running = false;
    }
  }

  /**
   * Starts slices of claimed events until every slot is busy or nothing is claimable. A slice is a share of a claim
   * (claimed / concurrency, so slow hooks still run `concurrency` events at once) whose events each hook runs in one
   * Lua call: the per-call cost is paid once per slice, not once per event.
   */
  private fill(): void {
    while (this.active.size < this.concurrency && !this.stopping) {
      if (this.queue.length === 0) {
        let claimed: ClaimedEvent[];
        this.claimedAtVersion = this.events.dataVersion();
        this.lastClaimAt = performance.now();
        try {
          claimed = this.events.claim(this.owner, this.batchSize, this.leaseMs, this.options.runId);
        } catch (err) {
          this.options.onError?.(`could not claim events: ${errorMessage(err)}`);
          return;
        }
        if (claimed.length === 0) return;
        this.queue.push(...claimed);
        this.sliceSize = Math.min(MAX_SLICE, Math.ceil(claimed.length / this.concurrency));
      }
      const slice = this.queue.splice(0, this.sliceSize);
      const key = (slice[0] as ClaimedEvent).id;
      const done = this.processSlice(slice, this.stopHooks.signal)
        .then((outcomes) => this.record(outcomes))
        .catch((err: unknown) => this.options.onError?.(`events ${slice.map((e) => e.id).join(', ')}: ${errorMessage(err)}`))
        .finally(() => {
          this.active.delete(key);
          this.signalWake();
        });
      this.active.set(key, done);
    }
  }

  /**
   * Runs the hooks that match each event of the slice and have neither succeeded nor used up their attempts: every
   * hook over its events in one batch, the hooks in parallel. Returns each event's outcome, and whether it was stopped.
   */
  private async processSlice(slice: ClaimedEvent[], stop: AbortSignal): Promise<Settled[]> {
    const states = slice.map((event) => ({
      event,
      errors: [] as string[],
      retry: false,
      exhausted: false,
      stopped: false,
      executions: [] as EventOutcome['executions'],
    }));
    const work = new Map<HookRecord, { state: (typeof states)[number]; attempt: number }[]>();
    for (const state of states) {
      const { event } = state;
      const hooks = this.matching(event);
      if (hooks.length === 0) continue;
      // A first claim has no history; a later one (a retry, or a crash mid-way) skips what already succeeded.
      const prior = event.attempts > 1 ? this.events.priorExecutions(event.id) : undefined;
      for (const hook of hooks) {
        const before = prior?.get(hook.name);
        if (before?.succeeded) continue;
        const runs = before?.runs ?? 0;
        if (runs >= hook.maxAttempts) {
          state.exhausted = true;
          state.errors.push(`${hook.name}: failed ${runs} time(s), no attempts left`);
          continue;
        }
        const list = work.get(hook) ?? [];
        if (list.length === 0) work.set(hook, list);
        list.push({ state, attempt: runs + 1 });
      }
    }
    await Promise.all(
      [...work].map(async ([hook, list]) => {
        const results = await this.options.runner.executeBatch(
          hook,
          list.map(({ state, attempt }) => ({ event: state.event, attempt })),
          stop,
        );
        list.forEach(({ state, attempt }, i) => {
          const r = results[i] as HookRunResult;
          if (r.stopped) {
            state.stopped = true;
            return;
          }
          state.executions.push({
            hook: hook.name,
            attempt,
            success: r.success,
            output: r.output,
            error: r.error,
            durationMs: r.durationMs,
            startedAt: r.startedAt,
          });
          this.options.onExecution?.(hook, state.event, r, attempt);
          if (r.success) return;
          state.errors.push(`${hook.name}: ${r.error}`);
          if (attempt >= hook.maxAttempts) state.exhausted = true;
          else state.retry = true;
        });
      }),
    );
    const now = Date.now();
    return states.map(({ event, errors, retry, exhausted, stopped, executions }) => {
      const id = event.id;
      const error = errors.length > 0 ? errors.join('; ') : undefined;
      if (stopped) return { outcome: { id, status: 'pending', availableAt: now, error, executions }, stopped };
      if (retry) {
        const delay = Math.min(this.retryDelayMs * 2 ** Math.max(0, event.attempts - 1), MAX_RETRY_DELAY_MS);
        return { outcome: { id, status: 'pending', availableAt: now + delay, error, executions }, stopped };
      }
      return { outcome: { id, status: exhausted ? 'failed' : 'completed', error, executions }, stopped };
    });
  }

  /** Enabled hooks matching the event's type and stack (the list is re-read at most once a second). */
  private matching(event: ClaimedEvent): HookRecord[] {
    const now = Date.now();
    if (!this.hookCache || now - this.hookCache.at > HOOKS_REFRESH_MS) this.hookCache = { at: now, hooks: this.hooks.enabled() };
    return this.hookCache.hooks.filter(
      (h) => eventTypeMatches(h.eventType, event.type) && (h.stack === undefined || h.stack === event.stack),
    );
  }

  /**
   * Writes a slice's outcomes before the event loop turns again, with those of the other slices that ended in the
   * same turn (one transaction for them all): what a kill makes run again is bounded by the slots.
   */
  private record(settled: Settled[]): void {
    for (const { outcome, stopped } of settled) {
      this.outcomes.push(outcome);
      if (stopped) continue;
      this.processed += 1;
      this.options.onProcessed?.(outcome.status === 'pending' ? 'retried' : outcome.status);
    }
    this.flushSoon ??= setImmediate(() => {
      this.flushSoon = undefined;
      this.flush();
    });
  }

  /** Writes buffered outcomes in one transaction; on failure they stay buffered for the next flush. */
  private flush(): void {
    if (this.outcomes.length === 0) return;
    const batch = this.outcomes;
    this.outcomes = [];
    try {
      this.events.finish(this.owner, batch);
    } catch (err) {
      this.outcomes = batch.concat(this.outcomes);
      this.options.onError?.(`could not record ${batch.length} event outcome(s), will retry: ${errorMessage(err)}`);
    }
  }

  /** Renews our leases, and takes back events whose processor died (`events serve` is the recovery of last resort). */
  private keepLeases(): void {
    try {
      this.events.renewLeases(this.owner, this.leaseMs);
      if (this.options.runId === undefined) this.events.recoverAbandoned();
    } catch (err) {
      this.options.onError?.(`could not renew event leases: ${errorMessage(err)}`);
    }
  }

  private recover(): void {
    try {
      this.events.recoverAbandoned();
    } catch (err) {
      this.options.onError?.(`could not recover abandoned events: ${errorMessage(err)}`);
    }
  }

  /** Releases what was claimed but not started, gives in-flight events `graceMs`, stops the rest, records it all. */
  private async windDown(graceMs: number): Promise<void> {
    const queued = this.queue.splice(0).map((e) => e.id);
    const inFlight = [...this.active.values()];
    if (inFlight.length > 0) {
      const all = Promise.all(inFlight);
      if (graceMs > 0) await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
      this.stopHooks.abort();
      // A stopped hook settles promptly (its Lua thread is abandoned); the bound guards against the unforeseen.
      await Promise.race([all, new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    this.flush();
    try {
      if (queued.length > 0) this.events.release(this.owner, queued);
      // Anything still held (an outcome that could not be written) goes back to the queue.
      this.events.release(this.owner);
    } catch (err) {
      this.options.onError?.(`could not release events: ${errorMessage(err)}`);
    }
  }

  /** Wakes the loop, or makes its next sleep return at once when it is not sleeping yet. */
  private signalWake(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /**
   * Waits until woken (an event finished, notify, stop), or another process writes to the database (maybe a
   * dispatch), or `ms` passed. Commits elsewhere are seen through the write-ahead log file changing (a file watch,
   * nothing to do while nothing happens), and through PRAGMA data_version for one made since the last claim.
   */
  private async idle(ms: number): Promise<void> {
    let early: NodeJS.Timeout | undefined;
    let due = false;
    // Checked when the timer fires too: a timer may fire up to a millisecond early.
    const wakeWhenDue = () => {
      const wait = this.lastClaimAt + MIN_WAKE_GAP_MS - performance.now();
      if (wait > 0) early = setTimeout(wakeWhenDue, Math.ceil(wait));
      else this.signalWake();
    };
    const changed = () => {
      // The file also changes when this process writes (the master recording agents and work): only another
      // connection's commit can have brought events this process was not told of (its own dispatches call notify()).
      if (due || this.events.dataVersion() === this.claimedAtVersion) return;
      due = true;
      wakeWhenDue();
    };
    const unwatch = watchWrites(this.options.store, changed);
    try {
      changed();
      await this.sleep(ms);
    } finally {
      clearTimeout(early);
      unwatch();
    }
  }

  /** Waits until woken (an event finished, notify, stop) or `ms` passed. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping || ms <= 0 || this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
      this.wake = done;
    });
  }
}
