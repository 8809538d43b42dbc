import { testContext } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuaRuntime } from './lua-runtime.js';

// Small chunks are compiled once and kept (lua-runtime.ts): a kept chunk must behave exactly as a fresh one.
let runtime: LuaRuntime;
const state = () => ({ signal: undefined, moduleCtx: testContext().ctx });

beforeAll(async () => {
  runtime = await LuaRuntime.create();
});

afterAll(() => runtime.close());

describe('LuaRuntime.run', () => {
  it('runs a chunk again with its own locals and arguments each time, sharing only globals', async () => {
    const chunk = 'local n = 0; local a = ...; n = n + a; counter = (counter or 0) + 1; return n .. "/" .. counter';
    expect(await runtime.run(chunk, '=t', [5], state())).toBe('5/1');
    expect(await runtime.run(chunk, '=t', [7], state())).toBe('7/2');
  });

  it('runs the same chunk in threads that are suspended at once', async () => {
    // A bare yield hands the thread back to run(), which resumes it after a turn of the event loop.
    const chunk = 'local a = ...; coroutine.yield(); local b = a * 10; coroutine.yield(); return b + a';
    const results = await Promise.all([1, 2, 3].map((a) => runtime.run(chunk, '=t', [a], state())));
    expect(results).toEqual([11, 22, 33]);
  });

  it('passes strings byte for byte: any UTF-8, zero bytes (once cut short), long ones', async () => {
    const hex = "local s = ... return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end))";
    for (const text of ['x'.repeat(300), `é€😀\0tail${'ü'.repeat(400)}`, `${'a'.repeat(255)}é`, 'short é\0']) {
      expect(await runtime.run(hex, '=hex', [text], state())).toBe(Buffer.from(text, 'utf8').toString('hex'));
    }
  });

  it('reports a syntax error with its chunk name every time', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(runtime.run('return )', '=broken', [], state())).rejects.toThrow(/broken:1:/);
    }
  });

  it('keeps chunk names apart: the same text under another name reports that name', async () => {
    const chunk = 'error("x")';
    await expect(runtime.run(chunk, '=first', [], state())).rejects.toThrow(/first:1:/);
    await expect(runtime.run(chunk, '=second', [], state())).rejects.toThrow(/second:1:/);
  });

  it('still runs chunks past the number it keeps, and long ones', async () => {
    for (let i = 0; i < 100; i++) expect(await runtime.run(`return ${i}`, '=many', [], state())).toBe(i);
    const long = `local s = 0\n${'s = s + 1\n'.repeat(300)}return s`;
    expect(await runtime.run(long, '=long', [], state())).toBe(300);
    expect(await runtime.run(long, '=long', [], state())).toBe(300);
  });
});

describe('LuaRuntime.run arguments: JS values as Lua tables', () => {
  // Describes a value from inside Lua: types, integer or float, sequence length, sorted keys.
  const DESCRIBE = `local function d(v, depth)
  if type(v) ~= 'table' then
    if type(v) == 'string' then return 'string:' .. v:gsub('%z', '<0>') end
    return type(v) == 'number' and (math.type(v) .. ':' .. tostring(v)) or (type(v) .. ':' .. tostring(v))
  end
  if depth > 3 then return 'table' end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. '=' .. d(v[k] == nil and v[tonumber(k)] or v[k], depth + 1) end
  return '{' .. table.concat(parts, ',') .. '}#' .. #v
end
return d(..., 0)`;
  const describe_ = (v: unknown) => runtime.run(DESCRIBE, '=describe', [v], state());

  it('converts arrays, objects, integers, floats, booleans and strings with zero bytes; a nil entry is left out', async () => {
    expect(
      await describe_({ list: [1, 2.5, 'a\0b', true], nested: { deep: { n: -3 } }, gone: undefined, hole: [1, undefined, 3] }),
    ).toBe(
      '{hole={1=integer:1,3=integer:3}#' +
        '3,list={1=integer:1,2=float:2.5,3=string:a<0>b,4=boolean:true}#4,nested={deep={n=integer:-3}#0}#0}#0',
    );
  });

  it('keeps one table for an object reached twice, and a cycle, as before (the generic conversion)', async () => {
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const same = 'local t = ... return tostring(t.a == t.b) .. " " .. tostring(t.c.self == t.c) .. " " .. t.a.x';
    expect(await runtime.run(same, '=same', [{ a: shared, b: shared, c: cyclic }], state())).toBe('true true 1');
  });

  it('converts a table nested 150 levels deep, and refuses one past 200 with a clear error', async () => {
    const nest = (levels: number) => {
      let deep: Record<string, unknown> = { leaf: 'bottom' };
      for (let i = 0; i < levels; i++) deep = { next: deep };
      return deep;
    };
    const walk = 'local t = ... local n = 0 while t.next do t = t.next n = n + 1 end return n .. " " .. t.leaf';
    expect(await runtime.run(walk, '=walk', [nest(150)], state())).toBe('150 bottom');
    await expect(runtime.run(walk, '=walk', [nest(250)], state())).rejects.toThrow(
      'a table nested more than 200 levels deep cannot enter Lua',
    );
    // The engine is still whole.
    expect(await runtime.run(walk, '=walk', [nest(3)], state())).toBe('3 bottom');
  });
});
