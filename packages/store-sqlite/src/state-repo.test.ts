import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlothError, STATE_LOCK_PREFIX, TTL_MISSING, TTL_NONE } from '@sloth/core/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leaseRepo } from './leases.js';
import { openStore, type Store } from './open-store.js';
import { stateRepo } from './state-repo.js';

let dir: string;
let store: Store;
const T0 = 1_700_000_000_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sloth-state-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('StateRepo values', () => {
  it('round-trips strings, numbers, booleans and nested tables', () => {
    const s = stateRepo(store);
    const value = { name: 'app', replicas: 3, ratio: 0.5, on: true, tags: ['a', 'b'], nested: { deep: { x: 1 } } };
    s.set('t', value);
    s.set('s', 'hello');
    s.set('n', 42);
    s.set('b', false);
    expect(s.get('t')).toEqual(value);
    expect(s.get('s')).toBe('hello');
    expect(s.get('n')).toBe(42);
    expect(s.get('b')).toBe(false);
    expect(s.get('missing')).toBeUndefined();
  });

  it('is one repository per store, so statements are prepared once', () => {
    expect(stateRepo(store)).toBe(stateRepo(store));
  });

  it('refuses values JSON cannot hold, naming the key and where', () => {
    const s = stateRepo(store);
    expect(() => s.set('k', { a: { b: Number.NaN } })).toThrow("state.set('k'): cannot store the number NaN at 'a.b'");
    expect(() => s.set('k', { f: () => 1 })).toThrow("state.set('k'): cannot store a function at 'f'");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => s.set('k', cyclic)).toThrow('a table that contains itself');
  });

  it('set to nil deletes; set replaces the expiry and bumps the version', () => {
    const s = stateRepo(store);
    s.set('k', 1, 10_000, T0);
    expect(s.entry('k', T0)).toMatchObject({ value: 1, expiresAt: T0 + 10_000, version: 1 });
    s.set('k', 2, undefined, T0);
    expect(s.entry('k', T0)).toMatchObject({ value: 2, expiresAt: null, version: 2 });
    s.set('k', undefined, undefined, T0);
    expect(s.exists('k', T0)).toBe(false);
  });

  it('delete says whether the key was there', () => {
    const s = stateRepo(store);
    s.set('k', 'v');
    expect(s.delete('k')).toBe(true);
    expect(s.delete('k')).toBe(false);
  });
});

