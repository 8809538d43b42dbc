import { hostname } from 'node:os';
import { SlothError } from '@sloth/core';
import { registerSecret } from '@sloth/core/internal';
import { leaseRepo, storeServices } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { call, failure, stateContext } from './call.test-helper.js';
import { stateModule } from './state-module.js';

const state = (name: string, args: unknown[], ctx = stateContext().ctx) => call(stateModule, name, args, ctx);

describe('state module: values', () => {
  it('has a doc, a return and an example for every function', () => {
    for (const [name, f] of Object.entries(stateModule.functions)) {
      expect(f.doc.length, name).toBeGreaterThan(10);
      expect(f.returns.length, name).toBeGreaterThan(0);
      expect(f.examples?.length, name).toBeGreaterThan(0);
    }
  });

  it('without a data directory every function says state needs one', async () => {
    const { ctx } = stateContext({ noServices: true });
    const err = await failure(state('get', ['k'], ctx));
    expect(err).toBeInstanceOf(SlothError);
    expect(err.code).toBe('store');
    expect(err.message).toBe('state.get: state needs a data directory, and this caller has none');
  });

  it('a store that fails to open is a store error naming the function', async () => {
    const { ctx, store } = stateContext();
    ctx.services = storeServices(() => {
      throw Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY_DIRECTORY' });
    }, store.dataDir);
    const err = await failure(state('set', ['k', 1], ctx));
    expect(err.code).toBe('store');
    expect(err.message).toMatch(/^state\.set: cannot write the state database .*SQLITE_READONLY_DIRECTORY/);
  });

  it('stores a secret value (read with secret.get) as ***: set, append, set_if_absent and compare_swap', async () => {
    const { ctx } = stateContext();
    const release = registerSecret('tok-9f8e7d');
    try {
      await state('set', ['cfg', { url: 'https://x:tok-9f8e7d@host', keep: 'plain' }], ctx);
      expect(await state('get', ['cfg'], ctx)).toEqual({ url: 'https://x:***@host', keep: 'plain' });
      await state('set', ['log', {}], ctx);
      await state('append', ['log', 'tok-9f8e7d'], ctx);
      expect(await state('get', ['log'], ctx)).toEqual(['***']);
      await state('set_if_absent', ['once', 'tok-9f8e7d'], ctx);
      expect(await state('get', ['once'], ctx)).toBe('***');
      // A workflow still holds the value: the swap compares what was stored, masked.
      expect(await state('compare_swap', ['once', 'tok-9f8e7d', 'v2 tok-9f8e7d'], ctx)).toBe(true);
      expect(await state('get', ['once'], ctx)).toBe('v2 ***');
    } finally {
      release();
    }
  });

  it('set/get round-trip tables; get falls back to the default; ttl accepts seconds and durations', async () => {
    const { ctx } = stateContext();
    expect(await state('set', ['cfg', { a: [1, 2], b: { c: 'x' } }, '1h'], ctx)).toBe(true);
    expect(await state('get', ['cfg'], ctx)).toEqual({ a: [1, 2], b: { c: 'x' } });
    expect(await state('ttl', ['cfg'], ctx)).toBe(3600);
    await state('set', ['deployment_count', 1, 3600], ctx);
    expect(await state('ttl', ['deployment_count'], ctx)).toBe(3600);
    expect(await state('get', ['nope', 'dflt'], ctx)).toBe('dflt');
    await state('set', ['off', false], ctx);
    expect(await state('get', ['off', true], ctx)).toBe(false);
  });

  it('a bad ttl names the function and the key', async () => {
    const { ctx } = stateContext();
    expect((await failure(state('set', ['k', 1, 'soon'], ctx))).message).toBe(`state.set('k'): invalid ttl "soon"`);
    expect((await failure(state('set', ['k', 1, 0], ctx))).message).toContain("state.set('k'): the ttl must be more than 0");
    expect((await failure(state('set', ['', 1], ctx))).message).toContain('state.set: argument #1 (key): a key cannot be empty');
  });

  it('keys, list, clear, exists, delete, append, set_if_absent, expire, persist, stats', async () => {
    const { ctx, store } = stateContext();
    await state('set', ['app:a', 1], ctx);
    await state('set', ['app:b', 'two'], ctx);
    await state('set', ['db', true], ctx);
    expect(await state('keys', ['app:*'], ctx)).toEqual(['app:a', 'app:b']);
    expect(await state('list', [], ctx)).toEqual({ 'app:a': 1, 'app:b': 'two', db: true });
    expect(await state('exists', ['db'], ctx)).toBe(true);
    expect(await state('delete', ['db'], ctx)).toBe(true);
    expect(await state('exists', ['db'], ctx)).toBe(false);
    expect(await state('append', ['log', 'a'], ctx)).toBe(1);
    expect(await state('append', ['log', 'b'], ctx)).toBe(2);
    expect(await state('set_if_absent', ['log', 'x'], ctx)).toBe(false);
    expect(await state('expire', ['log', '10m'], ctx)).toBe(true);
    expect(await state('ttl', ['log'], ctx)).toBe(600);
    expect(await state('persist', ['log'], ctx)).toBe(true);
    expect(await state('ttl', ['log'], ctx)).toBe(-1);
    expect(await state('stats', [], ctx)).toEqual({
      keys: 3,
      with_ttl: 0,
      bytes: expect.any(Number),
      expired_removed: 0,
      locks: 0,
      path: store.path,
    });
    expect(await state('clear', ['app:*'], ctx)).toBe(2);
    expect(await state('clear', [], ctx)).toBe(1);
  });

  it('increment/decrement/compare_swap', async () => {
    const { ctx } = stateContext();
    expect(await state('increment', ['n'], ctx)).toBe(1);
    expect(await state('increment', ['n', 10], ctx)).toBe(11);
    expect(await state('decrement', ['n'], ctx)).toBe(10);
    expect(await state('decrement', ['n', 4], ctx)).toBe(6);
    await state('set', ['s', 'x'], ctx);
    expect((await failure(state('decrement', ['s'], ctx))).message).toContain(
      `state.decrement('s'): the value of 's' is a string ("x"), not a number`,
    );
    await state('set', ['status', 'deploying'], ctx);
    expect(await state('compare_swap', ['status', 'deploying', 'deployed'], ctx)).toBe(true);
    expect(await state('compare_swap', ['status', 'deploying', 'deployed'], ctx)).toBe(false);
    expect(await state('get', ['status'], ctx)).toBe('deployed');
  });
});

