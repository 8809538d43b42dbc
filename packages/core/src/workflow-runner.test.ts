import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processAlive } from './daemon/pid-file.js';
import { defineTask, defineWorkflow, type TaskInit } from './define.js';
import { SlothError } from './errors.js';
import { trackLeftovers } from './process.test-helper.js';
import type { RunEvent } from './run-events.js';
import { waitFor } from './wait-for.js';
import type { HookPayload, RunResult, TaskContext, TaskResult, TaskSpec } from './workflow-model.js';
import { type RunOptions, runWorkflow } from './workflow-runner.js';

// ---------- helpers ----------

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise that rejects when the task's signal fires, like a well-behaved body waiting on I/O. */
const untilAborted = (ctx: TaskContext) =>
  new Promise<never>((_, reject) => {
    if (ctx.signal.aborted) reject(new Error('aborted'));
    ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });

const leftovers = trackLeftovers();

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const fastRetries = (count: number, strategy: 'fixed' | 'linear' | 'exponential' = 'fixed') => ({
  count,
  strategy,
  delay: '10ms',
});

const task = (name: string, run: TaskInit['run'] = async () => {}, extra: Partial<TaskInit> = {}): TaskSpec =>
  defineTask({ name, run, ...extra });

/** Runs a workflow of `tasks`, recording every event. */
async function run(
  tasks: TaskSpec[],
  wf: Partial<Parameters<typeof defineWorkflow>[0]> = {},
  options: RunOptions = {},
): Promise<{ result: RunResult; events: RunEvent[]; byName: Record<string, TaskResult> }> {
  const events: RunEvent[] = [];
  const workflow = defineWorkflow({ name: 'wf', tasks, ...wf });
  const result = await runWorkflow(workflow, {
    ...options,
    observer: (e) => {
      events.push(e);
      options.observer?.(e);
    },
  });
  return { result, events, byName: Object.fromEntries(result.tasks.map((t) => [t.name, t])) };
}

/** Resolves with the first stdout line a task logs (shell-string tasks stream their output to the log). */
function firstStdoutLine(taskName: string) {
  let resolve: (line: string) => void = () => {};
  const line = new Promise<string>((r) => {
    resolve = r;
  });
  const observer = (e: RunEvent) => {
    if (e.type === 'task.log' && e.task === taskName && e.stream === 'stdout') resolve(e.message);
  };
  return { line, observer };
}

const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

let tmp: string;
beforeEach(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'sloth-wf-')));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// ---------- tests ----------

describe('validation', () => {
  it('rejects a cycle before running anything', async () => {
    let ran = false;
    const body = async () => {
      ran = true;
    };
    const err = await run([task('a', body, { dependsOn: ['b'] }), task('b', body, { dependsOn: ['a'] })]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('load');
    expect((err as SlothError).message).toContain('a -> b -> a');
    expect(ran).toBe(false);
  });

  it('rejects an unknown dependency, suggesting the nearest name', async () => {
    const err = await run([task('build'), task('test', undefined, { dependsOn: ['buidl'] })]).catch((e: unknown) => e);
    expect((err as Error).message).toContain("depends on 'buidl'");
    expect((err as Error).message).toContain("did you mean 'build'");
  });
});

describe('scheduling', () => {
  function concurrencyProbe() {
    let running = 0;
    let max = 0;
    let done = 0;
    const body = async () => {
      running++;
      max = Math.max(max, running);
      await tick(15);
      running--;
      done++;
    };
    return { body, stats: () => ({ max, done }) };
  }

  it.each([1, 2, 3])('runs independent tasks in parallel, at most maxParallelTasks=%d at once', async (limit) => {
    const probe = concurrencyProbe();
    const tasks = ['t1', 't2', 't3', 't4', 't5', 't6'].map((n) => task(n, probe.body));
    const { result } = await run(tasks, { maxParallelTasks: limit });
    expect(result.status).toBe('success');
    expect(probe.stats()).toEqual({ max: limit, done: 6 });
  });

  it('runs all ready tasks at once when maxParallelTasks is not set', async () => {
    const probe = concurrencyProbe();
    const { result } = await run(['a', 'b', 'c', 'd', 'e'].map((n) => task(n, probe.body)));
    expect(result.status).toBe('success');
    expect(probe.stats()).toEqual({ max: 5, done: 5 });
  });

  it('starts a task only after all its dependencies finished', async () => {
    const log: string[] = [];
    const step = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick(5);
      log.push(`${name}:end`);
    };
    await run([
      task('ship', step('ship'), { dependsOn: ['lint', 'package'] }),
      task('package', step('package'), { dependsOn: ['compile'] }),
      task('compile', step('compile'), { dependsOn: ['fetch'] }),
      task('lint', step('lint'), { dependsOn: ['fetch'] }),
      task('fetch', step('fetch')),
    ]);
    const at = (entry: string) => {
      const i = log.indexOf(entry);
      expect(i, entry).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at('fetch:end')).toBeLessThan(at('compile:start'));
    expect(at('fetch:end')).toBeLessThan(at('lint:start'));
    expect(at('compile:end')).toBeLessThan(at('package:start'));
    expect(at('package:end')).toBeLessThan(at('ship:start'));
    expect(at('lint:end')).toBeLessThan(at('ship:start'));
    expect(log).toHaveLength(10);
  });

  it('reports task results in declaration order, whatever the finish order', async () => {
    const { result } = await run([
      task('slow', async () => {
        await tick(30);
      }),
      task('fast'),
      task('after', undefined, { dependsOn: ['fast'] }),
    ]);
    expect(result.tasks.map((t) => t.name)).toEqual(['slow', 'fast', 'after']);
    expect(result.tasks.every((t) => t.status === 'success' && t.attempts === 1)).toBe(true);
  });
});

