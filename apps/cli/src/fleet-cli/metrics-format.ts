import { counterRate, type GetAgentMetricsResponse } from '@sloth/client';
import { bytesText } from './format.js';

type Sample = GetAgentMetricsResponse['samples'][number];

/** An agent's samples for --output json (snake_case, ISO times). */
export function metricsJson(agent: string, res: GetAgentMetricsResponse): Record<string, unknown> {
  return {
    agent,
    interval_ms: Number(res.intervalMs),
    retention_ms: Number(res.retentionMs),
    samples: res.samples.map((s) => ({
      at: new Date(Number(s.atMs)).toISOString(),
      load: [s.load1, s.load5, s.load15],
      memory_total_bytes: Number(s.memoryTotalBytes),
      memory_free_bytes: Number(s.memoryFreeBytes),
      disk_total_bytes: Number(s.diskTotalBytes),
      disk_free_bytes: Number(s.diskFreeBytes),
      running_work: s.runningWork,
      // Counters since the agent's boot (null: not reported, an agent older than them).
      net_rx_bytes: s.netRxBytes > 0n ? Number(s.netRxBytes) : null,
      net_tx_bytes: s.netTxBytes > 0n ? Number(s.netTxBytes) : null,
    })),
  };
}

/** The rows of the people's table: time, load, memory and disk in use, network throughput, running work. */
export function metricsRows(samples: readonly Sample[]): string[][] {
  return samples.map((s, i) => [
    new Date(Number(s.atMs)).toISOString().replace('T', ' ').slice(0, 19),
    `${s.load1.toFixed(2)} ${s.load5.toFixed(2)} ${s.load15.toFixed(2)}`,
    usedText(s.memoryTotalBytes, s.memoryFreeBytes),
    usedText(s.diskTotalBytes, s.diskFreeBytes),
    networkText(samples[i - 1], s),
    String(s.runningWork),
  ]);
}

/** "1.2 KiB/s / 300 B/s": bytes per second in and out since the sample before; "-" without one, or across a reset. */
function networkText(before: Sample | undefined, s: Sample): string {
  if (!before) return '-';
  const ms = Number(s.atMs - before.atMs);
  const rx = counterRate(Number(before.netRxBytes), Number(s.netRxBytes), ms);
  const tx = counterRate(Number(before.netTxBytes), Number(s.netTxBytes), ms);
  if (rx === null && tx === null) return '-';
  const rate = (r: number | null) => (r === null ? '-' : `${bytesText(Math.round(r))}/s`);
  return `${rate(rx)} / ${rate(tx)}`;
}

/** The line under the table: how the master samples. */
export function metricsPolicyText(res: GetAgentMetricsResponse): string {
  return `(one sample per ${periodText(Number(res.intervalMs))} of heartbeats, kept ${periodText(Number(res.retentionMs))}; times in UTC)`;
}

/** "1.2 GiB of 4.0 GiB (30%)". */
function usedText(total: bigint, free: bigint): string {
  const t = Number(total);
  if (t <= 0) return '-';
  const used = Math.max(0, t - Number(free));
  return `${bytesText(used)} of ${bytesText(t)} (${Math.round((used / t) * 100)}%)`;
}

/** A setting's period in the largest unit it is a whole number of, as it was likely given: 24h, 1m, 400ms (hours, not days: the flags' defaults). */
function periodText(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
