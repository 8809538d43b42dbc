import type { ModuleCallContext } from '@sloth/core';
import { type LuaEngine, LuaFactory, LuaReturn, LuaType } from 'wasmoon';
import { boundTableConversion } from './bounded-tables.js';
import { toLua } from './lua-values.js';
import { NativeCalls, NativeFunctions } from './native-calls.js';

const LUA_REGISTRYINDEX = -1001000;
const COUNT_MASK = 8;
/** Instructions between hook calls: often enough to stop a loop promptly, rare enough to cost little. */
const HOOK_EVERY = 10_000;
/** A running Lua thread gives the event loop a turn at least this often (timers, SIGINT, other tasks). */
const SLICE_MS = 20;
/**
 * Chunks up to this length are compiled once and kept: the glue chunks run for every task body and hook batch
 * (`return __sloth.call_plain(...)`), and compiling even one line in wasmoon costs several times the call itself.
 */
const CACHED_CHUNK_CHARS = 1024;
/** A bound on kept chunks, should a caller build chunk text on the fly. */
const CACHED_CHUNKS = 64;
/** Strings from this length (and any with a zero byte) are pushed by pushLongString. */
const LONG_STRING_CHARS = 256;
const utf8 = new TextEncoder();

/** The parts of wasmoon's Emscripten module pushLongString uses (its own typings do not list them). */
interface HeapModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _lua_pushlstring(state: number, pointer: number, length: number): number;
}

/** One Lua thread the runtime is driving, and what stops it. */
export interface LuaThreadState {
  address: number;
  signal: AbortSignal | undefined;
  moduleCtx: ModuleCallContext;
  lastYield: number;
  /**
   * Asked by the count hook, for a stop that cannot wait for the event loop (a goroutine's thread may never yield to
   * it); true means stop as if the signal fired (it aborts the signal).
   */
  stopRequested?: (() => boolean) | undefined;
  /** `file:line` in the user's code where the count hook last yielded or found the signal fired. */
  stoppedAt?: string | undefined;
}

let factory: LuaFactory | undefined;
type LuaThread = ReturnType<LuaEngine['global']['newThread']>;

/** Thrown when a Lua thread is abandoned because its signal fired. */
export class LuaStopped extends Error {
  constructor(
    readonly reason: unknown,
    /** `file:line` in the user's file where the thread was when it stopped, when known. */
    readonly location?: string,
  ) {
    super('Lua thread stopped');
  }
}

/**
 * A Lua state whose threads run cooperatively: each call runs in its own Lua thread that can await
 * JS promises, yields to the event loop every few milliseconds, and is abandoned when its signal fires
 * (a count hook makes even a tight `while true do end` loop stop).
 */
export class LuaRuntime {
  /** The thread whose Lua code is executing right now (JS is single-threaded, so there is one). */
  current: LuaThreadState | undefined;
  private readonly native: NativeCalls;
  /** Registry references of compiled chunks, by chunk name and text. */
  private readonly compiled = new Map<string, number>();

  private constructor(
    readonly engine: LuaEngine,
    private readonly hook: number,
  ) {
    this.native = new NativeCalls(engine);
  }

  static async create(): Promise<LuaRuntime> {
    factory ??= new LuaFactory(undefined, process.env);
    const engine = await factory.createEngine({ enableProxy: false, injectObjects: false, openStandardLibs: true });
    boundTableConversion(engine);
    const g = engine.global;
    const lua = g.lua;
    let runtime: LuaRuntime | undefined;
    const hook = lua.module.addFunction((L: number) => {
      const st = runtime?.current;
      if (!st) return;
      const own = L === st.address && lua.lua_isyieldable(L) !== 0;
      if (st.signal?.aborted || st.stopRequested?.() === true) {
        st.stoppedAt = userPosition(lua, L);
        if (own) {
          lua.lua_yieldk(L, 0, 0, null);
          return;
        }
        // Not yieldable here (inside a C call or a user coroutine): raise, so the code unwinds to a point that is.
        g.stateToThread(L).pushValue('task stopped (timeout or cancellation)');
        lua.lua_error(L);
        return;
      }
      const now = Date.now();
      if (own && now - st.lastYield >= SLICE_MS) {
        st.lastYield = now;
        // Where it was when it yielded: where it stays if its signal fires before it runs again.
        st.stoppedAt = userPosition(lua, L);
        lua.lua_yieldk(L, 0, 0, null);
      }
    }, 'vii');
    // Threads created later inherit the main thread's hook.
    lua.lua_sethook(g.address, hook, COUNT_MASK, HOOK_EVERY);
    runtime = new LuaRuntime(engine, hook);
    return runtime;
  }