describe('task bodies and outputs', () => {
  it('hands outputs of dependencies, direct and farther, to dependents through ctx.deps', async () => {
    const seen: Record<string, unknown>[] = [];
    const { result, byName } = await run([
      task('build', async () => ({ success: true, message: 'built', output: { artifact: 'app-1.2', size: 3 } })),
      task('other', async () => ({ success: true, output: { unrelated: true } })),
      task(
        'test',
        async (ctx) => {
          seen.push({ ...ctx.deps });
          return { success: true, output: { tested: `${ctx.deps.build?.artifact}` } };
        },
        { dependsOn: ['build'] },
      ),
      task(
        'ship',
        async (ctx) => {
          seen.push({ ...ctx.deps });
        },
        { dependsOn: ['test'] },
      ),
    ]);
    expect(result.status).toBe('success');
    expect(seen[0]).toEqual({ build: { artifact: 'app-1.2', size: 3 } });
    // ship depends on build only through test: it still reads build's outputs; `other` is no ancestor.
    expect(seen[1]).toEqual({ test: { tested: 'app-1.2' }, build: { artifact: 'app-1.2', size: 3 } });
    expect(byName.build).toMatchObject({ status: 'success', message: 'built', output: { artifact: 'app-1.2', size: 3 } });
  });

  it('lets a grandchild read a grandparent through two paths (the CI/CD shape), nearest dependencies first', async () => {
    let seen: Record<string, unknown> | undefined;
    const { result } = await run([
      task('run_tests', async () => ({ success: true, output: { test_results: 'passed' } })),
      task('build_app', async () => ({ success: true, output: { binary: 'app' } }), { dependsOn: ['run_tests'] }),
      task('build_docker', async () => ({ success: true, output: { image: 'myapp:1' } }), { dependsOn: ['build_app'] }),
      task('lint', async () => ({ success: true, output: { warnings: 0 } })),
      task(
        'deploy_app',
        async (ctx) => {
          seen = { ...ctx.deps };
        },
        // build_app is both a direct dependency and an ancestor through build_docker: entered once, as a direct one.
        { dependsOn: ['build_docker', 'build_app', 'lint'] },
      ),
    ]);
    expect(result.status).toBe('success');
    expect(seen).toEqual({
      build_docker: { image: 'myapp:1' },
      build_app: { binary: 'app' },
      lint: { warnings: 0 },
      run_tests: { test_results: 'passed' },
    });
    // Direct dependencies first, in their declared order, then farther ones.
    expect(Object.keys(seen ?? {})).toEqual(['build_docker', 'build_app', 'lint', 'run_tests']);
  });

  it('gives run_if the same ancestors as the body', async () => {
    let gate: unknown;
    const { byName } = await run([
      task('a', async () => ({ success: true, output: { go: true } })),
      task('b', undefined, { dependsOn: ['a'] }),
      task('c', undefined, {
        dependsOn: ['b'],
        runIf: async (ctx) => {
          gate = ctx.deps.a?.go;
          return false;
        },
      }),
    ]);
    expect(gate).toBe(true);
    expect(byName.c).toMatchObject({ status: 'skipped', skipReason: 'condition' });
  });

  it('has no outputs for an ancestor skipped by its run_if, and none from a failed task that is no ancestor', async () => {
    let seen: Record<string, unknown> | undefined;
    const { byName } = await run(
      [
        task('optional', async () => ({ success: true, output: { never: 1 } }), { runIf: async () => false }),
        task('bad', async () => ({ success: false, message: 'broken', output: { partial: 1 } })),
        task('middle', async () => ({ success: true, output: { m: 1 } }), { dependsOn: ['optional'] }),
        task(
          'last',
          async (ctx) => {
            seen = { ...ctx.deps };
          },
          { dependsOn: ['middle'] },
        ),
        task('after_bad', undefined, { dependsOn: ['bad'] }),
      ],
      { failFast: false },
    );
    expect(byName.last?.status).toBe('success');
    expect(seen).toEqual({ middle: { m: 1 }, optional: undefined });
    expect(seen).not.toHaveProperty('bad');
    // A failed ancestor never hands anything down: its dependents do not run.
    expect(byName.after_bad).toMatchObject({ status: 'skipped', skipReason: 'dependency' });
  });

  it('passes params, runId, task name and attempt to the body', async () => {
    let ctxSeen: TaskContext | undefined;
    const { result } = await run(
      [
        task('a', async (ctx) => {
          ctxSeen = ctx;
        }),
      ],
      {},
      { params: { env: 'prod' }, runId: 'run-123' },
    );
    expect(result.runId).toBe('run-123');
    expect(ctxSeen).toMatchObject({ runId: 'run-123', task: 'a', attempt: 1, params: { env: 'prod' }, deps: {} });
  });

  it('treats an undefined result as success and success:false or a throw as failure', async () => {
    const { byName, result } = await run(
      [
        task('nothing', async () => undefined),
        task('no', async () => ({ success: false, message: 'disk full' })),
        task('no-message', async () => ({ success: false })),
        task('throws', async () => {
          throw new Error('kaboom');
        }),
      ],
      { failFast: false },
    );
    expect(result.status).toBe('failed');
    expect(byName.nothing?.status).toBe('success');
    expect(byName.no).toMatchObject({ status: 'failed', error: 'disk full', attempts: 1 });
    expect(byName['no-message']).toMatchObject({ status: 'failed', error: 'task returned false' });
    expect(byName.throws).toMatchObject({ status: 'failed', error: 'kaboom' });
  });
});

