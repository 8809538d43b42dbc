import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineTask, type TaskInit } from './define.js';
import { SlothError, type SlothErrorCode } from './errors.js';
import type { RunEvent } from './run-events.js';
import { executeTask, type TaskRunEnv } from './task-executor.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sloth-exec-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function environment(overrides: Partial<TaskRunEnv> = {}) {
  const events: RunEvent[] = [];
  const aborts: string[] = [];
  const controller = new AbortController();
  const env: TaskRunEnv = {
    runId: 'run-1',
    params: { p: 1 },
    baseDir: root,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', BASE: 'b' },
    runSignal: controller.signal,
    emit: (e) => void events.push(e),
    artifactStore: join(root, 'store'),
    artifactProducers: new Map(),
    requestAbort: (reason) => {
      aborts.push(reason);
      controller.abort({ kind: 'run', reason });
    },
    ...overrides,
  };
  return { env, events, aborts, controller };
}

const spec = (init: Partial<TaskInit> & { name?: string }) => defineTask({ name: 'job', run: async () => {}, ...init });

describe('executeTask', () => {
  it('gives the body its context: base dir, merged env, params, deps, and workdirIsOwn=false', async () => {
    const { env } = environment();
    let seen: Record<string, unknown> = {};
    await executeTask(
      spec({
        env: { TASK: 't' },
        run: async (ctx) => {
          seen = {
            workdir: ctx.workdir,
            own: ctx.workdirIsOwn,
            env: ctx.env,
            params: ctx.params,
            deps: ctx.deps,
            runId: ctx.runId,
          };
        },
      }),
      { up: { x: 1 } },
      env,
    );
    expect(seen).toMatchObject({ workdir: root, own: false, params: { p: 1 }, deps: { up: { x: 1 } }, runId: 'run-1' });
    expect(seen.env).toMatchObject({ BASE: 'b', TASK: 't' });
  });

  it('abort_if asks the run to stop and reports the task aborted without running it', async () => {
    const { env, aborts } = environment();
    let ran = false;
    const result = await executeTask(
      spec({
        abortIf: async () => true,
        run: async () => {
          ran = true;
        },
      }),
      {},
      env,
    );
    expect(ran).toBe(false);
    expect(aborts).toEqual(["abort_if of task 'job' returned true"]);
    expect(result).toMatchObject({ status: 'aborted', attempts: 0, error: "abort_if of task 'job' returned true" });
  });

  it('reports aborted when the run stops while a condition is being evaluated', async () => {
    const { env, controller } = environment();
    const pending = executeTask(spec({ runIf: () => new Promise(() => {}) }), {}, env);
    controller.abort({ kind: 'run', reason: 'stopped by test' });
    expect(await pending).toMatchObject({ status: 'aborted', error: 'stopped by test' });
  });

  it('applies the task timeout to hooks too', async () => {
    const { env } = environment();
    const result = await executeTask(spec({ timeout: '50ms', onSuccess: () => new Promise(() => {}) }), {}, env);
    expect(result).toMatchObject({
      status: 'failed',
      error: "on_success of task 'job' failed: timed out after 50ms",
      errorCode: 'timeout',
    });
  });

  it('keeps the code, hint and location of what the body threw; a plain Error is task_failed', async () => {
    const { env } = environment();
    const wrong = new SlothError('invalid_argument', 'fs.write: bad path', { hint: 'give a string', location: 'x.sloth:3' });
    const bad = await executeTask(
      spec({
        run: async () => {
          throw wrong;
        },
      }),
      {},
      env,
    );
    expect(bad).toMatchObject({
      status: 'failed',
      error: 'fs.write: bad path',
      errorCode: 'invalid_argument',
      errorHint: 'give a string',
      errorLocation: 'x.sloth:3',
    });
    const plain = await executeTask(spec({ run: () => Promise.reject(new Error('nope')) }), {}, env);
    expect(plain).toMatchObject({ status: 'failed', error: 'nope', errorCode: 'task_failed' });
    expect(plain.errorHint).toBeUndefined();
    const returned = await executeTask(spec({ run: async () => ({ success: false, message: 'no' }) }), {}, env);
    expect(returned).toMatchObject({ status: 'failed', error: 'no', errorCode: 'task_failed' });
    const timedOut = await executeTask(spec({ timeout: '20ms', run: () => new Promise(() => {}) }), {}, env);
    expect(timedOut).toMatchObject({ status: 'timeout', errorCode: 'timeout' });
  });

  /** Runs a task with 3 retries whose every attempt throws a SlothError with `code`; counts its attempts. */
  async function failingWith(code: SlothErrorCode) {
    const { env, events } = environment({ random: () => 0.5 });
    let attempts = 0;
    const run = async () => {
      attempts++;
      throw new SlothError(code, 'failed');
    };
    const result = await executeTask(spec({ retries: { count: 3, strategy: 'fixed', delay: '1ms' }, run }), {}, env);
    return { result, attempts, retried: events.filter((e) => e.type === 'task.retrying').length };
  }

  it.each(['invalid_argument', 'usage', 'load', 'not_found'] as const)(
    'runs a task whose attempt fails with %s once, whatever its retries',
    async (code) => {
      const { result, attempts, retried } = await failingWith(code);
      expect(result).toMatchObject({ status: 'failed', attempts: 1, errorCode: code });
      expect([attempts, retried]).toEqual([1, 0]);
    },
  );

  it.each(['task_failed', 'unavailable', 'timeout', 'internal'] as const)(
    'retries a task whose attempts fail with %s',
    async (code) => {
      const { result, attempts, retried } = await failingWith(code);
      expect(result).toMatchObject({ status: 'failed', attempts: 4, errorCode: code });
      expect([attempts, retried]).toEqual([4, 3]);
    },
  );

  it('records published artifacts by file name for consumers', async () => {
    const { env } = environment();
    const workdir = join(root, 'w');
    const result = await executeTask(
      spec({ workdir, artifacts: ['out/app.tar'], run: async () => void (await writeOut(workdir)) }),
      {},
      env,
    );
    expect(result.status).toBe('success');
    expect([...env.artifactProducers]).toEqual([['app.tar', 'job']]);
  });

  it('logs through events tagged with the task name', async () => {
    const { env, events } = environment();
    await executeTask(spec({ run: async (ctx) => ctx.log.log('info', 'hello', { n: 1 }) }), {}, env);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'task.log',
        task: 'job',
        level: 'info',
        message: 'hello',
        fields: { n: 1 },
        runId: 'run-1',
      }),
    );
  });

  it('tells the body to stop when the attempt finishes (signal aborted afterwards)', async () => {
    const { env } = environment();
    let signal: AbortSignal | undefined;
    await executeTask(
      spec({
        run: async (ctx) => {
          signal = ctx.signal;
          expect(ctx.signal.aborted).toBe(false);
        },
      }),
      {},
      env,
    );
    expect(signal?.aborted).toBe(true);
  });
});

async function writeOut(workdir: string) {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(workdir, 'out'), { recursive: true });
  await writeFile(join(workdir, 'out', 'app.tar'), 'tar');
}

describe('a relative workdir', () => {
  it('is resolved against the run base directory and created there', async () => {
    const { env } = environment();
    const seen: string[] = [];
    const result = await executeTask(
      spec({
        workdir: 'build/out',
        run: async (ctx) => {
          seen.push(ctx.workdir);
          return { success: true };
        },
      }),
      {},
      env,
    );
    expect(result.status).toBe('success');
    expect(seen).toEqual([join(root, 'build/out')]);
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(root, 'build/out'))).isDirectory()).toBe(true);
  });
});
