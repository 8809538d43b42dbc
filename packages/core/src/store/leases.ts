import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { eq } from 'drizzle-orm';
import { SlothError } from '../errors.js';
import type { Store } from './open-store.js';
import { locks } from './schema.js';

/** Who holds a lease, for messages like "held by pid 123 on web-01 since 10:02". */
export interface LeaseHolder {
  name: string;
  token: string;
  host: string;
  pid: number;
  acquiredAt: number;
  expiresAt: number;
}

/** True when no process with this pid exists on this host. */
export function pidIsDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** True when the holder was a process of this host that no longer exists. */
function deadHere(holder: LeaseHolder): boolean {
  return holder.host === hostname() && pidIsDead(holder.pid);
}

/**
 * Takes the lease `name` for `ttlMs` if it is free, expired, or held by a process of this host that died;
 * returns the holder record with its token, or undefined when someone else holds it.
 */
export function tryAcquireLease(store: Store, name: string, ttlMs: number, now = Date.now()): LeaseHolder | undefined {
  return store.write(() => {
    const current = store.db.select().from(locks).where(eq(locks.name, name)).get();
    if (current && current.expiresAt > now && !deadHere(current)) return undefined;
    const lease: LeaseHolder = {
      name,
      token: randomUUID(),
      host: hostname(),
      pid: process.pid,
      acquiredAt: now,
      expiresAt: now + ttlMs,
    };
    store.db.insert(locks).values(lease).onConflictDoUpdate({ target: locks.name, set: lease }).run();
    return lease;
  });
}

/** Extends a lease we hold; false when it was lost (expired and taken by someone else). */
export function renewLease(store: Store, lease: LeaseHolder, ttlMs: number, now = Date.now()): boolean {
  return store.write(() => {
    const current = store.db.select().from(locks).where(eq(locks.name, lease.name)).get();
    if (!current || current.token !== lease.token) return false;
    store.db
      .update(locks)
      .set({ expiresAt: now + ttlMs })
      .where(eq(locks.name, lease.name))
      .run();
    lease.expiresAt = now + ttlMs;
    return true;
  });
}

/** Releases a lease if we still hold it; true when it was ours. */
export function releaseLease(store: Store, name: string, token: string): boolean {
  return store.write(() => {
    const current = store.db.select().from(locks).where(eq(locks.name, name)).get();
    if (!current || current.token !== token) return false;
    store.db.delete(locks).where(eq(locks.name, name)).run();
    return true;
  });
}

/** The current holder of a lease, if any and not expired. */
export function leaseHolder(store: Store, name: string, now = Date.now()): LeaseHolder | undefined {
  const current = store.db.select().from(locks).where(eq(locks.name, name)).get();
  return current && current.expiresAt > now ? current : undefined;
}

/** Removes a lease whoever holds it (stack lock force-unlock); true when there was one. */
export function forceReleaseLease(store: Store, name: string): boolean {
  return store.write(() => store.db.delete(locks).where(eq(locks.name, name)).run().changes > 0);
}

/**
 * Waits (polling, bounded by `timeoutMs`) until the lease can be taken; the error names the holder.
 * `signal` stops the wait early.
 */
export async function acquireLease(
  store: Store,
  name: string,
  ttlMs: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<LeaseHolder> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const lease = tryAcquireLease(store, name, ttlMs);
    if (lease) return lease;
    if (signal?.aborted) throw new SlothError('aborted', `stopped while waiting for lock '${name}'`);
    if (Date.now() >= deadline) {
      const holder = leaseHolder(store, name);
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
