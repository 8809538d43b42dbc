import { describe, expect, it } from 'vitest';
import { deepMerge, isPlainObject } from './deep-merge.js';

describe('isPlainObject', () => {
  it('is true only for non-null, non-array objects', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(undefined)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
    expect(isPlainObject(3)).toBe(false);
  });
});

describe('deepMerge', () => {
  it('merges nested tables key by key', () => {
    const base = { app: { name: 'web', replicas: 1, image: { repo: 'r', tag: 'v1' } }, region: 'eu' };
    const over = { app: { replicas: 3, image: { tag: 'v2' } }, debug: true };
    expect(deepMerge(base, over)).toEqual({
      app: { name: 'web', replicas: 3, image: { repo: 'r', tag: 'v2' } },
      region: 'eu',
      debug: true,
    });
  });

  it('replaces arrays instead of merging them', () => {
    expect(deepMerge({ hosts: ['a', 'b', 'c'] }, { hosts: ['z'] })).toEqual({ hosts: ['z'] });
  });

  it('lets a scalar replace a table and a table replace a scalar', () => {
    expect(deepMerge({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
    expect(deepMerge({ a: 5 }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('keeps base values when over is undefined, but lets null replace', () => {
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(deepMerge({ a: 1, b: 2 }, { a: undefined })).toEqual({ a: 1, b: 2 });
    expect(deepMerge({ a: 1 }, { a: null })).toEqual({ a: null });
  });

  it('does not mutate its inputs', () => {
    const base = { a: { b: 1 } };
    const over = { a: { c: 2 } };
    const merged = deepMerge(base, over) as { a: Record<string, number> };
    merged.a.d = 4;
    expect(base).toEqual({ a: { b: 1 } });
    expect(over).toEqual({ a: { c: 2 } });
  });

  it('folds several layers left to right (like several -v files)', () => {
    const layers = [{ env: 'dev', db: { host: 'localhost', port: 5432 } }, { db: { host: 'db.prod' } }, { env: 'prod' }];
    expect(layers.reduce<unknown>((acc, layer) => deepMerge(acc, layer), {})).toEqual({
      env: 'prod',
      db: { host: 'db.prod', port: 5432 },
    });
  });
});
