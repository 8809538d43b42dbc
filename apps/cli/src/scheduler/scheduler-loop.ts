import { errorMessage, type LeaseHolder } from '@sloth/core/internal';
import {
  leaseRepo,
  type ScheduleRecord,
  type ScheduleRunRecord,
  type ScheduleTrigger,
  type Store,
  scheduleRepo,
} from '@sloth/store-sqlite';
import { nextFiring } from './next-firing.js';
import { emitScheduleEvent } from './schedule-events.js';
import { runScheduled } from './scheduled-run.js';

type Log = (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;

/** The lease only the scheduler that fires a data directory's schedules holds. */
export const SCHEDULER_LEASE = 'scheduler';
/** A firing taken later than this after its time counts as missed (no scheduler ran then): catch-up decides. */
export const MISSED_AFTER_MS = 5000;
/** Schedules fired per tick at most; the rest are due at the next one (a tick stays short whatever is stored). */
const BATCH = 200;

export interface SchedulerOptions {
  store: Store;
  /** The data directory runs are recorded in (the store's). */
  dataDir: string;
  log: Log;
  /** The longest pause between two ticks (shorter when a firing is nearer). */
  tickMs?: number;
  /** How long the lease lasts without renewal: a scheduler killed hands over after at most this. */
  leaseTtlMs?: number;
}

/**
 * Fires the schedules of a data directory: holds the scheduler lease (so one scheduler per directory fires), takes each
 * firing with a compare-and-swap on the schedule (so a firing is taken once), applies overlap and catch-up, runs
 * workflows as `workflow run` child processes, and records every firing in the schedule's history.
 */
export class Scheduler {
  private readonly tickMs: number;
  private readonly leaseTtlMs: number;
  private readonly abort = new AbortController();
  private readonly active = new Set<Promise<void>>();
  private lease: LeaseHolder | undefined;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.tickMs = options.tickMs ?? 1000;
    this.leaseTtlMs = options.leaseTtlMs ?? 15_000;
  }

  /** Starts ticking until stop(). */
  start(): void {
    this.loop ??= this.run();
  }

  /** True while this scheduler holds the lease (it is the one firing). */
  get leading(): boolean {
    return this.lease !== undefined;
  }

  /** Stops ticking, stops the runs in flight (SIGTERM, recorded interrupted), and releases the lease. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    await Promise.all([...this.active]);
    if (this.lease) {
      try {
        leaseRepo(this.options.store).release(this.lease.name, this.lease.token);
      } catch {
        // It expires by itself.
      }
      this.lease = undefined;
    }
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let pause = this.tickMs;
      try {
        pause = this.tick(Date.now());
      } catch (err) {
        this.options.log('error', `scheduler: ${errorMessage(err)}`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, pause);
      });
    }
  }

  /** One pass: lease, due firings, dependents, queued runs; returns how long to wait before the next. */
  tick(now: number): number {
    if (!this.holdLease(now)) return this.tickMs;
    const repo = scheduleRepo(this.options.store);
    for (const s of repo.due(now, BATCH)) this.fire(s, now);
    for (const s of repo.dependents()) {
      const id = repo.takeAfterSuccess(s);
      if (id !== undefined) this.launch(s, 'after', now, `run #${id} of ${s.after} succeeded`);
    }
    this.startQueued();
    const next = repo.nextFireAt();
    return next === undefined ? this.tickMs : Math.max(10, Math.min(this.tickMs, next - Date.now()));
  }

  /** Takes or renews the lease; false when another scheduler holds it. */
  private holdLease(now: number): boolean {
    const leases = leaseRepo(this.options.store);
    if (this.lease) {
      if (now - this.renewedAt < this.leaseTtlMs / 3) return true;
      if (leases.renew(this.lease, this.leaseTtlMs, now)) {
        this.renewedAt = now;
        scheduleRepo(this.options.store).recoverDead(now);
        return true;
      }
      this.options.log('warn', 'the scheduler lease was taken by another scheduler: standing by');
      this.lease = undefined;
    }
    const lease = leases.tryAcquire(SCHEDULER_LEASE, this.leaseTtlMs, now);
    if (!lease) return false;
    this.lease = lease;
    this.renewedAt = now;
    const recovered = scheduleRepo(this.options.store).recoverDead(now);
    this.options.log(
      'info',
      `firing the schedules of ${this.options.dataDir}${recovered > 0 ? ` (${recovered} run(s) of a scheduler that died marked interrupted)` : ''}`,
    );
    return true;
  }

  /** A due schedule: moved to its next firing (if another scheduler did first, it is theirs), then run or skipped. */
  private fire(s: ScheduleRecord, now: number): void {
    const repo = scheduleRepo(this.options.store);
    let next: { dueAt?: number; fireAt?: number };
    try {
      next = nextFiring(s, now);
    } catch (err) {
      // Only a schedule edited behind the CLI's back gets here: it stops firing, and says why once.
      repo.advance(s.name, s.fireAt, {});
      this.options.log('error', `schedule ${s.name}: ${errorMessage(err)}; it will not fire again until it is added anew`);
      return;
    }
    if (!repo.advance(s.name, s.fireAt, next)) return;
    const dueAt = s.dueAt ?? s.fireAt ?? now;
    if (now - (s.fireAt ?? now) > MISSED_AFTER_MS) {
      if (s.catchUp === 'none') {
        this.skip(s, 'cron', dueAt, 'missed: no scheduler ran at its time (catch-up none)');
        return;
      }
      this.launch(s, 'catch-up', dueAt);
      return;
    }
    this.launch(s, 'cron', dueAt);
  }

  /** Starts a run of `s` now, unless its overlap policy says to skip it or queue it behind the one running. */
  private launch(s: ScheduleRecord, trigger: ScheduleTrigger, dueAt: number, why?: string): void {
    const repo = scheduleRepo(this.options.store);
    const live = repo.liveRuns(s.name);
    const running = live.find((r) => r.status === 'running');
    if (running && s.overlap !== 'allow') {
      if (s.overlap === 'queue' && !live.some((r) => r.status === 'queued')) {
        repo.recordRun(s.name, trigger, 'queued', dueAt);
        this.options.log('info', `schedule ${s.name}: queued behind run #${running.id}`);
        return;
      }
      const reason =
        s.overlap === 'queue'
          ? `run #${running.id} is still running and a run is queued already`
          : `run #${running.id} is still running (overlap skip)`;
      this.skip(s, trigger, dueAt, reason);
      return;
    }
    const run = repo.recordRun(s.name, trigger, 'running', dueAt);
    this.execute(s, run, why);
  }

  /** Queued runs whose schedule has no run going any more start now. */
  private startQueued(): void {
    const repo = scheduleRepo(this.options.store);
    const live = repo.live();
    const busy = new Set(live.filter((r) => r.status === 'running').map((r) => r.schedule));
    for (const r of live) {
      if (r.status !== 'queued' || busy.has(r.schedule)) continue;
      const s = repo.find(r.schedule);
      if (!s || !repo.startQueued(r.id)) continue;
      busy.add(r.schedule);
      this.execute(s, { ...r, status: 'running' });
    }
  }

  private skip(s: ScheduleRecord, trigger: ScheduleTrigger, dueAt: number, reason: string): void {
    const run = scheduleRepo(this.options.store).recordRun(s.name, trigger, 'skipped', dueAt, reason);
    this.emit('schedule.skipped', s, run);
    this.options.log('info', `schedule ${s.name}: skipped, ${reason}`);
  }

  private execute(s: ScheduleRecord, run: ScheduleRunRecord, why?: string): void {
    const { store, dataDir, log } = this.options;
    this.emit('schedule.triggered', s, run);
    log('info', `schedule ${s.name}: run #${run.id} started (${why ?? run.trigger})`);
    const done = runScheduled(s, dataDir, this.abort.signal)
      .then((end) => {
        scheduleRepo(store).finishRun(run.id, end);
        log(
          end.status === 'success' ? 'info' : 'warn',
          `schedule ${s.name}: run #${run.id} ${end.status}${end.error ? `: ${end.error}` : ''}`,
        );
      })
      .catch((err) => log('error', `schedule ${s.name}: run #${run.id}: ${errorMessage(err)}`))
      .finally(() => {
        this.active.delete(done);
        // A queued run or a dependent may start now rather than at the next tick.
        if (!this.abort.signal.aborted) this.wake?.();
      });
    this.active.add(done);
  }

  private emit(type: 'schedule.triggered' | 'schedule.skipped', s: ScheduleRecord, run: ScheduleRunRecord): void {
    try {
      emitScheduleEvent(this.options.store, type, s, run);
    } catch (err) {
      this.options.log('error', `could not record event ${type}: ${errorMessage(err)}`);
    }
  }
}
