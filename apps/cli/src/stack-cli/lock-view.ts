import { hostname } from 'node:os';
import { type LeaseHolder, pidIsDead } from '@sloth/core/internal';
import { leaseRepo, type Store, stackLockName } from '@sloth/store-sqlite';
import { iso } from './format.js';

/** Whether the holder process is still there: true/false on this host, undefined for another host (we cannot tell). */
export function holderAlive(holder: LeaseHolder): boolean | undefined {
  if (holder.host !== hostname()) return undefined;
  return !pidIsDead(holder.pid);
}

/** The lock of a stack for --output json. */
export function lockJson(store: Store, stack: string): Record<string, unknown> {
  const holder = leaseRepo(store).holder(stackLockName(stack));
  if (!holder) return { stack, locked: false };
  return {
    stack,
    locked: true,
    holder: {
      host: holder.host,
      pid: holder.pid,
      acquired_at: iso(holder.acquiredAt),
      expires_at: iso(holder.expiresAt),
      alive: holderAlive(holder) ?? null,
    },
  };
}

/** One line for people: who holds the lock and whether that process is still alive. */
export function lockText(store: Store, stack: string): string {
  const holder = leaseRepo(store).holder(stackLockName(stack));
  if (!holder) return `stack '${stack}' is not locked`;
  const alive = holderAlive(holder);
  const state =
    alive === false
      ? ' (that process is gone: the next run takes the lock over)'
      : alive === undefined
        ? ' (on another host; if that run is gone, `stack lock force-unlock` frees it)'
        : '';
  return `stack '${stack}' is locked by pid ${holder.pid} on ${holder.host} since ${iso(holder.acquiredAt)}, lease until ${iso(holder.expiresAt)}${state}`;
}
