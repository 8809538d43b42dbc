import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newEventId } from './event-id.js';
import { eventRepo, type LeaseOwner, MAX_EVENT_DEPTH } from './event-repo.js';
import { openStore, type Store } from './open-store.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function fresh(dir = mkdtempSync(join(tmpdir(), 'sloth-events-'))) {
  const store = openStore(dir);
  stores.push(store);
  return { dir, store, repo: eventRepo(store) };
}

const owner = (pid = process.pid, token = `t-${Math.random()}`): LeaseOwner => ({ token, host: hostname(), pid });
const meta = { source: 'cli', stack: 'prod', runId: 'run-1' };

describe('event ids', () => {
  it('are 26 characters and sort in the order they were made, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newEventId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(2000);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 3)) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(newEventId(1_700_000_000_001) > (ids.at(-1) as string)).toBe(true);
  });
});

describe('EventRepo', () => {
  it('dispatch persists a pending event with its data; find by id or unique prefix', () => {
    const { repo } = fresh();
    const id = repo.dispatch('deploy.started', { version: 'v2', nested: { n: 1 } }, meta);
    const e = repo.find(id);
    expect(e).toMatchObject({
      id,
      type: 'deploy.started',
      status: 'pending',
      attempts: 0,
      source: 'cli',
      stack: 'prod',
      runId: 'run-1',
    });
    expect(e?.data).toEqual({ version: 'v2', nested: { n: 1 } });
    expect(repo.find(id.slice(0, 20).toLowerCase())?.id).toBe(id);
    expect(repo.find('ZZZZZZZZ')).toBeUndefined();
  });

  it('a dispatch inside a transaction of the store is part of it: rolled back with it', () => {
    const { store, repo } = fresh();
    let id = '';
    expect(() =>
      store.write(() => {
        id = repo.dispatch('deploy.started', {}, meta);
        expect(repo.find(id)?.status).toBe('pending');
        throw new Error('the rest of the transaction failed');
      }),
    ).toThrow('the rest of the transaction failed');
    expect(repo.find(id)).toBeUndefined();
    const kept = store.write(() => repo.dispatch('deploy.started', {}, meta));
    expect(repo.find(kept)?.status).toBe('pending');
  });

  it('closing the store leaves no connection open: the write-ahead log is folded back and removed', () => {
    const { dir, store, repo } = fresh();
    const id = repo.dispatch('deploy.started', { v: 1 }, meta);
    expect(existsSync(join(dir, 'sloth.db-wal'))).toBe(true);
    stores.splice(stores.indexOf(store), 1);
    store.close();
    // SQLite removes the log when the last connection to the file closes: a connection left open would keep it.
    expect(existsSync(join(dir, 'sloth.db-wal'))).toBe(false);
    const again = fresh(dir);
    expect(again.repo.find(id)?.data).toEqual({ v: 1 });
  });

  it('a dispatch on a closed store fails (its journal is closed with it)', () => {
    const { store, repo } = fresh();
    stores.splice(stores.indexOf(store), 1);
    store.close();
    expect(() => repo.dispatch('deploy.started', {}, meta)).toThrow(/not open/);
  });

  it('refuses invalid types and data that is not a table or too big', () => {
    const { repo } = fresh();
    expect(() => repo.dispatch('Deploy', {}, meta)).toThrow(/invalid event type 'Deploy'/);
    expect(() => repo.dispatch('a.b', 'x' as unknown as Record<string, unknown>, meta)).toThrow(/table of key = value/);
    expect(() => repo.dispatch('a.b', { big: 'x'.repeat(300_000) }, meta)).toThrow(/more than the 262144 allowed/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => repo.dispatch('a.b', cyclic, meta)).toThrow(/cannot be stored as JSON/);
  });

  it(`keeps how deep in a chain of hook dispatches an event is, and refuses one deeper than ${MAX_EVENT_DEPTH}`, () => {
    const { repo } = fresh();
    const id = repo.dispatch('x.y', {}, { ...meta, depth: MAX_EVENT_DEPTH });
    expect(repo.find(id)?.depth).toBe(MAX_EVENT_DEPTH);
    expect(repo.find(repo.dispatch('x.y', {}, meta))?.depth).toBe(0);
    expect(() => repo.dispatch('x.y', {}, { ...meta, depth: MAX_EVENT_DEPTH + 1 })).toThrow(
      /'x\.y' from .* would be the 17th event of a chain of events dispatched by hooks; at most 16/,
    );
    expect(repo.list({ limit: 10 })).toHaveLength(2);
  });

  it('claims oldest first, leases to one owner, and never hands one event to two owners', () => {
    const { repo } = fresh();
    const ids = Array.from({ length: 10 }, (_, i) => repo.dispatch('x.y', { i }, meta));
    const a = owner();
    const b = owner();
    const first = repo.claim(a, 4, 60_000);
    expect(first.map((e) => e.id)).toEqual(ids.slice(0, 4));
    expect(first.every((e) => e.attempts === 1)).toBe(true);
    expect(first.every((e) => repo.find(e.id)?.status === 'processing')).toBe(true);
    const second = repo.claim(b, 100, 60_000);
    expect(second.map((e) => e.id)).toEqual(ids.slice(4));
    expect(repo.claim(a, 100, 60_000)).toEqual([]);
  });

  it('claims only one run when asked, and only events that are due', () => {
    const { repo } = fresh();
    const mine = repo.dispatch('x.y', {}, meta);
    repo.dispatch('x.y', {}, { ...meta, runId: 'other' });
    expect(repo.claim(owner(), 10, 60_000, 'run-1').map((e) => e.id)).toEqual([mine]);
    const o = owner();
    const [later] = repo.claim(o, 10, 60_000);
    repo.finish(o, [{ id: later?.id as string, status: 'pending', availableAt: Date.now() + 60_000, executions: [] }]);
    expect(repo.claim(owner(), 10, 60_000)).toEqual([]);
    expect(repo.claim(owner(), 10, 60_000, undefined, Date.now() + 61_000)).toHaveLength(1);
  });

  it('finish records executions and the outcome in one go, only for events the owner still holds', () => {
    const { repo } = fresh();
    const id = repo.dispatch('x.y', {}, meta);
    const a = owner();
    repo.claim(a, 1, 60_000);
    const execution = {
      hook: 'h',
      attempt: 1,
      success: false,
      output: undefined,
      error: 'boom',
      durationMs: 3,
      startedAt: Date.now(),
    };
    expect(repo.finish(owner(), [{ id, status: 'completed', executions: [] }])).toBe(0);
    expect(repo.find(id)?.status).toBe('processing');
    expect(repo.failedCount()).toBe(0);
    expect(repo.finish(a, [{ id, status: 'failed', error: 'h: boom', executions: [execution] }])).toBe(1);
    expect(repo.find(id)).toMatchObject({ status: 'failed', error: 'h: boom' });
    expect(repo.failedCount()).toBe(1);
    expect(repo.find(id)?.processedAt).toBeGreaterThan(0);
    expect(repo.executionsOf(id)).toMatchObject([{ hook: 'h', attempt: 1, success: false, error: 'boom', eventId: id }]);
    expect(repo.priorExecutions(id).get('h')).toEqual({ runs: 1, succeeded: false });
  });

  it('release hands events back; renew extends leases', () => {
    const { repo } = fresh();
    const ids = [repo.dispatch('x.y', {}, meta), repo.dispatch('x.y', {}, meta)];
    const a = owner();
    repo.claim(a, 2, 60_000);
    expect(repo.renewLeases(a, 60_000)).toBe(2);
    expect(repo.release(a, [ids[0] as string])).toBe(1);
    expect(repo.find(ids[0] as string)?.status).toBe('pending');
    expect(repo.release(a)).toBe(1);
    expect(repo.claim(owner(), 10, 60_000)).toHaveLength(2);
  });

  it('recovers events whose lease ran out, and at once those of a dead process of this host', () => {
    const { repo } = fresh();
    const [expired, dead, live] = [
      repo.dispatch('x.y', {}, meta),
      repo.dispatch('x.y', {}, meta),
      repo.dispatch('x.y', {}, meta),
    ];
    repo.claim(owner(), 1, -1000); // its lease is already over
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    repo.claim(owner(deadPid), 1, 60_000);
    repo.claim(owner(), 1, 60_000); // this live process
    expect(repo.recoverAbandoned()).toBe(2);
    expect(repo.find(expired)?.status).toBe('pending');
    expect(repo.find(dead)?.status).toBe('pending');
    expect(repo.find(live)?.status).toBe('processing');
  });

  it('lists newest first with filters, type patterns and source included', () => {
    const { repo } = fresh();
    repo.dispatch('task.failed', {}, meta);
    repo.dispatch('task.completed', {}, meta);
    repo.dispatch('deploy.started', {}, { ...meta, runId: 'r2', source: 'agent:web-1' });
    expect(repo.list().map((e) => e.type)).toEqual(['deploy.started', 'task.completed', 'task.failed']);
    expect(repo.list({ source: 'agent:web-1' }).map((e) => e.type)).toEqual(['deploy.started']);
    expect(repo.list({ source: 'agent:web-2' })).toEqual([]);
    expect(repo.list({ type: 'task.*' }).map((e) => e.type)).toEqual(['task.completed', 'task.failed']);
    expect(repo.list({ type: 'task.failed' })).toHaveLength(1);
    expect(repo.list({ runId: 'r2' })).toHaveLength(1);
    expect(repo.list({ status: 'completed' })).toHaveLength(0);
    expect(repo.list({ limit: 1 })).toHaveLength(1);
  });

  it('cleanup removes old finished events and their executions, pending ones only when asked, never processing ones', () => {
    const { repo } = fresh();
    const old = Date.now() - 48 * 3600_000;
    const done = repo.dispatch('x.y', {}, meta, old);
    const pending = repo.dispatch('x.y', {}, meta, old + 1);
    const busy = repo.dispatch('x.y', {}, meta, old + 2);
    const recent = repo.dispatch('x.y', {}, meta);
    const o = owner();
    repo.claim(o, 1, 60_000);
    repo.finish(o, [
      {
        id: done,
        status: 'completed',
        executions: [{ hook: 'h', attempt: 1, success: true, output: 'ok', error: undefined, durationMs: 1, startedAt: old }],
      },
    ]);
    const o2 = owner();
    repo.claim(o2, 1, 60_000, undefined); // claims `pending` (oldest pending)
    repo.release(o2);
    repo.claim(o2, 2, 60_000); // pending + busy
    repo.release(o2, [pending]);
    const before = Date.now() - 24 * 3600_000;
    expect(repo.cleanup(before)).toEqual({ events: 1, executions: 1 });
    expect(repo.find(done)).toBeUndefined();
    expect(repo.find(pending)?.status).toBe('pending');
    expect(repo.cleanup(before, true)).toEqual({ events: 1, executions: 0 });
    expect(repo.find(busy)?.status).toBe('processing');
    expect(repo.find(recent)).toBeDefined();
  });
});
