import { dirname } from 'node:path';
import {
  createModuleContext,
  errorMessage,
  type LogLevel,
  type ModuleCallContext,
  type ModuleSpec,
  maskSecrets,
  type RunServices,
  timedOutAfter,
} from '@sloth/core/internal';
import { createSandbox, displayPath, type LuaRuntime, LuaStopped, luaErrorText } from '@sloth/lua';
import type { ClaimedEvent, HookRecord } from '@sloth/store-sqlite';
import { loadHookSource } from './hook-file.js';
import { BATCH_HOOK_LUA, BATCH_PROGRESS_LUA, BATCH_REPORT_LUA, RUN_BATCH_LUA } from './hook-lua.js';
import { luaLiteral, NotALiteral } from './lua-literal.js';

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
  /** The modules hooks get as globals (the registry the run or the process was given). */
  modules: ModuleSpec[];
  /**
   * Services for hook code: the store (state, ...) and an event sink whose events come from `hook:<name>`, one level
   * deeper than the events being handled (`depth`).
   */
  services: (hook: HookRecord, depth: number) => RunServices;
  /** Receives the log lines hooks write (log.info, print). */
  onLog?: ((hook: string, level: LogLevel, message: string) => void) | undefined;
}

/** One event for executeBatch, with the attempt number the hook sees. */
export interface BatchItem {
  event: ClaimedEvent;
  attempt: number;
}

/** What __sloth_hook_batch returns (see BATCH_HOOK_LUA). */
type BatchReport = string | { s: string; texts: unknown };

interface Loaded {
  updatedAt: number;
  runtime: Promise<LuaRuntime>;
}

/**
 * Runs hooks: each hook gets its own Lua sandbox (loaded from its stored source once, reloaded when the hook changes).
 * A batch of events for one hook runs in one Lua thread, event after event; an event is stopped at the hook's timeout
 * even in a `while true do end`, and the rest of the batch goes on in a fresh thread.
 */
export class HookRunner {
  private readonly loaded = new Map<string, Loaded>();
  /** Keys of the batches running in Lua. */
  private batches = 0;

  constructor(private readonly options: HookRunnerOptions) {}

  /** Runs `hook.execute(event)` once; never throws: failures, errors and timeouts come back as a failed result. */
  async execute(hook: HookRecord, event: ClaimedEvent, attempt: number, stop?: AbortSignal): Promise<HookRunResult> {
    const [r] = await this.executeBatch(hook, [{ event, attempt }], stop);
    return r as HookRunResult;
  }

  /**
   * Runs `hook.execute(event)` for each item in turn, in as few Lua calls as possible, and returns one result per item
   * in order; never throws. Each event gets the hook's whole timeout: one that runs out fails that event only, and
   * the events after it run in a fresh Lua thread. When `stop` fires, the running event and those not reached yet
   * come back `stopped` (to be released, not recorded).
   */
  async executeBatch(hook: HookRecord, items: BatchItem[], stop?: AbortSignal): Promise<HookRunResult[]> {
    // Consecutive events of one depth run together: what the hook dispatches is one level deeper than the event it
    // handles, and the module context (with its event sink) is one per Lua call. Usually every event has depth 0.
    const results: HookRunResult[] = [];
    for (let from = 0; from < items.length; ) {
      const depth = (items[from] as BatchItem).event.depth;
      let to = from + 1;
      while (to < items.length && (items[to] as BatchItem).event.depth === depth) to += 1;
      results.push(...(await this.executeSameDepth(hook, items.slice(from, to), depth, stop)));
      from = to;
    }
    return results;
  }

  private async executeSameDepth(
    hook: HookRecord,
    items: BatchItem[],
    depth: number,
    stop: AbortSignal | undefined,
  ): Promise<HookRunResult[]> {
    const results: HookRunResult[] = [];
    // Each event as Lua literal text, made once: a segment after a timeout sends only the events it has left.
    const literals = literalsOf(items);
    while (results.length < items.length) {
      if (stop?.aborted) {
        const at = Date.now();
        while (results.length < items.length) results.push(stoppedResult(at, 0));
        break;
      }
      await this.runSegment(hook, items, literals, results, depth, stop);
    }
    return results;
  }

