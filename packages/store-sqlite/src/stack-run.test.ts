import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseRepo } from './leases.js';
import { openStore, type Store } from './open-store.js';
import { stackRepo } from './stack-repo.js';
import { beginStackRun, stackLockName } from './stack-run.js';

const stores: Store[] = [];
function fresh(): Store {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-stack-run-')));
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('stack runs', () => {
  it('creates the stack, holds its lock while running, records the execution and releases at the end', async () => {
    const store = fresh();
    const run = await beginStackRun(store, { stack: 'prod', workflow: 'wf' });
    expect(run.binding).toMatchObject({ name: 'prod', id: run.stack.id, executionId: run.execution.id });
    expect(leaseRepo(store).holder(stackLockName('prod'))?.pid).toBe(process.pid);
    const repo = stackRepo(store);
    repo.registerResource(run.stack.id, run.execution.id, { type: 't', name: 'a' });
    repo.setOutput(run.stack.id, run.execution.id, 'url', 'x');
    const summary = run.finish('success', { total: 1, success: 1 });
    expect(summary.execution).toMatchObject({ status: 'success', taskCounts: { total: 1, success: 1 }, outputs: { url: 'x' } });
    expect(summary.execution.changes.created).toBe(1);
    expect(summary.outputs).toEqual({ url: 'x' });
    expect(leaseRepo(store).holder(stackLockName('prod'))).toBeUndefined();
    expect(run.finish('failed', {})).toBe(summary);
  });

  it('fails at once naming the holder when the stack is locked, and waits with a lock timeout', async () => {
    const store = fresh();
    const first = await beginStackRun(store, { stack: 'prod', workflow: 'wf' });
    await expect(beginStackRun(store, { stack: 'prod', workflow: 'wf' })).rejects.toThrow(
      new RegExp(`stack 'prod' is locked by another run: pid ${process.pid} on .+ since \\d{4}-`),
    );
    const second = beginStackRun(store, { stack: 'prod', workflow: 'wf', lockTimeoutMs: 20_000 });
    setTimeout(() => first.finish('success', {}), 50);
    const run = await second;
    expect(run.execution.id).not.toBe(first.execution.id);
    run.finish('success', {});
  });

  it('marks an execution left running by a dead holder as interrupted and takes its lease', async () => {
    const store = fresh();
    const repo = stackRepo(store);
    const stack = repo.ensureStack('prod');
    const dead = repo.insertExecution(stack.id, 'wf');
    repo.registerResource(stack.id, dead.id, { type: 't', name: 'kept' });
    // A lease held by a pid that cannot exist on this host: its holder is dead.
    store.sqlite
      .prepare('UPDATE locks SET pid = 2147483646 WHERE name = ?')
      .run(leaseRepo(store).tryAcquire(stackLockName('prod'), 60_000)?.name);
    const run = await beginStackRun(store, { stack: 'prod', workflow: 'wf' });
    expect(run.interrupted.map((e) => e.id)).toEqual([dead.id]);
    expect(repo.execution(dead.id)?.status).toBe('interrupted');
    expect(repo.getResource(stack.id, 't', 'kept')).toBeDefined();
    const summary = run.finish('success', {});
    expect(summary.orphans).toEqual([{ type: 't', name: 'kept' }]);
  });

  it('renews its lease while running', async () => {
    const store = fresh();
    const run = await beginStackRun(store, { stack: 'p', workflow: 'wf', leaseTtlMs: 60 });
    const first = leaseRepo(store).holder(stackLockName('p'))?.expiresAt ?? 0;
    // Bounded wait for a renewal (every ttl/3), not a timed assertion.
    for (let i = 0; i < 250 && (leaseRepo(store).holder(stackLockName('p'))?.expiresAt ?? 0) <= first; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(leaseRepo(store).holder(stackLockName('p'))?.expiresAt ?? 0).toBeGreaterThan(first);
    run.finish('success', {});
  });
});
