import { call, failure, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { dataModule } from './data-module.js';

const { ctx } = testContext();
const data = (name: string, ...args: unknown[]) => call(dataModule, name, args, ctx);

describe('data.deep_merge', () => {
  it('merges nested tables, replaces lists and scalars, and leaves its inputs alone', async () => {
    const a = { replicas: 1, image: { name: 'app', tag: 'old' }, hosts: ['a', 'b'] };
    const b = { image: { tag: 'new' }, hosts: ['c'] };
    expect(await data('deep_merge', a, b)).toEqual({ replicas: 1, image: { name: 'app', tag: 'new' }, hosts: ['c'] });
    expect(a.image.tag).toBe('old');
  });

  it('treats empty tables that arrive as lists, and nil, as {}', async () => {
    expect(await data('deep_merge', { a: { x: 1 } }, { a: [] })).toEqual({ a: { x: 1 } });
    expect(await data('deep_merge', [], { a: 1 })).toEqual({ a: 1 });
    expect(await data('deep_merge', { a: 1 }, [])).toEqual({ a: 1 });
    expect(await data('deep_merge', undefined, { a: 1 })).toEqual({ a: 1 });
    expect(await data('deep_merge', { a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('rejects non-tables', async () => {
    const err = await failure(data('deep_merge', { a: 1 }, 'b'));
    expect(err.message).toBe('data.deep_merge: argument #2 (b): expected table, got string');
    expect(err.hint).toBe('usage: data.deep_merge(a?, b?)');
  });
});

describe('data.get_path / set_path', () => {
  const values = { services: { web: { ports: [80, 443] } }, name: 'x' };

  it('reads nested values, indexing lists from 1', async () => {
    expect(await data('get_path', values, 'services.web.ports.2')).toBe(443);
    expect(await data('get_path', values, 'name')).toBe('x');
    expect(await data('get_path', values, 'services.db.host')).toBeUndefined();
    expect(await data('get_path', undefined, 'a')).toBeUndefined();
    expect(await data('get_path', [[1, 2]], 1)).toEqual([1, 2]);
  });

  it('returns a copy with the path set, creating tables on the way', async () => {
    const original = { image: { name: 'app' } };
    expect(await data('set_path', original, 'image.tag', '1.2')).toEqual({ image: { name: 'app', tag: '1.2' } });
    expect(await data('set_path', original, 'a.b.c', true)).toEqual({ image: { name: 'app' }, a: { b: { c: true } } });
    expect(await data('set_path', [], 'x', 1)).toEqual({ x: 1 });
    expect(original).toEqual({ image: { name: 'app' } });
  });

  it('sets through lists by position from 1, and refuses a name where a position is needed', async () => {
    const updated = (await data('set_path', values, 'services.web.ports.1', 8080)) as { services: { web: { ports: number[] } } };
    expect(updated.services.web.ports[0]).toBe(8080);
    expect(await data('set_path', [1, 2], '2', 0)).toEqual([1, 0]);
    const named = await failure(data('set_path', values, 'services.web.ports.first', 8080));
    expect(named.message).toBe(
      "data.set_path: cannot set 'services.web.ports.first': 'services.web.ports' is a list, so 'first' must be a position from 1",
    );
    expect((await failure(data('set_path', {}, '', 0))).message).toBe('data.set_path: the path is empty');
    expect((await failure(data('get_path', values, true))).message).toBe(
      'data.get_path: argument #2 (path): expected a dotted path string, got boolean',
    );
  });
});
