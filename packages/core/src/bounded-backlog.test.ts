import { describe, expect, it } from 'vitest';
import { BoundedBacklog } from './bounded-backlog.js';

describe('BoundedBacklog', () => {
  it('keeps items in order while they fit', () => {
    const b = new BoundedBacklog<string>(10);
    for (const s of ['ab', 'cd', 'ef']) b.push(s, s.length);
    expect(b.list()).toEqual(['ab', 'cd', 'ef']);
    expect(b.dropped).toBe(0);
  });

  it('drops the oldest past the budget, and counts them', () => {
    const b = new BoundedBacklog<number>(5);
    for (let i = 1; i <= 10; i++) b.push(i, 1);
    expect(b.list()).toEqual([6, 7, 8, 9, 10]);
    expect(b.dropped).toBe(5);
  });

  it('keeps the newest item even when it alone is over the budget', () => {
    const b = new BoundedBacklog<string>(4);
    b.push('small', 1);
    b.push('huge', 100);
    expect(b.list()).toEqual(['huge']);
    expect(b.size).toBe(1);
  });

  it('stays correct across many compactions', () => {
    const b = new BoundedBacklog<number>(3);
    for (let i = 0; i < 5000; i++) b.push(i, 1);
    expect(b.list()).toEqual([4997, 4998, 4999]);
    expect(b.dropped).toBe(4997);
  });
});
