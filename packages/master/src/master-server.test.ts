import { mkdtempSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { controlClient, fromRpcError, fromWorkFailed, workVerdict } from '@sloth/client';
import { waitFor } from '@sloth/core/testing';
import { Agent_Status, type ConnectResponse, ErrorDetailSchema } from '@sloth/proto';
import { agentMetricsRepo, agentRepo, MASTER_HOST_SAMPLES } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { rawAgent, rejection, TOKEN, testMaster } from './master.test-helper.js';
import { resolveMasterOptions } from './master-options.js';

const codeOf = (err: unknown) => ConnectError.from(err).code;

/** The work id of the command or task the master sent an agent. */
function workIdOf(res: ConnectResponse | undefined): string {
  if (res?.msg.case !== 'runCommand' && res?.msg.case !== 'runTask') throw new Error(`expected work, got ${res?.msg.case}`);
  return res.msg.value.workId;
}

describe('master: authentication', () => {
  it('refuses control calls and agent streams without the token or with a wrong one', async () => {
    const m = await testMaster();
    for (const token of ['', 'wrong-token-123']) {
      const err = await rejection(controlClient({ address: m.url, token }).listAgents({}));
      expect(err.code).toBe(Code.Unauthenticated);
      const agent = rawAgent(m.url, 'intruder', token);
      expect(codeOf(await agent.next().catch((e) => e))).toBe(Code.Unauthenticated);
    }
    expect(agentRepo(m.store).list()).toEqual([]);
    expect((await controlClient({ address: m.url, token: TOKEN }).listAgents({})).agents).toEqual([]);
  });

  it('will not listen beyond loopback without a token unless told --insecure', () => {
    expect(() => resolveMasterOptions({ dataDir: '/tmp/x', bind: '0.0.0.0' })).toThrow(
      /refusing to listen on 0.0.0.0 without a token/,
    );
    expect(resolveMasterOptions({ dataDir: '/tmp/x', bind: '0.0.0.0', insecure: true }).bind).toBe('0.0.0.0');
    expect(resolveMasterOptions({ dataDir: '/tmp/x', bind: '0.0.0.0', token: 'long-enough' }).token).toBe('long-enough');
    expect(resolveMasterOptions({ dataDir: '/tmp/x', bind: '::1' }).bind).toBe('::1');
    expect(() => resolveMasterOptions({ dataDir: '/tmp/x', token: 'short' })).toThrow(/at least 8 characters/);
  });
});

describe('master: registry', () => {
  it('registers an agent, lists it Active, and marks it Inactive after 3 silent heartbeat intervals', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'web-01');
    const reply = await a.next();
    expect(reply?.msg).toMatchObject({ case: 'registered', value: { heartbeatIntervalMs: 200 } });
    const c = controlClient({ address: m.url, token: TOKEN });
    const { agents } = await c.listAgents({});
    expect(agents.map((x) => [x.name, x.status, x.labels])).toEqual([['web-01', Agent_Status.ACTIVE, { sim: 'yes' }]]);
    // Silence: the master closes the stream and the agent becomes Inactive, but stays registered.
    expect(codeOf(await a.next(5000).catch((e) => e))).toBe(Code.DeadlineExceeded);
    const after = await c.getAgent({ name: 'web-01' });
    expect(after.agent?.status).toBe(Agent_Status.INACTIVE);
    const err = await rejection(c.execCommand({ agent: 'web-01', command: 'true' })[Symbol.asyncIterator]().next());
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toMatch(/agent web-01 is inactive/);
  });

  it('refuses a second agent with a connected name; a reconnection after the first stream ended takes over', async () => {
    const m = await testMaster();
    const first = rawAgent(m.url, 'db-01');
    await first.next();
    const second = rawAgent(m.url, 'db-01');
    const err = ConnectError.from(await second.next().catch((e) => e));
    expect(err.code).toBe(Code.AlreadyExists);
    expect(err.rawMessage).toMatch(/an agent named 'db-01' is already connected from 127\.0\.0\.1:\d+/);
    first.close();
    await waitFor(() => m.fleet.connected === 0, 5000, 'the first stream to be gone');
    const third = rawAgent(m.url, 'db-01');
    expect((await third.next())?.msg.case).toBe('registered');
  });

  it('answers unknown agents with not_found and a did-you-mean, and validates names', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'build-01');
    await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const err = await rejection(c.getAgent({ name: 'build-1' }));
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).toMatch(/no agent named 'build-1' \(did you mean 'build-01'\?\)/);
    // The hint travels as an ErrorDetail, not inside the message, and the client's SlothError has it back.
    expect(err.rawMessage).not.toContain('hint');
    const hint = '`sloth-runner agent list` shows the registered agents';
    expect(err.findDetails(ErrorDetailSchema)).toMatchObject([{ code: 'not_found', hint }]);
    expect(fromRpcError(err, m.url)).toMatchObject({ code: 'not_found', message: err.rawMessage, hint });
    const bad = await rejection(c.getAgent({ name: '../etc' }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toMatch(/invalid GetAgent: name must be/);
    expect((await rejection(c.deleteAgent({ name: 'build-01' }))).rawMessage).toMatch(/is connected/);
  });

  it('ends a stream whose first message is not a Register, or whose Register is invalid', async () => {
    const m = await testMaster();
    const noRegister = rawAgent(m.url, undefined);
    noRegister.send({ case: 'heartbeat', value: { runningWork: 0 } });
    const e1 = ConnectError.from(await noRegister.next().catch((e) => e));
    expect([e1.code, e1.rawMessage]).toEqual([Code.InvalidArgument, 'the first message on the agent stream must be a Register']);
    const badName = rawAgent(m.url, 'has space');
    const e2 = ConnectError.from(await badName.next().catch((e) => e));
    expect(e2.code).toBe(Code.InvalidArgument);
    expect(e2.rawMessage).toMatch(/invalid Register: name must be/);
  });
});

