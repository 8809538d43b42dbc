import { type Store, watchWrites } from '@sloth/store-sqlite';

/** How often a watched view is computed again when nothing woke it (a heartbeat that only the clock makes stale). */
export const RECHECK_MS = 1000;

/**
 * Yields at once, then each time the store is written (by any process: a file watch on its write-ahead log) and at
 * least every `recheckMs`, until `signal` aborts (the browser left, or the server stops). Wakes that come while the
 * consumer is busy count as one.
 */
export async function* wakeups(store: Store, signal: AbortSignal, recheckMs = RECHECK_MS): AsyncGenerator<void> {
  let wake: (() => void) | undefined;
  let woken = true;
  const poke = () => {
    woken = true;
    wake?.();
  };
  const unwatch = watchWrites(store, poke);
  const timer = setInterval(poke, recheckMs);
  signal.addEventListener('abort', poke, { once: true });
  try {
    while (!signal.aborted) {
      if (!woken) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      woken = false;
      if (signal.aborted) return;
      yield;
    }
  } finally {
    unwatch();
    clearInterval(timer);
    signal.removeEventListener('abort', poke);
  }
}

/**
 * Yields `compute()` now, then again each time its result differs (compared by `key`), computed on each of the
 * wakeups: the server pushes changes, the browser never polls.
 */
export async function* changes<T>(
  store: Store,
  compute: () => T,
  key: (value: T) => string,
  signal: AbortSignal,
): AsyncGenerator<T> {
  let last: string | undefined;
  for await (const _ of wakeups(store, signal)) {
    const value = compute();
    const k = key(value);
    if (k === last) continue;
    last = k;
    yield value;
  }
}

/** JSON of a value whose numbers may be bigints (64-bit proto fields), to compare two states. */
export function stateKey(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
}
