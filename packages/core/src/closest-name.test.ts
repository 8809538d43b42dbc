import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from './closest-name.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['same', 'same', 0],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['build', 'biuld', 1],
    ['ab', 'ba', 1],
    ['exce', 'exec', 1],
    ['pkg', 'log', 2],
  ])('%j -> %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closestName', () => {
  const tasks = ['build', 'test', 'deploy', 'fetch_sources'];

  it('suggests the nearest candidate for a typo', () => {
    expect(closestName('biuld', tasks)).toBe('build');
    expect(closestName('depoly', tasks)).toBe('deploy');
    expect(closestName('fetch_source', tasks)).toBe('fetch_sources');
  });

  it('ignores case when comparing but returns the candidate as spelled', () => {
    expect(closestName('BUILD', tasks)).toBe('build');
    expect(closestName('test', ['Test', 'best_x'])).toBe('Test');
  });

  it('returns nothing when every candidate is too far', () => {
    expect(closestName('kubernetes', tasks)).toBeUndefined();
    expect(closestName('xyz', [])).toBeUndefined();
  });

  it('allows longer names more edits (a third of the length, at least 1)', () => {
    expect(closestName('wrte', ['write'])).toBe('write');
    expect(closestName('abcdefghijkl', ['abcdWXYZijkl'])).toBe('abcdWXYZijkl');
    expect(closestName('abcdefghijkl', ['abUVWXYZijkl'])).toBeUndefined();
  });

  it('suggests nothing implausible for short names', () => {
    expect(closestName('pkg', ['log', 'exec', 'fs'])).toBeUndefined();
    expect(closestName('zz', ['a'])).toBeUndefined();
    expect(closestName('ab', ['xy'])).toBeUndefined();
    expect(closestName('x', ['y'])).toBeUndefined();
    expect(closestName('abc', ['xyz'])).toBeUndefined();
  });

  it('falls back to a candidate the name begins or ends, from 3 characters on', () => {
    expect(closestName('logger', ['log', 'exec'])).toBe('log');
    expect(closestName('terraform_plan_task', ['terraform', 'log'])).toBeUndefined();
    expect(closestName('fetch', tasks)).toBe('fetch_sources');
    expect(closestName('sta', ['state_x', 'stack'])).toBe('stack');
    expect(closestName('go', ['goroutine'])).toBeUndefined();
    expect(closestName('f', ['fs'])).toBeUndefined();
  });

  it('prefers the first of equally near candidates', () => {
    expect(closestName('tast', ['test', 'task'])).toBe('test');
  });

  it('accepts any iterable', () => {
    expect(closestName('tset', new Set(tasks))).toBe('test');
  });
});

describe('didYouMean', () => {
  it('formats a hint, or nothing', () => {
    expect(didYouMean('biuld', ['build'])).toBe(" (did you mean 'build'?)");
    expect(didYouMean('zzzzzzzz', ['build'])).toBe('');
  });
});
