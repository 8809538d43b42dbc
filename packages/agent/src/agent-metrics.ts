import { Counter, Gauge, Histogram, Registry } from '@sloth/metrics';

/** What the agent's gauges read at each scrape. */
export interface AgentGaugeSources {
  connected(): boolean;
  workInFlight(): number;
}

const WORK_BUCKETS = [0.01, 0.05, 0.25, 1, 5, 30, 120, 600, 3600];

/**
 * An agent's Prometheus families (exported on --metrics-port's /metrics with the process's own, which hold the
 * metrics its delegated tasks define). Each agent has its own registry, so several in one process do not collide.
 * Made only with --metrics-port: prom-client is loaded then, so an agent that exports nothing stays small.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly heartbeats: Counter;
  readonly registrations: Counter;
  private readonly finished: Counter<'kind' | 'result'>;
  private readonly seconds: Histogram<'kind'>;

  private sources: AgentGaugeSources | undefined;

  constructor() {
    const registers = [this.registry];
    const connected: Gauge = new Gauge({
      name: 'sloth_agent_connected',
      help: '1 while the agent is registered with its master, 0 otherwise.',
      registers,
      collect: () => connected.set(this.sources?.connected() ? 1 : 0),
    });
    this.registrations = new Counter({
      name: 'sloth_agent_registrations_total',
      help: 'Times the agent registered with its master (the first time and after every reconnection).',
      registers,
    });
    this.heartbeats = new Counter({
      name: 'sloth_agent_heartbeats_sent_total',
      help: 'Heartbeats sent to the master.',
      registers,
    });
    const inFlight: Gauge = new Gauge({
      name: 'sloth_agent_work_in_flight',
      help: 'Commands and tasks running on this agent.',
      registers,
      collect: () => inFlight.set(this.sources?.workInFlight() ?? 0),
    });
    this.finished = new Counter({
      name: 'sloth_agent_work_finished_total',
      help: 'Commands and tasks this agent ran to their end, by kind and result (success, failed).',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.seconds = new Histogram({
      name: 'sloth_agent_work_duration_seconds',
      help: 'How long commands and tasks ran on this agent.',
      labelNames: ['kind'],
      buckets: WORK_BUCKETS,
      registers,
    });
  }

  /** Where the gauges read from. */
  watch(sources: AgentGaugeSources): void {
    this.sources = sources;
  }

  /** A command or task ended. */
  workEnded(kind: 'command' | 'task', success: boolean, durationMs: number): void {
    this.finished.inc({ kind, result: success ? 'success' : 'failed' });
    this.seconds.observe({ kind }, durationMs / 1000);
  }
}