  /**
   * One Lua call over items[results.length..]: pushes a result per finished event, and for the event it ended on
   * (a timeout, a stop, an error outside the hook) a result saying so. Always adds at least one result.
   */
  private async runSegment(
    hook: HookRecord,
    items: BatchItem[],
    literals: string[],
    results: HookRunResult[],
    depth: number,
    stop: AbortSignal | undefined,
  ): Promise<void> {
    const from = results.length;
    const n = items.length - from;
    const key = ++this.batches;
    // One controller per segment, fired by the running event's timeout or the stop signal.
    const controller = new AbortController();
    const signal = controller.signal;
    const startedAt = Date.now();
    const t0 = performance.now();
    let runtime: LuaRuntime | undefined;
    // No timer per event: one for the segment, which asks Lua which event runs and since when when it fires, and
    // is set again for the time that event has left. The event seen running is also timed here, in case Lua's
    // clock is off: an event is stopped once either clock says its time is up, never before.
    let seen = { i: 1, since: t0 };
    let timer: NodeJS.Timeout | undefined;
    const check = async () => {
      timer = undefined;
      if (signal.aborted || !runtime) return;
      const p = (await runtime.run(BATCH_PROGRESS_LUA, '=sloth:hook', [key], { signal: undefined, moduleCtx: ctx })) as
        | { i: number; elapsed: number }
        | undefined;
      if (!p || signal.aborted) return;
      const now = performance.now();
      if (p.i !== seen.i) seen = { i: p.i, since: now };
      const left = hook.timeoutMs - Math.max(p.elapsed * 1000, now - seen.since);
      if (left <= 0) controller.abort();
      else timer = setTimeout(() => void check().catch(() => controller.abort()), left);
    };
    timer = setTimeout(() => void check().catch(() => controller.abort()), hook.timeoutMs);
    const onStop = () => controller.abort();
    if (stop?.aborted) controller.abort();
    else stop?.addEventListener('abort', onStop, { once: true });
    const ctx = this.moduleContext(hook, signal, depth);
    let report: BatchReport | undefined;
    let failure: Omit<HookRunResult, 'durationMs' | 'startedAt'> | undefined;
    try {
      runtime = await this.runtimeOf(hook, ctx);
      const events = `{${literals.slice(from).join(',')}}`;
      report = (await runtime.run(RUN_BATCH_LUA, '=sloth:hook', [key, events, n], { signal, moduleCtx: ctx })) as
        | BatchReport
        | undefined;
    } catch (err) {
      if (!(err instanceof LuaStopped || signal.aborted))
        failure = { success: false, output: undefined, error: luaErrorText(errorMessage(err)), stopped: false };
    } finally {
      if (timer) clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
    if (!report && runtime) {
      // Stopped mid-way: what finished before the event it stopped in is kept.
      report = (await runtime
        .run(BATCH_REPORT_LUA, '=sloth:hook', [key], { signal: undefined, moduleCtx: ctx })
        .catch(() => undefined)) as BatchReport | undefined;
    }
    if (report !== undefined && report !== null) {
      const [oks = '', starts = '', durations = ''] = (typeof report === 'string' ? report : report.s).split(';');
      const texts = typeof report === 'string' ? [] : listOf(report.texts);
      const text = new Map<number, string>();
      for (let k = 0; k + 1 < texts.length; k += 2) text.set(Number(texts[k]), String(texts[k + 1]));
      const startList = starts.split(',');
      const durationList = durations.split(',');
      for (let i = 0; i < oks.length && results.length < items.length; i++) {
        const success = oks[i] === '1';
        const t = text.get(i + 1);
        results.push({
          success,
          output: success ? t : undefined,
          error: success ? undefined : (t ?? 'hook failed'),
          // Microseconds since the batch started (see BATCH_HOOK_LUA).
          durationMs: Number(durationList[i]) / 1000,
          startedAt: startedAt + Math.round(Number(startList[i]) / 1000),
          stopped: false,
        });
      }
    }
    if (results.length >= items.length) return;
    if (report !== undefined && report !== null && !signal.aborted && !failure) {
      // Unforeseen (the batch returned without reporting every event): fail the next rather than loop forever.
      if (results.length === from) results.push({ ...this.failed('the hook did not run'), durationMs: 0, startedAt: Date.now() });
      return;
    }
    const last = results.at(-1);
    const since = last && results.length > from ? last.startedAt + last.durationMs : startedAt;
    results.push({
      ...(failure ?? this.abortedResult(hook, stop)),
      durationMs: Date.now() - since,
      startedAt: Math.round(since),
    });
  }

  private failed(error: string): Omit<HookRunResult, 'durationMs' | 'startedAt'> {
    return { success: false, output: undefined, error, stopped: false };
  }

  /**
   * Loads the hook's sandbox now rather than for its first events (the Lua engine and modules take a while to load,
   * during which a long-running processor would fall behind). Never throws: a hook that fails to load fails its events.
   */
  async preload(hook: HookRecord): Promise<void> {
    await this.runtimeOf(hook, this.moduleContext(hook, new AbortController().signal, 0)).catch(() => {});
  }

  /** Closes every sandbox. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const l of all) await l.runtime.then((r) => r.close()).catch(() => {});
  }

  private abortedResult(hook: HookRecord, stop: AbortSignal | undefined): Omit<HookRunResult, 'durationMs' | 'startedAt'> {
    if (stop?.aborted)
      return { success: false, output: undefined, error: 'stopped: the processor is shutting down', stopped: true };
    return {
      success: false,
      output: undefined,
      error: `${timedOutAfter(hook.timeoutMs)} (hook ${hook.name} in ${displayPath(hook.path)})`,
      stopped: false,
    };
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
        await rt.run(BATCH_HOOK_LUA, '=sloth:hook-batch', [], { signal: undefined, moduleCtx: ctx });
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

  private moduleContext(hook: HookRecord, signal: AbortSignal, depth: number): ModuleCallContext {
    const onLog = this.options.onLog;
    return createModuleContext({
      task: `hook:${hook.name}`,
      signal,
      // Hooks' log lines leave through here (stderr of `workflow run` and `events serve`): secrets masked.
      log: { log: (level, message) => onLog?.(hook.name, level, maskSecrets(message)) },
      // Relative paths in a hook resolve next to the file it was added from, wherever the processor runs.
      workdir: dirname(hook.path),
      services: this.options.services(hook, depth),
    });
  }
}

/**
 * The event table a hook receives, as Lua literal text: { id, type, source, stack, run_id, data, created_at, attempt }
 * (stack and run_id nil when the event has none). Written field by field: this runs for every event processed.
 */
export function eventLiteral(event: ClaimedEvent, attempt: number): string {
  let out = `{id=${luaLiteral(event.id)},type=${luaLiteral(event.type)},source=${luaLiteral(event.source)},`;
  if (event.stack !== undefined) out += `stack=${luaLiteral(event.stack)},`;
  if (event.runId !== undefined) out += `run_id=${luaLiteral(event.runId)},`;
  return `${out}data=${luaLiteral(event.data, 1)},created_at="${isoTime(event.createdAt)}",attempt=${attempt}}`;
}

let lastTime = Number.NaN;
let lastIso = '';
/** ISO 8601 text of a time, remembering the last one: events of a burst share their millisecond. */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastIso = new Date(ms).toISOString();
    lastTime = ms;
  }
  return lastIso;
}

/**
 * Each event as Lua literal text. Data nested too deep for Lua's parser becomes the reason (a Lua string) instead:
 * that event fails without running the hook (wasmoon's own conversion crashes on such data, so there is no fallback).
 */
function literalsOf(items: BatchItem[]): string[] {
  return items.map((it) => {
    try {
      return eventLiteral(it.event, it.attempt);
    } catch (err) {
      if (!(err instanceof NotALiteral)) throw err;
      return luaLiteral(`event ${it.event.id}: its data is ${err.message}, too deep for a hook to receive (send flatter data)`);
    }
  });
}

/** A Lua list as it arrives: an array, or (empty, or after wasmoon's conversion) an object with numeric keys. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value)
    .map(Number)
    .sort((a, b) => a - b)
    .map((k) => (value as Record<number, unknown>)[k]);
}

function stoppedResult(startedAt: number, durationMs: number): HookRunResult {
  return {
    success: false,
    output: undefined,
    error: 'stopped: the processor is shutting down',
    stopped: true,
    durationMs,
    startedAt,
  };
}
