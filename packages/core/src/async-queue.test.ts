import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';

async function drain<T>(q: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of q) out.push(x);
  return out;
}

describe('AsyncQueue', () => {
  it('hands items pushed before and while reading, in order, and ends on close', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    const read = drain(q);
    await Promise.resolve();
    q.push(2);
    q.push(3);
    q.close();
    expect(q.push(4)).toBe(false);
    expect(await read).toEqual([1, 2, 3]);
  });

  it('ends the reader with the error given to fail, even while it waits', async () => {
    const q = new AsyncQueue<string>();
    const read = drain(q);
    q.fail(new Error('link lost'));
    await expect(read).rejects.toThrow('link lost');
  });

  it('closes when the reader stops early', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.push(2);
    for await (const _ of q) break;
    expect(q.isClosed).toBe(true);
    expect(q.size).toBe(0);
  });
});