describe('master: bad input', () => {
  it('answers malformed bytes with an error and keeps serving', async () => {
    const m = await testMaster();
    const session = h2connect(m.url);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({
          ':method': 'POST',
          ':path': '/sloth.v1.ControlService/GetAgent',
          'content-type': 'application/proto',
          authorization: `Bearer ${TOKEN}`,
        });
        let body = '';
        let status = 0;
        req.on('response', (h) => {
          status = Number(h[':status']);
        });
        req.on('data', (d: Buffer) => {
          body += d.toString();
        });
        req.on('end', () => resolve({ status, body }));
        req.on('error', reject);
        req.end(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x12, 0x99, 0x01]));
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.body).toMatch(/invalid_argument|internal/);
    } finally {
      session.close();
    }
    expect((await controlClient({ address: m.url, token: TOKEN }).listAgents({})).agents).toEqual([]);
  });

  it('refuses oversized messages with resource_exhausted, on control calls and on the agent stream', async () => {
    const m = await testMaster({ readMaxBytes: 64 * 1024 });
    const c = controlClient({ address: m.url, token: TOKEN });
    const err = await rejection(
      c
        .execCommand({ agent: 'x', command: 'x'.repeat(100 * 1024) })
        [Symbol.asyncIterator]()
        .next(),
    );
    expect(err.code).toBe(Code.ResourceExhausted);
    const a = rawAgent(m.url, 'big-01');
    await a.next();
    a.send({ case: 'output', value: { workId: 'w', text: 'y'.repeat(100 * 1024) } });
    expect(codeOf(await a.next().catch((e) => e))).toBe(Code.ResourceExhausted);
    expect((await c.listAgents({})).agents.map((x) => x.name)).toEqual(['big-01']);
  });

  it('validates commands before sending them', async () => {
    const m = await testMaster();
    const c = controlClient({ address: m.url, token: TOKEN });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ agent: 'a', command: '' }, /^invalid ExecCommand: command is empty$/],
      [{ agent: 'a', command: 'echo a\0b' }, /^invalid ExecCommand: command contains a NUL byte/],
      [{ agent: 'a', command: 'true', workdir: '/tmp\0x' }, /workdir contains a NUL byte/],
      [{ agent: 'a', command: 'true', env: { A: 'x\0y' } }, /env\.A contains a NUL byte/],
      [
        { agent: 'a', command: 'true', env: { 'BAD NAME': 'x' } },
        /env environment names are letters, digits and _ \(not 'BAD NAME'\)/,
      ],
      [{ agent: 'a b', command: 'true' }, /agent must be/],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(c.execCommand(req)[Symbol.asyncIterator]().next());
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(message);
    }
  });
});

