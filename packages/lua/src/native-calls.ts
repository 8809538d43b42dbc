import { SlothError } from '@sloth/core';
import type { LuaEngine, LuaThread } from 'wasmoon';
import { MAX_TABLE_DEPTH } from './bounded-tables.js';

/**
 * A JS function Lua calls through NativeCalls. It gets the Lua arguments (nil as null; tables, functions and userdata
 * converted by wasmoon as usual) and returns the Lua results, or a promise of them that Lua awaits (see
 * NativeCalls.takePending). It must not throw: a throw is reported to Lua as `false, message[, code, hint]`, the
 * binder's failure shape.
 */
export type NativeFunction = (args: unknown[]) => unknown[] | PromiseLike<unknown>;

/** A table of NativeFunctions to hand to Lua as one argument of LuaRuntime.run (a table of C functions). */
export class NativeFunctions {
  constructor(readonly functions: Record<string, NativeFunction>) {}
}

/** The raw Lua C API exports of the wasm module (wasmoon's wrappers around them convert through ccall). */
interface RawLua {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _lua_gettop(L: number): number;
  _lua_type(L: number, index: number): number;
  _lua_tolstring(L: number, index: number, len: number): number;
  _lua_tonumberx(L: number, index: number, isnum: number): number;
  _lua_toboolean(L: number, index: number): number;
  _lua_checkstack(L: number, n: number): number;
  _lua_pushnil(L: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushlstring(L: number, s: number, len: number): number;
  _lua_pushcclosure(L: number, fn: number, upvalues: number): void;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_rawset(L: number, index: number): void;
  _lua_rawseti(L: number, index: number, n: bigint): void;
}

const LUA_REGISTRYINDEX = -1001000;
const FIRST_UPVALUE = LUA_REGISTRYINDEX - 1;
const T_NIL = 0;
const T_BOOLEAN = 1;
const T_NUMBER = 3;
const T_STRING = 4;
/** Strings up to this many bytes are decoded by hand: cheaper than a TextDecoder call for keys and names. */
const SHORT_STRING = 32;
const INT64_LIMIT = 2 ** 63;
/** The scratch buffer for pushed strings grows up to this; longer strings get a buffer of their own. */
const MAX_SCRATCH = 64 * 1024;

/**
 * Calls from Lua into JS through one C function of our own instead of wasmoon's generic function wrapper, which
 * converts every argument and result through ccall (a string copy and a name lookup per Lua API call) and builds a
 * thread object per call, which cost more than the rest of a state.set (bench/RESULTS.md). Strings, numbers, booleans
 * and nil are read and pushed with the raw C API; everything else still goes through wasmoon, so values convert
 * exactly as before.
 */
export class NativeCalls {
  private readonly raw: RawLua;
  private readonly functions: NativeFunction[] = [];
  private readonly trampoline: number;
  /** Scratch word for lua_tolstring's length. */
  private readonly lengthSlot: number;
  /** Scratch buffer for the UTF-8 bytes of a string being pushed. */
  private scratch: number;
  private scratchSize = 256;
  private readonly decoder = new TextDecoder();
  /** Promises calls returned, by the id Lua got in their place, until the runtime takes them. */
  private readonly pending = new Map<number, PromiseLike<unknown>>();
  private nextPending = 1;

  constructor(private readonly engine: LuaEngine) {
    this.raw = engine.global.lua.module as unknown as RawLua;
    this.lengthSlot = this.raw._malloc(8);
    this.scratch = this.raw._malloc(this.scratchSize);
    this.trampoline = engine.global.lua.module.addFunction((L: number) => this.call(L), 'ii');
  }

  /** Pushes a table of Lua functions (one per entry) on `thread`'s stack. */
  pushTable(thread: LuaThread, table: NativeFunctions): void {
    const raw = this.raw;
    const L = thread.address;
    const entries = Object.entries(table.functions);
    raw._lua_createtable(L, 0, entries.length);
    for (const [name, fn] of entries) {
      this.functions.push(fn);
      raw._lua_pushnumber(L, this.functions.length - 1);
      raw._lua_pushcclosure(L, this.trampoline, 1);
      thread.lua.lua_setfield(L, -2, name);
    }
  }