describe('retries', () => {
  it('retries a failing task, counting attempts and emitting task.retrying', async () => {
    const attempts: number[] = [];
    const startedAt: number[] = [];
    const { byName, events, result } = await run(
      [
        task(
          'flaky',
          async (ctx) => {
            attempts.push(ctx.attempt);
            startedAt.push(performance.now());
            if (ctx.attempt < 3) return { success: false, message: `flake #${ctx.attempt}` };
            return { success: true, output: { ok: 1 } };
          },
          { retries: { count: 4, strategy: 'fixed', delay: '30ms' } },
        ),
      ],
      {},
      { random: () => 0.5 },
    );
    expect(result.status).toBe('success');
    expect(byName.flaky).toMatchObject({ status: 'success', attempts: 3, output: { ok: 1 } });
    expect(attempts).toEqual([1, 2, 3]);
    const retrying = ofType(events, 'task.retrying');
    expect(retrying.map((e) => [e.attempt, e.delayMs, e.error])).toEqual([
      [2, 30, 'flake #1'],
      [3, 30, 'flake #2'],
    ]);
    expect(ofType(events, 'task.started').map((e) => e.attempt)).toEqual([1, 2, 3]);
    // Each retry waited at least its delay (1ms slack for timer rounding).
    expect((startedAt[1] as number) - (startedAt[0] as number)).toBeGreaterThanOrEqual(29);
    expect((startedAt[2] as number) - (startedAt[1] as number)).toBeGreaterThanOrEqual(29);
  });

  it('uses the strategy for the delays (exponential doubles)', async () => {
    const { events } = await run(
      [task('f', async () => ({ success: false, message: 'no' }), { retries: fastRetries(3, 'exponential') })],
      {},
      { random: () => 0.5 },
    );
    expect(ofType(events, 'task.retrying').map((e) => e.delayMs)).toEqual([10, 20, 40]);
  });

  it('applies jitter from the injected random', async () => {
    const { events } = await run(
      [task('f', async () => ({ success: false }), { retries: fastRetries(2, 'linear') })],
      {},
      { random: () => 0 },
    );
    expect(ofType(events, 'task.retrying').map((e) => e.delayMs)).toEqual([8, 16]);
  });

  it('gives up after the last attempt with the last error, calling on_failure once', async () => {
    const failures: HookPayload[] = [];
    const { byName, result } = await run([
      task('f', async (ctx) => ({ success: false, message: `fail #${ctx.attempt}` }), {
        retries: fastRetries(2),
        onFailure: async (_ctx, payload) => {
          failures.push(payload);
        },
      }),
    ]);
    expect(result.status).toBe('failed');
    expect(byName.f).toMatchObject({ status: 'failed', attempts: 3, error: 'fail #3' });
    expect(failures).toEqual([{ error: 'fail #3' }]);
  });

  it('does not retry a task that succeeded', async () => {
    let calls = 0;
    const { byName, events } = await run([
      task(
        'ok',
        async () => {
          calls++;
        },
        { retries: fastRetries(3) },
      ),
    ]);
    expect(calls).toBe(1);
    expect(byName.ok?.attempts).toBe(1);
    expect(ofType(events, 'task.retrying')).toHaveLength(0);
  });

  it('stops waiting for a retry when the run is aborted', { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    const { byName, result } = await run(
      [task('f', async () => ({ success: false, message: 'no' }), { retries: { count: 3, strategy: 'fixed', delay: '1m' } })],
      {},
      {
        signal: controller.signal,
        observer: (e) => {
          if (e.type === 'task.retrying') controller.abort();
        },
      },
    );
    expect(result.status).toBe('aborted');
    expect(byName.f).toMatchObject({ status: 'aborted', attempts: 1 });
  });
});