describe('StateRepo TTLs', () => {
  it('an expired key is absent on every read and counts as absent for writes', () => {
    const s = stateRepo(store);
    s.set('k', 'v', 1000, T0);
    expect(s.get('k', T0 + 999)).toBe('v');
    expect(s.get('k', T0 + 1000)).toBeUndefined();
    expect(s.exists('k', T0 + 1000)).toBe(false);
    expect(s.keys('*', T0 + 1000)).toEqual([]);
    expect(s.ttl('k', T0 + 1000)).toBe(TTL_MISSING);
    expect(s.delete('k', T0 + 1000)).toBe(false);
    expect(s.setIfAbsent('k', 'new', undefined, T0 + 1000)).toBe(true);
    expect(s.get('k', T0 + 1000)).toBe('new');
  });

  it('ttl: -2 missing, -1 no expiry, else whole seconds left rounded up', () => {
    const s = stateRepo(store);
    expect(s.ttl('nope')).toBe(TTL_MISSING);
    s.set('forever', 1);
    expect(s.ttl('forever')).toBe(TTL_NONE);
    s.set('soon', 1, 3_600_000, T0);
    expect(s.ttl('soon', T0)).toBe(3600);
    expect(s.ttl('soon', T0 + 1)).toBe(3600);
    expect(s.ttl('soon', T0 + 3_599_001)).toBe(1);
  });

  it('expire sets, 0 deletes, persist removes; both false for a missing key', () => {
    const s = stateRepo(store);
    s.set('k', 1, undefined, T0);
    expect(s.expire('k', 5000, T0)).toBe(true);
    expect(s.ttl('k', T0)).toBe(5);
    expect(s.persist('k', T0)).toBe(true);
    expect(s.ttl('k', T0)).toBe(TTL_NONE);
    expect(s.expire('k', 0, T0)).toBe(true);
    expect(s.exists('k', T0)).toBe(false);
    expect(s.expire('k', 1000, T0)).toBe(false);
    expect(s.persist('k', T0)).toBe(false);
    expect(() => s.expire('k', -1, T0)).toThrow('the ttl must be >= 0');
  });

  it('a ttl of 0 or less on set is an error that says how to write "never expires"', () => {
    const err = (() => {
      try {
        stateRepo(store).set('k', 1, 0);
      } catch (e) {
        return e as SlothError;
      }
    })();
    expect(err).toBeInstanceOf(SlothError);
    expect(err?.message).toContain("state.set('k'): the ttl must be more than 0");
    expect(err?.hint).toContain('leave the ttl out');
  });

  it('expired rows are swept from the table, by writes at most once a second and by stats', () => {
    const s = stateRepo(store);
    s.set('a', 1, 1000, T0);
    s.set('b', 1, 1000, T0);
    s.set('c', 1, undefined, T0);
    const rows = () => (store.sqlite.prepare('SELECT count(*) AS n FROM state').get() as { n: number }).n;
    expect(rows()).toBe(3);
    s.set('d', 1, undefined, T0 + 5000);
    expect(rows()).toBe(2);
    s.set('e', 1, 1000, T0 + 5000);
    expect(s.stats(T0 + 10_000)).toMatchObject({ keys: 2, withTtl: 0, expiredRemoved: 1 });
    expect(rows()).toBe(2);
  });

  it('only keys with a ttl are in the expiry index, and the sweep finds them through it', () => {
    const s = stateRepo(store);
    s.set('forever', 1, undefined, T0);
    s.set('brief', 1, 1000, T0);
    s.set('was-brief', 1, 1000, T0);
    s.persist('was-brief', T0);
    // Partial (WHERE expires_at IS NOT NULL): a set without a ttl writes no index entry, a third of its cost.
    const indexes = store.sqlite.pragma('index_list(state)') as { name: string; partial: number }[];
    expect(indexes.find((i) => i.name === 'state_expires_at')?.partial).toBe(1);
    const plan = store.sqlite
      .prepare('EXPLAIN QUERY PLAN DELETE FROM state WHERE expires_at IS NOT NULL AND expires_at <= ?')
      .all(T0) as { detail: string }[];
    expect(plan.map((r) => r.detail).join(' ')).toContain('USING INDEX state_expires_at');
    expect(s.stats(T0 + 5000)).toMatchObject({ keys: 2, withTtl: 0, expiredRemoved: 1 });
  });
});

describe('StateRepo keys, list, clear', () => {
  it('globs with * and ?, sorted; clear counts what it removed', () => {
    const s = stateRepo(store);
    for (const k of ['app:1', 'app:2', 'app:10', 'db:1', 'App:3']) s.set(k, k);
    expect(s.keys()).toEqual(['App:3', 'app:1', 'app:10', 'app:2', 'db:1']);
    expect(s.keys('app:*')).toEqual(['app:1', 'app:10', 'app:2']);
    expect(s.keys('app:?')).toEqual(['app:1', 'app:2']);
    expect(s.list('db:*')).toEqual([expect.objectContaining({ key: 'db:1', value: 'db:1', expiresAt: null, version: 1 })]);
    expect(s.clear('app:*')).toBe(3);
    expect(s.keys()).toEqual(['App:3', 'db:1']);
    expect(s.clear()).toBe(2);
    expect(s.keys()).toEqual([]);
  });

  it('clear does not count expired keys', () => {
    const s = stateRepo(store);
    s.set('x', 1, 1000, T0);
    s.set('y', 1, undefined, T0);
    expect(s.clear('*', T0 + 2000)).toBe(1);
  });
});

