import { type Agent, type AgentMetricsSample, counterRate, type SystemInfo } from '@sloth/proto';
import { formatBytes } from './format.js';

/** One point of a machine's charts: what a heartbeat (or the master's own sample) said at a time. */
export interface Point {
  at: number;
  load1: number;
  memoryUsed: number;
  diskUsed: number;
  /** Network counters since boot (0: not reported). */
  netRx: number;
  netTx: number;
}

/** One chart of a machine: its values over time (null: a gap), the top of its scale, and its value now as text. */
export interface MetricChart {
  key: 'load' | 'memory' | 'disk' | 'network';
  title: string;
  values: (number | null)[];
  /** A second line on the same chart (the network's bytes sent), and what each line is. */
  second?: (number | null)[] | undefined;
  legend?: [string, string] | undefined;
  max: number;
  now: string;
}

/** Used share of a total, in percent (0 when the total is unknown). */
function percentUsed(total: bigint, free: bigint): number {
  return total === 0n ? 0 : (Number(total - free) / Number(total)) * 100;
}

/** A point from what a sample or a heartbeat's system info says (their fields have the same names). */
function point(at: number, s: AgentMetricsSample | SystemInfo): Point {
  return {
    at,
    load1: s.load1,
    memoryUsed: percentUsed(s.memoryTotalBytes, s.memoryFreeBytes),
    diskUsed: percentUsed(s.diskTotalBytes, s.diskFreeBytes),
    netRx: Number(s.netRxBytes),
    netTx: Number(s.netTxBytes),
  };
}

/**
 * A machine's points in time order, at most `max`: those already shown, the samples the master kept, and, for an
 * agent, its last heartbeat (the server sends the agent again on each one, so the charts grow while the page is open).
 */
export function foldPoints(points: Point[], samples: AgentMetricsSample[], agent: Agent | undefined, max: number): Point[] {
  const byTime = new Map<number, Point>();
  for (const p of points) byTime.set(p.at, p);
  for (const s of samples) byTime.set(Number(s.atMs), point(Number(s.atMs), s));
  if (agent?.system) byTime.set(Number(agent.lastHeartbeatMs), point(Number(agent.lastHeartbeatMs), agent.system));
  return [...byTime.values()].sort((a, b) => a.at - b.at).slice(-max);
}

/**
 * Bytes per second received and sent between each point and the one before it (the first has none): null where there
 * is no rate (a counter reset, or a point without counters), a gap in the chart rather than a negative spike.
 */
export function networkRates(points: Point[]): { rx: (number | null)[]; tx: (number | null)[] } {
  const rx: (number | null)[] = [];
  const tx: (number | null)[] = [];
  points.forEach((p, i) => {
    const before = points[i - 1];
    rx.push(before ? counterRate(before.netRx, p.netRx, p.at - before.at) : null);
    tx.push(before ? counterRate(before.netTx, p.netTx, p.at - before.at) : null);
  });
  return { rx, tx };
}

/** A rate in bytes per second as people read it: 0 B/s, 3.2 KiB/s. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** The network chart's value now: the latest rates, or why there are none. */
function networkNow(points: Point[], rx: (number | null)[], tx: (number | null)[]): string {
  if (!points.some((p) => p.netRx > 0 || p.netTx > 0)) return 'no network data (not reported: an older agent?)';
  const lastRx = rx.at(-1);
  const lastTx = tx.at(-1);
  if (lastRx == null && lastTx == null) return 'measuring…';
  return `in ${lastRx == null ? '–' : formatRate(lastRx)}, out ${lastTx == null ? '–' : formatRate(lastTx)}`;
}

/**
 * The charts of a machine: CPU load (the 1-minute load average, on a scale of its CPUs: agents report load, not a CPU
 * percentage), memory used and disk used (percent), and network throughput (bytes per second in and out, from the
 * counters of consecutive points).
 */
export function metricCharts(points: Point[], cpus: number): MetricChart[] {
  const last = points.at(-1);
  const net = networkRates(points);
  return [
    {
      key: 'load',
      title: `CPU load (1-minute average, ${cpus} CPU${cpus === 1 ? '' : 's'})`,
      values: points.map((p) => p.load1),
      max: Math.max(cpus, 1),
      now: last ? last.load1.toFixed(2) : '',
    },
    {
      key: 'memory',
      title: 'Memory used',
      values: points.map((p) => p.memoryUsed),
      max: 100,
      now: last ? `${last.memoryUsed.toFixed(1)} %` : '',
    },
    {
      key: 'disk',
      title: 'Disk used',
      values: points.map((p) => p.diskUsed),
      max: 100,
      now: last ? `${last.diskUsed.toFixed(1)} %` : '',
    },
    {
      key: 'network',
      title: 'Network',
      values: net.rx,
      second: net.tx,
      legend: ['in', 'out'],
      // The scale follows the traffic; 1 KiB/s at least, so an idle machine's line lies low.
      max: 1024,
      now: last ? networkNow(points, net.rx, net.tx) : '',
    },
  ];
}