describe('master: dispatch', () => {
  it('relays output and the exit code of a command, and records the work', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'run-01');
    await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const replies: unknown[] = [];
    const call = (async () => {
      for await (const r of c.execCommand({ agent: 'run-01', command: 'echo hi' })) replies.push(r.msg);
    })();
    const run = await a.next();
    expect(run?.msg.case).toBe('runCommand');
    const workId = run?.msg.case === 'runCommand' ? run.msg.value.workId : '';
    a.send({ case: 'output', value: { workId, stream: 1, text: 'hi\n' } });
    a.send({ case: 'result', value: { workId, success: false, exitCode: 3, error: 'exit code 3' } });
    expect((await a.next())?.msg).toMatchObject({ case: 'resultAck', value: { workId } });
    await call;
    expect(replies).toMatchObject([
      { case: 'accepted', value: { workId } },
      { case: 'output', value: { text: 'hi\n' } },
      { case: 'result', value: { exitCode: 3 } },
    ]);
    expect(agentRepo(m.store).getWork(workId)).toMatchObject({ status: 'failed', exitCode: 3, what: 'echo hi' });
  });

  it('relays a delegated task (RunTask) with its files, its log lines and its outputs, and records it', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'task-01');
    await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const task = {
      runId: 'run-1',
      workflow: 'ci',
      task: 'build',
      entryFile: 'ci.sloth',
      files: { 'ci.sloth': 'task("build")', 'lib/x.lua': 'return 1' },
      paramsJson: '{"env":"prod"}',
      valuesJson: '{}',
      depsJson: '{"fetch":{"sha":"abc"}}',
      timeoutMs: 5000,
    };
    const replies: unknown[] = [];
    const call = (async () => {
      for await (const r of c.runTask({ agent: 'task-01', task })) replies.push(r.msg);
    })();
    const sent = await a.next();
    if (sent?.msg.case !== 'runTask') throw new Error(`expected a RunTask, got ${sent?.msg.case}`);
    expect(sent.msg.value).toMatchObject({ ...task, workId: expect.any(String) });
    const workId = sent.msg.value.workId;
    a.send({ case: 'output', value: { workId, stream: 3, level: 'warn', text: 'careful' } });
    a.send({ case: 'result', value: { workId, success: true, outputJson: '{"image":"app:1"}' } });
    await call;
    expect(replies).toMatchObject([
      { case: 'accepted', value: { workId } },
      { case: 'output', value: { text: 'careful', level: 'warn' } },
      { case: 'result', value: { success: true, outputJson: '{"image":"app:1"}' } },
    ]);
    expect(agentRepo(m.store).getWork(workId)).toMatchObject({ kind: 'task', status: 'success', what: 'task build of ci' });
    // Its log line is kept for the dashboard, on a line of its own, with its level.
    expect(agentRepo(m.store).workOutput(workId)?.text).toBe('[warn] careful\n');
    // A caller that lost the master re-attaches: the recorded result comes back with its outputs.
    const watched: unknown[] = [];
    for await (const r of c.watchWork({ workId })) watched.push(r.msg);
    expect(watched).toMatchObject([{ case: 'result', value: { workId, success: true, outputJson: '{"image":"app:1"}' } }]);
    const unknown = await rejection(c.watchWork({ workId: 'no-such-work' })[Symbol.asyncIterator]().next());
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toMatch(/this master has no work no-such-work/);
  });

  it('validates delegated tasks before sending them', async () => {
    const m = await testMaster();
    const c = controlClient({ address: m.url, token: TOKEN });
    const base = { task: 'build', entryFile: 'ci.sloth', files: { 'ci.sloth': '' } };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ agent: 'a' }, /invalid RunTask: task/],
      [{ agent: 'a', task: { ...base, task: '' } }, /task\.task names no task/],
      [{ agent: 'a', task: { ...base, files: { '../etc/passwd': 'x' } } }, /task\.files paths stay relative/],
      [{ agent: 'a', task: { ...base, files: { 'big.lua': 'x'.repeat(3 * 1024 * 1024 + 1) } } }, /at most 3 MiB/],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(c.runTask(req)[Symbol.asyncIterator]().next());
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(message);
    }
    const unknown = await rejection(c.runTask({ agent: 'nobody', task: base })[Symbol.asyncIterator]().next());
    expect(unknown.code).toBe(Code.NotFound);
  });

  it('keeps work pending while its agent reconnects, then delivers the result sent after the reconnection', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'flaky-01');
    await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const replies: unknown[] = [];
    const call = (async () => {
      for await (const r of c.execCommand({ agent: 'flaky-01', command: 'sleep 1' })) replies.push(r.msg);
    })();
    const run = await a.next();
    const workId = run?.msg.case === 'runCommand' ? run.msg.value.workId : '';
    a.close();
    await waitFor(() => m.fleet.connected === 0, 5000, 'the link to drop');
    const back = rawAgent(m.url, undefined);
    back.send({ case: 'register', value: { name: 'flaky-01', runningWorkIds: [workId] } });
    await back.next();
    back.send({ case: 'result', value: { workId, success: true, exitCode: 0 } });
    await call;
    expect(replies).toMatchObject([
      { case: 'accepted', value: { workId } },
      { case: 'result', value: { exitCode: 0, success: true } },
    ]);
    expect(agentRepo(m.store).getWork(workId)?.status).toBe('success');
  });

  it("keeps each work's output in the store while it runs, a chunk sent again after a reconnection once", async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'out-01');
    await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const call = (async () => {
      for await (const _ of c.execCommand({ agent: 'out-01', command: 'make' })) {
        // The caller's part is tested above: here, what the store keeps.
      }
    })();
    const workId = workIdOf(await a.next());
    a.send({ case: 'output', value: { workId, stream: 1, text: 'one\n', seq: 1 } });
    a.send({ case: 'output', value: { workId, stream: 2, text: 'two\n', seq: 2 } });
    const kept = () => agentRepo(m.store).workOutput(workId);
    await waitFor(() => kept()?.text === 'one\ntwo\n', 5000, 'the output to be kept while the work runs');
    a.close();
    await waitFor(() => m.fleet.connected === 0, 5000, 'the link to drop');
    const back = rawAgent(m.url, undefined);
    back.send({ case: 'register', value: { name: 'out-01', runningWorkIds: [workId] } });
    await back.next();
    // The agent sends what it kept again (two), then goes on (three).
    back.send({ case: 'output', value: { workId, stream: 1, text: 'two\n', seq: 2 } });
    back.send({ case: 'output', value: { workId, stream: 1, text: 'three\n', seq: 3 } });
    back.send({ case: 'result', value: { workId, success: true, exitCode: 0 } });
    await call;
    expect(kept()).toEqual({ text: 'one\ntwo\nthree\n', chars: 14 });
    expect(agentRepo(m.store).getWork(workId)).toMatchObject({ status: 'success', outputSeq: 3 });
  });

  it('fails the caller when the agent goes away for longer than 3 heartbeat intervals, or comes back without the work', async () => {
    const m = await testMaster();
    const c = controlClient({ address: m.url, token: TOKEN });
    const a = rawAgent(m.url, 'gone-01');
    await a.next();
    const replies = c.execCommand({ agent: 'gone-01', command: 'sleep 60' })[Symbol.asyncIterator]();
    const accepted = replies.next();
    const workId = workIdOf(await a.next());
    expect((await accepted).value?.msg).toMatchObject({ case: 'accepted', value: { workId } });
    const call = replies.next();
    a.close();
    const err = await rejection(call);
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/agent gone-01 went away while running it and did not come back within 600ms/);
    expect(workVerdict(err)).toBe('lost');
    expect(agentRepo(m.store).getWork(workId)?.status).toBe('lost');
    // Re-attaching to lost work gets the same verdict, from the store.
    const watched = await rejection(c.watchWork({ workId })[Symbol.asyncIterator]().next());
    expect(workVerdict(watched)).toBe('lost');
    expect(watched.rawMessage).toMatch(/went away while running it/);

    const b = rawAgent(m.url, 'gone-01');
    await b.next();
    const replies2 = c.execCommand({ agent: 'gone-01', command: 'sleep 60' })[Symbol.asyncIterator]();
    await replies2.next();
    const call2 = replies2.next();
    await b.next();
    b.close();
    await waitFor(() => m.fleet.connected === 0, 5000, 'the link to drop');
    const restarted = rawAgent(m.url, 'gone-01');
    await restarted.next();
    const err2 = await rejection(call2);
    expect(err2.rawMessage).toMatch(/came back without it/);
  });

  it('fans a task out to several agents in one RunTasks call: each agent its work, an unknown one its own failure', async () => {
    const m = await testMaster();
    const agents = [rawAgent(m.url, 'fan-01'), rawAgent(m.url, 'fan-02')];
    for (const a of agents) await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const task = { runId: 'run-2', workflow: 'ci', task: 'deploy', entryFile: 'ci.sloth', files: { 'ci.sloth': '' } };
    const replies: { agent: string; msg: { case?: string; value?: unknown } }[] = [];
    const call = (async () => {
      for await (const r of c.runTasks({ agents: ['fan-01', 'nobody', 'fan-02'], task })) replies.push(r);
    })();
    const ids: string[] = [];
    for (const [i, a] of agents.entries()) {
      const sent = await a.next();
      if (sent?.msg.case !== 'runTask') throw new Error(`expected a RunTask, got ${sent?.msg.case}`);
      expect(sent.msg.value).toMatchObject({ ...task, workId: expect.any(String) });
      ids.push(sent.msg.value.workId);
      a.send({ case: 'output', value: { workId: sent.msg.value.workId, stream: 3, level: 'info', text: `on ${i}` } });
    }
    // The second agent finishes first; its result does not wait for the first one's.
    agents[1]?.send({ case: 'result', value: { workId: ids[1], success: true, outputJson: '{"n":2}' } });
    await waitFor(() => replies.some((r) => r.agent === 'fan-02' && r.msg.case === 'result'), 5000, "fan-02's result");
    expect(replies.some((r) => r.agent === 'fan-01' && r.msg.case === 'result')).toBe(false);
    agents[0]?.send({ case: 'result', value: { workId: ids[0], success: false, error: 'boom' } });
    await call;
    const of = (agent: string) => replies.filter((r) => r.agent === agent).map((r) => r.msg);
    expect(of('fan-01')).toMatchObject([
      { case: 'accepted', value: { workId: ids[0] } },
      { case: 'output', value: { text: 'on 0' } },
      { case: 'result', value: { success: false, error: 'boom' } },
    ]);
    expect(of('fan-02')).toMatchObject([
      { case: 'accepted', value: { workId: ids[1] } },
      { case: 'output', value: { text: 'on 1' } },
      { case: 'result', value: { success: true, outputJson: '{"n":2}' } },
    ]);
    expect(of('nobody')).toMatchObject([
      {
        case: 'failed',
        value: { code: 'not_found', message: expect.stringMatching(/nobody/), workStatus: '', detail: { code: 'not_found' } },
      },
    ]);
    const nobody = fromRpcError(fromWorkFailed(of('nobody')[0]?.value as never), m.url);
    expect(nobody).toMatchObject({ code: 'not_found', hint: '`sloth-runner agent list` shows the registered agents' });
    expect(nobody.message).not.toContain('hint');
    expect(agentRepo(m.store).getWork(ids[0] as string)).toMatchObject({ status: 'failed', what: 'task deploy of ci' });
    expect(agentRepo(m.store).getWork(ids[1] as string)?.status).toBe('success');
    // One agent lost while it runs: its failure carries the master's verdict, as RunTask's error does.
    const lost = rawAgent(m.url, 'fan-03');
    await lost.next();
    const lostReplies: { case?: string; value?: unknown }[] = [];
    const lostCall = (async () => {
      for await (const r of c.runTasks({ agents: ['fan-03'], task })) lostReplies.push(r.msg);
    })();
    await lost.next();
    lost.close();
    await lostCall;
    expect(lostReplies.at(-1)).toMatchObject({ case: 'failed', value: { code: 'unavailable', workStatus: 'lost' } });
    expect(workVerdict(fromWorkFailed(lostReplies.at(-1)?.value as never))).toBe('lost');
  });

  it('validates fan-outs before sending anything', async () => {
    const m = await testMaster();
    const c = controlClient({ address: m.url, token: TOKEN });
    const task = { task: 'build', entryFile: 'ci.sloth', files: { 'ci.sloth': '' } };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ agents: [], task }, /agents names no agent/],
      [{ agents: ['a', 'a'], task }, /agents names an agent twice/],
      [{ agents: ['a', 'bad name'], task }, /agents\.1 must be 1-63 letters/],
      [{ agents: Array.from({ length: 1001 }, (_, i) => `a${i}`), task }, /more than 1,000 agents/],
      [{ agents: ['a'], task: { ...task, task: '' } }, /task\.task names no task/],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(c.runTasks(req)[Symbol.asyncIterator]().next());
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(message);
    }
  });

  it('tells the agent to cancel work whose caller went away', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'cancel-01');
    await a.next();
    const controller = new AbortController();
    const c = controlClient({ address: m.url, token: TOKEN });
    const call = c
      .execCommand({ agent: 'cancel-01', command: 'sleep 60' }, { signal: controller.signal })
      [Symbol.asyncIterator]()
      .next();
    const workId = workIdOf(await a.next());
    controller.abort();
    await call.catch(() => {});
    expect((await a.next())?.msg).toMatchObject({ case: 'cancel', value: { workId } });
    expect(agentRepo(m.store).getWork(workId)?.status).toBe('cancelled');
    // A fan-out whose caller goes away: every agent still running its part is told.
    const b = rawAgent(m.url, 'cancel-02');
    await b.next();
    const fanOut = new AbortController();
    const task = { task: 'slow', entryFile: 'ci.sloth', files: { 'ci.sloth': '' } };
    const replies = c.runTasks({ agents: ['cancel-01', 'cancel-02'], task }, { signal: fanOut.signal })[Symbol.asyncIterator]();
    const first = replies.next();
    const ids = [workIdOf(await a.next()), workIdOf(await b.next())];
    await first;
    fanOut.abort();
    await replies.next().catch(() => {});
    expect((await a.next())?.msg).toMatchObject({ case: 'cancel', value: { workId: ids[0] } });
    expect((await b.next())?.msg).toMatchObject({ case: 'cancel', value: { workId: ids[1] } });
  });
});

