import type { SystemInfo } from '@sloth/proto';
import type { AgentMetricsRepo, AgentMetricsSample } from '@sloth/store-sqlite';

/** How often, and for how long, the master keeps an agent's heartbeat system info (`agent metrics`). */
export interface MetricsPolicy {
  intervalMs: number;
  retentionMs: number;
}

/** Pruning of old samples runs at most this often (and at least once per interval). */
const PRUNE_EVERY_MS = 60_000;
/** Most samples one GetAgentMetrics answers, and how many when the caller does not say. */
export const MAX_METRICS_SAMPLES = 100_000;
export const DEFAULT_METRICS_SAMPLES = 1000;

/**
 * The system info of agents' heartbeats over time: one sample per agent per interval, written with the heartbeats'
 * sweep and forgotten after the retention, so the store holds at most retention / interval samples per agent however
 * many agents heartbeat and however often.
 */
export class MetricsHistory {
  private readonly lastSample = new Map<string, number>();
  private pending: AgentMetricsSample[] = [];
  private lastPrune = 0;

  constructor(
    private readonly repo: AgentMetricsRepo,
    readonly policy: MetricsPolicy,
    /** Half a heartbeat interval: a heartbeat that comes a little early still starts the next sample, so samples do not drift. */
    private readonly slackMs: number,
  ) {}

  /** A heartbeat arrived: kept as a sample when the agent's last one is (about) an interval old. */
  offer(agent: string, at: number, system: SystemInfo | undefined, runningWork: number): void {
    if (!system) return;
    const last = this.lastSample.get(agent);
    if (last !== undefined && at - last < this.policy.intervalMs - Math.min(this.slackMs, this.policy.intervalMs / 2)) return;
    this.lastSample.set(agent, at);
    this.pending.push({
      agent,
      at,
      load1: system.load1,
      load5: system.load5,
      load15: system.load15,
      memoryTotal: Number(system.memoryTotalBytes),
      memoryFree: Number(system.memoryFreeBytes),
      diskTotal: Number(system.diskTotalBytes),
      diskFree: Number(system.diskFreeBytes),
      runningWork,
      netRx: Number(system.netRxBytes),
      netTx: Number(system.netTxBytes),
      cpus: system.cpus,
    });
  }

  /** Writes the samples taken since the last flush (one transaction), and forgets those past the retention. */
  flush(now: number): void {
    if (this.pending.length > 0) {
      const samples = this.pending;
      this.pending = [];
      this.repo.record(samples);
    }
    if (now - this.lastPrune >= Math.min(PRUNE_EVERY_MS, this.policy.intervalMs)) {
      this.lastPrune = now;
      this.repo.prune(now - this.policy.retentionMs);
    }
  }

  /** An agent's samples of the last `windowMs` (0: all kept), at most `limit` of the most recent, oldest first. */
  samples(agent: string, windowMs: number, limit: number, now: number): AgentMetricsSample[] {
    const since = Math.max(now - this.policy.retentionMs, windowMs > 0 ? now - windowMs : 0);
    const ours = this.pending.filter((s) => s.agent === agent && s.at >= since);
    const stored = this.repo.list(agent, since, limit);
    return [...stored, ...ours].slice(-limit);
  }

  /** Forgets an agent's samples (`agent delete`). */
  forget(agent: string): void {
    this.lastSample.delete(agent);
    this.pending = this.pending.filter((s) => s.agent !== agent);
    this.repo.forget(agent);
  }
}
