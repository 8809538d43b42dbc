import { ConnectError } from '@connectrpc/connect';
import { controlClient, type ShellRequestInit } from '@sloth/client';
import { AsyncQueue } from '@sloth/core/internal';
import { waitFor } from '@sloth/core/testing';
import type { ConnectResponse } from '@sloth/proto';
import { eventRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { rawAgent, TOKEN, testMaster } from './master.test-helper.js';

/** The shell message the master sent an agent. */
function shellOf(res: ConnectResponse | undefined) {
  if (res?.msg.case !== 'shell') throw new Error(`expected a shell message, got ${res?.msg.case}`);
  return res.msg.value;
}

const start = (agent: string, extra: object = {}): ShellRequestInit => ({
  msg: { case: 'start', value: { agent, size: { cols: 80, rows: 24 }, term: 'xterm', client: 'me@here', ...extra } },
});

describe('master: Shell', () => {
  it('relays a shell session both ways by its id, and records its start and end', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'sh-01');
    await a.next();
    const requests = new AsyncQueue<ShellRequestInit>();
    requests.push(start('sh-01'));
    const replies = controlClient({ address: m.url, token: TOKEN }).shell(requests)[Symbol.asyncIterator]();
    const first = (await replies.next()).value;
    expect(first?.msg.case).toBe('sessionId');
    const id = first?.msg.value as string;
    expect(shellOf(await a.next())).toMatchObject({
      sessionId: id,
      msg: { case: 'open', value: { size: { cols: 80, rows: 24 }, term: 'xterm' } },
    });

    requests.push({ msg: { case: 'input', value: Buffer.from('ls\r') } });
    requests.push({ msg: { case: 'resize', value: { cols: 100, rows: 40 } } });
    requests.push({ msg: { case: 'consumed', value: 65536 } });
    expect(Buffer.from(shellOf(await a.next()).msg.value as Uint8Array).toString()).toBe('ls\r');
    expect(shellOf(await a.next()).msg).toMatchObject({ case: 'resize', value: { cols: 100, rows: 40 } });
    expect(shellOf(await a.next()).msg).toMatchObject({ case: 'consumed', value: 65536 });

    a.send({ case: 'shell', value: { sessionId: id, msg: { case: 'output', value: Buffer.from('file\r\n') } } });
    a.send({ case: 'shell', value: { sessionId: id, msg: { case: 'exit', value: { exitCode: 4, error: '' } } } });
    const output = (await replies.next()).value;
    expect(Buffer.from(output?.msg.value as Uint8Array).toString()).toBe('file\r\n');
    expect((await replies.next()).value?.msg).toMatchObject({ case: 'exit', value: { exitCode: 4 } });
    expect((await replies.next()).done).toBe(true);
    requests.close();

    const events = eventRepo(m.store);
    const [started] = events.list({ type: 'agent.shell_started' });
    const [ended] = events.list({ type: 'agent.shell_ended' });
    expect(started?.data).toMatchObject({ agent: { name: 'sh-01' }, session_id: id, client: 'me@here' });
    expect(ended?.data).toMatchObject({ session_id: id, exit_code: 4, reason: 'the shell exited' });
    expect(m.fleet.shells.size).toBe(0);
  });

  it('tells the agent to close a session whose caller went away', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'sh-02');
    await a.next();
    const requests = new AsyncQueue<ShellRequestInit>();
    requests.push(start('sh-02'));
    const controller = new AbortController();
    const replies = controlClient({ address: m.url, token: TOKEN })
      .shell(requests, { signal: controller.signal })
      [Symbol.asyncIterator]();
    const id = (await replies.next()).value?.msg.value as string;
    expect(shellOf(await a.next()).msg.case).toBe('open');
    controller.abort();
    await replies.next().catch(() => {});
    expect(shellOf(await a.next())).toMatchObject({ sessionId: id, msg: { case: 'close', value: 'the caller went away' } });
    await waitFor(() => eventRepo(m.store).list({ type: 'agent.shell_ended' }).length === 1, 5000, 'agent.shell_ended');
    expect(eventRepo(m.store).list({ type: 'agent.shell_ended' })[0]?.data).toMatchObject({ exit_code: null });
  });

  it('validates the session: a start first, and only first; sane sizes; a known agent', async () => {
    const m = await testMaster();
    const a = rawAgent(m.url, 'sh-03');
    await a.next();
    const c = controlClient({ address: m.url, token: TOKEN });
    const failure = async (...msgs: ShellRequestInit[]) => {
      const requests = new AsyncQueue<ShellRequestInit>();
      for (const msg of msgs) requests.push(msg);
      try {
        for await (const _ of c.shell(requests)) {
          // the session id, if it got that far
        }
      } catch (err) {
        return ConnectError.from(err).rawMessage;
      } finally {
        requests.close();
      }
      throw new Error('expected the call to fail');
    };
    expect(await failure({ msg: { case: 'input', value: Buffer.from('x') } })).toBe(
      'invalid Shell: the first message must be a start',
    );
    expect(await failure(start('sh-03', { size: { cols: 0, rows: 24 } }))).toBe(
      'invalid ShellStart: size.cols must be at least 1',
    );
    expect(await failure(start('sh-03', { term: 'xterm; rm -rf' }))).toMatch(/^invalid ShellStart: term must be a terminal type/);
    expect(await failure(start('sh-04'))).toMatch(/^no agent named 'sh-04' \(did you mean 'sh-03'\?\)/);
    expect(await failure(start('sh-03'), start('sh-03'))).toBe('invalid Shell: only the first message is a start');
    expect(await failure(start('sh-03'), { msg: { case: 'input', value: new Uint8Array(300 * 1024) } })).toBe(
      'invalid Shell input: message has at most 256 KiB',
    );
    // The agent saw the two sessions that opened, then their close: nothing else.
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(shellOf(await a.next()).msg.case as string);
    expect(seen.sort()).toEqual(['close', 'close', 'open', 'open']);
  });
});