describe('master: agent metrics', () => {
  it('keeps heartbeat samples across a restart, answers the latest within a window, forgets them on delete', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sloth-master-'));
    const policy = { dataDir, metricsIntervalMs: 100, metricsRetentionMs: 3_600_000 };
    const first = await testMaster(policy);
    const a = rawAgent(first.url, 'web-01');
    expect((await a.next())?.msg.case).toBe('registered');
    const c = controlClient({ address: first.url, token: TOKEN });
    for (let i = 1; i <= 3; i++) {
      // The first heartbeat is an older agent's: no network counters, no CPUs.
      const net = i === 1 ? {} : { netRxBytes: BigInt(i) << 40n, netTxBytes: BigInt(i * 1000), cpus: 4 };
      a.send({
        case: 'heartbeat',
        value: { runningWork: i, system: { load1: i, memoryTotalBytes: 1000n, memoryFreeBytes: 250n, ...net } },
      });
      // One sample per interval: the next heartbeat must come an interval later to be kept.
      await waitFor(async () => (await c.getAgentMetrics({ name: 'web-01' })).samples.length === i, 5000, `sample ${i}`);
      await new Promise((r) => setTimeout(r, 110));
    }
    const res = await c.getAgentMetrics({ name: 'web-01' });
    expect(res.samples.map((x) => [x.load1, x.runningWork, Number(x.memoryFreeBytes)])).toEqual([
      [1, 1, 250],
      [2, 2, 250],
      [3, 3, 250],
    ]);
    expect(res.samples.map((x) => [x.netRxBytes, x.netTxBytes, x.cpus])).toEqual([
      [0n, 0n, 0],
      [2n << 40n, 2000n, 4],
      [3n << 40n, 3000n, 4],
    ]);
    expect([Number(res.intervalMs), Number(res.retentionMs)]).toEqual([100, 3_600_000]);
    expect((await c.getAgentMetrics({ name: 'web-01', limit: 2 })).samples.map((x) => x.load1)).toEqual([2, 3]);
    a.close();
    await first.close();

    const again = await testMaster(policy);
    const c2 = controlClient({ address: again.url, token: TOKEN });
    expect((await c2.getAgentMetrics({ name: 'web-01', windowMs: 3_600_000n })).samples.map((x) => x.load1)).toEqual([1, 2, 3]);
    expect((await rejection(c2.getAgentMetrics({ name: 'web-02' }))).rawMessage).toMatch(/no agent named 'web-02'.*web-01/);
    const tooMany = await rejection(c2.getAgentMetrics({ name: 'web-01', limit: 100_001 }));
    expect([tooMany.code, tooMany.rawMessage]).toEqual([Code.InvalidArgument, 'invalid GetAgentMetrics: limit at most 100000']);
    expect((await rejection(c2.getAgentMetrics({ name: 'web-01', windowMs: -1n }))).code).toBe(Code.InvalidArgument);
    await c2.deleteAgent({ name: 'web-01' });
    expect(agentMetricsRepo(again.store).list('web-01', 0, 100)).toEqual([]);
  });

  it("samples the master's own machine on the metrics interval, kept in the store under a name no agent has", async () => {
    const m = await testMaster({ metricsIntervalMs: 100 });
    const own = () => agentMetricsRepo(m.store).list(MASTER_HOST_SAMPLES, 0, 100);
    await waitFor(() => own().length >= 3, 10_000, "3 samples of the master's machine");
    const samples = own();
    for (const s of samples) {
      expect(s.cpus).toBeGreaterThan(0);
      expect(s.memoryTotal).toBeGreaterThan(0);
      // The disk of its data directory.
      expect(s.diskTotal).toBeGreaterThan(0);
      expect(s.netRx + s.netTx).toBeGreaterThanOrEqual(0);
    }
    expect(samples.map((s) => s.at)).toEqual([...samples.map((s) => s.at)].sort((a, b) => a - b));
    // Not an agent: neither listed nor counted, and no agent can be asked for under its name.
    expect(m.fleet.list(Date.now())).toEqual([]);
    expect(m.fleet.statusCounts(Date.now())).toEqual({ active: 0, inactive: 0 });
    const c = controlClient({ address: m.url, token: TOKEN });
    expect((await rejection(c.getAgentMetrics({ name: MASTER_HOST_SAMPLES }))).code).toBe(Code.InvalidArgument);
    // Asked for as the master's own: what the store holds (and what is not written yet).
    const asked = await c.getAgentMetrics({ masterHost: true, limit: 2 });
    expect(asked.samples).toHaveLength(2);
    expect(asked.samples[1]?.cpus).toBeGreaterThan(0);
    const both = await rejection(c.getAgentMetrics({ masterHost: true, name: 'web-01' }));
    expect([both.code, both.rawMessage]).toEqual([
      Code.InvalidArgument,
      'invalid GetAgentMetrics: name names no agent: master_host asks for the master',
    ]);
  });

  it('refuses a retention shorter than the interval', () => {
    expect(() => resolveMasterOptions({ dataDir: '/tmp/x', metricsIntervalMs: 60_000, metricsRetentionMs: 1000 })).toThrow(
      'the metrics retention is shorter than the metrics interval',
    );
  });
});

describe('master: scale', () => {
  it('serves 200 agents connected at once, each on its own connection', async () => {
    const m = await testMaster({ heartbeatIntervalMs: 5000 });
    const agents = Array.from({ length: 200 }, (_, i) => rawAgent(m.url, `sim-${String(i).padStart(3, '0')}`));
    const replies = await Promise.all(agents.map((a) => a.next(30_000)));
    expect(replies.every((r) => r?.msg.case === 'registered')).toBe(true);
    const { agents: listed } = await controlClient({ address: m.url, token: TOKEN }).listAgents({});
    expect(listed.length).toBe(200);
    expect(listed.every((x) => x.status === Agent_Status.ACTIVE)).toBe(true);
    for (const a of agents) a.send({ case: 'heartbeat', value: { runningWork: 1 } });
    await waitFor(() => agentRepo(m.store).list().length === 200, 10_000, 'the registry to hold 200 agents');
  });
});
