import { SlothError } from '@sloth/core';
import { call, failure, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { goroutineModule } from './goroutine-module.js';
import { as, poolSize, timeoutMs } from './host-access.js';

describe('goroutine module', () => {
  it('shows only its public functions; the Lua side and JS primitives are internals', () => {
    expect(Object.keys(goroutineModule.functions)).toEqual([
      'async',
      'await',
      'await_all',
      'create',
      'wait_all',
      'spawn',
      'map',
      'sleep',
      'timeout',
      'pool_create',
      'pool_submit',
      'pool_wait',
      'pool_stats',
      'pool_close',
      'wait_group',
    ]);
    expect(Object.keys(goroutineModule.internals ?? {}).every((k) => k.startsWith('_'))).toBe(true);
  });

  it('says why there is no goroutine host: outside a task, or inside a goroutine', async () => {
    const outside = testContext().ctx;
    expect((await failure(call(goroutineModule, 'pool_stats', ['p'], outside))).message).toBe(
      'goroutine.pool_stats can only be used inside a task',
    );
    const inside = testContext({ services: { insideGoroutine: true } }).ctx;
    expect((await failure(call(goroutineModule, 'pool_close', ['p'], inside))).message).toBe(
      'goroutine.pool_close is not available inside a goroutine',
    );
  });

  it('sleep waits, and wakes early when the task is stopped', async () => {
    const controller = new AbortController();
    const { ctx } = testContext({ signal: controller.signal });
    const slept = call(goroutineModule, 'sleep', [60_000], ctx);
    controller.abort(new Error('stopped'));
    await expect(slept).rejects.toThrow('stopped');
    await call(goroutineModule, 'sleep', [1], testContext().ctx);
    expect((await failure(call(goroutineModule, 'sleep', [-1], testContext().ctx))).message).toContain(
      'goroutine.sleep: argument #1 (ms)',
    );
  });

  it('parses wait timeouts (seconds or durations) and pool sizes, naming the caller in errors', () => {
    expect(timeoutMs('goroutine.await', undefined)).toBeUndefined();
    expect(timeoutMs('goroutine.await', 2)).toBe(2000);
    expect(timeoutMs('goroutine.await', '500ms')).toBe(500);
    expect(() => timeoutMs('goroutine.await', 'soon')).toThrow('goroutine.await: invalid timeout "soon"');
    expect(() => timeoutMs('goroutine.await', {})).toThrow('goroutine.await: timeout: expected seconds');
    expect(poolSize('goroutine.pool_create', 3)).toBe(3);
    expect(() => poolSize('goroutine.pool_create', 1.5)).toThrow('expected a whole number from 1 to 10000, got 1.5');
    expect(() =>
      as('goroutine.pool_submit', () => {
        throw new SlothError('not_found', "no goroutine pool named 'x'");
      }),
    ).toThrow("goroutine.pool_submit: no goroutine pool named 'x'");
  });
});
