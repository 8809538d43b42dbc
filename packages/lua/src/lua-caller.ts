import {
  createModuleContext,
  isSlothErrorCode,
  type ModuleCallContext,
  SlothError,
  type TaskContext,
  type TaskOutcome,
} from '@sloth/core';
import type { LuaRuntime } from './lua-runtime.js';
import { fromLua } from './lua-values.js';

export type LuaFnKind = 'body' | 'condition' | 'on_success' | 'on_failure' | 'on_timeout' | 'pre_hook' | 'post_hook';

interface CallResult {
  ok: boolean;
  error?: string;
  traceback?: string;
  /** Set when the error is one a module function raised: its code and hint. */
  code?: string;
  hint?: string;
  /** `file:line` in the user's file where the error was raised. */
  location?: string;
  value?: unknown;
  result?: { success: boolean; message?: string; output?: Record<string, unknown> };
}

/** The module context of code running for a task. */
export function moduleContextOf(ctx: TaskContext): ModuleCallContext {
  const moduleCtx = createModuleContext({
    task: ctx.task,
    signal: ctx.signal,
    log: ctx.log,
    workdir: ctx.workdir,
    sourceDir: ctx.sourceDir,
    sourceBundled: ctx.sourceBundled,
    env: ctx.env,
    user: ctx.user,
    services: ctx.services,
    checkMode: ctx.checkMode,
    reportResource: ctx.reportResource,
    reportAssertion: ctx.reportAssertion,
  });
  if (ctx.hostFor) moduleCtx.host = ctx.hostFor(moduleCtx);
  return moduleCtx;
}

/** Calls a task's Lua function (body, condition or hook) in its own thread, bound to the task's context. */
export async function callTaskFunction(
  runtime: LuaRuntime,
  kind: LuaFnKind,
  fnId: number,
  ctx: TaskContext,
  payload?: { output?: unknown; error?: unknown },
): Promise<unknown> {
  const data = {
    name: ctx.task,
    run_id: ctx.runId,
    attempt: ctx.attempt,
    workdir: ctx.workdir,
    workdir_is_own: ctx.workdirIsOwn,
    agent: ctx.agent,
    check_mode: ctx.checkMode,
  };
  const r = (await runtime.run(
    'return __sloth.call(...)',
    '=sloth:call',
    [fnId, kind, data, ctx.params, ctx.deps, payload ?? {}],
    {
      signal: ctx.signal,
      moduleCtx: moduleContextOf(ctx),
    },
  )) as CallResult;
  if (!r.ok) throw luaFailure(r);
  if (kind === 'condition') return r.value === true;
  if (kind === 'body') {
    const result = r.result ?? { success: true };
    const outcome: TaskOutcome = { success: result.success };
    if (result.message !== undefined) outcome.message = result.message;
    if (result.output !== undefined) outcome.output = fromLua(result.output) as Record<string, unknown>;
    return outcome;
  }
  return undefined;
}

/** Calls a plain Lua function by id (workflow on_start/on_complete, delegate_to chooser). */
export async function callPlainFunction(
  runtime: LuaRuntime,
  fnId: number,
  args: unknown[],
  moduleCtx: ModuleCallContext,
): Promise<unknown> {
  const r = (await runtime.run('return __sloth.call_plain(...)', '=sloth:call', [fnId, ...args], {
    signal: moduleCtx.signal,
    moduleCtx,
  })) as CallResult;
  if (!r.ok) throw luaFailure(r);
  return fromLua(r.value);
}

/** The error of a failed call: a module's code and hint kept, task_failed for the task's own `error(...)`. */
function luaFailure(r: CallResult): SlothError {
  const message = r.error ?? 'Lua error';
  return new SlothError(isSlothErrorCode(r.code) ? r.code : 'task_failed', r.traceback ? `${message}\n${r.traceback}` : message, {
    ...(typeof r.hint === 'string' ? { hint: r.hint } : {}),
    ...(typeof r.location === 'string' ? { location: r.location } : {}),
  });
}
