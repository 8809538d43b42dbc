import {
  SlothError,
  STATE_LOCK_PREFIX,
  type StateEntry,
  type StateStats,
  type StateStore,
  TTL_MISSING,
  TTL_NONE,
} from '@sloth/core/internal';
import type Database from 'better-sqlite3';
import { type Store, storeError } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';
import { decodeStateValue, encodeStateValue, isEmptyTable, sameStateValue } from './state-value.js';

/** The sweep of expired keys runs at most this often per process and database. */
const SWEEP_EVERY_MS = 1000;

const LIVE = '(expires_at IS NULL OR expires_at > ?)';
const SQL = {
  get: `SELECT value, expires_at AS expiresAt, version, updated_at AS updatedAt FROM state WHERE key = ? AND ${LIVE}`,
  upsert:
    'INSERT INTO state (key, value, expires_at, version, updated_at) VALUES (?, ?, ?, 1, ?) ' +
    'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, ' +
    'version = state.version + 1, updated_at = excluded.updated_at',
  // Only takes the key when it is absent or expired: `changes` says whether it did.
  insertIfAbsent:
    'INSERT INTO state (key, value, expires_at, version, updated_at) VALUES (?, ?, ?, 1, ?) ' +
    'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, ' +
    'version = state.version + 1, updated_at = excluded.updated_at ' +
    'WHERE state.expires_at IS NOT NULL AND state.expires_at <= ?',
  delete: `DELETE FROM state WHERE key = ? AND ${LIVE}`,
  expire: `UPDATE state SET expires_at = ?, updated_at = ? WHERE key = ? AND ${LIVE}`,
  list: `SELECT key, value, expires_at AS expiresAt, version, updated_at AS updatedAt FROM state WHERE key GLOB ? AND ${LIVE} ORDER BY key`,
  keys: `SELECT key FROM state WHERE key GLOB ? AND ${LIVE} ORDER BY key`,
  clear: 'DELETE FROM state WHERE key GLOB ?',
  sweep: 'DELETE FROM state WHERE expires_at IS NOT NULL AND expires_at <= ?',
  stats: `SELECT count(*) AS keys, count(expires_at) AS withTtl, coalesce(sum(length(value)), 0) AS bytes FROM state WHERE ${LIVE}`,
  locks: 'SELECT count(*) AS n FROM locks WHERE name GLOB ? AND expires_at > ?',
} as const;

interface Row {
  value: string;
  expiresAt: number | null;
  version: number;
  updatedAt: number;
}

/**
 * Key-value state on a Store: values are JSON text, expired keys are absent on every read and swept
 * from the table, and every read-modify-write runs in one write transaction, so it is atomic across processes.
 */
export class StateRepo implements StateStore {
  private readonly sql: Statements<typeof SQL>;
  /** One transaction wrapper, reused: store.write builds a new one per call, a quarter of a single set's cost. */
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;
  private lastSweep = 0;

  constructor(readonly store: Store) {
    // Prepared once per Store: re-preparing costs more than running a statement.
    this.sql = prepareAll(store, SQL);
    this.tx = store.sqlite.transaction((fn: () => unknown) => fn());
  }

  /** Sets `key` to `value`, replacing its expiry: `ttlMs` from now, or never. A nil value deletes the key. */
  set(key: string, value: unknown, ttlMs?: number, now = Date.now()): void {
    if (value === undefined || value === null) {
      this.delete(key, now);
      return;
    }
    const text = encodeStateValue(key, value);
    const expiresAt = expiry(ttlMs, now, 'state.set', key);
    this.sweepIfDue(now);
    this.single(() => this.sql.upsert.run(key, text, expiresAt, now));
  }

  /** The value of `key`, or undefined when it is absent or expired. */
  get(key: string, now = Date.now()): unknown {
    const row = this.row(key, now);
    return row ? decodeStateValue(row.value) : undefined;
  }

  /** The whole entry of a live key (value, expiry, version), or undefined. */
  entry(key: string, now = Date.now()): StateEntry | undefined {
    const row = this.row(key, now);
    return row ? toEntry(key, row) : undefined;
  }

  /** True when `key` exists and has not expired. */
  exists(key: string, now = Date.now()): boolean {
    return this.row(key, now) !== undefined;
  }

  /** Deletes `key`; true when it existed (an expired key did not). */
  delete(key: string, now = Date.now()): boolean {
    this.sweepIfDue(now);
    return this.single(() => this.sql.delete.run(key, now).changes > 0);
  }

