import { SlothError, type SlothErrorCode } from './errors.js';

export type RetryStrategy = 'fixed' | 'linear' | 'exponential';
export const RETRY_STRATEGIES: readonly RetryStrategy[] = ['fixed', 'linear', 'exponential'];

/** How a failed task is tried again. `retries` is the number of extra attempts. */
export interface RetryPolicy {
  retries: number;
  strategy: RetryStrategy;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Fraction of the delay randomised (0..1) so that many retrying tasks do not stampede. */
  jitter: number;
}

export const NO_RETRY: RetryPolicy = { retries: 0, strategy: 'exponential', baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 };

/** Builds a policy, rejecting strategies we do not know. */
export function retryPolicy(retries: number, strategy: string = 'exponential', baseDelayMs = 1000): RetryPolicy {
  if (!Number.isInteger(retries) || retries < 0) {
    throw new SlothError('invalid_argument', `retries must be a whole number >= 0, got ${retries}`);
  }
  if (!RETRY_STRATEGIES.includes(strategy as RetryStrategy)) {
    throw new SlothError('invalid_argument', `unknown retry strategy "${strategy}"`, {
      hint: `use one of ${RETRY_STRATEGIES.join(', ')}`,
    });
  }
  return { ...NO_RETRY, retries, strategy: strategy as RetryStrategy, baseDelayMs };
}

/**
 * Failures that an attempt more cannot fix: a wrong argument, a bad command line or workflow file, a name that does
 * not exist. A task that fails with one of these is not retried, whatever its `retries`.
 */
const NOT_RETRYABLE: ReadonlySet<SlothErrorCode> = new Set(['invalid_argument', 'usage', 'load', 'not_found', 'unsupported']);

/** Whether a failure with this code may succeed when tried again (unknown: yes, as before codes existed). */
export function isRetryable(code: SlothErrorCode | undefined): boolean {
  return code === undefined || !NOT_RETRYABLE.has(code);
}

/** The delay before attempt `nextAttempt` (2 = first retry), jittered with `random` in [0,1). */
export function retryDelay(policy: RetryPolicy, nextAttempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, nextAttempt - 1);
  const raw =
    policy.strategy === 'fixed'
      ? policy.baseDelayMs
      : policy.strategy === 'linear'
        ? policy.baseDelayMs * n
        : policy.baseDelayMs * 2 ** (n - 1);
  const capped = Math.min(raw, policy.maxDelayMs);
  const spread = capped * policy.jitter;
  return Math.max(0, Math.round(capped - spread + random() * 2 * spread));
}
