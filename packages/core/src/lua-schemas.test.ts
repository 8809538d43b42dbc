import { describe, expect, it } from 'vitest';
import { durationField, luaList, luaTable } from './lua-schemas.js';
import { arg, fn, parseArgs, z } from './module-sdk.js';

describe('luaTable', () => {
  const fields = luaTable(z.record(z.string(), z.number()));
  it('takes an empty table (which arrives as an empty list) as {}', () => {
    expect(fields.parse([])).toEqual({});
    expect(fields.parse({ a: 1 })).toEqual({ a: 1 });
  });

  it('refuses a list with its message, and other values with the inner schema', () => {
    const spec = fn({
      doc: 'x',
      returns: 'nothing',
      args: [arg('opts', luaTable(z.object({ a: z.number() }), 'no lists'))],
      run: () => {},
    });
    expect(() => parseArgs('m', 'f', spec, [[1, 2]])).toThrow('m.f: argument #1 (opts): no lists');
    expect(() => parseArgs('m', 'f', spec, ['x'])).toThrow('m.f: argument #1 (opts): expected table, got string');
    expect(fields.safeParse([1]).error?.issues[0]?.message).toBe('expected a table of key = value pairs, got a list');
  });
});

describe('luaList', () => {
  it('takes an empty table that arrives as {} as []', () => {
    const names = luaList(z.array(z.string()));
    expect(names.parse({})).toEqual([]);
    expect(names.parse(['a'])).toEqual(['a']);
    expect(names.safeParse({ a: 1 }).success).toBe(false);
  });
});

describe('durationField', () => {
  it('parses "30s", "1h30m" and seconds into milliseconds, and says what it takes', () => {
    expect([durationField.parse('30s'), durationField.parse('1h30m'), durationField.parse(5), durationField.parse(0.25)]).toEqual(
      [30_000, 5_400_000, 5_000, 250],
    );
    expect(durationField.safeParse('soon').error?.issues[0]?.message).toBe(
      'invalid duration "soon" (use a number of seconds or units like "300ms", "30s", "5m", "1h30m")',
    );
    expect(durationField.safeParse(true).error?.issues[0]?.message).toBe(
      'expected a duration like "30s" or a number of seconds, got boolean',
    );
  });
});
