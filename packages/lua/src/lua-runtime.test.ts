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
