import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type LeaseHolder, type LeaseStore, pidIsDead } from '@sloth/core/internal';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

const HOLDER = 'SELECT name, token, host, pid, acquired_at AS acquiredAt, expires_at AS expiresAt FROM locks WHERE name = ?';
const SQL = {
  holder: HOLDER,
  upsert:
    'INSERT INTO locks (name, token, host, pid, acquired_at, expires_at) VALUES (@name, @token, @host, @pid, @acquiredAt, @expiresAt) ' +
    'ON CONFLICT (name) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid, ' +
    'acquired_at = excluded.acquired_at, expires_at = excluded.expires_at',
  renew: 'UPDATE locks SET expires_at = ? WHERE name = ? AND token = ?',
  release: 'DELETE FROM locks WHERE name = ? AND token = ?',
  forceRelease: 'DELETE FROM locks WHERE name = ?',
} as const;

/** True when the holder was a process of this host that no longer exists. */
function deadHere(holder: LeaseHolder): boolean {
  return holder.host === hostname() && pidIsDead(holder.pid);
}

/** Named leases in a Store's locks table (state locks, stack locks). */
export class LeaseRepo implements LeaseStore {
  private readonly sql: Statements<typeof SQL>;

  constructor(private readonly store: Store) {
    this.sql = prepareAll(store, SQL);
  }

  get open(): boolean {
    return this.store.sqlite.open;
  }

  /**
   * Takes the lease `name` for `ttlMs` if it is free, expired, or held by a process of this host that died;
   * returns the holder record with its token, or undefined when someone else holds it.
   */
  tryAcquire(name: string, ttlMs: number, now = Date.now()): LeaseHolder | undefined {
    return this.store.write(() => {
      const current = this.sql.holder.get(name) as LeaseHolder | undefined;
      if (current && current.expiresAt > now && !deadHere(current)) return undefined;
      const lease: LeaseHolder = {
        name,
        token: randomUUID(),
        host: hostname(),
        pid: process.pid,
        acquiredAt: now,
        expiresAt: now + ttlMs,
      };
      this.sql.upsert.run(lease);
      return lease;
    });
  }

  /** Extends a lease we hold; false when it was lost (expired and taken by someone else). */
  renew(lease: LeaseHolder, ttlMs: number, now = Date.now()): boolean {
    const renewed = this.store.write(() => this.sql.renew.run(now + ttlMs, lease.name, lease.token).changes > 0);
    if (renewed) lease.expiresAt = now + ttlMs;
    return renewed;
  }

  /** Releases a lease if `token` still holds it; true when it was ours. */
  release(name: string, token: string): boolean {
    return this.store.write(() => this.sql.release.run(name, token).changes > 0);
  }

  /** The current holder of a lease, if any and not expired. */
  holder(name: string, now = Date.now()): LeaseHolder | undefined {
    const current = withStoreErrors(this.store, () => this.sql.holder.get(name) as LeaseHolder | undefined);
    return current && current.expiresAt > now ? current : undefined;
  }

  /** Removes a lease whoever holds it (stack lock force-unlock); true when there was one. */
  forceRelease(name: string): boolean {
    return this.store.write(() => this.sql.forceRelease.run(name).changes > 0);
  }
}

/** The lease repository of a Store (one per Store: its statements are prepared once). */
export const leaseRepo = perStore((store) => new LeaseRepo(store));
