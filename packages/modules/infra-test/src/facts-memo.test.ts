import { testContext } from '@sloth/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { beginCheck, fact } from './facts-memo.js';

/** A check numbered `serial` by the binder, on the host of `base`. */
const call = (base: ReturnType<typeof testContext>, serial: number | undefined) => {
  const ctx = { ...base.ctx, callSerial: serial };
  beginCheck(ctx);
  return ctx;
};

/** A fact reader that counts its reads. */
function counter() {
  let reads = 0;
  return {
    read: async () => {
      reads += 1;
      return reads;
    },
    get reads() {
      return reads;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('facts read once for a run of checks', () => {
  it('checks numbered one after the other share what the first read', async () => {
    const t = testContext();
    const c = counter();
    for (const serial of [10, 11, 12, 13]) expect(await fact(call(t, serial), 'processes', c.read)).toBe(1);
    expect(c.reads).toBe(1);
  });

  it('any other call in between (a gap in the numbers) reads again', async () => {
    const t = testContext();
    const c = counter();
    await fact(call(t, 20), 'processes', c.read);
    expect(await fact(call(t, 22), 'processes', c.read)).toBe(2);
    expect(await fact(call(t, 23), 'processes', c.read)).toBe(2);
  });

  it('a check that reads nothing still continues the run', async () => {
    const t = testContext();
    const c = counter();
    await fact(call(t, 30), 'ports/tcp', c.read);
    call(t, 31); // file_exists: no fact
    await fact(call(t, 32), 'ports/tcp', c.read);
    expect(c.reads).toBe(1);
  });

  it('calls the binder did not number (from JS) read every time', async () => {
    const t = testContext();
    const c = counter();
    await fact(call(t, undefined), 'mounts', c.read);
    await fact(call(t, undefined), 'mounts', c.read);
    expect(c.reads).toBe(2);
  });

  it('each host has its own facts, and each fact its own read', async () => {
    const [a, b] = [testContext(), testContext()];
    const c = counter();
    await fact(call(a, 40), 'processes', c.read);
    await fact(call(b, 41), 'processes', c.read);
    await fact(call(a, 42), 'mounts', c.read);
    expect(c.reads).toBe(3);
  });

  it('a run of checks reads again once its facts are a second old', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = testContext();
    const c = counter();
    await fact(call(t, 50), 'processes', c.read);
    vi.setSystemTime(Date.now() + 999);
    await fact(call(t, 51), 'processes', c.read);
    expect(c.reads).toBe(1);
    vi.setSystemTime(Date.now() + 2);
    await fact(call(t, 52), 'processes', c.read);
    expect(c.reads).toBe(2);
  });

  it('a read that failed is not kept', async () => {
    const t = testContext();
    let reads = 0;
    const flaky = async () => {
      reads += 1;
      if (reads === 1) throw new Error('EIO');
      return reads;
    };
    await expect(fact(call(t, 60), 'processes', flaky)).rejects.toThrow('EIO');
    expect(await fact(call(t, 61), 'processes', flaky)).toBe(2);
  });
});