  close(): void {
    this.engine.global.lua.module.removeFunction(this.trampoline);
    this.raw._free(this.lengthSlot);
    this.raw._free(this.scratch);
    this.functions.length = 0;
    this.pending.clear();
  }

  /**
   * The promise of a call that returned one. Lua gets an integer id in its place and yields it (the prelude's
   * settle), so the runtime awaits it and resumes the thread with its results. That costs a map entry, where
   * wasmoon's promise userdata and `:await()` build a wasm function (a compiled module) per await.
   */
  takePending(id: unknown): PromiseLike<unknown> | undefined {
    if (typeof id !== 'number') return undefined;
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  /** Pushes the results a pending call settled with on `L`'s stack: the values Lua resumes with. */
  pushResults(L: number, values: readonly unknown[]): number {
    if (values.length > 16 && this.raw._lua_checkstack(L, values.length) === 0) {
      values = [false, `a module call returned ${values.length} values, more than Lua can take`];
    }
    for (const v of values) this.push(L, v);
    return values.length;
  }

  /** The C function behind every NativeFunction: its upvalue is the index of the JS function. */
  private call(L: number): number {
    const raw = this.raw;
    let results: unknown[] | PromiseLike<unknown>;
    try {
      const fn = this.functions[raw._lua_tonumberx(L, FIRST_UPVALUE, 0)] as NativeFunction;
      const n = raw._lua_gettop(L);
      const args = new Array<unknown>(n);
      for (let i = 1; i <= n; i++) args[i - 1] = this.read(L, i);
      results = fn(args);
    } catch (err) {
      // A SlothError is about the arguments (a table too deep to convert); anything else is ours.
      results =
        err instanceof SlothError
          ? [false, `${err.message}${err.hint ? ` (${err.hint})` : ''}`, err.code, err.hint]
          : [false, `internal error in a module call: ${(err as Error)?.message ?? String(err)}`, 'internal'];
    }
    try {
      if (!Array.isArray(results)) {
        const id = this.nextPending++;
        this.pending.set(id, results);
        raw._lua_pushinteger(L, BigInt(id));
        return 1;
      }
      return this.pushResults(L, results);
    } catch (err) {
      // Throwing into wasm would unwind through Lua's C frames; say what went wrong instead.
      raw._lua_pushboolean(L, 0);
      this.pushString(L, `internal error returning from a module call: ${(err as Error)?.message ?? String(err)}`);
      return 2;
    }
  }

  private read(L: number, i: number): unknown {
    const raw = this.raw;
    switch (raw._lua_type(L, i)) {
      case T_NIL:
        return null;
      case T_BOOLEAN:
        return raw._lua_toboolean(L, i) !== 0;
      case T_NUMBER:
        return raw._lua_tonumberx(L, i, 0);
      case T_STRING: {
        const p = raw._lua_tolstring(L, i, this.lengthSlot);
        return this.decode(p, raw.HEAPU32[this.lengthSlot >> 2] as number);
      }
      default:
        return this.engine.global.stateToThread(L).getValue(i);
    }
  }

  private decode(p: number, len: number): string {
    // HEAPU8 is replaced when the wasm memory grows: read it at every use.
    const heap = this.raw.HEAPU8;
    if (len <= SHORT_STRING) {
      let s = '';
      for (let i = p; i < p + len; i++) {
        const c = heap[i] as number;
        if (c >= 0x80) return this.decoder.decode(heap.subarray(p, p + len));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.decoder.decode(heap.subarray(p, p + len));
  }

  /** Pushes a JS value on `L`'s stack: run arguments (a task's params and deps) and module results alike. */
  push(L: number, v: unknown): void {
    const raw = this.raw;
    switch (typeof v) {
      case 'undefined':
        raw._lua_pushnil(L);
        return;
      case 'boolean':
        raw._lua_pushboolean(L, v ? 1 : 0);
        return;
      case 'number':
        // Integers stay Lua integers (math.type, "1" not "1.0"), as wasmoon pushes them; past 64 bits they cannot.
        if (Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT) raw._lua_pushinteger(L, BigInt(v));
        else raw._lua_pushnumber(L, v);
        return;
      case 'string':
        this.pushString(L, v);
        return;
      default:
        if (v === null) raw._lua_pushnil(L);
        else if (isPlainTree(v, new Set(), 0)) this.pushPlain(L, v);
        else this.engine.global.stateToThread(L).pushValue(v);
    }
  }

  /**
   * Pushes a tree of arrays, plain objects and primitives (what toLua makes) with the raw C API: a table per object,
   * an array as a sequence from 1, a nil entry left out. wasmoon's conversion does the same through a generic path that
   * asks every type extension about every value, which made a task's `deps` (every ancestor's outputs) cost more than
   * the rest of a task in long chains.
   */
  private pushPlain(L: number, v: unknown): void {
    const raw = this.raw;
    if (typeof v !== 'object' || v === null) {
      this.push(L, v);
      return;
    }
    // A table, its key and its value at each level.
    if (raw._lua_checkstack(L, 3) === 0) throw new Error('out of Lua stack for a nested table');
    if (Array.isArray(v)) {
      raw._lua_createtable(L, v.length, 0);
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        if (item === undefined || item === null) continue;
        this.pushPlain(L, item);
        raw._lua_rawseti(L, -2, BigInt(i + 1));
      }
      return;
    }
    const keys = Object.keys(v);
    raw._lua_createtable(L, 0, keys.length);
    for (const key of keys) {
      const item = (v as Record<string, unknown>)[key];
      if (item === undefined || item === null) continue;
      this.pushString(L, key);
      this.pushPlain(L, item);
      raw._lua_rawset(L, -3);
    }
  }

  private pushString(L: number, s: string): void {
    const m = this.engine.global.lua.module;
    const len = m.lengthBytesUTF8(s);
    if (len + 1 > this.scratchSize && len + 1 <= MAX_SCRATCH) {
      this.raw._free(this.scratch);
      this.scratchSize = Math.min(MAX_SCRATCH, Math.max(len + 1, this.scratchSize * 2));
      this.scratch = this.raw._malloc(this.scratchSize);
    }
    // A string too big for the scratch buffer gets a buffer of its own, freed at once, so the heap does not keep it.
    const buffer = len + 1 <= this.scratchSize ? this.scratch : this.raw._malloc(len + 1);
    try {
      m.stringToUTF8(s, buffer, len + 1);
      // The explicit length keeps embedded NULs; Lua copies the bytes, so the buffer is free again at once.
      this.raw._lua_pushlstring(L, buffer, len);
    } finally {
      if (buffer !== this.scratch) this.raw._free(buffer);
    }
  }
}

/**
 * Whether `v` is a tree of arrays, plain objects and primitives: no object reached twice (a cycle, or one object in two
 * places, which wasmoon's conversion keeps as one table), nothing else (a function, a promise, a class instance).
 * Deeper than MAX_TABLE_DEPTH it is refused: wasmoon's conversion would overrun the Lua stack and break the engine.
 */
function isPlainTree(v: unknown, seen: Set<object>, depth: number): boolean {
  if (typeof v !== 'object' || v === null) {
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v == null;
  }
  if (depth >= MAX_TABLE_DEPTH) {
    throw new SlothError('invalid_argument', `a table nested more than ${MAX_TABLE_DEPTH} levels deep cannot enter Lua`, {
      hint: 'flatten it, or pass it as a string (json.encode)',
    });
  }
  if (seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) return v.every((item) => isPlainTree(item, seen, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(v)) if (!isPlainTree((v as Record<string, unknown>)[key], seen, depth + 1)) return false;
  return true;
}
