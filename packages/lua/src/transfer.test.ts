import { builtinModules } from '@sloth/builtin-modules';
import type { ModuleCallContext } from '@sloth/core';
import { testContext } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LuaRuntime } from './lua-runtime.js';
import { createSandbox } from './lua-sandbox.js';

// The goroutine codec (lua/transfer.lua) in two real sandboxes: values are encoded in one, cross JS as a string (as
// they do on the way to a worker thread), and are rebuilt and run in the other.
let sender: LuaRuntime;
let receiver: LuaRuntime;
let ctx: ModuleCallContext;

beforeAll(async () => {
  ctx = testContext().ctx;
  sender = await createSandbox({ modules: builtinModules, fallbackCtx: () => ctx });
  receiver = await createSandbox({ modules: builtinModules, fallbackCtx: () => ctx });
});
afterAll(() => {
  sender.close();
  receiver.close();
});

const state = () => ({ signal: undefined, moduleCtx: ctx });

/** Encodes `expr` (a Lua expression: the function, then arguments) in the sender. */
async function encode(source: string): Promise<string> {
  return (await sender.run(`${source}`, '@codec-test.lua', [], state())) as string;
}

/** Runs an encoded call in the receiver as a worker does: { ok, values } or { ok = false, error, traceback }. */
async function runJob(code: string): Promise<{ ok: boolean; values?: string; error?: string; traceback?: string }> {
  return (await receiver.run('return __sloth.transfer.run_job(...)', '=sloth:test', [code], state())) as never;
}

/** Decodes a job's results back in the sender and returns what `check` (Lua, given the values) returns. */
async function back(values: string, check: string): Promise<unknown> {
  return sender.run(`local v = __sloth.transfer.decode(..., _G); ${check}`, '=sloth:test', [values], state());
}

/** Encodes the call, runs it in the receiver, decodes the results in the sender and checks them there. */
async function roundTrip(call: string, check: string): Promise<unknown> {
  const r = await runJob(await encode(`return __sloth.transfer.encode_call(${call})`));
  expect(r.error).toBeUndefined();
  expect(r.ok).toBe(true);
  return back(r.values as string, check);
}

