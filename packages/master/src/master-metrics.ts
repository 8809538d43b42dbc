import { Counter, Gauge, Histogram, Registry } from '@sloth/metrics';
import type { WorkEnd } from './work-tracker.js';

/** What the master's gauges read at each scrape. */
export interface MasterGaugeSources {
  agents(): { active: number; inactive: number };
  workInFlight(): number;
  eventQueue(): { pending: number; processing: number };
}

/** Seconds: from a fast RPC to an agent stream that lasts days. */
const RPC_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60, 600, 3600, 86_400];
const HOOK_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30, 120];

/**
 * The master's Prometheus families (exported on --dashboard-port's /metrics with the process's own): the fleet,
 * RPCs, work, the event queue and hooks. Each master has its own registry, so several in one process do not collide.
 */
export class MasterMetrics {
  readonly registry = new Registry();
  readonly heartbeats: Counter;
  readonly rpcCalls: Counter<'service' | 'method' | 'code'>;
  readonly rpcSeconds: Histogram<'service' | 'method'>;
  readonly eventsProcessed: Counter<'result'>;
  readonly hookSeconds: Histogram<'hook'>;
  readonly hookFailures: Counter<'hook'>;
  private readonly workFinished: Counter<'kind' | 'result'>;
  private sources: MasterGaugeSources | undefined;

  constructor() {
    const registers = [this.registry];
    const agents: Gauge<'status'> = new Gauge({
      name: 'sloth_agents',
      help: 'Registered agents by status (active: connected and heard from within the missed-heartbeat window).',
      labelNames: ['status'],
      registers,
      collect: () => {
        const a = this.sources?.agents();
        if (!a) return;
        agents.set({ status: 'active' }, a.active);
        agents.set({ status: 'inactive' }, a.inactive);
      },
    });
    this.heartbeats = new Counter({
      name: 'sloth_agent_heartbeats_received_total',
      help: 'Heartbeats received from agents.',
      registers,
    });
    this.rpcCalls = new Counter({
      name: 'sloth_rpc_requests_total',
      help: 'Connect/gRPC calls handled, by service, method and code (ok, or the error code).',
      labelNames: ['service', 'method', 'code'],
      registers,
    });
    this.rpcSeconds = new Histogram({
      name: 'sloth_rpc_duration_seconds',
      help: 'How long calls took (streams: until they ended).',
      labelNames: ['service', 'method'],
      buckets: RPC_BUCKETS,
      registers,
    });
    const inFlight: Gauge = new Gauge({
      name: 'sloth_work_in_flight',
      help: 'Commands and tasks sent to agents and not finished yet.',
      registers,
      collect: () => {
        if (this.sources) inFlight.set(this.sources.workInFlight());
      },
    });
    this.workFinished = new Counter({
      name: 'sloth_work_finished_total',
      help: 'Commands and tasks sent to agents that ended, by kind and result (success, failed, lost, timeout, cancelled).',
      labelNames: ['kind', 'result'],
      registers,
    });
    const queue: Gauge<'status'> = new Gauge({
      name: 'sloth_event_queue_depth',
      help: 'Events in the queue by status (pending: waiting for hooks, due or not; processing: claimed now).',
      labelNames: ['status'],
      registers,
      collect: () => {
        const d = this.sources?.eventQueue();
        if (!d) return;
        queue.set({ status: 'pending' }, d.pending);
        queue.set({ status: 'processing' }, d.processing);
      },
    });
    this.eventsProcessed = new Counter({
      name: 'sloth_events_processed_total',
      help: 'Events processed by the hooks of this master, by result (completed, failed, retried).',
      labelNames: ['result'],
      registers,
    });
    this.hookSeconds = new Histogram({
      name: 'sloth_hook_duration_seconds',
      help: 'How long each run of a hook took.',
      labelNames: ['hook'],
      buckets: HOOK_BUCKETS,
      registers,
    });
    this.hookFailures = new Counter({
      name: 'sloth_hook_failures_total',
      help: 'Runs of a hook that failed.',
      labelNames: ['hook'],
      registers,
    });
  }

  /** Where the gauges read from (the fleet and the queue exist after the metrics). */
  watch(sources: MasterGaugeSources): void {
    this.sources = sources;
  }

  /** A piece of work ended. */
  workEnded(kind: 'command' | 'task', end: WorkEnd): void {
    this.workFinished.inc({ kind, result: end });
  }
}
