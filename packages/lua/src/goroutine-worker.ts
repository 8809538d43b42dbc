// A piscina worker thread for goroutines: one Lua sandbox with the run's modules, running many jobs at once (each in
// its own Lua thread, interleaved on this thread's event loop).
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import {
  type AssertionRecord,
  createModuleContext,
  errorMessage,
  type ForwardedTargetCall,
  isSlothErrorCode,
  type LogFields,
  type LogLevel,
  type ModuleCallContext,
  type ModuleSpec,
  MultipleReturns,
  type ResourceOutcome,
  type RunServices,
  SlothError,
} from '@sloth/core';
import { openStore, type Store, storeServices } from '@sloth/store-sqlite';
import type {
  GoroutineCancel,
  GoroutineJob,
  GoroutineLogLine,
  GoroutineReply,
  GoroutineStarted,
  GoroutineTargetAnswer,
  GoroutineTargetCall,
  GoroutineWorkerSetup,
} from './goroutine-messages.js';
import { type LuaRuntime, LuaStopped } from './lua-runtime.js';
import { createSandbox } from './lua-sandbox.js';

const setup = workerData as GoroutineWorkerSetup;
const running = new Map<number, AbortController>();
// A cancellation can overtake its job on the way here; remember a few so the job stops as soon as it arrives.
const cancelledEarly = new Map<number, string>();

// Calls with a target sent to the host, waiting for its answer: by job and call number.
const forwarded = new Map<string, { resolve: (value: unknown) => void; reject: (err: unknown) => void }>();
let nextCall = 1;

const channel = new BroadcastChannel(setup.channel);
channel.onmessage = (event) => {
  const message = (event as { data?: GoroutineCancel | GoroutineTargetAnswer }).data;
  if (message?.kind === 'goroutine.target.answer') return settleForwarded(message);
  if (message?.kind !== 'goroutine.cancel') return;
  const controller = running.get(message.job);
  if (controller) controller.abort({ kind: 'run', reason: message.reason });
  else {
    cancelledEarly.set(message.job, message.reason);
    if (cancelledEarly.size > 1000) cancelledEarly.delete(cancelledEarly.keys().next().value as number);
  }
};
channel.unref();

function settleForwarded(answer: GoroutineTargetAnswer): void {
  const key = `${answer.job}:${answer.call}`;
  const waiting = forwarded.get(key);
  if (!waiting) return;
  forwarded.delete(key);
  if (answer.ok) waiting.resolve(answer.values ? new MultipleReturns(answer.values) : answer.value);
  else {
    const e = answer.error ?? { message: 'the call failed' };
    waiting.reject(
      e.code && isSlothErrorCode(e.code) ? new SlothError(e.code, e.message, { hint: e.hint }) : new Error(e.message),
    );
  }
}

/** Sends a call with a target to the host and waits for its answer; stopping the goroutine stops the wait. */
function forwardTarget(job: number, signal: AbortSignal, call: ForwardedTargetCall): Promise<unknown> {
  const id = nextCall++;
  const key = `${job}:${id}`;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      forwarded.delete(key);
      reject(new SlothError('aborted', `${call.module}.${call.fn}: stopped with its goroutine (on ${call.target})`));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done =
      <T>(settle: (v: T) => void) =>
      (v: T) => {
        signal.removeEventListener('abort', onAbort);
        settle(v);
      };
    forwarded.set(key, { resolve: done(resolve), reject: done(reject) });
    try {
      parentPort?.postMessage({ kind: 'goroutine.target', job, call: id, ...call } satisfies GoroutineTargetCall);
    } catch (err) {
      forwarded.delete(key);
      signal.removeEventListener('abort', onAbort);
      reject(
        new SlothError(
          'invalid_argument',
          `${call.module}.${call.fn}: its arguments cannot be sent to ${call.target}: ${errorMessage(err)}`,
        ),
      );
    }
  });
}

const stores = new Map<string, Store>();
function storeFor(dataDir: string): Store {
  let store = stores.get(dataDir);
  if (!store) {
    store = openStore(dataDir);
    stores.set(dataDir, store);
  }
  return store;
}

let sandbox: Promise<LuaRuntime> | undefined;
function runtime(): Promise<LuaRuntime> {
  sandbox ??= (async () => {
    const modules = await Promise.all(setup.modules.flatMap((m) => (m.importFrom ? [importModule(m.name, m.importFrom)] : [])));
    const lua = await createSandbox({
      modules,
      file: setup.file,
      params: setup.params,
      values: setup.values,
      checkMode: setup.checkMode,
      fallbackCtx: () => idleContext,
      runTaskRefusal: 'inside a goroutine',
    });
    const missing = setup.modules.filter((m) => !m.importFrom).map((m) => m.name);
    if (missing.length > 0) {
      await lua.run(UNAVAILABLE_LUA, '=sloth:goroutine-modules', [missing.join(',')], {
        signal: undefined,
        moduleCtx: idleContext,
      });
    }
    return lua;
  })();
  return sandbox;
}

