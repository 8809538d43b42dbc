import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink, ModuleCallContext } from '@sloth/core/internal';
import { call as callModule, testContext } from '@sloth/core/testing';
import { eventRepo, openStore, type Store } from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { eventModule } from './event-module.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const call = (name: string, args: unknown[], ctx: ModuleCallContext) => callModule(eventModule, name, args, ctx);

function withQueue() {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-event-mod-')));
  stores.push(store);
  const repo = eventRepo(store);
  const events: EventSink = { dispatch: (type, data) => repo.dispatch(type, data, { source: 'workflow:test', runId: 'r1' }) };
  return { repo, ctx: testContext({ services: { events } }).ctx };
}

describe('event module', () => {
  it('dispatch persists the event before it returns its id', async () => {
    const { repo, ctx } = withQueue();
    const id = (await call('dispatch', ['deploy.started', { deploy_id: 'deploy-123', version: 'v2.0.0' }], ctx)) as string;
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    expect(repo.find(id)).toMatchObject({
      type: 'deploy.started',
      source: 'workflow:test',
      runId: 'r1',
      status: 'pending',
      data: { deploy_id: 'deploy-123', version: 'v2.0.0' },
    });
  });

  it('data is optional, and an empty table is no data', async () => {
    const { repo, ctx } = withQueue();
    expect(repo.find((await call('dispatch', ['deploy.completed'], ctx)) as string)?.data).toEqual({});
    expect(repo.find((await call('dispatch', ['deploy.completed', []], ctx)) as string)?.data).toEqual({});
  });

  it('dispatch_custom makes custom.<name> with the message', async () => {
    const { repo, ctx } = withQueue();
    const id = (await call('dispatch_custom', ['cache_warmed', 'all regions'], ctx)) as string;
    expect(repo.find(id)).toMatchObject({ type: 'custom.cache_warmed', data: { message: 'all regions' } });
  });

  it('refuses bad types and data, naming the argument', async () => {
    const { ctx } = withQueue();
    await expect(call('dispatch', ['Deploy Started', {}], ctx)).rejects.toThrow(
      /event.dispatch: argument #1 \(type\): expected an event type/,
    );
    await expect(call('dispatch', ['deploy', {}], ctx)).rejects.toThrow(/argument #1 \(type\)/);
    await expect(call('dispatch', ['deploy.started', 'text'], ctx)).rejects.toThrow(/argument #2 \(data\)/);
    await expect(call('dispatch_custom', ['Not Valid'], ctx)).rejects.toThrow(/argument #1 \(name\)/);
  });

  it('without a queue, says where events can be dispatched', async () => {
    await expect(call('dispatch', ['deploy.started', {}], testContext().ctx)).rejects.toThrow(
      /event.dispatch: this caller has no event queue/,
    );
  });
});