describe('timeouts', () => {
  it('times out a shell task: status timeout, on_timeout called, the shell and its child killed', async () => {
    const { line, observer } = firstStdoutLine('slow');
    const hooks: string[] = [];
    const payloads: HookPayload[] = [];
    const pending = run(
      [
        task('slow', 'sleep 30 & echo $!; wait', {
          timeout: '300ms',
          onTimeout: async (_ctx, payload) => {
            hooks.push('on_timeout');
            payloads.push(payload);
          },
          onFailure: async () => {
            hooks.push('on_failure');
          },
          onSuccess: async () => {
            hooks.push('on_success');
          },
        }),
      ],
      {},
      { observer, env: { PATH } },
    );
    const pid = Number(await line);
    leftovers.push(pid);
    expect(processAlive(pid)).toBe(true);
    const { result, byName } = await pending;
    expect(result.status).toBe('failed');
    expect(byName.slow).toMatchObject({ status: 'timeout', attempts: 1, error: 'timed out after 300ms' });
    expect(byName.slow?.durationMs).toBeGreaterThanOrEqual(290);
    expect(hooks).toEqual(['on_timeout', 'on_failure']);
    expect(payloads).toEqual([{ error: 'timed out after 300ms' }]);
    await waitFor(() => !processAlive(pid), 5000, `child ${pid} to be killed`);
  });

  it('times out a function body that ignores its signal, and aborts the signal with a timeout cause', async () => {
    let reason: unknown;
    const { byName } = await run([
      task(
        'stuck',
        async (ctx) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
          });
          await new Promise(() => {}); // never settles
        },
        { timeout: '100ms' },
      ),
    ]);
    expect(byName.stuck).toMatchObject({ status: 'timeout', error: 'timed out after 100ms' });
    expect(reason).toEqual({ kind: 'timeout', timeoutMs: 100 });
  });

  it('retries a timed-out attempt and reports timeout when all attempts time out', async () => {
    let timeouts = 0;
    const { byName } = await run([
      task('t', async (ctx) => untilAborted(ctx), {
        timeout: 0.05,
        retries: fastRetries(1),
        onTimeout: async () => {
          timeouts++;
        },
      }),
    ]);
    expect(byName.t).toMatchObject({ status: 'timeout', attempts: 2, error: 'timed out after 50ms' });
    expect(timeouts).toBe(1);
  });

  it('stops the whole run on the workflow timeout: status timeout, running tasks aborted', async () => {
    const started = performance.now();
    const { result, byName } = await run(
      [task('long', async (ctx) => untilAborted(ctx)), task('next', undefined, { dependsOn: ['long'] }), task('quick')],
      { timeout: '300ms' },
    );
    expect(result.status).toBe('timeout');
    expect(result.error).toBe('workflow timeout of 300ms exceeded');
    expect(byName.long?.status).toBe('aborted');
    expect(byName.next).toMatchObject({ status: 'skipped', skipReason: 'aborted' });
    expect(byName.quick?.status).toBe('success');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('conditions', () => {
  it('skips a task whose run_if is false (reason condition) and still runs its dependents', async () => {
    let bodyRan = false;
    let depsSeen: Record<string, unknown> | undefined;
    const { result, byName, events } = await run([
      task(
        'optional',
        async () => {
          bodyRan = true;
        },
        { runIf: async () => false },
      ),
      task(
        'after',
        async (ctx) => {
          depsSeen = { ...ctx.deps };
        },
        { dependsOn: ['optional'] },
      ),
    ]);
    expect(result.status).toBe('success');
    expect(bodyRan).toBe(false);
    expect(byName.optional).toMatchObject({ status: 'skipped', skipReason: 'condition', attempts: 0 });
    expect(byName.after?.status).toBe('success');
    expect(depsSeen).toEqual({ optional: undefined });
    expect(ofType(events, 'task.started').map((e) => e.task)).toEqual(['after']);
  });

  it('evaluates run_if with params and deps', async () => {
    const { byName } = await run(
      [
        task('a', async () => ({ success: true, output: { go: true } })),
        task('b', undefined, { dependsOn: ['a'], runIf: async (ctx) => ctx.params.deploy === true && ctx.deps.a?.go === true }),
        task('c', undefined, { runIf: async (ctx) => ctx.params.deploy === false }),
      ],
      {},
      { params: { deploy: true } },
    );
    expect(byName.b?.status).toBe('success');
    expect(byName.c).toMatchObject({ status: 'skipped', skipReason: 'condition' });
  });

  it('accepts run_if as a shell command: exit 0 means run, with the task env', async () => {
    const { byName } = await run(
      [
        task('yes', undefined, { runIf: 'test "$STAGE" = prod', env: { STAGE: 'prod' } }),
        task('no', undefined, { runIf: 'test "$STAGE" = prod' }),
      ],
      {},
      { env: { PATH, STAGE: 'dev' } },
    );
    expect(byName.yes?.status).toBe('success');
    expect(byName.no).toMatchObject({ status: 'skipped', skipReason: 'condition' });
  });

  it('fails a task whose run_if throws', async () => {
    const { byName } = await run([
      task('a', undefined, {
        runIf: async () => {
          throw new Error('no network');
        },
      }),
    ]);
    expect(byName.a).toMatchObject({ status: 'failed', attempts: 0 });
    expect(byName.a?.error).toContain('no network');
  });

  it('abort_if true stops the workflow: run failed, running tasks aborted, pending ones skipped', async () => {
    let slowStarted = false;
    let slowSawAbort = false;
    const { result, byName } = await run([
      task('slow', async (ctx) => {
        slowStarted = true;
        ctx.signal.addEventListener('abort', () => {
          slowSawAbort = true;
        });
        return untilAborted(ctx);
      }),
      task('guard', undefined, {
        abortIf: async () => {
          await waitFor(() => slowStarted, 5000, 'slow to start');
          return true;
        },
      }),
      task('after-slow', undefined, { dependsOn: ['slow'] }),
      task('after-guard', undefined, { dependsOn: ['guard'] }),
    ]);
    expect(result.status).toBe('failed');
    expect(result.error).toBe("abort_if of task 'guard' returned true");
    expect(byName.guard).toMatchObject({ status: 'aborted', error: "abort_if of task 'guard' returned true" });
    expect(byName.slow).toMatchObject({ status: 'aborted', error: "abort_if of task 'guard' returned true" });
    expect(slowSawAbort).toBe(true);
    expect(byName['after-slow']).toMatchObject({ status: 'skipped', skipReason: 'aborted' });
    expect(byName['after-guard']).toMatchObject({ status: 'skipped', skipReason: 'aborted' });
  });

  it('abort_if false (function or shell) lets the task run', async () => {
    const { result } = await run(
      [task('a', undefined, { abortIf: async () => false }), task('b', undefined, { abortIf: 'exit 1' })],
      {},
      { env: { PATH } },
    );
    expect(result.status).toBe('success');
  });
});

describe('fail_fast', () => {
  it('true: after a failure no new task starts (skipped with reason fail_fast)', async () => {
    const ran: string[] = [];
    const body = (name: string) => async () => {
      ran.push(name);
    };
    const { result, byName } = await run(
      [
        task('bad', async () => ({ success: false, message: 'broken' })),
        task('b', body('b')),
        task('c', body('c'), { dependsOn: ['b'] }),
      ],
      { maxParallelTasks: 1 },
    );
    expect(result.status).toBe('failed');
    expect(ran).toEqual([]);
    expect(byName.bad).toMatchObject({ status: 'failed', error: 'broken' });
    expect(byName.b).toMatchObject({ status: 'skipped', skipReason: 'fail_fast' });
    expect(byName.c).toMatchObject({ status: 'skipped', skipReason: 'fail_fast' });
  });

  it('true: tasks already running finish; later ones are skipped', async () => {
    let badFinished = false;
    const { byName } = await run(
      [
        task('running', async () => {
          await waitFor(() => badFinished, 5000, 'bad to finish');
          return { success: true, output: { finished: true } };
        }),
        task('bad', async () => ({ success: false })),
        task('later', undefined, { dependsOn: ['running'] }),
      ],
      {},
      {
        observer: (e) => {
          if (e.type === 'task.finished' && e.task === 'bad') badFinished = true;
        },
      },
    );
    expect(byName.running).toMatchObject({ status: 'success', output: { finished: true } });
    expect(byName.later).toMatchObject({ status: 'skipped', skipReason: 'fail_fast' });
  });

  it('is on by default', async () => {
    const { byName } = await run([task('bad', async () => ({ success: false })), task('b')], { maxParallelTasks: 1 });
    expect(byName.b?.skipReason).toBe('fail_fast');
  });

  it('false: dependents of a failed task are skipped (reason dependency), independent tasks still run', async () => {
    const { result, byName } = await run(
      [
        task('bad', async () => ({ success: false, message: 'broken' })),
        task('child', undefined, { dependsOn: ['bad'] }),
        task('grandchild', undefined, { dependsOn: ['child'] }),
        task('independent', async () => ({ success: true, output: { v: 1 } })),
        task('after-independent', undefined, { dependsOn: ['independent'] }),
      ],
      { failFast: false, maxParallelTasks: 1 },
    );
    expect(result.status).toBe('failed');
    expect(byName.child).toMatchObject({ status: 'skipped', skipReason: 'dependency', error: "dependency 'bad' failed" });
    expect(byName.grandchild).toMatchObject({ status: 'skipped', skipReason: 'dependency', error: "dependency 'child' skipped" });
    expect(byName.independent?.status).toBe('success');
    expect(byName['after-independent']?.status).toBe('success');
  });

  it('false: a timed-out dependency also blocks its dependents', async () => {
    const { byName } = await run(
      [
        task('t', async (ctx) => untilAborted(ctx), { timeout: '50ms' }),
        task('d', undefined, { dependsOn: ['t'] }),
        task('free'),
      ],
      { failFast: false },
    );
    expect(byName.t?.status).toBe('timeout');
    expect(byName.d).toMatchObject({ status: 'skipped', skipReason: 'dependency', error: "dependency 't' timeout" });
    expect(byName.free?.status).toBe('success');
  });
});

describe('cancellation', () => {
  it('an external abort (SIGINT) stops the run: status aborted, the running shell child killed', async () => {
    const controller = new AbortController();
    const { line, observer } = firstStdoutLine('server');
    const pending = run(
      [task('server', 'sleep 30 & echo $!; wait'), task('after', undefined, { dependsOn: ['server'] })],
      {},
      { signal: controller.signal, observer, env: { PATH } },
    );
    const pid = Number(await line);
    leftovers.push(pid);
    expect(processAlive(pid)).toBe(true);
    controller.abort();
    const { result, byName } = await pending;
    expect(result.status).toBe('aborted');
    expect(result.error).toBe('cancelled by the user (SIGINT)');
    expect(byName.server).toMatchObject({ status: 'aborted', error: 'cancelled by the user (SIGINT)' });
    expect(byName.after).toMatchObject({ status: 'skipped', skipReason: 'aborted' });
    await waitFor(() => !processAlive(pid), 5000, `child ${pid} to be killed`);
  });

  it('an already-aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    const { result, byName } = await run(
      [
        task('a', async () => {
          ran = true;
        }),
      ],
      {},
      { signal: controller.signal },
    );
    expect(ran).toBe(false);
    expect(result.status).toBe('aborted');
    expect(byName.a).toMatchObject({ status: 'skipped', skipReason: 'aborted' });
  });
});