  /**
   * Loads `chunk` as a function and calls it with `args` in a fresh thread; resolves with its first result.
   * A NativeFunctions argument arrives as a table of Lua functions.
   */
  async run(
    chunk: string,
    chunkName: string,
    args: unknown[],
    state: Omit<LuaThreadState, 'address' | 'lastYield'>,
  ): Promise<unknown> {
    const g = this.engine.global;
    const lua = g.lua;
    const thread = g.newThread();
    // newThread leaves the thread on the main stack; a registry reference keeps it alive instead.
    const ref = lua.luaL_ref(g.address, LUA_REGISTRYINDEX);
    const st: LuaThreadState = { ...state, address: thread.address, lastYield: Date.now() };
    try {
      this.pushChunk(thread, chunk, chunkName);
      for (const a of args) {
        if (a instanceof NativeFunctions) this.native.pushTable(thread, a);
        // wasmoon passes strings as C strings: one with a zero byte would arrive cut short.
        else if (typeof a === 'string' && (a.length >= LONG_STRING_CHARS || a.includes('\0'))) this.pushLongString(thread, a);
        else this.native.push(thread.address, toLua(a));
      }
      let r = this.resume(thread, st, args.length);
      while (r.result === LuaReturn.Yield) {
        if (st.signal?.aborted) throw new LuaStopped(st.signal.reason, st.stoppedAt);
        let nargs = 0;
        if (r.resultCount > 0) {
          st.stoppedAt = undefined; // waiting in a module call, not at a line of its own
          const awaited = thread.getValue(-1);
          thread.pop(r.resultCount);
          const pending = this.native.takePending(awaited);
          if (pending) {
            const values = await outcome(pending, st.signal);
            if (st.signal?.aborted || !values) throw new LuaStopped(st.signal?.reason, st.stoppedAt);
            nargs = this.native.pushResults(thread.address, values);
          } else if (awaited && typeof (awaited as Promise<unknown>).then === 'function')
            // A wasmoon promise (`:await()` in the prelude): its continuation reads the outcome itself.
            await outcome(awaited as Promise<unknown>, st.signal);
          else await turn();
        } else {
          await turn();
        }
        if (st.signal?.aborted) throw new LuaStopped(st.signal.reason, st.stoppedAt);
        r = this.resume(thread, st, nargs);
      }
      if (r.result !== LuaReturn.Ok) {
        if (lua.lua_type(thread.address, -1) === LuaType.String) throw new Error(luaErrorText(thread.indexToString(-1)));
        throw new Error(this.errorText(thread, st) ?? luaErrorText(thread.indexToString(-1)));
      }
      return r.resultCount > 0 ? thread.getValue(-1) : undefined;
    } finally {
      lua.luaL_unref(g.address, LUA_REGISTRYINDEX, ref);
    }
  }

  /**
   * Pushes a long string: encoded by TextEncoder straight into the Lua heap. wasmoon's pushValue encodes it with a
   * JavaScript loop and then decodes Lua's copy back into a JavaScript string it drops (work paid per event of a
   * hook batch).
   */
  private pushLongString(thread: LuaThread, text: string): void {
    const module = this.engine.global.lua.module as unknown as HeapModule;
    const capacity = text.length * 3;
    const at = module._malloc(capacity);
    if (at === 0) throw new Error(`out of Lua memory for a string of ${text.length} characters`);
    try {
      const { written } = utf8.encodeInto(text, module.HEAPU8.subarray(at, at + capacity));
      module._lua_pushlstring(thread.address, at, written);
    } finally {
      module._free(at);
    }
  }

