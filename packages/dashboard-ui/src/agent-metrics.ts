import type { Agent, AgentMetricsSample } from '@sloth/proto';

/** One point of an agent's charts: what a heartbeat said at a time. */
export interface Point {
  at: number;
  load1: number;
  memoryUsed: number;
  diskUsed: number;
}

/** One chart of an agent: its values over time, the top of its scale, and its value now as text. */
export interface MetricChart {
  key: 'load' | 'memory' | 'disk';
  title: string;
  values: number[];
  max: number;
  now: string;
}

/** Used share of a total, in percent (0 when the total is unknown). */
function percentUsed(total: bigint, free: bigint): number {
  return total === 0n ? 0 : (Number(total - free) / Number(total)) * 100;
}

function samplePoint(s: AgentMetricsSample): Point {
  return {
    at: Number(s.atMs),
    load1: s.load1,
    memoryUsed: percentUsed(s.memoryTotalBytes, s.memoryFreeBytes),
    diskUsed: percentUsed(s.diskTotalBytes, s.diskFreeBytes),
  };
}

/**
 * An agent's points in time order, at most `max`: those already shown, the samples the master kept, and the agent's
 * last heartbeat (the server sends the agent again on each one, so the charts grow while the page is open).
 */
export function foldPoints(points: Point[], samples: AgentMetricsSample[], agent: Agent | undefined, max: number): Point[] {
  const byTime = new Map<number, Point>();
  for (const p of points) byTime.set(p.at, p);
  for (const s of samples) byTime.set(Number(s.atMs), samplePoint(s));
  const sys = agent?.system;
  if (agent && sys) {
    const at = Number(agent.lastHeartbeatMs);
    byTime.set(at, {
      at,
      load1: sys.load1,
      memoryUsed: percentUsed(sys.memoryTotalBytes, sys.memoryFreeBytes),
      diskUsed: percentUsed(sys.diskTotalBytes, sys.diskFreeBytes),
    });
  }
  return [...byTime.values()].sort((a, b) => a.at - b.at).slice(-max);
}

/**
 * The three charts of an agent: CPU load (the 1-minute load average, on a scale of its CPUs: agents report load, not a
 * CPU percentage), memory used and disk used (percent).
 */
export function metricCharts(points: Point[], cpus: number): MetricChart[] {
  const last = points.at(-1);
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
  ];
}