/** The module named `name` among the exports of the file at `url` (its ModuleSpec.importFrom). */
async function importModule(name: string, url: string): Promise<ModuleSpec> {
  const exports = (await import(url)) as Record<string, unknown>;
  const found = Object.values(exports).find(
    (v): v is ModuleSpec => typeof v === 'object' && v !== null && (v as ModuleSpec).name === name && 'functions' in v,
  );
  if (!found) throw new Error(`module '${name}': ${url} (its importFrom) exports no module named '${name}'`);
  return found;
}

// A module the threads cannot import: using it says why, instead of "attempt to index a nil value".
const UNAVAILABLE_LUA = `for name in (...):gmatch('[^,]+') do
  _G[name] = setmetatable({}, { __index = function(_, key)
    error("module '" .. name .. "' is not available inside a goroutine (" .. name .. '.' .. tostring(key) .. "): its definition gives no importFrom (add importFrom: import.meta.url to its defineModule, in the file that exports it)", 2)
  end })
end`;

const idleContext: ModuleCallContext = createModuleContext({ services: { insideGoroutine: true } });

// Booted as soon as the thread starts, so every thread of a pool is ready by the time goroutines reach it.
runtime().catch(() => {
  // the first job reports the error
});

function envOf(job: GoroutineJob): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...job.env.set };
  for (const name of job.env.unset) delete env[name];
  return env;
}

/** Runs one goroutine and answers with its encoded results or its error. */
export default async function runGoroutine(job: GoroutineJob): Promise<GoroutineReply> {
  const controller = new AbortController();
  running.set(job.id, controller);
  const early = cancelledEarly.get(job.id);
  if (early !== undefined) {
    cancelledEarly.delete(job.id);
    controller.abort({ kind: 'run', reason: early });
  }
  let lines = 0;
  const resources: ResourceOutcome[] = [];
  const assertions: AssertionRecord[] = [];
  const post = (level: LogLevel, message: string, fields?: LogFields, stream?: 'stdout' | 'stderr') => {
    const line: GoroutineLogLine = { kind: 'goroutine.log', job: job.id, level, message, fields, stream };
    try {
      parentPort?.postMessage(line);
    } catch {
      // fields that cannot be cloned (they came from Lua, so this is rare): keep the line, drop the fields
      parentPort?.postMessage({ ...line, fields: undefined });
    }
    lines += 1;
  };
  const dataDir = job.dataDir;
  // Assigned onto the store services, not spread: spreading would read their getters and open the store at once.
  const services: RunServices = Object.assign(dataDir === undefined ? {} : storeServices(() => storeFor(dataDir), dataDir), {
    insideGoroutine: true,
    stack: job.stack,
    forwardTarget: (call: ForwardedTargetCall) => forwardTarget(job.id, controller.signal, call),
  });
  const ctx = createModuleContext({
    task: job.task,
    signal: controller.signal,
    log: { log: post },
    workdir: job.workdir,
    sourceDir: job.sourceDir,
    sourceBundled: job.sourceBundled,
    env: envOf(job),
    user: job.user,
    services,
    checkMode: job.checkMode,
    reportResource: (outcome) => void resources.push(outcome),
    reportAssertion: (assertion) => void assertions.push(assertion),
  });
  try {
    const lua = await runtime();
    const slot = job.id % setup.stops.length;
    // Said only now: lua.run starts the Lua code before it awaits anything, so a goroutine the host knows as started has
    // begun, and one that had not when its thread was terminated (under another goroutine) can safely run again.
    parentPort?.postMessage({ kind: 'goroutine.started', job: job.id, thread: threadId } satisfies GoroutineStarted);
    const r = (await lua.run('return __sloth.transfer.run_job(...)', '=sloth:goroutine', [job.code], {
      signal: controller.signal,
      moduleCtx: ctx,
      stopRequested: () => {
        if (Atomics.load(setup.stops, slot) !== job.id) return false;
        controller.abort({ kind: 'run', reason: 'stopped: the task was cancelled' });
        return true;
      },
    })) as Omit<GoroutineReply, 'lines'>;
    return { ok: r.ok === true, values: r.values, error: r.error, traceback: r.traceback, lines, resources, assertions };
  } catch (err) {
    if (err instanceof LuaStopped) {
      return { ok: false, stopped: true, error: stopText(controller.signal.reason), lines, resources, assertions };
    }
    return { ok: false, error: errorMessage(err), lines, resources, assertions };
  } finally {
    running.delete(job.id);
    // Whatever the goroutine left behind (a held lock's renewal, a process) is told to stop, as at the end of a task.
    if (!controller.signal.aborted) controller.abort({ kind: 'run', reason: 'goroutine finished' });
  }
}

function stopText(reason: unknown): string {
  const r = reason as { reason?: unknown } | undefined;
  return typeof r?.reason === 'string' ? r.reason : 'stopped';
}
