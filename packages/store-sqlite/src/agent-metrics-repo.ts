import type Database from 'better-sqlite3';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

/** One sample of an agent's system info, as a heartbeat reported it. */
export interface AgentMetricsSample {
  agent: string;
  at: number;
  load1: number;
  load5: number;
  load15: number;
  memoryTotal: number;
  memoryFree: number;
  diskTotal: number;
  diskFree: number;
  runningWork: number;
  /** Network counters since boot (0: not reported), and the machine's CPUs (0: not recorded). */
  netRx: number;
  netTx: number;
  cpus: number;
}

/**
 * The name the master's samples of its own machine are kept under: not one an agent can register with (agent names
 * start with a letter or digit), so they are never an agent's.
 */
export const MASTER_HOST_SAMPLES = '@master';

const SQL = {
  // Two samples of one agent in the same millisecond: the later one wins.
  insert:
    'INSERT OR REPLACE INTO agent_metrics (agent, at, load1, load5, load15, memory_total, memory_free, disk_total, disk_free, ' +
    'running_work, net_rx, net_tx, cpus) VALUES (@agent, @at, @load1, @load5, @load15, @memoryTotal, @memoryFree, @diskTotal, ' +
    '@diskFree, @runningWork, @netRx, @netTx, @cpus)',
  latest:
    'SELECT agent, at, load1, load5, load15, memory_total AS memoryTotal, memory_free AS memoryFree, disk_total AS diskTotal, ' +
    'disk_free AS diskFree, running_work AS runningWork, net_rx AS netRx, net_tx AS netTx, cpus FROM agent_metrics ' +
    'WHERE agent = ? AND at >= ? ORDER BY at DESC LIMIT ?',
  prune: 'DELETE FROM agent_metrics WHERE at < ?',
  forget: 'DELETE FROM agent_metrics WHERE agent = ?',
} as const;

/** The heartbeat samples behind `agent metrics`, on a Store. */
export class AgentMetricsRepo {
  private readonly sql: Statements<typeof SQL>;
  private readonly insertMany: Database.Transaction<(samples: readonly AgentMetricsSample[]) => void>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
    this.insertMany = store.sqlite.transaction((samples: readonly AgentMetricsSample[]) => {
      for (const s of samples) this.sql.insert.run(s);
    });
  }

  /** Records samples in one transaction. */
  record(samples: readonly AgentMetricsSample[]): void {
    if (samples.length > 0) this.run(() => this.insertMany.immediate(samples));
  }

  /** An agent's samples taken at `since` or later, the `limit` most recent ones, oldest first. */
  list(agent: string, since: number, limit: number): AgentMetricsSample[] {
    return this.run(() => (this.sql.latest.all(agent, since, limit) as AgentMetricsSample[]).reverse());
  }

  /** Forgets samples older than `before`; returns how many. */
  prune(before: number): number {
    return this.run(() => this.sql.prune.run(before).changes);
  }

  /** Forgets every sample of an agent (`agent delete`). */
  forget(agent: string): void {
    this.run(() => this.sql.forget.run(agent));
  }

  private run<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** The metrics repository of a store (one per store: its statements are prepared once). */
export const agentMetricsRepo = perStore((store) => new AgentMetricsRepo(store));
