import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

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
