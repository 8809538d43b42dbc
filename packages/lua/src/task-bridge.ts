import {
  type AgentReplacement,
  NO_RETRY,
  retryPolicy,
  SlothError,
  shellBody,
  shellPredicate,
  type TaskBody,
  type TaskContext,
  type TaskHook,
  type TaskPredicate,
  type TaskSpec,
  type WorkflowSpec,
} from '@sloth/core/internal';
import { callPlainFunction, callTaskFunction, type LuaFnKind, moduleContextOf } from './lua-caller.js';
import type { LuaRuntime } from './lua-runtime.js';
import type { LuaFnOrShell, LuaTaskSpec, LuaWorkflowSpec } from './lua-specs.js';
import { asList } from './lua-values.js';

/** Turns a task declared in Lua into the engine's TaskSpec; its functions run back in the Lua runtime. */
export function toTaskSpec(runtime: LuaRuntime, t: LuaTaskSpec, defaults: { retryStrategy?: string } = {}): TaskSpec {
  const hook = (id: number | undefined, kind: LuaFnKind): TaskHook | undefined =>
    id === undefined ? undefined : async (ctx, payload) => void (await callTaskFunction(runtime, kind, id, ctx, payload));
  const predicate = (v: LuaFnOrShell | undefined): TaskPredicate | undefined => {
    if (!v) return undefined;
    if (v.shell !== undefined) return shellPredicate(v.shell);
    const id = v.fn as number;
    return async (ctx) => (await callTaskFunction(runtime, 'condition', id, ctx)) === true;
  };
  let body: TaskBody;
  if (t.command?.shell !== undefined) body = shellBody(t.command.shell);
  else if (t.command?.fn !== undefined) {
    const id = t.command.fn;
    body = async (ctx) => (await callTaskFunction(runtime, 'body', id, ctx)) as Awaited<ReturnType<TaskBody>>;
  } else {
    throw new SlothError('load', `task '${t.name}' has no command`, {
      location: t.location,
      hint: 'give it :command(function() ... end) or a shell string like :command("make all")',
    });
  }
  return {
    name: t.name,
    description: t.description,
    body,
    dependsOn: asList<string>(t.depends_on),
    timeoutMs: t.timeout_ms,
    retry: t.retries
      ? retryPolicy(
          t.retries.count,
          t.retries.strategy ?? defaults.retryStrategy ?? 'exponential',
          t.retries.delay_ms ?? NO_RETRY.baseDelayMs,
        )
      : NO_RETRY,
    runIf: predicate(t.run_if),
    abortIf: predicate(t.abort_if),
    onSuccess: hook(t.on_success, 'on_success'),
    onFailure: hook(t.on_failure, 'on_failure'),
    onTimeout: hook(t.on_timeout, 'on_timeout'),
    preHook: hook(t.pre_hook, 'pre_hook'),
    postHook: hook(t.post_hook, 'post_hook'),
    workdir: t.workdir,
    env: t.env,
    user: t.user,
    tags: asList<string>(t.tags),
    artifacts: asList<string>(t.artifacts),
    consumes: asList<string>(t.consumes),
    delegateTo: t.delegate_to?.agents ? asList<string>(t.delegate_to.agents) : undefined,
    chooseAgents: t.delegate_to?.fn !== undefined ? agentChooser(runtime, t.delegate_to.fn, t) : undefined,
    replaceAgents: t.delegate_to?.replaceable === true,
    location: t.location,
    handler: t.handler === true,
    notify: t.notify ? asList<string>(t.notify) : undefined,
  };
}

/** The engine's WorkflowSpec for a workflow declared in Lua. */
export function toWorkflowSpec(
  runtime: LuaRuntime,
  w: LuaWorkflowSpec,
  tasks: Map<string, LuaTaskSpec>,
  hooks: { onStart?: WorkflowSpec['onStart']; onComplete?: WorkflowSpec['onComplete'] },
): WorkflowSpec {
  const { timeout_ms, max_parallel_tasks, fail_fast, ...extra } = w.config ?? {};
  const retryStrategy = typeof extra.retry_policy === 'string' ? extra.retry_policy : undefined;
  const specs = asList<string>(w.tasks).map((name) => {
    const t = tasks.get(name);
    if (!t) {
      throw new SlothError('load', `workflow '${w.name}' lists task '${name}', which is not declared`, {
        location: w.location,
        hint: `declare it with task("${name}") before the workflow, or fix the name`,
      });
    }
    const withDelegate = t.delegate_to === undefined && w.delegate_to !== undefined ? { ...t, delegate_to: w.delegate_to } : t;
    return toTaskSpec(runtime, withDelegate, { ...(retryStrategy ? { retryStrategy } : {}) });
  });
  return {
    name: w.name,
    description: w.description,
    version: w.version,
    metadata: w.metadata,
    tasks: specs,
    config: { timeoutMs: timeout_ms, maxParallelTasks: max_parallel_tasks, failFast: fail_fast ?? true, extra },
    onStart: hooks.onStart,
    onComplete: hooks.onComplete,
    location: w.location,
  };
}

/**
 * A `delegate_to` function, called when the task starts with (params, deps) and, to replace agents, a third argument
 * { count, exclude }: it returns an agent name or a list.
 */
function agentChooser(
  runtime: LuaRuntime,
  fnId: number,
  t: LuaTaskSpec,
): (ctx: TaskContext, replace?: AgentReplacement) => Promise<string[]> {
  return async (ctx, replace) => {
    const args = replace ? [ctx.params, ctx.deps, replace] : [ctx.params, ctx.deps];
    const chosen = await callPlainFunction(runtime, fnId, args, moduleContextOf(ctx));
    const list = typeof chosen === 'string' ? [chosen] : Array.isArray(chosen) ? chosen : asList<unknown>(chosen);
    if (list.length === 0 || !list.every((a): a is string => typeof a === 'string' && a !== '')) {
      throw new SlothError(
        'task_failed',
        `the delegate_to function of task '${t.name}' returned ${JSON.stringify(chosen) ?? 'nil'}: expected an agent name or a list of names`,
        { location: t.location },
      );
    }
    return list;
  };
}