describe('the goroutine codec', () => {
  it('round-trips strings exactly: NUL bytes, newlines, quotes, UTF-8 and bytes that are not UTF-8', async () => {
    const ok = await roundTrip(
      `function(a, b, c) return a, b, c end, "a\\0b\\0", "line\\n\\r\\"q\\"\\\\", "😀 caf\\xC3\\xA9 \\xFF\\xFE\\x80"`,
      `return v.n == 3 and v[1] == "a\\0b\\0" and #v[1] == 4 and v[2] == "line\\n\\r\\"q\\"\\\\" and v[3] == "😀 caf\\xC3\\xA9 \\xFF\\xFE\\x80"`,
    );
    expect(ok).toBe(true);
  });

  it('round-trips numbers exactly: floats, integers at the limits, inf, nan, and keeps integer vs float', async () => {
    const ok = await roundTrip(
      'function(...) return ... end, 0.1, 1/3, -2.5e-300, math.maxinteger, math.mininteger, 3.0, 7, math.huge, -math.huge, 0/0',
      `return v[1] == 0.1 and v[2] == 1/3 and v[3] == -2.5e-300 and v[4] == math.maxinteger and v[5] == math.mininteger
        and math.type(v[6]) == 'float' and math.type(v[7]) == 'integer' and v[8] == math.huge and v[9] == -math.huge
        and v[10] ~= v[10] and v.n == 10`,
    );
    expect(ok).toBe(true);
  });

  it('keeps nils in the middle of arguments and results (n is carried)', async () => {
    const n = await roundTrip(
      'function(a, b, c) return a, b, c, nil end, 1, nil, 3',
      'return v.n * 10 + (v[2] == nil and 1 or 0)',
    );
    expect(n).toBe(41);
  });

  it('copies nested and cyclic tables, shared references stay shared', async () => {
    const ok = await roundTrip(
      `function(t) t.seen = (t.self == t) and (t.a.shared == t.b.shared); return t end,
       (function() local s = { 1, 2 } local t = { a = { shared = s }, b = { shared = s }, [1.5] = "float key", [true] = { deep = { deeper = { "x" } } } }
         t.self = t return t end)()`,
      `local t = v[1] return t.seen == true and t.self == t and t.a.shared == t.b.shared and t[1.5] == "float key"
        and t[true].deep.deeper[1] == "x" and #t.a.shared == 2`,
    );
    expect(ok).toBe(true);
  });

  it('sends recursive local functions and nested functions with their upvalues', async () => {
    const ok = await roundTrip(
      `(function()
         local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
         local base = 100
         local function add(x) return x + base end
         return function(n) return add(fib(n)), fib end
       end)(), 20`,
      'return v[1] == 6865 and type(v[2]) == "function" and v[2](10) == 55',
    );
    expect(ok).toBe(true);
  });

  it('re-binds module tables, module functions and standard library functions by name', async () => {
    const ok = await roundTrip(
      `(function()
         local j, encode, insert, fmt = json, json.encode, table.insert, string.format
         return function() local t = {} insert(t, fmt("%d", 42)) return j == json, encode({ 1 }), t[1] end
       end)()`,
      'return v[1] == true and v[2] == "[1]" and v[3] == "42"',
    );
    expect(ok).toBe(true);
  });

  it('gives each call a fresh global environment: globals it sets do not leak into the next call', async () => {
    const set = await runJob(await encode('return __sloth.transfer.encode_call(function() leaked = 1 return leaked end)'));
    expect(set.ok).toBe(true);
    const read = await runJob(await encode('return __sloth.transfer.encode_call(function() return leaked == nil end)'));
    expect(await back(read.values as string, 'return v[1]')).toBe(true);
  });

  it('refuses coroutines, userdata and C functions, naming the upvalue and the way to it', async () => {
    const refusal = (source: string) =>
      sender.run(
        `local ok, err = pcall(__sloth.transfer.encode_call, ${source}) return ok and 'encoded' or err`,
        '=sloth:test',
        [],
        state(),
      );
    expect(await refusal('(function() local co = coroutine.create(print) return function() return co end end)()')).toBe(
      "upvalue 'co' is a coroutine and cannot travel to a goroutine (only numbers, strings, booleans, tables, module tables and Lua functions can)",
    );
    expect(await refusal('(function() local out = io.stdout return function() return out end end)()')).toMatch(
      /^upvalue 'out' is userdata .* and cannot travel to a goroutine/,
    );
    expect(
      await refusal('(function() local cfg = { hosts = { coroutine.create(print) } } return function() return cfg end end)()'),
    ).toMatch(/^upvalue 'cfg' > field 'hosts' > \[1\] is a coroutine/);
    expect(
      await refusal(
        '(function() local co = coroutine.create(print) local function helper() return co end return function() return helper() end end)()',
      ),
    ).toMatch(/^upvalue 'helper' > upvalue 'co' is a coroutine/);
    expect(await refusal('function() end, coroutine.create(print)')).toMatch(/^argument #1 is a coroutine/);
    expect(await refusal('(function() local it = ("a b"):gmatch("%a") return function() return it end end)()')).toMatch(
      /^upvalue 'it' is a C function that is not part of a module or the standard library/,
    );
  });

  it('reports errors with the message and a traceback into the user file, and a hint for missing globals', async () => {
    const failed = await runJob(
      await encode(`return __sloth.transfer.encode_call(function()
        local function inner() error("boom") end
        inner()
      end)`),
    );
    expect(failed.ok).toBe(false);
    expect(failed.error).toBe('codec-test.lua:2: boom');
    expect(failed.traceback).toContain("codec-test.lua:2: in local 'inner'");
    expect(failed.traceback).toContain('codec-test.lua:3:');
    const global = await runJob(await encode('return __sloth.transfer.encode_call(function() return not_defined_here() end)'));
    expect(global.error).toContain("attempt to call a nil value (global 'not_defined_here')");
    expect(global.error).toContain('globals of the workflow file are not visible inside a goroutine');
  });

  it('refuses results that cannot travel back, naming the return value', async () => {
    const r = await runJob(await encode('return __sloth.transfer.encode_call(function() return 1, coroutine.create(print) end)'));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/return value #2 is a coroutine and cannot travel back from a goroutine/);
  });
});
