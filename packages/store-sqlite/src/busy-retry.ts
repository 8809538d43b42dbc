import type Database from 'better-sqlite3';

/** How long a writer waits for another process's transaction before giving up. */
export const BUSY_TIMEOUT_MS = 5000;
/** Tries of an eager writer at 50 µs intervals (~20 ms in all) before it waits a millisecond between tries. */
const QUICK_TRIES = 400;
const clock = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (the store is synchronous: there is nothing else this call could let run). */
function pause(ms: number): void {
  Atomics.wait(clock, 0, 0, ms);
}

/** Runs `fn` again while SQLite answers SQLITE_BUSY, pausing `waitMs(tries)` between tries, for at most `timeoutMs`. */
export function retryWhileBusy<T>(fn: () => T, timeoutMs: number, waitMs: (tries: number) => number): T {
  const deadline = performance.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() > deadline) throw err;
      pause(waitMs(tries));
    }
  }
}

/**
 * Runs `fn` (a write) taking the write lock eagerly: trying every 50 µs rather than in SQLite's busy-handler sleeps
 * (1, 2, 5, 10, 15, 20, 25... ms). SQLite's sleeps made each writer wait well past the end of the other's
 * transaction: a processor writing a few large transactions while a workflow commits small ones back to back (it
 * finds the lock free only between two commits, and backs off further at each miss), and the workflow waiting up to
 * 8 ms for a processor's ~3 ms transaction. Only for a few writes: each call switches the connection's busy timeout
 * off and back on (~1.5 µs).
 */
export function writeEagerly<T>(sqlite: Database.Database, fn: () => T, timeoutMs = BUSY_TIMEOUT_MS): T {
  sqlite.pragma('busy_timeout = 0');
  try {
    return retryWhileBusy(fn, timeoutMs, (tries) => (tries < QUICK_TRIES ? 0.05 : 1));
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
