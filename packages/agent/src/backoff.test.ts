import { describe, expect, it } from 'vitest';
import { backoffDelay, ReconnectSchedule } from './backoff.js';

const opts = { initialMs: 5000, maxMs: 60_000, jitter: 0.2 };

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum (no jitter at the midpoint)', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 40].map((a) => backoffDelay(a, opts, mid))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('spreads each delay within ±jitter, never above the maximum', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(4000);
    expect(backoffDelay(0, opts, () => 0.999999)).toBeCloseTo(6000, -1);
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(60_000);
    expect(backoffDelay(10, opts, () => 0)).toBe(48_000);
  });
});

describe('ReconnectSchedule', () => {
  const mid = () => 0.5;

  it('doubles while connections fail, and starts again from the initial delay after one that registered', () => {
    const s = new ReconnectSchedule(opts, mid);
    // Three outages: each first retry follows a registered connection, the retries while the master is away fail.
    const outage = () => [s.next(true), s.next(false), s.next(false), s.next(false)];
    expect(outage()).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(outage()).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(outage()).toEqual([5000, 10_000, 20_000, 40_000]);
  });

  it('keeps doubling up to the maximum when the agent never registers', () => {
    const s = new ReconnectSchedule(opts, mid);
    expect(Array.from({ length: 6 }, () => s.next(false))).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('spreads a fleet: 1,000 first retries after a restart cover ±20% of the initial delay', () => {
    // A deterministic, evenly spread stand-in for Math.random (the golden-ratio sequence), the same on every run.
    let i = 0;
    const random = () => (i++ * 0.618_033_988_75) % 1;
    const delays = Array.from({ length: 1000 }, () => new ReconnectSchedule(opts, random).next(true));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(6000);
    // Per 100 ms bucket over the 2 s window no more than a few percent of the fleet: nothing like all in one second.
    const buckets = new Map<number, number>();
    for (const d of delays) buckets.set(Math.floor(d / 100), (buckets.get(Math.floor(d / 100)) ?? 0) + 1);
    expect(buckets.size).toBeGreaterThanOrEqual(20);
    expect(Math.max(...buckets.values())).toBeLessThan(100);
  });
});
