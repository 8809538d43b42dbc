import { describe, expect, it } from 'vitest';
import { defineTask, defineWorkflow } from './define.js';
import type { SlothErrorCode } from './errors.js';
import type { RunEvent } from './run-events.js';
import type { TaskDelegator } from './run-services.js';
import { runWorkflow } from './workflow-runner.js';

/**
 * An in-process agent fleet behind the engine's delegation seam (the real one, over a master, is tested end to end
 * in apps/cli/test/delegation.test.ts): each agent answers from a script, and every call is recorded.
 */
function fleet(
  script: (agent: string, call: number) => { ok: boolean; output?: Record<string, unknown>; code?: SlothErrorCode },
) {
  const calls: string[] = [];
  const delegate: TaskDelegator = {
    runTasks: ({ agents, ctx, logFor }) =>
      agents.map(async (agent) => {
        calls.push(`${ctx.task}@${agent}#${ctx.attempt}`);
        logFor(agent).log('info', `hello from ${agent}`);
        const r = script(agent, calls.filter((c) => c.includes(`@${agent}#`)).length);
        return r.ok ? { success: true, output: r.output } : { success: false, message: `no luck on ${agent}`, errorCode: r.code };
      }),
  };
  return { delegate, calls };
}

describe('delegated tasks in the engine', () => {
  it('fans out to every agent, keys outputs by agent, and prefixes their log lines with the agent', async () => {
    const { delegate, calls } = fleet((agent) => ({ ok: true, output: { on: agent } }));
    const events: RunEvent[] = [];
    const seen: unknown[] = [];
    const wf = defineWorkflow({
      name: 'w',
      tasks: [
        { ...defineTask({ name: 'one', run: async () => {} }), delegateTo: ['a1'] },
        { ...defineTask({ name: 'many', run: async () => {} }), delegateTo: ['a1', 'a2', 'a1'] },
        defineTask({ name: 'local', dependsOn: ['one', 'many'], run: async (ctx) => void seen.push(ctx.deps) }),
      ],
    });
    const result = await runWorkflow(wf, { services: { delegate }, observer: (e) => void events.push(e) });
    expect(result.status).toBe('success');
    expect(calls.sort()).toEqual(['many@a1#1', 'many@a2#1', 'one@a1#1']);
    expect(seen).toEqual([{ one: { on: 'a1' }, many: { a1: { on: 'a1' }, a2: { on: 'a2' } } }]);
    expect(result.tasks[1]?.agents?.a2).toMatchObject({ status: 'success', output: { on: 'a2' } });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'task.log', task: 'many', agent: 'a2', message: 'hello from a2' }),
    );
  });

  it("keeps the agents' error code when they all failed alike: a wrong argument is not retried, mixed failures are", async () => {
    const task = { ...defineTask({ name: 't', retries: { count: 2, delay: 0 }, run: async () => {} }), delegateTo: ['a1', 'a2'] };
    const alike = fleet(() => ({ ok: false, code: 'invalid_argument' }));
    const once = await runWorkflow(defineWorkflow({ name: 'w', tasks: [task] }), { services: { delegate: alike.delegate } });
    expect(once.tasks[0]).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'invalid_argument' });
    expect(once.tasks[0]?.agents?.a2).toMatchObject({ status: 'failed', errorCode: 'invalid_argument' });
    expect(alike.calls).toEqual(['t@a1#1', 't@a2#1']);

    const mixed = fleet((agent) => ({ ok: false, code: agent === 'a1' ? 'invalid_argument' : undefined }));
    const retried = await runWorkflow(defineWorkflow({ name: 'w', tasks: [task] }), { services: { delegate: mixed.delegate } });
    expect(retried.tasks[0]).toMatchObject({ status: 'failed', attempts: 3, errorCode: 'task_failed' });
    expect(retried.tasks[0]?.agents?.a2?.errorCode).toBe('task_failed');
  });

  it('fails when one agent fails, and a retry runs again only on the agents that failed', async () => {
    const { delegate, calls } = fleet((agent, call) => ({ ok: agent !== 'a2' || call > 1, output: { call } }));
    const task = { ...defineTask({ name: 't', retries: { count: 1, delay: 0 }, run: async () => {} }), delegateTo: ['a1', 'a2'] };
    const retried = await runWorkflow(defineWorkflow({ name: 'w', tasks: [task] }), { services: { delegate } });
    expect(retried.tasks[0]).toMatchObject({ status: 'success', attempts: 2, output: { a1: { call: 1 }, a2: { call: 2 } } });
    expect(calls).toEqual(['t@a1#1', 't@a2#1', 't@a2#2']);

    const never = fleet((agent) => ({ ok: agent === 'a1' }));
    const failed = await runWorkflow(defineWorkflow({ name: 'w', tasks: [{ ...task, retry: { ...task.retry, retries: 0 } }] }), {
      services: { delegate: never.delegate },
    });
    expect(failed.tasks[0]).toMatchObject({ status: 'failed', error: 'failed on a2: no luck on a2' });
    expect(failed.tasks[0]?.agents?.a1?.status).toBe('success');
  });

  it('asks a chooser when the task starts, and says so when it chooses nobody or there is no master', async () => {
    const { delegate, calls } = fleet(() => ({ ok: true }));
    const chosen = {
      ...defineTask({ name: 'pick', run: async () => {} }),
      chooseAgents: async (ctx: { params: Readonly<Record<string, unknown>> }) => [String(ctx.params.target)],
    };
    const ok = await runWorkflow(defineWorkflow({ name: 'w', tasks: [chosen] }), {
      services: { delegate },
      params: { target: 'b7' },
    });
    expect(ok.status).toBe('success');
    expect(calls).toEqual(['pick@b7#1']);

    const nobody = await runWorkflow(defineWorkflow({ name: 'w', tasks: [{ ...chosen, chooseAgents: async () => [] }] }), {
      services: { delegate },
    });
    expect(nobody.tasks[0]?.error).toBe("the delegate_to function of task 'pick' chose no agent");

    const noMaster = await runWorkflow(defineWorkflow({ name: 'w', tasks: [{ ...chosen, delegateTo: ['a1'] }] }));
    expect(noMaster.tasks[0]?.error).toBe("task 'pick' is delegated to a1, but this run has no master to delegate to");
  });

  it('a replacing task swaps agents that went away at once, and failed ones on the retry, until none is left', async () => {
    // a1 goes away, a2 fails its first try, a3 succeeds: one agent wanted, chosen among a1..a3 in order.
    const { delegate, calls } = fleet((agent) =>
      agent === 'a1' ? { ok: false, code: 'unavailable' } : { ok: agent === 'a3', output: { on: agent } },
    );
    const asked: unknown[] = [];
    const pool = ['a1', 'a2', 'a3'];
    const task = {
      ...defineTask({ name: 't', retries: { count: 1, delay: 0 }, run: async () => {} }),
      replaceAgents: true,
      chooseAgents: async (_ctx: unknown, replace?: { count: number; exclude: string[] }) => {
        asked.push(replace);
        const left = pool.filter((a) => !replace?.exclude.includes(a));
        if (left.length === 0) throw new Error('cannot choose an agent: no active agent');
        return left.slice(0, replace?.count ?? 1);
      },
    };
    const events: RunEvent[] = [];
    const r = await runWorkflow(defineWorkflow({ name: 'w', tasks: [task] }), {
      services: { delegate },
      observer: (e) => void events.push(e),
    });
    expect(r.tasks[0]).toMatchObject({ status: 'success', attempts: 2, output: { on: 'a3' } });
    expect(calls).toEqual(['t@a1#1', 't@a2#1', 't@a3#2']);
    expect(asked).toEqual([undefined, { count: 1, exclude: ['a1'] }, { count: 1, exclude: ['a1', 'a2'] }]);
    const warned = events.flatMap((e) => (e.type === 'task.log' && e.level === 'warn' ? [e.message] : []));
    expect(warned).toContain('agent a1 went away (no luck on a1): task goes to a2 instead');
    expect(warned).toContain('agent a2 failed there (no luck on a2): task goes to a3 instead');

    // Nobody left to take over: the failure stands, and the log says why.
    const lost = fleet(() => ({ ok: false, code: 'unavailable' }));
    const events2: RunEvent[] = [];
    const none = await runWorkflow(defineWorkflow({ name: 'w', tasks: [{ ...task, retry: { ...task.retry, retries: 0 } }] }), {
      services: { delegate: lost.delegate },
      observer: (e) => void events2.push(e),
    });
    expect(none.tasks[0]).toMatchObject({ status: 'failed', errorCode: 'unavailable' });
    expect(lost.calls).toEqual(['t@a1#1', 't@a2#1', 't@a3#1']);
    expect(events2).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/^no other agent to take over from a3 \(went away\): cannot choose/),
      }),
    );
  });
});
