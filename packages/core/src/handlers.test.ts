import { describe, expect, it } from 'vitest';
import { defineTask, defineWorkflow } from './define.js';
import { SlothError } from './errors.js';
import type { RunEvent } from './run-events.js';
import type { TaskContext, TaskSpec } from './workflow-model.js';
import { type RunOptions, runWorkflow } from './workflow-runner.js';

const ran: string[] = [];

/** A task that reports one converged resource (changed or not), then fails when asked to. */
function configTask(name: string, changed: boolean, extra: Partial<TaskSpec> = {}, fail = false): TaskSpec {
  return {
    ...defineTask({
      name,
      run: async (ctx: TaskContext) => {
        ran.push(name);
        ctx.reportResource({
          type: 'file',
          name: `/etc/${name}`,
          fn: 'file_ops.copy',
          changed,
          changes: {},
          checkMode: ctx.checkMode,
        });
        if (fail) throw new Error(`${name} failed`);
      },
    }),
    ...extra,
  };
}
const handler = (name: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({
  ...defineTask({ name, run: async () => void ran.push(name) }),
  handler: true,
  ...extra,
});

async function run(tasks: TaskSpec[], options: RunOptions = {}) {
  ran.length = 0;
  const events: RunEvent[] = [];
  const result = await runWorkflow(defineWorkflow({ name: 'w', tasks }), { ...options, observer: (e) => void events.push(e) });
  const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
  return { result, byName, events };
}

describe('handlers', () => {
  it('run once, after the other tasks, in declaration order, only when a notifying task changed something', async () => {
    const { result, byName } = await run([
      handler('reload'),
      configTask('a', true, { notify: ['restart', 'reload'] }),
      configTask('b', true, { notify: ['restart'] }),
      configTask('c', false, { notify: ['never'] }),
      handler('restart'),
      handler('never'),
    ]);
    expect(result.status).toBe('success');
    expect(ran.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
    expect(ran.slice(3)).toEqual(['reload', 'restart']);
    expect(byName.never).toMatchObject({ status: 'skipped', skipReason: 'not_notified' });
    expect(result.tasks.map((t) => t.name)).toEqual(['reload', 'a', 'b', 'c', 'restart', 'never']);
  });

  it('a handler that changes something notifies a later one', async () => {
    const { byName } = await run([
      configTask('conf', true, { notify: ['rebuild'] }),
      { ...configTask('rebuild', true, { notify: ['restart'] }), handler: true },
      handler('restart'),
    ]);
    expect(ran).toEqual(['conf', 'rebuild', 'restart']);
    expect(byName.restart?.status).toBe('success');
  });

  it('do not run when the run failed, unless forced; a task that changed and then failed still notifies', async () => {
    const tasks = () => [configTask('conf', true, { notify: ['restart'] }, true), handler('restart')];
    const failed = await run(tasks());
    expect(failed.result.status).toBe('failed');
    expect(ran).toEqual(['conf']);
    expect(failed.byName.restart).toMatchObject({ status: 'skipped', skipReason: 'run_failed' });
    expect(failed.byName.restart?.message).toContain('--force-handlers');
    const forced = await run(tasks(), { forceHandlers: true });
    expect(ran).toEqual(['conf', 'restart']);
    expect(forced.byName.restart?.status).toBe('success');
  });

  it('in check mode are reported as would run, and not run', async () => {
    const { byName, result } = await run([configTask('conf', true, { notify: ['restart'] }), handler('restart')], {
      checkMode: true,
    });
    expect(result.status).toBe('success');
    expect(ran).toEqual(['conf']);
    expect(byName.restart).toMatchObject({ status: 'skipped', skipReason: 'check_mode' });
    expect(byName.restart?.message).toMatch(/^would run \(check mode\): notified by 'conf'/);
  });

  it('are checked when the workflow loads: unknown names with a did-you-mean, non-handlers, dependencies', async () => {
    const load = async (tasks: TaskSpec[]) => (await run(tasks).catch((e: unknown) => e)) as SlothError;
    const unknown = await load([configTask('conf', true, { notify: ['restrat'] }), handler('restart')]);
    expect(unknown).toBeInstanceOf(SlothError);
    expect(unknown.code).toBe('load');
    expect(unknown.message).toContain(
      "task 'conf' notifies 'restrat', which is not a handler of workflow 'w' (did you mean 'restart'?)",
    );
    const plain = await load([configTask('conf', true, { notify: ['other'] }), configTask('other', false)]);
    expect(plain.message).toContain("notifies 'other', which is not a handler");
    const dep = await load([configTask('conf', true, { dependsOn: ['restart'] }), handler('restart')]);
    expect(dep.message).toContain("task 'conf' depends on handler 'restart'");
    const handlerDeps = await load([configTask('conf', true), handler('restart', { dependsOn: ['conf'] })]);
    expect(handlerDeps.message).toContain("handler 'restart' has depends_on");
  });
});

describe('task changes', () => {
  it('a task lists what it changed and emits resource.changed for each change, never the unchanged', async () => {
    const { byName, events } = await run([configTask('a', true), configTask('b', false)]);
    expect(byName.a).toMatchObject({ changed: true, changes: [{ module: 'file_ops', function: 'copy', target: '/etc/a' }] });
    expect(byName.b?.changed).toBe(false);
    expect(byName.b?.changes).toBeUndefined();
    const changed = events.filter((e) => e.type === 'resource.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ task: 'a', checkMode: false, change: { target: '/etc/a' } });
  });
});
