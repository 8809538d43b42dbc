import { Code, ConnectError } from '@connectrpc/connect';
import { eventRepo, newEventId } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { rawAgent, testMaster, until } from './master.test-helper.js';

const typesIn = (m: Awaited<ReturnType<typeof testMaster>>) =>
  eventRepo(m.store)
    .list({ limit: 100 })
    .map((e) => e.type)
    .reverse();

describe('master: events on the agent stream', () => {
  it('stores a forwarded event once even when it is sent twice, and acknowledges each copy', async () => {
    const m = await testMaster({ hooks: false });
    const a = rawAgent(m.url, 'web-01');
    expect((await a.next())?.msg.case).toBe('registered');
    const id = newEventId();
    const event = { id, type: 'deploy.started', dataJson: '{"v":1}', createdAtMs: 1000n, stack: 'prod', runId: 'r1' };
    a.send({ case: 'event', value: event });
    expect((await a.next())?.msg).toEqual({ case: 'eventAck', value: expect.objectContaining({ ids: [id] }) });
    a.send({ case: 'event', value: event });
    expect((await a.next())?.msg).toEqual({ case: 'eventAck', value: expect.objectContaining({ ids: [id] }) });
    expect(eventRepo(m.store).list({ type: 'deploy.started' })).toMatchObject([
      { id, source: 'agent:web-01', stack: 'prod', runId: 'r1', data: { v: 1 }, createdAt: 1000 },
    ]);
    expect(typesIn(m)).toEqual(['agent.registered', 'agent.connected', 'deploy.started']);
  });

  it('ends the stream of an agent that sends a malformed event, naming the field', async () => {
    const m = await testMaster({ hooks: false });
    const a = rawAgent(m.url, 'web-02');
    expect((await a.next())?.msg.case).toBe('registered');
    a.send({ case: 'event', value: { id: 'not-an-id', type: 'deploy.started', dataJson: '{}' } });
    const err = ConnectError.from(await a.next().catch((e) => e));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/invalid AgentEvent: id must be an event id/);
    await until(() => typesIn(m).includes('agent.disconnected'), 5000, 'agent.disconnected');
    expect(eventRepo(m.store).list({ type: 'deploy.started' })).toEqual([]);
  });
});
