import type { Awaitable, LeaseHolder, LeaseStore, TaskLogger } from '@sloth/core/internal';

/** A state lock this process holds: its lease, the timer that renews it, and what releases it if its task stops. */
interface Held {
  lease: LeaseHolder;
  timer: NodeJS.Timeout;
  signal: AbortSignal;
  onAbort: () => void;
}

const held = new WeakMap<LeaseStore, Map<string, Held>>();

function heldIn(leases: LeaseStore): Map<string, Held> {
  let m = held.get(leases);
  if (!m) {
    m = new Map();
    held.set(leases, m);
  }
  return m;
}

/**
 * Keeps a freshly taken lease alive: renews it every third of its ttl while held (so a long critical section keeps
 * it, and a holder that dies loses it after at most one ttl), and releases it when the task that took it is stopped.
 */
export function holdLease(leases: LeaseStore, lease: LeaseHolder, ttlMs: number, signal: AbortSignal, log: TaskLogger): void {
  const locks = heldIn(leases);
  const stop = () => {
    clearInterval(entry.timer);
    entry.signal.removeEventListener('abort', entry.onAbort);
    if (locks.get(lease.name) === entry) locks.delete(lease.name);
  };
  const renew = async () => {
    if (!leases.open) return stop();
    try {
      if (await leases.renew(lease, ttlMs)) return;
      log.log('warn', `state lock '${userName(lease.name)}' was lost: its lease expired and another holder took it`);
    } catch (err) {
      log.log('warn', `state lock '${userName(lease.name)}' could not be renewed: ${(err as Error).message}`);
    }
    stop();
  };
  const entry: Held = {
    lease,
    signal,
    timer: setInterval(() => void renew(), Math.max(50, Math.floor(ttlMs / 3))),
    onAbort: () => {
      stop();
      if (!leases.open) return;
      // Nobody waits for this release (a synchronous store has done it on return); if it fails, the lease expires
      // after its ttl.
      try {
        const released = leases.release(lease.name, lease.token);
        if (released instanceof Promise) released.catch(() => {});
      } catch {}
    },
  };
  // The renewal must never keep a finished process alive.
  entry.timer.unref();
  signal.addEventListener('abort', entry.onAbort, { once: true });
  locks.set(lease.name, entry);
}

/** Stops renewing and releases a lease; without a token, the one this process holds. True when it was ours. */
export function dropLease(leases: LeaseStore, leaseName: string, token: string | undefined): Awaitable<boolean> {
  const locks = heldIn(leases);
  const mine = locks.get(leaseName);
  const t = token ?? mine?.lease.token;
  if (t === undefined) return false;
  if (mine && mine.lease.token === t) {
    clearInterval(mine.timer);
    mine.signal.removeEventListener('abort', mine.onAbort);
    locks.delete(leaseName);
  }
  return leases.release(leaseName, t);
}

/** True when this process holds the lease `leaseName` (used to explain a wait on our own lock). */
export function holdsLease(leases: LeaseStore, leaseName: string): boolean {
  return heldIn(leases).has(leaseName);
}

function userName(leaseName: string): string {
  return leaseName.slice(leaseName.indexOf(':') + 1);
}
