import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { type ScheduleInput, scheduleRepo } from './schedule-repo.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-schedules-'));
  const store = openStore(dir);
  stores.push(store);
  return { dir, store, repo: scheduleRepo(store) };
}

const schedule = (name: string, extra: Partial<ScheduleInput> = {}): ScheduleInput => ({
  name,
  cron: '@hourly',
  timezone: undefined,
  file: '/tmp/w.sloth',
  workflow: undefined,
  stack: undefined,
  runArgs: ['--param', 'a=1'],
  overlap: 'skip',
  catchUp: 'one',
  timeoutMs: undefined,
  jitterMs: 0,
  after: undefined,
  enabled: true,
  dueAt: 1000,
  fireAt: 1000,
  ...extra,
});

describe('ScheduleRepo', () => {
  it('adds, finds, lists and removes schedules; a name is taken once', () => {
    const { repo } = fresh();
    repo.add(schedule('b'));
    repo.add(schedule('a', { timezone: 'UTC', timeoutMs: 5000 }));
    expect(repo.list().map((s) => [s.name, s.timezone, s.timeoutMs, s.runArgs])).toEqual([
      ['a', 'UTC', 5000, ['--param', 'a=1']],
      ['b', undefined, undefined, ['--param', 'a=1']],
    ]);
    expect(() => repo.add(schedule('a'))).toThrow(/a schedule named 'a' exists already/);
    repo.recordRun('a', 'cron', 'skipped', 1000, 'why');
    repo.remove('a');
    expect(repo.find('a')).toBeUndefined();
    expect(repo.history('a')).toEqual([]);
    expect(() => repo.get('c')).toThrow(/no schedule named 'c'/);
  });

  it('hands a firing to one taker: advance is a compare-and-swap on the firing time', () => {
    const { dir, repo } = fresh();
    const other = openStore(dir);
    stores.push(other);
    repo.add(schedule('s'));
    expect(repo.due(999, 10)).toEqual([]);
    const [due] = repo.due(1000, 10);
    expect(due?.name).toBe('s');
    expect(repo.advance('s', due?.fireAt, { dueAt: 2000, fireAt: 2100 })).toBe(true);
    // A second scheduler that read the same firing loses it.
    expect(scheduleRepo(other).advance('s', due?.fireAt, { dueAt: 2000, fireAt: 2100 })).toBe(false);
    expect([repo.get('s').dueAt, repo.get('s').fireAt]).toEqual([2000, 2100]);
    expect(repo.nextFireAt()).toBe(2100);
    repo.setEnabled('s', false, {});
    expect(repo.due(10_000, 10)).toEqual([]);
    expect(repo.nextFireAt()).toBeUndefined();
  });

  it('gives a successful run of the other schedule to each dependent once, and only runs newer than the dependent', () => {
    const { repo } = fresh();
    repo.add(schedule('build'));
    const old = repo.recordRun('build', 'cron', 'running', 1000);
    repo.finishRun(old.id, { status: 'success' });
    repo.add(schedule('deploy', { after: 'build', cron: '', dueAt: undefined, fireAt: undefined }));
    expect(repo.takeAfterSuccess(repo.get('deploy'))).toBeUndefined();
    const failed = repo.recordRun('build', 'cron', 'running', 2000);
    repo.finishRun(failed.id, { status: 'failed', error: 'boom' });
    expect(repo.takeAfterSuccess(repo.get('deploy'))).toBeUndefined();
    const ok = repo.recordRun('build', 'run-now', 'running', 3000);
    repo.finishRun(ok.id, { status: 'success', stack: 'b', executionId: 'e1' });
    const stale = repo.get('deploy');
    expect(repo.takeAfterSuccess(stale)).toBe(ok.id);
    // A second taker with the same view gets nothing.
    expect(repo.takeAfterSuccess(stale)).toBeUndefined();
    expect(repo.takeAfterSuccess(repo.get('deploy'))).toBeUndefined();
    expect(repo.run(ok.id)).toMatchObject({ status: 'success', stack: 'b', executionId: 'e1' });
  });

  it('marks interrupted the live runs of a dead process of this host, and starts a queued run once', () => {
    const { store, repo } = fresh();
    repo.add(schedule('s'));
    const mine = repo.recordRun('s', 'cron', 'running', 1000);
    const dead = repo.recordRun('s', 'cron', 'running', 2000);
    const queued = repo.recordRun('s', 'cron', 'queued', 3000);
    // A pid no process has (above the kernel's maximum).
    store.sqlite.prepare('UPDATE schedule_runs SET pid = 4194305 WHERE id IN (?, ?)').run(dead.id, queued.id);
    expect(repo.recoverDead()).toBe(2);
    expect(repo.liveRuns('s').map((r) => r.id)).toEqual([mine.id]);
    expect(repo.run(dead.id)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/died/) });
    const next = repo.recordRun('s', 'cron', 'queued', 4000);
    expect(repo.startQueued(next.id)).toBe(true);
    expect(repo.startQueued(next.id)).toBe(false);
    expect(repo.lastRuns().get('s')?.id).toBe(next.id);
  });
});