  /** Pushes `chunk` compiled as a function onto `thread`: from the cache when it was compiled before. */
  private pushChunk(thread: LuaThread, chunk: string, chunkName: string): void {
    const lua = this.engine.global.lua;
    const key = chunk.length <= CACHED_CHUNK_CHARS ? `${chunkName}\n${chunk}` : undefined;
    const ref = key === undefined ? undefined : this.compiled.get(key);
    if (ref !== undefined) {
      lua.lua_rawgeti(thread.address, LUA_REGISTRYINDEX, BigInt(ref));
      return;
    }
    thread.loadString(chunk, chunkName);
    if (key === undefined || this.compiled.size >= CACHED_CHUNKS) return;
    lua.lua_pushvalue(thread.address, -1);
    this.compiled.set(key, lua.luaL_ref(thread.address, LUA_REGISTRYINDEX));
  }

  /**
   * The text of a non-string error that ended `thread` (`error({ code = 1 })` would read `table: 0x...`): the
   * prelude describes the value and finds the file:line that raised it from the thread's stack, which Lua keeps
   * after an error. Undefined when it cannot tell.
   */
  private errorText(thread: LuaThread, st: LuaThreadState): string | undefined {
    const g = this.engine.global;
    const lua = g.lua;
    const helper = g.newThread();
    const ref = lua.luaL_ref(g.address, LUA_REGISTRYINDEX);
    try {
      this.pushChunk(
        helper,
        'local co, e = ...; local f = __sloth and __sloth.thread_error_text; if f then return f(co, e) end',
        '=sloth:error',
      );
      lua.lua_pushthread(thread.address);
      lua.lua_pushvalue(thread.address, -2);
      lua.lua_xmove(thread.address, helper.address, 2);
      const r = this.resume(helper, { ...st, signal: undefined, address: helper.address }, 2);
      if (r.result !== LuaReturn.Ok || r.resultCount === 0) return undefined;
      const text = helper.getValue(-1);
      return typeof text === 'string' ? luaErrorText(text) : undefined;
    } finally {
      lua.luaL_unref(g.address, LUA_REGISTRYINDEX, ref);
    }
  }

  private resume(thread: LuaThread, st: LuaThreadState, nargs: number) {
    const previous = this.current;
    this.current = st;
    try {
      return thread.resume(nargs);
    } finally {
      this.current = previous;
    }
  }

  close(): void {
    this.native.close();
    this.engine.global.lua.module.removeFunction(this.hook);
    this.engine.global.close();
  }
}

/** `file:line` of the Lua code running on `L` (from inside the count hook), unless it is one of our own chunks. */
function userPosition(lua: LuaEngine['global']['lua'], L: number): string | undefined {
  lua.luaL_where(L, 0);
  const where = lua.lua_tolstring(L, -1, null);
  lua.lua_settop(L, -2);
  const position = where.replace(/:\s*$/, '');
  return position === '' || position.startsWith('sloth:') ? undefined : position;
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The results a pending module call settled with, as Lua gets them (a rejection as the binder's failure shape), or
 * undefined when the signal fired first.
 */
function outcome(p: PromiseLike<unknown>, signal: AbortSignal | undefined): Promise<readonly unknown[] | undefined> {
  const settled = Promise.resolve(p).then(
    (v) => (Array.isArray(v) ? v : [v]),
    (err) => [false, `internal error in a module call: ${(err as Error)?.message ?? String(err)}`, 'internal'],
  );
  if (!signal) return settled;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    settled.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}

/** The message of a Lua error without wasmoon's appended C-level traceback. */
export function luaErrorText(text: string): string {
  const cut = text.indexOf('\nstack traceback:');
  return cut === -1 ? text : text.slice(0, cut);
}
