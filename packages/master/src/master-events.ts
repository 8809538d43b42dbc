import { errorMessage, type ModuleSpec } from '@sloth/core';
import { describeHookFailure, EventProcessor, type HookRunner, storeHookRunner } from '@sloth/events';
import { eventRepo, type ForwardedEvent, hookRepo, type Store } from '@sloth/store-sqlite';
import type { MasterMetrics } from './master-metrics.js';

type Log = (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;

/** Where the fleet's events go: the master's own (agent.*), those agents forward, and those sent with SendEvent. */
export interface FleetEventSink {
  /** An event the master raises; a store error is logged, never thrown (the fleet goes on). */
  emit(type: string, data: Record<string, unknown>): void;
  /** Stores events an agent forwarded (each id once); throws when one is invalid. */
  receive(agent: string, events: readonly ForwardedEvent[]): void;
  /** Stores one event sent by a client and returns its id; throws when it is invalid. */
  send(type: string, data: Record<string, unknown>, stack: string | undefined): string;
}

export interface MasterEventsOptions {
  /** Run hooks in the master (default); off: events wait in the queue for `events serve`. */
  hooks: boolean;
  /** The modules hooks get. */
  modules: ModuleSpec[];
  /** Events processed at once. */
  concurrency: number;
  log: Log;
  /** Counts events processed and observes hook runs (/metrics). */
  prometheus?: MasterMetrics | undefined;
}

/** How long hooks still running at shutdown may take; the events of the rest go back to pending. */
const HOOKS_GRACE_MS = 5000;

/**
 * The master's event queue: every event is committed before the call that raised it returns, then an EventProcessor in
 * this process runs the matching hooks (`hook add --data-dir <the master's>`). Events of other processes sharing the
 * data directory are processed too: each is leased to one processor at a time.
 */
export class MasterEvents implements FleetEventSink {
  private readonly processor: EventProcessor | undefined;
  private readonly runner: HookRunner | undefined;
  private readonly running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: MasterEventsOptions,
  ) {
    if (!options.hooks) return;
    const { log, prometheus } = options;
    this.runner = storeHookRunner(store, options.modules, (hook, level, message) => log(level, `[hook ${hook}] ${message}`));
    this.processor = new EventProcessor({
      store,
      runner: this.runner,
      concurrency: options.concurrency,
      onExecution: (hook, event, r, attempt) => {
        prometheus?.hookSeconds.observe({ hook: hook.name }, r.durationMs / 1000);
        if (!r.success) prometheus?.hookFailures.inc({ hook: hook.name });
        if (r.success) log('debug', `hook ${hook.name} ran for ${event.type} (${event.id})`);
        else log('warn', describeHookFailure(hook, event, r, attempt));
      },
      onProcessed: (result) => prometheus?.eventsProcessed.inc({ result }),
      onError: (message) => log('error', `events: ${message}`),
    });
    const enabled = hookRepo(store).enabledCount();
    log('info', `running hooks on events (${enabled} enabled now, concurrency ${options.concurrency})`);
    const processor = this.processor;
    this.running = processor
      .warmUp()
      .then(() => processor.run())
      .catch((err) => log('error', `the event processor stopped: ${errorMessage(err)}`));
  }

  emit(type: string, data: Record<string, unknown>): void {
    try {
      eventRepo(this.store).dispatch(type, data, { source: 'master' });
      this.processor?.notify();
    } catch (err) {
      this.options.log('error', `could not record event ${type}: ${errorMessage(err)}`);
    }
  }

  receive(agent: string, events: readonly ForwardedEvent[]): void {
    eventRepo(this.store).receive(events, `agent:${agent}`);
    this.processor?.notify();
  }

  send(type: string, data: Record<string, unknown>, stack: string | undefined): string {
    const id = eventRepo(this.store).dispatch(type, data, { source: 'api', stack });
    this.processor?.notify();
    return id;
  }

  /** Events waiting in the queue and being processed (by this master or another processor of its data directory). */
  depth(): { pending: number; processing: number } {
    return eventRepo(this.store).depth();
  }

  /** Stops claiming events; running hooks get a few seconds, the rest stay pending for the next processor. */
  async close(): Promise<void> {
    if (!this.processor) return;
    await this.processor.stop(HOOKS_GRACE_MS);
    await this.running;
    await this.runner?.close();
  }
}