  /** Live keys matching a glob (`*`, `?`, `[abc]`; case-sensitive), sorted. */
  keys(pattern = '*', now = Date.now()): string[] {
    this.sweepQuietly(now);
    return this.read(() => (this.sql.keys.all(pattern, now) as { key: string }[]).map((r) => r.key));
  }

  /** Live entries whose keys match a glob, sorted by key. */
  list(pattern = '*', now = Date.now()): StateEntry[] {
    this.sweepQuietly(now);
    return this.read(() => (this.sql.list.all(pattern, now) as (Row & { key: string })[]).map((r) => toEntry(r.key, r)));
  }

  /** Deletes the live keys matching a glob (all of them by default); returns how many. */
  clear(pattern = '*', now = Date.now()): number {
    return this.write(() => {
      this.sweep(now);
      return this.sql.clear.run(pattern).changes;
    });
  }

  /** Adds `by` to a number (an absent key counts as 0) atomically and returns the result; the key keeps its expiry. */
  increment(key: string, by = 1, now = Date.now(), who = 'state.increment'): number {
    if (!Number.isFinite(by))
      throw new SlothError('invalid_argument', `${who}('${key}'): the step must be a finite number, got ${by}`);
    return this.write(() => {
      this.sweepIfDue(now);
      const row = this.sql.get.get(key, now) as Row | undefined;
      const current = row ? decodeStateValue(row.value) : 0;
      if (typeof current !== 'number') {
        throw new SlothError(
          'invalid_argument',
          `${who}('${key}'): the value of '${key}' is ${describe(current)}, not a number`,
          {
            hint: `set it to a number first (state.set("${key}", 0)), or count in another key`,
          },
        );
      }
      const next = current + by;
      if (!Number.isFinite(next))
        throw new SlothError('invalid_argument', `${who}('${key}'): the result ${next} is not a finite number`);
      this.sql.upsert.run(key, JSON.stringify(next), row?.expiresAt ?? null, now);
      return next;
    });
  }

  /**
   * Replaces the value with `next` only if it currently equals `expected` (nil expects the key to be absent;
   * a nil `next` deletes it). True when it swapped. The key keeps its expiry unless `ttlMs` is given.
   */
  compareSwap(key: string, expected: unknown, next: unknown, ttlMs?: number, now = Date.now()): boolean {
    const text = next === undefined || next === null ? undefined : encodeStateValue(key, next, 'state.compare_swap');
    const newExpiry = ttlMs === undefined ? undefined : expiry(ttlMs, now, 'state.compare_swap', key);
    return this.write(() => {
      this.sweepIfDue(now);
      const row = this.sql.get.get(key, now) as Row | undefined;
      const wantsAbsent = expected === undefined || expected === null;
      const matches = row ? !wantsAbsent && sameStateValue(decodeStateValue(row.value), expected) : wantsAbsent;
      if (!matches) return false;
      if (text === undefined) this.sql.delete.run(key, now);
      else this.sql.upsert.run(key, text, newExpiry !== undefined ? newExpiry : (row?.expiresAt ?? null), now);
      return true;
    });
  }

  /**
   * Appends to a string (concatenation) or a list (one more element) and returns the new length (bytes of a
   * string, elements of a list). An absent key starts as the string, or as a list when `value` is not a string.
   */
  append(key: string, value: unknown, now = Date.now()): number {
    if (value === undefined || value === null)
      throw new SlothError('invalid_argument', `state.append('${key}'): nothing to append (nil)`);
    encodeStateValue(key, value, 'state.append');
    return this.write(() => {
      this.sweepIfDue(now);
      const row = this.sql.get.get(key, now) as Row | undefined;
      const current = row ? decodeStateValue(row.value) : undefined;
      let next: string | unknown[];
      if (current === undefined) next = typeof value === 'string' ? value : [value];
      else if (typeof current === 'string') {
        if (typeof value !== 'string' && typeof value !== 'number') {
          throw new SlothError(
            'invalid_argument',
            `state.append('${key}'): '${key}' holds a string; append a string to it, not ${describe(value)}`,
          );
        }
        next = current + String(value);
      } else if (Array.isArray(current) || isEmptyTable(current)) next = [...(Array.isArray(current) ? current : []), value];
      else {
        throw new SlothError(
          'invalid_argument',
          `state.append('${key}'): '${key}' holds ${describe(current)}; append works on strings and lists`,
          {
            hint: `state.set("${key}", {}) starts an empty list`,
          },
        );
      }
      this.sql.upsert.run(key, encodeStateValue(key, next, 'state.append'), row?.expiresAt ?? null, now);
      return typeof next === 'string' ? Buffer.byteLength(next, 'utf8') : next.length;
    });
  }

