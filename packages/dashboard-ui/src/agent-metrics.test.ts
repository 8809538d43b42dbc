import { create } from '@bufbuild/protobuf';
import { AgentMetricsSampleSchema, AgentSchema } from '@sloth/proto';
import { describe, expect, it } from 'vitest';
import { foldPoints, formatRate, metricCharts, networkRates, type Point } from './agent-metrics.js';

const GiB = 2 ** 30;
const sample = (atMs: number, netRx: number, netTx: number) =>
  create(AgentMetricsSampleSchema, {
    atMs: BigInt(atMs),
    load1: 0.5,
    memoryTotalBytes: BigInt(8 * GiB),
    memoryFreeBytes: BigInt(2 * GiB),
    netRxBytes: BigInt(netRx),
    netTxBytes: BigInt(netTx),
  });

describe("a machine's network chart", () => {
  it('is bytes per second between consecutive points, a counter reset (a reboot) a gap and not a negative spike', () => {
    const points = foldPoints(
      [],
      [
        sample(0, 1_000_000, 500_000),
        sample(60_000, 1_060_000, 530_000),
        // Rebooted: the counters start again from low values.
        sample(120_000, 2000, 1000),
        sample(180_000, 62_000, 7000),
      ],
      undefined,
      100,
    );
    expect(networkRates(points)).toEqual({ rx: [null, 1000, null, 1000], tx: [null, 500, null, 100] });
    const network = metricCharts(points, 4).find((c) => c.key === 'network');
    expect(network).toMatchObject({ values: [null, 1000, null, 1000], second: [null, 500, null, 100], legend: ['in', 'out'] });
    expect(network?.now).toBe('in 1000 B/s, out 100 B/s');
    expect(network?.values.every((v) => v === null || v >= 0)).toBe(true);
  });

  it("says so when the machine reports no counters (an agent older than them), and counts the agent's last heartbeat", () => {
    const old = foldPoints([], [sample(0, 0, 0), sample(60_000, 0, 0)], undefined, 100);
    const network = metricCharts(old, 2).find((c) => c.key === 'network');
    expect(network?.values).toEqual([null, null]);
    expect(network?.now).toMatch(/^no network data/);

    // A newer agent: its last heartbeat (sent with the agent) adds a point, and the rate to it.
    const agent = create(AgentSchema, {
      name: 'web-1',
      lastHeartbeatMs: 90_000n,
      system: { cpus: 2, netRxBytes: BigInt(3 * GiB), netTxBytes: 1024n },
    });
    const points: Point[] = foldPoints([], [sample(60_000, 3 * GiB - 30 * 1024 * 1024, 512)], agent, 100);
    expect(points.map((p) => p.at)).toEqual([60_000, 90_000]);
    expect(metricCharts(points, 2).find((c) => c.key === 'network')?.now).toBe('in 1.0 MiB/s, out 17 B/s');
  });

  it('writes rates as people read them', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(999.6)).toBe('1000 B/s');
    expect(formatRate(3.5 * 1024)).toBe('3.5 KiB/s');
  });
});
