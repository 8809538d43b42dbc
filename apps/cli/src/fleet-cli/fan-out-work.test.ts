import { Code, ConnectError, type ControlClient, type RunTasksResponse, type WorkResult } from '@sloth/client';
import { SlothError } from '@sloth/core';
import { describe, expect, it } from 'vitest';
import { fanOutWork } from './fan-out-work.js';

// fanOutWork against scripted streams: the RunTasks stream and WatchWork are stand-ins for a master (the real one is
// in apps/cli/test/delegation.test.ts and the master's own tests); what is tested is how each agent's result settles.

type Reply = Pick<RunTasksResponse, 'agent' | 'msg'>;

const result = (workId: string, ok = true) => ({ workId, success: ok, error: ok ? '' : 'boom', outputJson: '{}' }) as WorkResult;

function harness(
  replies: (Reply | Error)[],
  watch: Record<string, WorkResult> = {},
  /** Output the watch stream sends before the result (the agent's resent output among it). */
  watchOutput: Record<string, { seq: number; text: string }[]> = {},
) {
  const said: string[] = [];
  const watched: string[] = [];
  const client = {
    watchWork: ({ workId }: { workId: string }) =>
      (async function* () {
        watched.push(workId);
        const r = watch[workId];
        if (!r) throw new ConnectError('no such work', Code.NotFound);
        for (const o of watchOutput[workId] ?? []) yield { msg: { case: 'output', value: { workId, level: '', ...o } } };
        yield { msg: { case: 'result', value: r } };
      })(),
  } as unknown as ControlClient;
  const signal = new AbortController().signal;
  const work = fanOutWork({
    agents: ['a1', 'a2', 'a3'],
    signal,
    start: async function* () {
      for (const r of replies) {
        if (r instanceof Error) throw r;
        yield r;
      }
    },
    follower: (agent) => ({
      client,
      onOutput: (o) => said.push(`${agent}: ${o.text}`),
      notify: (_level, message) => said.push(`${agent}: ${message}`),
      verdict: (message) => new SlothError('unavailable', `did not finish on ${agent}: ${message}`),
      what: 'the task',
      agent,
      address: '127.0.0.1:1',
      https: false,
      signal,
    }),
  });
  return { work, said, watched };
}

const accepted = (agent: string, workId: string): Reply => ({ agent, msg: { case: 'accepted', value: { workId } } }) as Reply;

describe('fanOutWork: one RunTasks call, one result per agent', () => {
  it("settles each agent with its own result, failure or the master's verdict, in the order of the agents", async () => {
    const { work, said } = harness([
      accepted('a1', 'w1'),
      accepted('a2', 'w2'),
      { agent: 'a3', msg: { case: 'failed', value: { code: 'not_found', message: 'no agent a3', workStatus: '' } } } as Reply,
      { agent: 'a2', msg: { case: 'output', value: { workId: 'w2', text: 'hello', level: 'info' } } } as Reply,
      { agent: 'a2', msg: { case: 'result', value: result('w2') } } as Reply,
      {
        agent: 'a1',
        msg: { case: 'failed', value: { code: 'unavailable', message: 'agent a1 went away', workStatus: 'lost' } },
      } as Reply,
    ]);
    const [r1, r2, r3] = await Promise.allSettled(work);
    expect(r1).toMatchObject({ status: 'rejected', reason: { message: 'did not finish on a1: agent a1 went away' } });
    expect(r2).toMatchObject({ status: 'fulfilled', value: { workId: 'w2', success: true } });
    expect(r3).toMatchObject({ status: 'rejected', reason: { code: 'not_found', message: 'no agent a3' } });
    expect(said).toEqual(['a2: hello']);
  });

  it('when the master is lost, each agent whose work id it knows re-attaches; the others fail with the lost link', async () => {
    const { work, said, watched } = harness(
      [accepted('a1', 'w1'), accepted('a2', 'w2'), new ConnectError('connection reset', Code.Unavailable)],
      { w1: result('w1'), w2: result('w2', false) },
    );
    const [r1, r2, r3] = await Promise.allSettled(work);
    expect(r1).toMatchObject({ status: 'fulfilled', value: { workId: 'w1', success: true } });
    expect(r2).toMatchObject({ status: 'fulfilled', value: { workId: 'w2', success: false, error: 'boom' } });
    expect(r3).toMatchObject({ status: 'rejected', reason: { code: 'unavailable' } });
    expect(watched.sort()).toEqual(['w1', 'w2']);
    expect(said).toContain('a1: re-attached to work w1 on a1');
  });

  it('after re-attaching, output already shown is skipped, a gap is said, and "re-attached" comes before the rest', async () => {
    const out = (seq: number): Reply =>
      ({ agent: 'a1', msg: { case: 'output', value: { workId: 'w1', text: `line ${seq}`, level: '', seq } } }) as Reply;
    const { work, said } = harness(
      [accepted('a1', 'w1'), out(1), out(2), new ConnectError('connection reset', Code.Unavailable)],
      { w1: result('w1') },
      {
        w1: [
          { seq: 2, text: 'line 2' },
          { seq: 3, text: 'line 3' },
          { seq: 6, text: 'line 6' },
        ],
      },
    );
    await Promise.allSettled(work);
    expect(said.filter((l) => l.startsWith('a1:'))).toEqual([
      'a1: line 1',
      'a1: line 2',
      expect.stringMatching(/^a1: lost the master while the task ran on a1 \(work w1\)/),
      'a1: re-attached to work w1 on a1',
      'a1: line 3',
      'a1: 2 lines of output of the task on a1 were lost while the master was away',
      'a1: line 6',
    ]);
  });

  it('a stream that ends without every result fails the agents left', async () => {
    const { work } = harness([accepted('a1', 'w1'), { agent: 'a1', msg: { case: 'result', value: result('w1') } } as Reply]);
    const [r1, r2] = await Promise.allSettled(work);
    expect(r1?.status).toBe('fulfilled');
    expect(r2).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/without a result for the task on a2/) },
    });
  });
});
