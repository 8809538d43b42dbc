import { describe, expect, it } from 'vitest';
import { HealthChecks, HealthReader } from './health-checks.js';

describe('agent health checks', () => {
  it('raise an event after N heartbeats in a row over a threshold, and *_recovered after N back under; no flapping', () => {
    const raised: [string, Record<string, unknown>][] = [];
    const checks = new HealthChecks({ cpuHigh: 90, memoryHigh: 80, diskHigh: 95, heartbeats: 3 }, (type, data) =>
      raised.push([type, data]),
    );
    const beat = (cpu: number, memory = 10, disk = 10) => checks.observe({ cpu, memory, disk });
    beat(95);
    beat(95);
    beat(50); // the count starts again
    beat(95);
    beat(95);
    expect(raised).toEqual([]);
    beat(95);
    expect(raised).toEqual([['system.cpu_high', { check: 'cpu', value_percent: 95, threshold_percent: 90, heartbeats: 3 }]]);
    beat(96);
    beat(10);
    beat(10);
    beat(99);
    expect(raised).toHaveLength(1); // still high: no second event, no recovery yet
    beat(10);
    beat(10);
    beat(10);
    expect(raised[1]).toEqual([
      'system.cpu_recovered',
      { check: 'cpu', value_percent: 10, threshold_percent: 90, heartbeats: 3 },
    ]);
    for (let i = 0; i < 3; i++) beat(10, 80, 95);
    expect(raised.slice(2).map(([t]) => t)).toEqual(['system.memory_high', 'system.disk_full']);
    for (let i = 0; i < 3; i++) beat(10);
    expect(raised.slice(4).map(([t]) => t)).toEqual(['system.memory_recovered', 'system.disk_recovered']);
  });

  it('a threshold of 0 trips at once (readings are never below it)', () => {
    const raised: string[] = [];
    const checks = new HealthChecks({ cpuHigh: 0, memoryHigh: 0, diskHigh: 0, heartbeats: 1 }, (type) => raised.push(type));
    checks.observe(
      new HealthReader().read({ memoryTotalBytes: 100n, memoryFreeBytes: 40n, diskTotalBytes: 0n, diskFreeBytes: 0n }),
    );
    expect(raised).toEqual(['system.cpu_high', 'system.memory_high', 'system.disk_full']);
  });

  it('reads memory and disk use in percent from a heartbeat', () => {
    const r = new HealthReader().read({
      memoryTotalBytes: 200n,
      memoryFreeBytes: 50n,
      diskTotalBytes: 1000n,
      diskFreeBytes: 1000n,
    });
    expect(r.memory).toBe(75);
    expect(r.disk).toBe(0);
    expect(r.cpu).toBeGreaterThanOrEqual(0);
    expect(r.cpu).toBeLessThanOrEqual(100);
  });
});