  /** Sets `key` only when it is absent (or expired); true when it did. */
  setIfAbsent(key: string, value: unknown, ttlMs?: number, now = Date.now()): boolean {
    if (value === undefined || value === null)
      throw new SlothError('invalid_argument', `state.set_if_absent('${key}'): the value is nil`);
    const text = encodeStateValue(key, value, 'state.set_if_absent');
    const expiresAt = expiry(ttlMs, now, 'state.set_if_absent', key);
    this.sweepIfDue(now);
    return this.single(() => this.sql.insertIfAbsent.run(key, text, expiresAt, now, now).changes > 0);
  }

  /** Whole seconds until `key` expires (rounded up); TTL_NONE (-1) if it never does, TTL_MISSING (-2) if absent. */
  ttl(key: string, now = Date.now()): number {
    const row = this.row(key, now);
    if (!row) return TTL_MISSING;
    return row.expiresAt === null ? TTL_NONE : Math.ceil((row.expiresAt - now) / 1000);
  }

  /** Gives a live key an expiry `ttlMs` from now (0 deletes it now); true when the key exists. */
  expire(key: string, ttlMs: number, now = Date.now()): boolean {
    if (!Number.isFinite(ttlMs) || ttlMs < 0)
      throw new SlothError('invalid_argument', `state.expire('${key}'): the ttl must be >= 0, got ${ttlMs}`);
    if (ttlMs === 0) return this.delete(key, now);
    return this.single(() => this.sql.expire.run(now + ttlMs, now, key, now).changes > 0);
  }

  /** Removes the expiry of a live key; true when the key exists. */
  persist(key: string, now = Date.now()): boolean {
    return this.single(() => this.sql.expire.run(null, now, key, now).changes > 0);
  }

  /** Counts of live keys and held state locks, after sweeping expired keys. */
  stats(now = Date.now()): StateStats {
    const expiredRemoved = this.sweepQuietly(now, true);
    return this.read(() => {
      const s = this.sql.stats.get(now) as { keys: number; withTtl: number; bytes: number };
      const locks = (this.sql.locks.get(`${STATE_LOCK_PREFIX}*`, now) as { n: number }).n;
      return { ...s, expiredRemoved, locks, path: this.store.path };
    });
  }

  private row(key: string, now: number): Row | undefined {
    return this.read(() => this.sql.get.get(key, now) as Row | undefined);
  }

  /**
   * One statement on its own (autocommit): SQLite runs it atomically and takes the write lock when it starts, so a
   * single upsert or delete needs no BEGIN/COMMIT around it; skipping them is a third of the cost of state.set.
   */
  private single<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeError(err, this.store.path);
    }
  }

  /** Same as store.write (BEGIN IMMEDIATE ... COMMIT, so read-modify-write is atomic across processes), cheaper. */
  private write<T>(fn: () => T): T {
    try {
      return this.tx.immediate(fn) as T;
    } catch (err) {
      throw storeError(err, this.store.path);
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeError(err, this.store.path);
    }
  }

  /** Deletes expired rows, at most once a second (in a transaction or on its own). */
  private sweepIfDue(now: number): void {
    if (now - this.lastSweep >= SWEEP_EVERY_MS) this.single(() => this.sweep(now));
  }

  private sweep(now: number): number {
    this.lastSweep = now;
    return this.sql.sweep.run(now).changes;
  }

  /**
   * Sweeps from a read: reads never depend on it (they skip expired rows), so a database we may not write
   * (read-only file, another writer holding the lock) must not make a read fail.
   */
  private sweepQuietly(now: number, force = false): number {
    if (!force && now - this.lastSweep < SWEEP_EVERY_MS) return 0;
    try {
      return this.write(() => this.sweep(now));
    } catch {
      return 0;
    }
  }
}

/** The state repository of a Store (one per Store, so its prepared statements are reused). */
export const stateRepo = perStore((store) => new StateRepo(store));

function expiry(ttlMs: number | undefined, now: number, who: string, key: string): number | null {
  if (ttlMs === undefined) return null;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new SlothError('invalid_argument', `${who}('${key}'): the ttl must be more than 0, got ${ttlMs}ms`, {
      hint: 'leave the ttl out (or pass nil) for a key that never expires',
    });
  }
  return now + ttlMs;
}

function toEntry(key: string, row: Row): StateEntry {
  return { key, value: decodeStateValue(row.value), expiresAt: row.expiresAt, version: row.version, updatedAt: row.updatedAt };
}

/** A value in words for error messages: a string ("abc"), a table, a boolean (true). */
function describe(value: unknown): string {
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a table';
  if (typeof value === 'number') return `a number (${value})`;
  return `a ${typeof value} (${String(value)})`;
}