describe('StateRepo counters and atomic updates', () => {
  it('increment starts an absent key at 0, keeps the expiry, accepts floats and negative steps', () => {
    const s = stateRepo(store);
    expect(s.increment('n', 1, T0)).toBe(1);
    expect(s.increment('n', 5, T0)).toBe(6);
    expect(s.increment('n', -2.5, T0)).toBe(3.5);
    s.set('t', 10, 60_000, T0);
    expect(s.increment('t', 1, T0)).toBe(11);
    expect(s.entry('t', T0)?.expiresAt).toBe(T0 + 60_000);
    expect(s.entry('t', T0)?.version).toBe(2);
  });

  it('increment of a non-number is an error naming the key and what it holds', () => {
    const s = stateRepo(store);
    s.set('name', 'web');
    expect(() => s.increment('name')).toThrow(`state.increment('name'): the value of 'name' is a string ("web"), not a number`);
    expect(s.get('name')).toBe('web');
  });

  it('compare_swap swaps only on an equal value; nil expects absence; a nil new value deletes', () => {
    const s = stateRepo(store);
    s.set('status', 'deploying');
    expect(s.compareSwap('status', 'idle', 'deployed')).toBe(false);
    expect(s.get('status')).toBe('deploying');
    expect(s.compareSwap('status', 'deploying', 'deployed')).toBe(true);
    expect(s.get('status')).toBe('deployed');
    expect(s.compareSwap('fresh', undefined, 'v')).toBe(true);
    expect(s.compareSwap('fresh', undefined, 'w')).toBe(false);
    expect(s.compareSwap('fresh', 'v', undefined)).toBe(true);
    expect(s.exists('fresh')).toBe(false);
  });

  it('compare_swap compares tables by content, whatever the key order', () => {
    const s = stateRepo(store);
    s.set('cfg', { a: 1, b: [1, 2] });
    expect(s.compareSwap('cfg', { b: [1, 2], a: 1 }, { a: 2 })).toBe(true);
    expect(s.get('cfg')).toEqual({ a: 2 });
  });

  it('compare_swap keeps the expiry unless given one', () => {
    const s = stateRepo(store);
    s.set('k', 1, 60_000, T0);
    s.compareSwap('k', 1, 2, undefined, T0);
    expect(s.entry('k', T0)?.expiresAt).toBe(T0 + 60_000);
    s.compareSwap('k', 2, 3, 5000, T0);
    expect(s.entry('k', T0)?.expiresAt).toBe(T0 + 5000);
  });

  it('append concatenates strings, grows lists, and starts a string or a list', () => {
    const s = stateRepo(store);
    expect(s.append('log', 'ab')).toBe(2);
    expect(s.append('log', 'cé')).toBe(5);
    expect(s.get('log')).toBe('abcé');
    expect(s.append('events', { n: 1 })).toBe(1);
    expect(s.append('events', 'two')).toBe(2);
    expect(s.get('events')).toEqual([{ n: 1 }, 'two']);
    s.set('names', []);
    expect(s.append('names', 'a')).toBe(1);
    s.set('names2', {});
    expect(s.append('names2', 'a')).toBe(1);
    expect(s.get('names2')).toEqual(['a']);
  });

  it('append to a number or a map, or a table to a string, is an error naming the key', () => {
    const s = stateRepo(store);
    s.set('n', 1);
    s.set('m', { a: 1 });
    s.set('s', 'x');
    expect(() => s.append('n', 'x')).toThrow("state.append('n'): 'n' holds a number (1); append works on strings and lists");
    expect(() => s.append('m', 'x')).toThrow("'m' holds a table");
    expect(() => s.append('s', { a: 1 })).toThrow("'s' holds a string; append a string to it, not a table");
  });

  it('set_if_absent sets once', () => {
    const s = stateRepo(store);
    expect(s.setIfAbsent('k', 'first')).toBe(true);
    expect(s.setIfAbsent('k', 'second')).toBe(false);
    expect(s.get('k')).toBe('first');
  });
});

describe('StateRepo stats and errors', () => {
  it('stats counts live keys, keys with a ttl, bytes and held state locks', () => {
    const s = stateRepo(store);
    s.set('a', 'xyz');
    s.set('b', 1, 60_000);
    leaseRepo(store).tryAcquire(`${STATE_LOCK_PREFIX}deploy`, 60_000);
    leaseRepo(store).tryAcquire('stack:other', 60_000);
    expect(s.stats()).toMatchObject({ keys: 2, withTtl: 1, bytes: 6, locks: 1, path: store.path });
  });

  it('a corrupt database file is a store error saying what to do', () => {
    const bad = mkdtempSync(join(tmpdir(), 'sloth-bad-'));
    writeFileSync(join(bad, 'sloth.db'), 'this is not a database, just text that is long enough to be read '.repeat(100));
    try {
      openStore(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SlothError);
      expect((err as SlothError).code).toBe('store');
      expect((err as SlothError).message).toContain('is not a SQLite database or is corrupt');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() === 0)('writes to a read-only database file are a store error; reads still work', () => {
    stateRepo(store).set('k', 'v');
    store.close();
    chmodSync(join(dir, 'sloth.db'), 0o444);
    try {
      store = openStore(dir);
      const s = stateRepo(store);
      expect(s.get('k')).toBe('v');
      expect(() => s.set('k', 'w')).toThrow(/cannot write the state database/);
    } catch (err) {
      // Opening may already refuse (WAL needs to write); then the error must say so.
      expect((err as SlothError).code).toBe('store');
      store = openStore(mkdtempSync(join(tmpdir(), 'sloth-state-')));
    } finally {
      chmodSync(join(dir, 'sloth.db'), 0o644);
    }
  });
});
