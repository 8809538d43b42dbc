import { describe, expect, it } from 'vitest';
import { defineTask, defineWorkflow } from './define.js';
import { SlothError } from './errors.js';
import { NO_RETRY } from './retry-policy.js';

const body = async () => {};

describe('defineTask', () => {
  it('fills friendly defaults', () => {
    const t = defineTask({ name: 'a', run: body });
    expect(t).toMatchObject({ name: 'a', body, dependsOn: [], tags: [], artifacts: [], consumes: [], timeoutMs: undefined });
    expect(t.retry).toBe(NO_RETRY);
    expect(t.runIf).toBeUndefined();
  });

  it('parses the timeout as a duration', () => {
    expect(defineTask({ name: 'a', run: body, timeout: '5m' }).timeoutMs).toBe(300_000);
    expect(defineTask({ name: 'a', run: body, timeout: 2 }).timeoutMs).toBe(2000);
  });

  it('names the task in a bad timeout error', () => {
    let err: unknown;
    try {
      defineTask({ name: 'deploy', run: body, timeout: 'forever' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).message).toBe(`invalid timeout of task 'deploy' "forever"`);
  });

  it('turns retries into a retry policy (number: exponential by default)', () => {
    expect(defineTask({ name: 'a', run: body, retries: 3 }).retry).toMatchObject({
      retries: 3,
      strategy: 'exponential',
      baseDelayMs: 1000,
    });
    expect(defineTask({ name: 'a', run: body, retries: { count: 2, strategy: 'linear', delay: '10ms' } }).retry).toMatchObject({
      retries: 2,
      strategy: 'linear',
      baseDelayMs: 10,
    });
    expect(defineTask({ name: 'a', run: body, retries: { count: 1, delay: 3 } }).retry.baseDelayMs).toBe(3000);
  });

  it('rejects an unknown retry strategy', () => {
    expect(() => defineTask({ name: 'a', run: body, retries: { count: 1, strategy: 'random' as 'fixed' } })).toThrow(
      'unknown retry strategy "random"',
    );
  });

  it('wraps shell strings into a body and predicates', () => {
    const t = defineTask({ name: 'a', run: 'true', runIf: 'true', abortIf: 'false' });
    expect(typeof t.body).toBe('function');
    expect(typeof t.runIf).toBe('function');
    expect(typeof t.abortIf).toBe('function');
  });

  it('keeps everything else as given', () => {
    const hook = async () => {};
    const t = defineTask({
      name: 'a',
      description: 'd',
      run: body,
      dependsOn: ['x'],
      onSuccess: hook,
      workdir: '/tmp/w',
      env: { A: '1' },
      user: 'deploy',
      tags: ['ci'],
      artifacts: ['app'],
      consumes: ['lib'],
    });
    expect(t).toMatchObject({
      description: 'd',
      dependsOn: ['x'],
      onSuccess: hook,
      workdir: '/tmp/w',
      env: { A: '1' },
      user: 'deploy',
      tags: ['ci'],
      artifacts: ['app'],
      consumes: ['lib'],
    });
  });
});

describe('defineWorkflow', () => {
  it('defaults fail_fast to true and leaves limits unset', () => {
    const w = defineWorkflow({ name: 'w', tasks: [] });
    expect(w.config).toEqual({ timeoutMs: undefined, maxParallelTasks: undefined, failFast: true, extra: {} });
  });

  it('keeps config and parses the timeout', () => {
    const onStart = async () => {};
    const w = defineWorkflow({
      name: 'w',
      version: '1.0.0',
      tasks: [],
      timeout: '1h30m',
      maxParallelTasks: 4,
      failFast: false,
      onStart,
    });
    expect(w.config).toMatchObject({ timeoutMs: 5_400_000, maxParallelTasks: 4, failFast: false });
    expect(w.version).toBe('1.0.0');
    expect(w.onStart).toBe(onStart);
  });

  it('names the workflow timeout in a bad duration error', () => {
    expect(() => defineWorkflow({ name: 'w', tasks: [], timeout: '30 minutes' })).toThrow(
      'invalid workflow timeout "30 minutes"',
    );
  });
});
