import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventOutboxRepo } from './event-outbox-repo.js';
import { eventRepo } from './event-repo.js';
import { openStore, type Store } from './open-store.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function fresh(dir = mkdtempSync(join(tmpdir(), 'sloth-outbox-'))): Store {
  const store = openStore(dir);
  stores.push(store);
  return store;
}

describe('EventOutboxRepo (an agent waiting for its master)', () => {
  it('keeps events across reopening until they are acknowledged, oldest first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-outbox-'));
    const first = fresh(dir);
    const a = eventOutboxRepo(first).add('deploy.started', { v: 1 }, { stack: 'prod', runId: 'r1' }, 1000);
    const b = eventOutboxRepo(first).add('deploy.finished', {}, {}, 2000);
    first.close();
    stores.splice(0);
    const again = fresh(dir);
    const outbox = eventOutboxRepo(again);
    expect(outbox.pending()).toEqual([
      { id: a.id, type: 'deploy.started', data: '{"v":1}', stack: 'prod', runId: 'r1', createdAt: 1000 },
      { id: b.id, type: 'deploy.finished', data: '{}', stack: undefined, runId: undefined, createdAt: 2000 },
    ]);
    expect(outbox.remove([a.id, 'unknown'])).toBe(1);
    expect(outbox.pending().map((e) => e.id)).toEqual([b.id]);
    expect(outbox.count()).toBe(1);
  });

  it('refuses what dispatch refuses: a bad type, data that is not a table', () => {
    const outbox = eventOutboxRepo(fresh());
    expect(() => outbox.add('Deploy', {}, {})).toThrow(/invalid event type 'Deploy'/);
    expect(() => outbox.add('deploy.x', [1] as unknown as Record<string, unknown>, {})).toThrow(/must be a table/);
    expect(outbox.count()).toBe(0);
  });
});

describe('EventRepo.receive (a master storing what agents forward)', () => {
  it('stores each id once, with its source and creation time, and refuses invalid data', () => {
    const store = fresh();
    const outbox = eventOutboxRepo(store);
    const e = outbox.add('deploy.started', { v: 2 }, { stack: 'prod' }, 5000);
    const repo = eventRepo(store);
    expect(repo.receive([e], 'agent:web-01', 9000)).toBe(1);
    // Sent again after a lost ack: not stored twice.
    expect(repo.receive([e], 'agent:web-01', 9500)).toBe(0);
    expect(repo.find(e.id)).toMatchObject({
      id: e.id,
      type: 'deploy.started',
      source: 'agent:web-01',
      stack: 'prod',
      data: { v: 2 },
      status: 'pending',
      createdAt: 5000,
      availableAt: 9000,
    });
    expect(() => repo.receive([{ ...e, id: 'X', data: '{' }], 'agent:a')).toThrow(/its data is not JSON/);
    expect(() => repo.receive([{ ...e, id: 'Y', data: '"text"' }], 'agent:a')).toThrow(/must be a table/);
    expect(() => repo.receive([{ ...e, id: 'Z', type: 'Nope' }], 'agent:a')).toThrow(/invalid event type/);
    expect(repo.list({ limit: 10 })).toHaveLength(1);
  });
});
