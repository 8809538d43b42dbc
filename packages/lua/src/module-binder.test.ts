import { arg, defineModule, fn, type ModuleCallContext, returnsMany, SlothError, z } from '@sloth/core';
import { testContext } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LuaRuntime } from './lua-runtime.js';
import { createSandbox } from './lua-sandbox.js';

// Module calls cross from Lua to JS through our own C function (native-calls.ts), not wasmoon's wrapper: values must
// arrive and come back exactly as Lua holds them, and failures must stay Lua errors at the caller's line.
const seen: unknown[][] = [];
const probe = defineModule({
  name: 'probe',
  doc: 'test module',
  functions: {
    echo: fn({
      doc: 'returns its arguments',
      args: [arg('a', z.unknown()), arg('b', z.unknown()), arg('c', z.unknown()), arg('d', z.unknown())],
      returns: 'its arguments',
      run: (args) => {
        seen.push([...args]);
        return returnsMany(...args);
      },
    }),
    many: fn({
      doc: 'n values',
      args: [arg('n', z.number())],
      returns: '1..n',
      run: ([n]) => returnsMany(...Array.from({ length: n }, (_, i) => i + 1)),
    }),
    nothing: fn({ doc: 'no value', args: [], returns: 'nothing', run: () => undefined }),
    later: fn({
      doc: 'resolves after a turn',
      args: [arg('v', z.string())],
      returns: 'v',
      run: async ([v]) => {
        await new Promise((r) => setImmediate(r));
        if (v === 'fail') throw new SlothError('invalid_argument', 'probe.later: asked to fail', { hint: 'do not' });
        return returnsMany(v, v.length);
      },
    }),
    boom: fn({
      doc: 'throws a plain error',
      args: [],
      returns: 'never',
      run: () => {
        throw new Error('plain failure');
      },
    }),
    wrapped: fn({
      doc: 'a function written in Lua whose internal fails, not as a tail call',
      args: [],
      returns: 'never',
      lua: 'function() local r = M._fails() return r end',
      run: () => undefined,
    }),
  },
  internals: {
    _fails: fn({
      doc: 'fails',
      args: [],
      returns: 'never',
      run: () => {
        throw new SlothError('task_failed', 'probe.wrapped: the internal failed');
      },
    }),
  },
});

let runtime: LuaRuntime;
let ctx: ModuleCallContext;

beforeAll(async () => {
  ctx = testContext().ctx;
  runtime = await createSandbox({ modules: [probe], fallbackCtx: () => ctx });
});
afterAll(() => runtime.close());

const lua = (source: string) => runtime.run(source, '@binder-test.lua', [], { signal: undefined, moduleCtx: ctx });

describe('module calls from Lua', () => {
  it('passes strings both ways byte for byte: UTF-8, embedded NULs, long and very long strings', async () => {
    seen.length = 0;
    const out = await lua(`
      local long = string.rep("é0123456789", 1000)
      local huge = string.rep("ab\\0", 40000)
      local a, b, c, d = probe.echo("héllo ✓", "a\\0b", long, huge)
      return { a == "héllo ✓", b == "a\\0b", #b, c == long, d == huge, probe.echo("") == "" }
    `);
    expect(out).toEqual([true, true, 3, true, true, true]);
    expect(seen[0]?.[0]).toBe('héllo ✓');
    expect(seen[0]?.[1]).toBe('a\u0000b');
    expect(String(seen[0]?.[2]).length).toBe(11_000);
  });

  it('keeps integers integers and floats floats, and nil arguments in their places', async () => {
    seen.length = 0;
    const out = await lua(`
      local a, b, c, d = probe.echo(42, 2.5, nil, 2^60 // 1)
      return { math.type(a), math.type(b), c == nil, math.type(d), d == 2^60 // 1, tostring(a), tostring(b) }
    `);
    expect(out).toEqual(['integer', 'float', true, 'integer', true, '42', '2.5']);
    expect(seen[0]).toEqual([42, 2.5, undefined, 2 ** 60]);
  });

  it('converts tables and booleans as before, and returns nothing when the function returns nothing', async () => {
    const out = await lua(`
      local t, f, x = probe.echo({ 1, 2, { k = "v" } }, false, true)
      return { t[3].k, #t, f, x, select("#", probe.nothing()) }
    `);
    expect(out).toEqual(['v', 3, false, true, 0]);
  });

  it('returns many values (more than the 20 stack slots a C function starts with)', async () => {
    const out = await lua('local r = table.pack(probe.many(100)) return { r.n, r[1], r[100] }');
    expect(out).toEqual([100, 1, 100]);
  });

  it('awaits async functions and raises their failures at the caller line with the hint', async () => {
    expect(await lua('local v, n = probe.later("abc") return { v, n }')).toEqual(['abc', 3]);
    await expect(lua('local x = 1\nprobe.later("fail")')).rejects.toThrow(
      'binder-test.lua:2: probe.later: asked to fail (do not)',
    );
  });

  it('raises argument errors and plain JS errors at the caller line', async () => {
    await expect(lua('\n\nprobe.many("x")')).rejects.toThrow(
      'binder-test.lua:3: probe.many: argument #1 (n): expected number, got string',
    );
    await expect(lua('probe.boom()')).rejects.toThrow('binder-test.lua:1: plain failure');
    // Raised inside a module's own Lua source: the user's line is named, not the module's chunk.
    await expect(lua('\nprobe.wrapped()')).rejects.toThrow('binder-test.lua:2: probe.wrapped: the internal failed');
  });
});
