import { describe, expect, it } from 'vitest';
import { luaLiteral, MAX_LITERAL_DEPTH, NotALiteral } from './lua-literal.js';

describe('luaLiteral', () => {
  it('writes strings quoted, with escapes that a following digit cannot change', () => {
    expect(luaLiteral('plain')).toBe('"plain"');
    expect(luaLiteral('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(luaLiteral('\u00011')).toBe('"\\0011"');
  });

  it('writes numbers as Lua reads them back, and drops null from tables', () => {
    expect(luaLiteral(3)).toBe('3');
    expect(luaLiteral(0.1)).toBe('0.1');
    expect(luaLiteral(1e21)).toBe('1e+21');
    expect(luaLiteral({ a: 1, b: null, c: [true, null] })).toBe('{["a"]=1,["c"]={true,nil,},}');
  });

  it(`refuses nesting deeper than ${MAX_LITERAL_DEPTH} levels`, () => {
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_LITERAL_DEPTH; i++) deep = [deep];
    expect(() => luaLiteral(deep)).toThrow(NotALiteral);
  });
});
