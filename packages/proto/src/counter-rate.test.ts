import { describe, expect, it } from 'vitest';
import { counterRate } from './index.js';

describe('counterRate', () => {
  it('is the growth per second between two readings', () => {
    expect(counterRate(1000, 61_000, 60_000)).toBe(1000);
    expect(counterRate(5000, 5000, 2000)).toBe(0);
    expect(counterRate(2 ** 40, 2 ** 40 + 3_000_000, 1500)).toBe(2_000_000);
  });

  it('has none across a reset or wrap (a lower counter), not a negative spike', () => {
    expect(counterRate(9_000_000, 4000, 1000)).toBeNull();
  });

  it('has none where a reading is missing (0: an agent too old to report it) or the times are not in order', () => {
    expect(counterRate(0, 5000, 1000)).toBeNull();
    expect(counterRate(5000, 0, 1000)).toBeNull();
    expect(counterRate(1000, 2000, 0)).toBeNull();
    expect(counterRate(1000, 2000, -5)).toBeNull();
  });
});
