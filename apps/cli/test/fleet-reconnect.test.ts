import { parseDuration } from '@sloth/core';
import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fleetHome, startAgent, startMaster } from './fleet.test-helper.js';

/** Small delays so three outages take seconds; a long maximum, so a schedule that kept doubling shows. */
const INITIAL_MS = 300;
const JITTER = 0.2;
const SLOW_MAX = ['--reconnect-initial', `${INITIAL_MS}ms`, '--reconnect-max', '60s'];

/** The first reconnection delay the agent logged after each registration (the schedule each outage starts with). */
function firstDelaysAfterRegistering(output: string): number[] {
  const delays: number[] = [];
  let afterRegistration = false;
  for (const line of output.split('\n')) {
    if (/registered with the master/.test(line)) afterRegistration = true;
    const delay = /reconnecting to \S+ in (\S+)/.exec(line)?.[1];
    if (delay && afterRegistration) {
      delays.push(parseDuration(delay));
      afterRegistration = false;
    }
  }
  return delays;
}

describe('agent reconnection backoff (real master restarts)', () => {
  it('three master restarts in a row: each outage starts again from the initial delay, and the agent registers again each time', async () => {
    const { home, tokenFile } = fleetHome();
    let master = await startMaster(home, tokenFile);
    const port = Number(new URL(master.url).port);
    const agent = startAgent(home, 'bouncer', master.url, tokenFile, { standalone: true, extra: SLOW_MAX });
    await agent.waitFor(/registered with the master/);

    for (let outage = 1; outage <= 3; outage++) {
      const mark = agent.output().length;
      master.child.kill('SIGKILL');
      await master.exited;
      await waitFor(
        () => /reconnecting to/.test(agent.output().slice(mark)),
        10_000,
        `the agent to notice outage ${outage}\n${agent.output()}`,
      );
      master = await startMaster(home, tokenFile, port);
      await waitFor(
        () => /registered with the master/.test(agent.output().slice(mark)),
        30_000,
        `the agent to register again after outage ${outage}\n${agent.output()}`,
      );
      await master.waitFor(/agent bouncer registered/);
    }

    // Each outage's first retry is the initial delay with its jitter, never a doubled one carried over (a link the
    // busy master dropped for silence in between is an outage too, and must show the same).
    const first = firstDelaysAfterRegistering(agent.output());
    expect(first.length, agent.output()).toBeGreaterThanOrEqual(3);
    for (const [i, delay] of first.entries()) {
      expect(delay, `outage ${i + 1}: first reconnection delay\n${agent.output()}`).toBeLessThanOrEqual(
        Math.ceil(INITIAL_MS * (1 + JITTER)),
      );
      expect(delay, `outage ${i + 1}: first reconnection delay`).toBeGreaterThanOrEqual(Math.floor(INITIAL_MS * (1 - JITTER)));
    }
  });
});