describe('workflow hooks', () => {
  it('calls on_start before any task and on_complete once at the end with the results', async () => {
    const log: string[] = [];
    const completions: [boolean, Record<string, TaskResult>][] = [];
    const { result } = await run(
      [
        task('a', async () => ({ success: true, output: { x: 1 } })),
        task('b', async () => void log.push('b'), { dependsOn: ['a'] }),
      ],
      {
        onStart: async () => {
          log.push('start');
        },
        onComplete: async (success, results) => {
          log.push('complete');
          completions.push([success, results]);
        },
      },
    );
    expect(result.status).toBe('success');
    expect(log).toEqual(['start', 'b', 'complete']);
    expect(completions).toHaveLength(1);
    const [success, results] = completions[0] as [boolean, Record<string, TaskResult>];
    expect(success).toBe(true);
    expect(Object.keys(results).sort()).toEqual(['a', 'b']);
    expect(results.a).toMatchObject({ status: 'success', attempts: 1, output: { x: 1 } });
    expect(typeof results.a?.durationMs).toBe('number');
  });

  it('tells on_complete about a failure', async () => {
    let got: boolean | undefined;
    const { result } = await run([task('a', async () => ({ success: false, message: 'x' }))], {
      onComplete: async (success) => {
        got = success;
      },
    });
    expect(result.status).toBe('failed');
    expect(got).toBe(false);
  });

  it('fails the run when on_complete throws', async () => {
    const { result } = await run([task('a')], {
      onComplete: async () => {
        throw new Error('report upload failed');
      },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('on_complete failed: report upload failed');
  });

  it('fails the run, without running tasks, when on_start throws', async () => {
    let ran = false;
    let completed: boolean | undefined;
    const { result, byName } = await run(
      [
        task('a', async () => {
          ran = true;
        }),
      ],
      {
        onStart: async () => {
          throw new Error('cannot reach registry');
        },
        onComplete: async (success) => {
          completed = success;
        },
      },
    );
    expect(ran).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('cannot reach registry');
    expect(byName.a?.status).toBe('skipped');
    expect(completed).toBe(false);
  });
});

describe('task hooks', () => {
  it('runs pre_hook, body, on_success, post_hook in order, with the output', async () => {
    const log: string[] = [];
    const payloads: Record<string, HookPayload> = {};
    const hook = (name: string) => async (_ctx: TaskContext, payload: HookPayload) => {
      log.push(name);
      payloads[name] = payload;
    };
    const { byName } = await run([
      task(
        'a',
        async () => {
          log.push('body');
          return { success: true, output: { v: 2 } };
        },
        { preHook: hook('pre'), onSuccess: hook('success'), onFailure: hook('failure'), postHook: hook('post') },
      ),
    ]);
    expect(byName.a?.status).toBe('success');
    expect(log).toEqual(['pre', 'body', 'success', 'post']);
    expect(payloads.success).toEqual({ output: { v: 2 } });
    expect(payloads.post).toEqual({ output: { v: 2 }, error: undefined });
  });

  it('fails the task when on_success throws, and skips its dependents', async () => {
    const { result, byName } = await run([
      task('a', async () => ({ success: true }), {
        onSuccess: async () => {
          throw new Error('notify failed');
        },
      }),
      task('b', undefined, { dependsOn: ['a'] }),
    ]);
    expect(result.status).toBe('failed');
    expect(byName.a).toMatchObject({ status: 'failed', error: "on_success of task 'a' failed: notify failed" });
    expect(byName.b?.status).toBe('skipped');
  });

  it('fails the task without running the body when pre_hook throws', async () => {
    let ran = false;
    const { byName } = await run([
      task(
        'a',
        async () => {
          ran = true;
        },
        {
          preHook: async () => {
            throw new Error('no credentials');
          },
        },
      ),
    ]);
    expect(ran).toBe(false);
    expect(byName.a).toMatchObject({ status: 'failed', attempts: 0, error: "pre_hook of task 'a' failed: no credentials" });
  });

  it('keeps the original error when on_failure itself throws', async () => {
    const { byName, events } = await run([
      task('a', async () => ({ success: false, message: 'real problem' }), {
        onFailure: async () => {
          throw new Error('hook broke');
        },
      }),
    ]);
    expect(byName.a).toMatchObject({ status: 'failed', error: 'real problem' });
    const logs = ofType(events, 'task.log').map((e) => e.message);
    expect(logs).toContain("on_failure of task 'a' failed: hook broke");
  });
});

describe('shell-string tasks', () => {
  it('output is {stdout, stderr, exit_code}; lines stream to the log by stream', async () => {
    let depsSeen: unknown;
    const { byName, events } = await run(
      [
        task('sh', 'echo out; echo err >&2'),
        task(
          'next',
          async (ctx) => {
            depsSeen = ctx.deps.sh;
          },
          { dependsOn: ['sh'] },
        ),
      ],
      {},
      { env: { PATH } },
    );
    expect(byName.sh).toMatchObject({
      status: 'success',
      message: 'out',
      output: { stdout: 'out\n', stderr: 'err\n', exit_code: 0 },
    });
    expect(depsSeen).toEqual({ stdout: 'out\n', stderr: 'err\n', exit_code: 0 });
    const logs = ofType(events, 'task.log').filter((e) => e.task === 'sh');
    expect(logs.map((e) => [e.stream, e.level, e.message])).toEqual(
      expect.arrayContaining([
        ['stdout', 'info', 'out'],
        ['stderr', 'warn', 'err'],
      ]),
    );
  });

  it('fails on a non-zero exit, quoting the command, code and last stderr line', async () => {
    const { byName } = await run([task('sh', 'echo first >&2; echo bad thing >&2; exit 4')], {}, { env: { PATH } });
    expect(byName.sh).toMatchObject({
      status: 'failed',
      error: 'command `echo first >&2; echo bad thing >&2; exit 4` exited with code 4: bad thing',
      output: { stdout: '', stderr: 'first\nbad thing\n', exit_code: 4 },
    });
  });

  it('runs in the task workdir (created if missing) with run env overlaid by task env', async () => {
    const workdir = join(tmp, 'nested', 'dir');
    const { byName } = await run(
      [task('sh', 'echo "$A-$B-$C"; pwd', { workdir, env: { B: 'task', C: 'task' } })],
      {},
      { env: { PATH, A: 'run', B: 'run' } },
    );
    expect(byName.sh?.output).toMatchObject({ stdout: `run-task-task\n${workdir}\n` });
  });

  it('runs tasks without a workdir in the run base directory', async () => {
    const { byName } = await run([task('sh', 'pwd')], {}, { env: { PATH }, baseDir: tmp });
    expect(byName.sh?.output?.stdout).toBe(`${tmp}\n`);
  });
});

describe('artifacts', () => {
  it('hands files and directories published by one task to a dependent that consumes them', async () => {
    const producerDir = join(tmp, 'producer');
    const consumerDir = join(tmp, 'consumer');
    let readInConsumer: string | undefined;
    const { result, byName } = await run(
      [
        task(
          'build',
          async (ctx) => {
            await writeFile(join(ctx.workdir, 'app.bin'), 'binary-v1');
            await mkdir(join(ctx.workdir, 'reports'), { recursive: true });
            await writeFile(join(ctx.workdir, 'reports', 'junit.xml'), '<ok/>');
          },
          { workdir: producerDir, artifacts: ['app.bin', 'reports'] },
        ),
        task(
          'deploy',
          async (ctx) => {
            readInConsumer = await readFile(join(ctx.workdir, 'app.bin'), 'utf8');
          },
          { workdir: consumerDir, dependsOn: ['build'], consumes: ['app.bin', 'reports'] },
        ),
      ],
      {},
      { baseDir: tmp },
    );
    expect(result.status).toBe('success');
    expect(byName.deploy?.status).toBe('success');
    expect(readInConsumer).toBe('binary-v1');
    expect(await readFile(join(consumerDir, 'reports', 'junit.xml'), 'utf8')).toBe('<ok/>');
  });

  it('works between shell-string tasks', async () => {
    const { byName } = await run(
      [
        task('make', 'echo v1 > app.txt', { workdir: join(tmp, 'a'), artifacts: ['app.txt'] }),
        task('use', 'cat app.txt', { workdir: join(tmp, 'b'), dependsOn: ['make'], consumes: ['app.txt'] }),
      ],
      {},
      { env: { PATH } },
    );
    expect(byName.use).toMatchObject({ status: 'success', output: { stdout: 'v1\n' } });
  });

  it('fails a task whose declared artifact was not produced', async () => {
    const { byName } = await run([
      task('build', undefined, { workdir: join(tmp, 'p'), artifacts: ['missing.bin'] }),
      task('deploy', undefined, { dependsOn: ['build'], consumes: ['missing.bin'] }),
    ]);
    expect(byName.build?.status).toBe('failed');
    expect(byName.build?.error).toContain("artifact 'missing.bin' of task 'build' was not produced");
    expect(byName.deploy?.status).toBe('skipped');
  });

  it('fails a task that consumes an artifact nobody produced', async () => {
    const { byName } = await run([task('deploy', undefined, { workdir: join(tmp, 'c'), consumes: ['ghost.bin'] })]);
    expect(byName.deploy).toMatchObject({ status: 'failed', attempts: 0 });
    expect(byName.deploy?.error).toBe("task 'deploy' consumes artifact 'ghost.bin', but no finished task produced it");
  });
});

describe('events', () => {
  it('reports workflow.started, task events in dependency order, and workflow.finished last', async () => {
    const { result, events } = await run(
      [
        task('a'),
        task('b', async () => ({ success: true, output: { y: 1 } }), { dependsOn: ['a'] }),
        task('c', undefined, { runIf: async () => false }),
      ],
      {},
      { runId: 'r1' },
    );
    expect(events[0]).toMatchObject({
      type: 'workflow.started',
      runId: 'r1',
      workflow: 'wf',
      tasks: ['a', 'b', 'c'],
      deps: { a: [], b: ['a'], c: [] },
    });
    const last = events[events.length - 1];
    expect(last?.type).toBe('workflow.finished');
    expect(last?.type === 'workflow.finished' && last.result).toBe(result);
    expect(ofType(events, 'workflow.started')).toHaveLength(1);
    expect(ofType(events, 'workflow.finished')).toHaveLength(1);
    expect(events.every((e) => e.runId === 'r1')).toBe(true);

    const index = (type: RunEvent['type'], name: string) =>
      events.findIndex((e) => e.type === type && 'task' in e && e.task === name);
    expect(index('task.started', 'a')).toBeGreaterThan(0);
    expect(index('task.started', 'a')).toBeLessThan(index('task.finished', 'a'));
    expect(index('task.finished', 'a')).toBeLessThan(index('task.started', 'b'));
    expect(index('task.started', 'b')).toBeLessThan(index('task.finished', 'b'));
    expect(index('task.started', 'c')).toBe(-1);
    const finished = ofType(events, 'task.finished');
    expect(finished.map((e) => e.task).sort()).toEqual(['a', 'b', 'c']);
    expect(finished.find((e) => e.task === 'b')?.result).toMatchObject({ status: 'success', output: { y: 1 } });
    for (let i = 1; i < events.length; i++)
      expect((events[i] as RunEvent).at).toBeGreaterThanOrEqual((events[i - 1] as RunEvent).at);
  });

  it('reports on_complete before workflow.finished', async () => {
    const order: string[] = [];
    await run(
      [task('a')],
      { onComplete: async () => void order.push('on_complete') },
      { observer: (e) => void order.push(e.type) },
    );
    expect(order.slice(-2)).toEqual(['on_complete', 'workflow.finished']);
  });
});

describe('many tasks at once', () => {
  it('runs 300 parallel tasks without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const tasks = Array.from({ length: 300 }, (_, i) =>
        defineTask({
          name: `t${i}`,
          run: async (ctx) => new Promise((r) => setTimeout(() => r({ success: !ctx.signal.aborted }), 20)),
        }),
      );
      const result = await runWorkflow(defineWorkflow({ name: 'wide', tasks }));
      expect(result.status).toBe('success');
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
