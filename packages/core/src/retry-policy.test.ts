import { describe, expect, it } from 'vitest';
import { SLOTH_ERROR_CODES, SlothError } from './errors.js';
import { isRetryable, NO_RETRY, RETRY_STRATEGIES, type RetryPolicy, retryDelay, retryPolicy } from './retry-policy.js';

const mid = () => 0.5; // jitter cancels out exactly at 0.5
const noJitter = (policy: RetryPolicy): RetryPolicy => ({ ...policy, jitter: 0 });

describe('retryPolicy', () => {
  it('defaults to exponential with a 1s base delay', () => {
    const p = retryPolicy(3);
    expect(p).toMatchObject({ retries: 3, strategy: 'exponential', baseDelayMs: 1000 });
    expect(p.maxDelayMs).toBe(NO_RETRY.maxDelayMs);
    expect(p.jitter).toBe(NO_RETRY.jitter);
  });

  it('keeps the given strategy and base delay', () => {
    expect(retryPolicy(2, 'linear', 10)).toMatchObject({ retries: 2, strategy: 'linear', baseDelayMs: 10 });
    expect(retryPolicy(0, 'fixed', 10)).toMatchObject({ retries: 0, strategy: 'fixed' });
  });

  it('NO_RETRY makes no extra attempt', () => {
    expect(NO_RETRY.retries).toBe(0);
  });

  it('rejects an unknown strategy, listing the known ones', () => {
    let err: unknown;
    try {
      retryPolicy(2, 'quadratic');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('invalid_argument');
    expect((err as SlothError).message).toBe('unknown retry strategy "quadratic"');
    expect((err as SlothError).hint).toBe(`use one of ${RETRY_STRATEGIES.join(', ')}`);
    expect((err as SlothError).hint).toContain('fixed, linear, exponential');
  });

  it.each([-1, 1.5, Number.NaN])('rejects %s retries', (n) => {
    expect(() => retryPolicy(n)).toThrow(/retries must be a whole number >= 0/);
  });
});

describe('retryDelay', () => {
  it('fixed: the same delay before every retry', () => {
    const p = retryPolicy(5, 'fixed', 10);
    expect([2, 3, 4, 5].map((n) => retryDelay(p, n, mid))).toEqual([10, 10, 10, 10]);
  });

  it('linear: base, 2*base, 3*base...', () => {
    const p = retryPolicy(5, 'linear', 10);
    expect([2, 3, 4, 5].map((n) => retryDelay(p, n, mid))).toEqual([10, 20, 30, 40]);
  });

  it('exponential: base, 2*base, 4*base, 8*base...', () => {
    const p = retryPolicy(5, 'exponential', 10);
    expect([2, 3, 4, 5, 6].map((n) => retryDelay(p, n, mid))).toEqual([10, 20, 40, 80, 160]);
  });

  it('treats attempt 1 (or less) like the first retry', () => {
    const p = retryPolicy(5, 'exponential', 10);
    expect(retryDelay(p, 1, mid)).toBe(10);
    expect(retryDelay(p, 0, mid)).toBe(10);
  });

  it('caps the delay at maxDelayMs', () => {
    const p = noJitter(retryPolicy(20, 'exponential', 1000));
    expect(retryDelay(p, 10)).toBe(p.maxDelayMs);
    expect(retryDelay(p, 20)).toBe(60_000);
    expect(retryDelay(noJitter({ ...retryPolicy(3, 'linear', 500), maxDelayMs: 1200 }), 4)).toBe(1200);
  });

  it('jitter spreads the delay by +/- jitter*delay, driven by the injected random', () => {
    const p = retryPolicy(3, 'fixed', 1000); // jitter 0.2
    expect(retryDelay(p, 2, () => 0)).toBe(800);
    expect(retryDelay(p, 2, () => 0.25)).toBe(900);
    expect(retryDelay(p, 2, () => 0.75)).toBe(1100);
    expect(retryDelay(p, 2, () => 0.999999)).toBe(1200);
    for (let i = 0; i <= 100; i++) {
      const r = i / 101;
      const d = retryDelay(p, 2, () => r);
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1200);
    }
  });

  it('jitter applies after the cap', () => {
    const p = retryPolicy(20, 'exponential', 1000);
    expect(retryDelay(p, 15, () => 0)).toBe(48_000);
    expect(retryDelay(p, 15, () => 0.999999)).toBe(72_000);
  });

  it('uses Math.random by default and stays inside the jitter bounds', () => {
    const p = retryPolicy(3, 'linear', 100);
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(p, 3);
      expect(d).toBeGreaterThanOrEqual(160);
      expect(d).toBeLessThanOrEqual(240);
    }
  });

  it('no jitter gives exact delays and never a negative one', () => {
    expect(retryDelay(noJitter(retryPolicy(1, 'fixed', 0)), 2, () => 0)).toBe(0);
    expect(retryDelay(noJitter(retryPolicy(1, 'fixed', 37)), 2, () => 0.9)).toBe(37);
  });
});

describe('isRetryable', () => {
  it('refuses a retry only for failures an attempt more cannot fix', () => {
    const refused = SLOTH_ERROR_CODES.filter((code) => !isRetryable(code));
    expect(refused).toEqual(['usage', 'load', 'not_found', 'invalid_argument', 'unsupported']);
    expect(isRetryable(undefined)).toBe(true);
  });
});
