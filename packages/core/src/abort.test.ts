import { describe, expect, it } from 'vitest';
import { abortableSleep, abortError, raceAbort } from './abort.js';
import { SlothError } from './errors.js';

describe('raceAbort', () => {
  it('resolves with the promise when the signal does not fire', async () => {
    await expect(raceAbort(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
  });

  it('passes on the promise rejection', async () => {
    await expect(raceAbort(Promise.reject(new Error('bad')), new AbortController().signal)).rejects.toThrow('bad');
  });

  it('rejects with the signal reason as soon as the signal fires', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => {});
    const raced = raceAbort(never, controller.signal);
    controller.abort({ kind: 'run', reason: 'stop' });
    await expect(raced).rejects.toEqual({ kind: 'run', reason: 'stop' });
  });

  it('rejects at once for an already-aborted signal', async () => {
    const controller = new AbortController();
    controller.abort('gone');
    await expect(raceAbort(Promise.resolve(1), controller.signal)).rejects.toBe('gone');
  });
});

describe('abortableSleep', () => {
  it('sleeps at least the delay', async () => {
    const started = performance.now();
    await abortableSleep(30, new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('wakes early with a rejection when the signal fires', { timeout: 5000 }, async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort('wake');
    await expect(sleeping).rejects.toBe('wake');
  });
});

describe('abortError', () => {
  it('maps a timeout cause to a timeout error and a run cause to an aborted error', () => {
    const t = abortError({ kind: 'timeout', timeoutMs: 250 });
    expect(t).toBeInstanceOf(SlothError);
    expect(t.code).toBe('timeout');
    expect(t.message).toBe('timed out after 250ms');
    const a = abortError({ kind: 'run', reason: 'cancelled' });
    expect(a.code).toBe('aborted');
    expect(a.message).toBe('cancelled');
  });
});
