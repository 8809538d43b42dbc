import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { SandboxReserve } from './sandbox-reserve.js';

class Fake {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

function counted() {
  const made: Fake[] = [];
  return {
    made,
    make: async () => {
      const f = new Fake();
      made.push(f);
      return f;
    },
  };
}

describe('SandboxReserve: one sandbox made while the agent is idle', () => {
  it('makes nothing before it is told how (an agent that never ran a task stays small)', async () => {
    const reserve = new SandboxReserve<Fake>(1);
    reserve.idle();
    await new Promise((r) => setTimeout(r, 30));
    expect(await reserve.take()).toBeUndefined();
  });

  it('makes one after the agent has been idle a moment, hands it out once, and makes the next when idle again', async () => {
    const { made, make } = counted();
    const reserve = new SandboxReserve<Fake>(1);
    reserve.supply(make);
    reserve.idle();
    await waitFor(() => made.length === 1, 2000, 'the first sandbox', 5);
    reserve.idle();
    await new Promise((r) => setTimeout(r, 30));
    expect(made).toHaveLength(1);
    expect(await reserve.take()).toBe(made[0]);
    expect(await reserve.take()).toBeUndefined();
    reserve.idle();
    await waitFor(() => made.length === 2, 2000, 'the next sandbox', 5);
    expect(await reserve.take()).toBe(made[1]);
  });

  it('makes nothing while work runs: busy() cancels the wait', async () => {
    const { made, make } = counted();
    const reserve = new SandboxReserve<Fake>(40);
    reserve.supply(make);
    reserve.idle();
    reserve.busy();
    await new Promise((r) => setTimeout(r, 120));
    expect(made).toHaveLength(0);
  });

  it('a sandbox that cannot be made is no error: the task makes its own', async () => {
    const reserve = new SandboxReserve<Fake>(1);
    let tried = 0;
    reserve.supply(async () => {
      tried += 1;
      throw new Error('no memory');
    });
    reserve.idle();
    await waitFor(() => tried === 1, 2000, 'the attempt', 5);
    expect(await reserve.take()).toBeUndefined();
  });

  it('close() frees the ready sandbox, and none is made afterwards', async () => {
    const { made, make } = counted();
    const reserve = new SandboxReserve<Fake>(1);
    reserve.supply(make);
    reserve.idle();
    await waitFor(() => made.length === 1, 2000, 'the sandbox', 5);
    await reserve.close();
    expect(made[0]?.closed).toBe(true);
    reserve.idle();
    await new Promise((r) => setTimeout(r, 30));
    expect(made).toHaveLength(1);
  });
});
