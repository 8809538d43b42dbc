import { Code } from '@connectrpc/connect';
import { controlClient } from '@sloth/client';
import { scheduleRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { rejection, TOKEN, testMaster } from './master.test-helper.js';

const ADD = { name: 'nightly', cron: '0 3 * * *', file: '/srv/flows/nightly.sloth', overlap: 'skip', catchUp: 'one' };

describe('master: schedules', () => {
  it('answers the schedules of its store, with runs; an unknown name is not_found with the nearest one', async () => {
    const m = await testMaster();
    const repo = scheduleRepo(m.store);
    repo.add({
      name: 'nightly',
      cron: '0 3 * * *',
      timezone: 'UTC',
      file: '/srv/flows/nightly.sloth',
      workflow: undefined,
      stack: undefined,
      runArgs: ['--param', 'env=prod'],
      overlap: 'skip',
      catchUp: 'one',
      timeoutMs: 60_000,
      jitterMs: 0,
      after: undefined,
      enabled: true,
      dueAt: 2_000_000_000_000,
      fireAt: 2_000_000_000_000,
    });
    const run = repo.recordRun('nightly', 'cron', 'running', 1_000, undefined, 1_500);
    repo.finishRun(run.id, { status: 'failed', exitCode: 1, error: 'the disk is full' }, 2_000);
    const c = controlClient({ address: m.url, token: TOKEN });
    const [listed] = (await c.listSchedules({})).schedules;
    expect([listed?.name, listed?.timezone, listed?.runArgs, listed?.timeoutMs, listed?.fireAtMs]).toEqual([
      'nightly',
      'UTC',
      ['--param', 'env=prod'],
      60_000n,
      2_000_000_000_000n,
    ]);
    expect([listed?.lastRun?.status, listed?.lastRun?.error, listed?.lastRun?.exitCode]).toEqual([
      'failed',
      'the disk is full',
      1,
    ]);
    const got = await c.getSchedule({ name: 'nightly', runs: 5 });
    expect(got.runs.map((r) => [r.trigger, r.status, r.dueAtMs, r.startedAtMs, r.finishedAtMs])).toEqual([
      ['cron', 'failed', 1_000n, 1_500n, 2_000n],
    ]);
    const missing = await rejection(c.getSchedule({ name: 'nighty', runs: 5 }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toMatch(/no schedule named 'nighty'.*nightly/);
    await c.removeSchedule({ name: 'nightly' });
    expect(repo.list()).toEqual([]);
  });

  it('validates changes, and refuses them without the scheduler rules (a master started outside the CLI)', async () => {
    const m = await testMaster();
    const c = controlClient({ address: m.url, token: TOKEN });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...ADD, file: 'nightly.sloth' }, /^invalid AddSchedule: file must be an absolute path on the master's machine$/],
      [{ ...ADD, values: ['prod.yaml'] }, /^invalid AddSchedule: values\.0 must be an absolute path/],
      [{ ...ADD, params: ['a=b\0c'] }, /params\.0 contains a NUL byte/],
      [{ ...ADD, overlap: 'sometimes' }, /^invalid AddSchedule: overlap /],
      [{ ...ADD, name: '' }, /^invalid AddSchedule: name is empty$/],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(c.addSchedule(req));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(message);
    }
    for (const call of [() => c.addSchedule(ADD), () => c.setSchedulesEnabled({ enabled: false })]) {
      const err = await rejection(call());
      expect(err.code).toBe(Code.Unimplemented);
      expect(err.rawMessage).toMatch(/this master cannot change schedules/);
    }
    expect(scheduleRepo(m.store).list()).toEqual([]);
  });

  it('answers schedule calls only with the token', async () => {
    const m = await testMaster();
    for (const token of ['', 'wrong-token-123']) {
      const c = controlClient({ address: m.url, token });
      for (const call of [() => c.listSchedules({}), () => c.addSchedule(ADD), () => c.removeSchedule({ name: 'x' })]) {
        expect((await rejection(call())).code).toBe(Code.Unauthenticated);
      }
    }
  });
});
