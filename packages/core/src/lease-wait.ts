import { SlothError } from './errors.js';
import type { LeaseHolder, LeaseStore } from './store-contracts.js';

/**
 * Waits (polling, bounded by `timeoutMs`) until the lease can be taken; the error names the holder.
 * `signal` stops the wait early.
 */
export async function acquireLease(
  leases: LeaseStore,
  name: string,
  ttlMs: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<LeaseHolder> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const lease = await leases.tryAcquire(name, ttlMs);
    if (lease) return lease;
    if (signal?.aborted) throw new SlothError('aborted', `stopped while waiting for lock '${name}'`);
    if (Date.now() >= deadline) {
      const holder = await leases.holder(name);
      throw new SlothError(
        'timeout',
        `lock '${name}' is held${holder ? ` by ${describeHolder(holder)}` : ''}; waited ${timeoutMs}ms`,
        {
          hint: 'wait for that run to finish, or raise the lock timeout',
        },
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
    delay = Math.min(delay * 2, 250);
  }
}

/** "pid 123 on web-01 since 2026-11-22T10:02:03Z". */
export function describeHolder(holder: LeaseHolder): string {
  return `pid ${holder.pid} on ${holder.host} since ${new Date(holder.acquiredAt).toISOString()}`;
}
