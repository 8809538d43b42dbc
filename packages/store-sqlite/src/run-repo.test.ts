import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { RUN_RETENTION_MS, runRepo } from './run-repo.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function fresh() {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-runs-')));
  stores.push(store);
  return { store, repo: runRepo(store) };
}

describe('RunRepo', () => {
  it('records a run, its tasks in order and its log lines, read back from another connection', () => {
    const { store, repo } = fresh();
    repo.start({
      id: 'r1',
      workflow: 'deploy',
      stack: 'prod',
      startedAt: 1000,
      tasks: ['build', 'ship'],
      deps: { build: [], ship: ['build'] },
    });
    repo.taskStatus('r1', 'build', 'running', 1);
    repo.log('r1', [
      { seq: 1, at: 1001, task: 'build', agent: null, level: 'info', stream: 'stdout', message: 'compiling' },
      { seq: 2, at: 1002, task: 'build', agent: null, level: 'warn', stream: null, message: 'slow disk' },
    ]);
    repo.taskEnd('r1', 'build', { status: 'success', attempts: 2, changed: true, durationMs: 40, error: null, agent: 'a1' });

    const other = openStore(store.dataDir);
    stores.push(other);
    const read = runRepo(other);
    expect(read.get('r1')).toMatchObject({
      workflow: 'deploy',
      stack: 'prod',
      status: 'running',
      taskCount: 2,
      finishedAt: null,
    });
    expect(read.tasks('r1')).toEqual([
      { name: 'build', status: 'success', attempts: 2, changed: true, durationMs: 40, error: null, agent: 'a1', deps: [] },
      {
        name: 'ship',
        status: 'pending',
        attempts: 0,
        changed: false,
        durationMs: null,
        error: null,
        agent: null,
        deps: ['build'],
      },
    ]);
    expect(read.logs('r1', 0, 10).map((l) => l.message)).toEqual(['compiling', 'slow disk']);
    expect(read.logs('r1', 1, 10).map((l) => l.seq)).toEqual([2]);

    repo.finish('r1', 'failed', 1500, 'ship failed');
    expect(read.latest(10)).toMatchObject([{ id: 'r1', status: 'failed', finishedAt: 1500, error: 'ship failed' }]);
  });

  it("keeps only dependencies that name the run's tasks (a reported run's come from another process); none said: none", () => {
    const { repo } = fresh();
    const deps = { a: ['b', 'ghost', 7], b: 'not a list' } as unknown as Record<string, unknown[]>;
    repo.start({ id: 'r1', workflow: 'w', stack: null, startedAt: 1000, tasks: ['a', 'b'], deps });
    expect(repo.tasks('r1').map((t) => [t.name, t.deps])).toEqual([
      ['a', ['b']],
      ['b', []],
    ]);
    repo.start({ id: 'r2', workflow: 'w', stack: null, startedAt: 1000, tasks: ['a'] });
    expect(repo.tasks('r2').map((t) => t.deps)).toEqual([[]]);
  });

  it('reads a run left running by a process that is gone as interrupted', () => {
    const { store, repo } = fresh();
    repo.start({ id: 'r1', workflow: 'w', stack: null, startedAt: 1000, tasks: [] });
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    store.sqlite.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(gone, 'r1');
    expect(repo.get('r1')?.status).toBe('interrupted');
    repo.start({ id: 'r2', workflow: 'w', stack: null, startedAt: 2000, tasks: [] });
    expect(repo.get('r2')?.status).toBe('running');
  });

  it('counts the runs started since a time by status, a run whose process is gone as interrupted', () => {
    const { store, repo } = fresh();
    repo.start({ id: 'old', workflow: 'w', stack: null, startedAt: 500, tasks: [] });
    repo.finish('old', 'success', 600, undefined);
    for (const [id, at] of [
      ['a', 1000],
      ['b', 1001],
      ['c', 1002],
      ['d', 1003],
    ] as const)
      repo.start({ id, workflow: 'w', stack: null, startedAt: at, tasks: [] });
    repo.finish('a', 'success', 1100, undefined);
    repo.finish('b', 'failed', 1100, 'boom');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    store.sqlite.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(gone, 'c');
    expect(repo.countsSince(1000)).toEqual({ success: 1, failed: 1, interrupted: 1, running: 1 });
    expect(repo.countsSince(0)).toEqual({ success: 2, failed: 1, interrupted: 1, running: 1 });
    expect(repo.countsSince(2000)).toEqual({});
  });

  it('forgets runs older than the retention with their tasks and logs', () => {
    const { repo } = fresh();
    const now = Date.now();
    repo.start({ id: 'old', workflow: 'w', stack: null, startedAt: now - RUN_RETENTION_MS - 1, tasks: ['t'] });
    repo.log('old', [{ seq: 1, at: now, task: 't', agent: null, level: 'info', stream: null, message: 'x' }]);
    repo.start({ id: 'new', workflow: 'w', stack: null, startedAt: now, tasks: ['t'] });
    expect(repo.forgetBefore(now - RUN_RETENTION_MS)).toBe(1);
    expect(repo.latest(10).map((r) => r.id)).toEqual(['new']);
    expect(repo.tasks('old')).toEqual([]);
    expect(repo.logs('old', 0, 10)).toEqual([]);
  });
});
