import { describe, expect, it } from 'vitest';
import { getPath, parseAssignment, setPath, splitPath } from './object-path.js';

describe('splitPath', () => {
  it('splits on dots and drops empty parts', () => {
    expect(splitPath('a.b.1.c')).toEqual(['a', 'b', '1', 'c']);
    expect(splitPath('.a..b.')).toEqual(['a', 'b']);
    expect(splitPath('')).toEqual([]);
  });
});

describe('getPath', () => {
  const values = { app: { name: 'web', ports: [80, 443], hosts: [{ name: 'h1' }, { name: 'h2' }] }, flag: false };

  it('reads nested keys', () => {
    expect(getPath(values, 'app.name')).toBe('web');
    expect(getPath(values, 'flag')).toBe(false);
  });

  it('indexes arrays from 1, as Lua does', () => {
    expect(getPath(values, 'app.ports.1')).toBe(80);
    expect(getPath(values, 'app.ports.2')).toBe(443);
    expect(getPath(values, 'app.hosts.2.name')).toBe('h2');
    expect(getPath(values, 'app.ports.0')).toBeUndefined();
    expect(getPath(values, 'app.ports.3')).toBeUndefined();
  });

  it('returns undefined for missing keys or when walking through a scalar', () => {
    expect(getPath(values, 'app.missing')).toBeUndefined();
    expect(getPath(values, 'app.missing.deeper')).toBeUndefined();
    expect(getPath(values, 'app.name.length')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
  });

  it('returns the value itself for an empty path', () => {
    expect(getPath(values, '')).toBe(values);
  });
});

describe('setPath', () => {
  it('sets a nested key, creating tables on the way', () => {
    expect(setPath({}, 'a.b.c', 1)).toEqual({ a: { b: { c: 1 } } });
  });

  it('keeps siblings and does not mutate the input', () => {
    const input = { a: { b: 1, keep: 'x' }, other: [1, 2] };
    const out = setPath(input, 'a.b', 2);
    expect(out).toEqual({ a: { b: 2, keep: 'x' }, other: [1, 2] });
    expect(input).toEqual({ a: { b: 1, keep: 'x' }, other: [1, 2] });
    expect((out as Record<string, unknown>).a).not.toBe(input.a);
  });

  it('replaces a scalar in the way with a table', () => {
    expect(setPath({ a: 'scalar' }, 'a.b', true)).toEqual({ a: { b: true } });
  });

  it('starts from an empty table when the input is not a table (nil, a string)', () => {
    expect(setPath(undefined, 'x', 1)).toEqual({ x: 1 });
    expect(setPath('text', 'x', 1)).toEqual({ x: 1 });
  });
});

describe('parseAssignment', () => {
  it('splits key and value at the first =', () => {
    expect(parseAssignment('app.name=web')).toEqual(['app.name', 'web']);
    expect(parseAssignment('url=http://x?a=b')).toEqual(['url', 'http://x?a=b']);
  });

  it('types numbers, booleans and null', () => {
    expect(parseAssignment('replicas=3')).toEqual(['replicas', 3]);
    expect(parseAssignment('ratio=-0.5')).toEqual(['ratio', -0.5]);
    expect(parseAssignment('debug=true')).toEqual(['debug', true]);
    expect(parseAssignment('debug=false')).toEqual(['debug', false]);
    expect(parseAssignment('image=null')).toEqual(['image', null]);
  });

  it('keeps everything else as a string', () => {
    expect(parseAssignment('tag=v1.2')).toEqual(['tag', 'v1.2']);
    expect(parseAssignment('empty=')).toEqual(['empty', '']);
    expect(parseAssignment('word=True')).toEqual(['word', 'True']);
    expect(parseAssignment('v=1.2.3')).toEqual(['v', '1.2.3']);
    expect(parseAssignment('n=1e3')).toEqual(['n', '1e3']);
  });

  it('rejects text without a key', () => {
    expect(() => parseAssignment('novalue')).toThrow('expected key=value, got "novalue"');
    expect(() => parseAssignment('=3')).toThrow('expected key=value, got "=3"');
  });

  it('composes with setPath like --set a.b=c', () => {
    const [key, value] = parseAssignment('db.port=5433');
    expect(setPath({ db: { host: 'h', port: 5432 } }, key, value)).toEqual({ db: { host: 'h', port: 5433 } });
  });
});

describe('setPath through lists', () => {
  it('indexes lists from 1 and copies instead of mutating', () => {
    const input = { hosts: [{ name: 'a' }, { name: 'b' }] };
    expect(setPath(input, 'hosts.2.name', 'z')).toEqual({ hosts: [{ name: 'a' }, { name: 'z' }] });
    expect(input.hosts[1]?.name).toBe('b');
    expect(setPath([1, 2, 3], '3', 9)).toEqual([1, 2, 9]);
  });

  it('refuses a name where a list needs a position', () => {
    expect(() => setPath({ hosts: ['a'] }, 'hosts.web', 1)).toThrow(
      "cannot set 'hosts.web': 'hosts' is a list, so 'web' must be a position from 1",
    );
    expect(() => setPath(['a'], '0', 1)).toThrow('the table is a list');
  });
});