describe('state module: locks', () => {
  it('lock returns a token; try_lock by another holder gets nil until unlock', async () => {
    const { ctx, store } = stateContext();
    const other = stateContext({ store }).ctx;
    const token = await state('lock', ['deploy'], ctx);
    expect(typeof token).toBe('string');
    expect(await state('try_lock', ['deploy'], other)).toBeUndefined();
    expect(await state('unlock', ['deploy', 'wrong-token'], ctx)).toBe(false);
    expect(await state('unlock', ['deploy', token], ctx)).toBe(true);
    expect(await state('unlock', ['deploy', token], ctx)).toBe(false);
    const t2 = await state('try_lock', ['deploy'], other);
    expect(typeof t2).toBe('string');
    expect(await state('unlock', ['deploy'], other)).toBe(true);
  });

  it('a held lock is renewed, so it outlives its lease while the holder lives', async () => {
    const { ctx, store } = stateContext();
    await state('lock', ['long', 0.3], ctx);
    const first = leaseRepo(store).holder('state:long')?.expiresAt ?? 0;
    await new Promise((r) => setTimeout(r, 900));
    const holder = leaseRepo(store).holder('state:long');
    expect(holder).toBeDefined();
    expect(holder?.expiresAt).toBeGreaterThan(first);
    await state('unlock', ['long'], ctx);
  });

  it('waiting for a held lock times out with the holder and, for our own lock, says it is not re-entrant', async () => {
    const { ctx } = stateContext();
    await state('lock', ['x'], ctx);
    const err = await failure(state('lock', ['x', undefined, 0.2], ctx));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(new RegExp(`^state.lock\\('x'\\): still held by pid ${process.pid} on .* after waiting 200ms$`));
    expect(err.hint).toContain('not re-entrant');
  });

  it('the lock of a task that is stopped is released', async () => {
    const controller = new AbortController();
    const { ctx, store } = stateContext({ signal: controller.signal });
    await state('lock', ['job'], ctx);
    expect(leaseRepo(store).holder('state:job')).toBeDefined();
    controller.abort();
    expect(leaseRepo(store).holder('state:job')).toBeUndefined();
  });

  it('a lock held by a process on another host is free only after its lease expires', async () => {
    const { ctx, store } = stateContext();
    const now = Date.now();
    store.sqlite
      .prepare('INSERT INTO locks (name, token, host, pid, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run('state:db', 't', `not-${hostname()}`, 1, now, now + 500);
    expect(await state('try_lock', ['db'], ctx)).toBeUndefined();
    const token = await state('lock', ['db', undefined, 5], ctx);
    expect(Date.now() - now).toBeGreaterThanOrEqual(500);
    expect(typeof token).toBe('string');
  });
});
