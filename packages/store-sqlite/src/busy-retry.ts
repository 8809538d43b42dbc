import type Database from 'better-sqlite3';

/** How long a writer waits for another process's transaction before giving up. */
export const BUSY_TIMEOUT_MS = 5000;
/**
 * Tries of an eager writer at 50 µs intervals (~2 ms in all) before SQLite's busy handler waits out the rest. Each pause
 * stops this thread's event loop (heartbeats, RPC, other tasks), so the eager phase is short: long enough for the
 * other process's usual transaction (a claim or a batch of outcomes) to end; bench/RESULTS.md has the trade.
 */
const QUICK_TRIES = 40;
const clock = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (the store is synchronous: there is nothing else this call could let run). */
function pause(ms: number): void {
  Atomics.wait(clock, 0, 0, ms);
}

function isBusy(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_BUSY';
}

/** Runs `fn` again while SQLite answers SQLITE_BUSY, pausing `waitMs(tries)` between tries, for at most `timeoutMs`. */
export function retryWhileBusy<T>(fn: () => T, timeoutMs: number, waitMs: (tries: number) => number): T {
  const deadline = performance.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || performance.now() > deadline) throw err;
      pause(waitMs(tries));
    }
  }
}

/**
 * Runs `fn` (a write) taking the write lock eagerly: trying every 50 µs for ~2 ms rather than in SQLite's busy-handler
 * sleeps (1, 2, 5, 10, 15, 20, 25... ms), which made each writer wait well past the end of the other's transaction (a
 * processor writing a few large transactions while a workflow commits small ones back to back finds the lock free
 * only between two commits, and backs off further at each miss). After that, SQLite's handler waits for the rest of
 * `timeoutMs`. Only for a few writes: each call switches the connection's busy timeout off and back on.
 */
export function writeEagerly<T>(sqlite: Database.Database, fn: () => T, timeoutMs = BUSY_TIMEOUT_MS): T {
  const deadline = performance.now() + timeoutMs;
  sqlite.pragma('busy_timeout = 0');
  try {
    for (let tries = 1; tries < QUICK_TRIES; tries++) {
      try {
        return fn();
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
      pause(0.05);
    }
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.round(deadline - performance.now()))}`);
    return fn();
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Runs `fn` (a write) only if the write lock is free now: true when it ran, false when another process's transaction
 * holds the lock (nothing waited, nothing was written). For writes that can be done later instead of stopping the
 * event loop until then.
 */
export function writeIfFree(sqlite: Database.Database, fn: () => void): boolean {
  sqlite.pragma('busy_timeout = 0');
  try {
    fn();
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
