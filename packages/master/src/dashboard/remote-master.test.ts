import { SlothError } from '@sloth/core';
import { MASTER_HOST_SAMPLES } from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { rawAgent, TOKEN, testMaster } from '../master.test-helper.js';
import { connectRemoteMaster, type RemoteMaster } from './remote-master.js';

const remotes: RemoteMaster[] = [];
afterEach(() => {
  for (const r of remotes.splice(0)) r.close();
});

/** Waits until `check` holds, failing with `what` after 10 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('connectRemoteMaster (ui --master)', () => {
  it("lists a real master's agents, tells a ghost agent's refusal tagged with it, and reports the master gone", async () => {
    const m = await testMaster();
    const agent = rawAgent(m.url, 'web-1');
    expect((await agent.next())?.msg.case).toBe('registered');
    const logs: string[] = [];
    const remote = await connectRemoteMaster({ address: m.url, token: TOKEN }, (level, msg) => logs.push(`${level}: ${msg}`));
    remotes.push(remote);
    expect(remote.agents().map((a) => a.name)).toEqual(['web-1']);
    expect(remote.problem()).toBeUndefined();
    // Only a listed agent's samples are asked for.
    expect(remote.samples('ghost', 10)).toEqual([]);

    const replies = [];
    for await (const r of remote.control(['ghost'], { command: 'uptime', timeoutMs: 0 }, new AbortController().signal))
      replies.push(r);
    expect(replies.map((r) => [r.agent, r.msg?.case])).toEqual([['ghost', 'failed']]);
    expect(replies[0]?.msg?.value).toMatchObject({ code: 'not_found' });
    // No agent: the stream ends at once.
    const none = [];
    for await (const r of remote.control([], { command: 'uptime', timeoutMs: 0 }, new AbortController().signal)) none.push(r);
    expect(none).toEqual([]);

    await m.close();
    await until(() => remote.problem() !== undefined, 'the problem to be seen');
    expect(remote.problem()).toContain(`the master at ${m.url} cannot be reached`);
    // The agents stay as last seen.
    expect(remote.agents().map((a) => a.name)).toEqual(['web-1']);
    expect(logs.filter((l) => l.startsWith('warn: '))).toHaveLength(1);
  });

  it("fetches the samples of the master's own machine, asked for by the overview", async () => {
    const m = await testMaster({ metricsIntervalMs: 100 });
    const remote = await connectRemoteMaster({ address: m.url, token: TOKEN }, () => {});
    remotes.push(remote);
    // The first ask starts fetching them; they are there by the next answer.
    expect(remote.samples(MASTER_HOST_SAMPLES, 10)).toEqual([]);
    await until(() => remote.samples(MASTER_HOST_SAMPLES, 10).length > 0, "the master's own samples");
    expect(remote.samples(MASTER_HOST_SAMPLES, 10).at(-1)?.cpus).toBeGreaterThan(0);
    expect(remote.problem()).toBeUndefined();
  });

  it('refuses a wrong token at once, as an unauthenticated SlothError', async () => {
    const m = await testMaster();
    const err = await connectRemoteMaster({ address: m.url, token: 'not-the-token' }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('unauthenticated');
  });
});
