import { dirname } from 'node:path';
import { errorMessage, type LogLevel, type ModuleCallContext, type ModuleSpec, type RunServices } from '@sloth/core';
import type { EventRecord, HookRecord } from '@sloth/core/store';
import { createSandbox, displayPath, type LuaRuntime, LuaStopped, luaErrorText } from '@sloth/lua';
import { loadHookSource } from './hook-file.js';
import { EXECUTE_HOOK_LUA } from './hook-lua.js';

/** What one run of a hook for one event did. */
export interface HookRunResult {
  success: boolean;
  output: string | undefined;
  error: string | undefined;
  durationMs: number;
  startedAt: number;
  /** The run was abandoned because the processor is stopping (not the hook's fault: it is not recorded). */
  stopped: boolean;
}

export interface HookRunnerOptions {
  /** The modules hooks get as globals (every built-in module). */
  modules: ModuleSpec[];
  /** Services for hook code: the store (state, ...) and an event sink whose events come from `hook:<name>`. */
  services: (hook: HookRecord) => RunServices;
  /** Receives the log lines hooks write (log.info, print). */
  onLog?: ((hook: string, level: LogLevel, message: string) => void) | undefined;
}

interface Loaded {
  updatedAt: number;
  runtime: Promise<LuaRuntime>;
}

/**
 * Runs hooks: each hook gets its own Lua sandbox (loaded from its stored source once, reloaded when the hook changes),
 * and each execution runs in its own Lua thread, stopped at the hook's timeout even in a `while true do end`.
 */
export class HookRunner {
  private readonly loaded = new Map<string, Loaded>();

  constructor(private readonly options: HookRunnerOptions) {}

  /** Runs `hook.execute(event)` once; never throws: failures, errors and timeouts come back as a failed result. */
  async execute(hook: HookRecord, event: EventRecord, attempt: number, stop?: AbortSignal): Promise<HookRunResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    // One controller fired by the timeout or the stop signal: AbortSignal.timeout/any cost several times more per call.
    const controller = new AbortController();
    const signal = controller.signal;
    const timer = setTimeout(() => controller.abort(), hook.timeoutMs);
    const onStop = () => controller.abort();
    if (stop?.aborted) controller.abort();
    else stop?.addEventListener('abort', onStop, { once: true });
    const done = (r: Omit<HookRunResult, 'durationMs' | 'startedAt'>): HookRunResult => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      return { ...r, durationMs: performance.now() - t0, startedAt };
    };
    try {
      const ctx = this.moduleContext(hook, signal);
      const runtime = await this.runtimeOf(hook, ctx);
      const r = (await runtime.run(EXECUTE_HOOK_LUA, '=sloth:hook', [luaEvent(event, attempt)], {
        signal,
        moduleCtx: ctx,
      })) as { success: boolean; output?: string | null; error?: string | null } | undefined;
      if (signal.aborted) return this.abortedResult(hook, stop, done);
      return done({
        success: r?.success === true,
        output: r?.output ?? undefined,
        error: r?.success === true ? undefined : (r?.error ?? 'hook failed'),
        stopped: false,
      });
    } catch (err) {
      if (err instanceof LuaStopped || signal.aborted) return this.abortedResult(hook, stop, done);
      return done({ success: false, output: undefined, error: luaErrorText(errorMessage(err)), stopped: false });
    }
  }

  /** Closes every sandbox. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const l of all) await l.runtime.then((r) => r.close()).catch(() => {});
  }

  private abortedResult(
    hook: HookRecord,
    stop: AbortSignal | undefined,
    done: (r: Omit<HookRunResult, 'durationMs' | 'startedAt'>) => HookRunResult,
  ): HookRunResult {
    if (stop?.aborted)
      return done({ success: false, output: undefined, error: 'stopped: the processor is shutting down', stopped: true });
    return done({
      success: false,
      output: undefined,
      error: `timed out after ${formatMs(hook.timeoutMs)} (hook ${hook.name} in ${displayPath(hook.path)})`,
      stopped: false,
    });
  }

  /** The hook's sandbox, loading it on first use or when the hook was replaced since. */
  private runtimeOf(hook: HookRecord, ctx: ModuleCallContext): Promise<LuaRuntime> {
    const current = this.loaded.get(hook.name);
    if (current && current.updatedAt === hook.updatedAt) return current.runtime;
    if (current) void current.runtime.then((r) => r.close()).catch(() => {});
    const runtime = (async () => {
      const rt = await createSandbox({
        modules: this.options.modules,
        file: hook.path,
        fallbackCtx: () => ctx,
        runTaskRefusal: 'in a hook',
      });
      try {
        const d = await loadHookSource(rt, hook.source, hook.path, ctx);
        if (d.error !== undefined) throw new Error(d.error);
        if (d.execute_type !== 'function') throw new Error(`${displayPath(hook.path)}: the hook has no execute function`);
        return rt;
      } catch (err) {
        rt.close();
        throw err;
      }
    })();
    const entry = { updatedAt: hook.updatedAt, runtime };
    this.loaded.set(hook.name, entry);
    // A hook that fails to load is retried on its next event, not cached as broken forever.
    runtime.catch(() => {
      if (this.loaded.get(hook.name) === entry) this.loaded.delete(hook.name);
    });
    return runtime;
  }

  private moduleContext(hook: HookRecord, signal: AbortSignal): ModuleCallContext {
    const onLog = this.options.onLog;
    return {
      task: `hook:${hook.name}`,
      signal,
      log: { log: (level, message) => onLog?.(hook.name, level, message) },
      // Relative paths in a hook resolve next to the file it was added from, wherever the processor runs.
      workdir: dirname(hook.path),
      env: process.env as Record<string, string>,
      user: undefined,
      services: this.options.services(hook),
    };
  }
}

/** The event as hook.execute receives it (snake_case, as Lua code reads it). */
export function luaEvent(event: EventRecord, attempt: number): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    stack: event.stack,
    run_id: event.runId,
    data: event.data,
    created_at: new Date(event.createdAt).toISOString(),
    attempt,
  };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
