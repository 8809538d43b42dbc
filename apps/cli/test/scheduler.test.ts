// The scheduler end to end: real `scheduler run` and `master start` processes on a real data directory, firing
// second-resolution schedules whose runs are real `workflow run` processes. Every wait is on a condition, bounded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { type ScheduleRunRecord, scheduleRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { BIN, writeFiles } from './cli.test-helper.js';
import { eventsOf, peek } from './events.test-helper.js';
import { daemon, fleetHome, startMaster, withMaster } from './fleet.test-helper.js';
import { freshHome, gatedWorkflow, sloth, slothJson, waitForFile } from './stack.test-helper.js';

const OK_WORKFLOW = `
task("tick"):command(function() log.info("tick") return true, "ticked" end):build()
workflow.define("ticker", { tasks = { "tick" } })
`;
const FAILING_WORKFLOW = `
task("boom"):command(function() return false, "the disk is full" end):build()
workflow.define("failing", { tasks = { "boom" } })
`;
const BROKEN_WORKFLOW = 'task("x"):command(function()\n  return true\nend\n)):build()\n';

/** A scheduler on `home` that looks often and hands over fast (a 2 s lease). */
function schedulerRun(home: string) {
  return daemon(BIN, ['scheduler', 'run', '--tick', '100ms', '--lease-ttl', '2s'], home);
}

/** A schedule's runs, oldest first, read as another process would. */
function runsOf(home: string, name: string): ScheduleRunRecord[] {
  return peek(home, (store) => scheduleRepo(store).history(name, 1000)).reverse();
}

async function waitForRun(home: string, name: string, what: string, test: (r: ScheduleRunRecord) => boolean) {
  let found: ScheduleRunRecord | undefined;
  await waitFor(
    () => {
      found = runsOf(home, name).find(test);
      return found !== undefined;
    },
    30_000,
    `${what} (runs so far: ${JSON.stringify(runsOf(home, name))})`,
    50,
  );
  return found as ScheduleRunRecord;
}

async function add(home: string, args: string[]) {
  const r = await sloth(home, ['scheduler', 'add', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** A scheduler whose schedule 'held' has a run going that never ends by itself (its gate never opens). */
async function heldRun() {
  const home = freshHome();
  const gate = writeFiles({});
  const dir = writeFiles({ 'gated.sloth': gatedWorkflow(gate) });
  await add(home, ['held', '--cron', '@every 1s', '-f', join(dir, 'gated.sloth')]);
  const scheduler = schedulerRun(home);
  await waitForFile(join(gate, 'ready'), 'the scheduled run to hold');
  return { home, scheduler };
}

describe('scheduler add', () => {
  it('refuses an invalid cron expression, an unknown timezone, a missing file and an unknown --after, clearly', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    const file = join(dir, 'ok.sloth');
    const cases: [string[], RegExp][] = [
      [['bad', '--cron', '61 * * * *', '-f', file], /invalid cron expression '61 \* \* \* \*': Invalid value for minute: 61/],
      [['bad', '--cron', '* * *', '-f', file], /3 field\(s\), expected 5 or 6/],
      [['bad', '--cron', '@every soon', '-f', file], /invalid cron expression '@every soon'/],
      [['bad', '--cron', '@daily', '--timezone', 'Mars/Base', '-f', file], /unknown timezone 'Mars\/Base'/],
      [['bad', '--cron', '@daily', '-f', join(dir, 'nope.sloth')], /workflow file not found/],
      [['bad', '--after', 'nightly', '-f', file], /no schedule named 'nightly'/],
      [['bad', '-f', file], /needs --cron, --after, or both/],
    ];
    for (const [args, message] of cases) {
      const r = await sloth(home, ['scheduler', 'add', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const list = await sloth(home, ['scheduler', 'list']);
    expect(list.stdout).toMatch(/no schedules/);
  });

  it('lists, shows, disables and enables schedules; a disabled schedule has no next run', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    await add(home, ['nightly', '--cron', '0 3 * * *', '--timezone', 'Europe/Berlin', '-f', join(dir, 'ok.sloth')]);
    await add(home, ['probe', '--cron', '@every 30s', '-f', join(dir, 'ok.sloth'), '--overlap', 'queue']);
    const listed = JSON.parse((await sloth(home, ['scheduler', 'list', '-o', 'json'])).stdout) as Record<string, unknown>[];
    expect(listed.map((s) => [s.name, s.cron, s.timezone, s.overlap, s.enabled])).toEqual([
      ['nightly', '0 3 * * *', 'Europe/Berlin', 'skip', true],
      ['probe', '@every 30s', null, 'queue', true],
    ]);
    expect(listed.every((s) => typeof s.next_run_at === 'string')).toBe(true);
    expect((await sloth(home, ['scheduler', 'disable'])).stdout).toMatch(/disabled schedules nightly, probe/);
    const shown = JSON.parse((await sloth(home, ['scheduler', 'show', 'probe', '-o', 'json'])).stdout);
    expect([shown.enabled, shown.next_run_at]).toEqual([false, null]);
    expect((await sloth(home, ['scheduler', 'enable', 'probe'])).stdout).toMatch(/enabled schedule probe/);
    const again = JSON.parse((await sloth(home, ['scheduler', 'show', 'probe', '-o', 'json'])).stdout);
    expect(again.enabled).toBe(true);
    const missing = await sloth(home, ['scheduler', 'show', 'prob']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no schedule named 'prob'.*probe/);
    expect((await sloth(home, ['scheduler', 'remove', 'probe'])).code).toBe(0);
    expect((await sloth(home, ['scheduler', 'list'])).stdout).not.toMatch(/probe/);
  });
});

describe('scheduler run', () => {
  it('fires a second-resolution schedule on time, records a broken workflow file as a failed run, never fires a disabled one', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW, 'broken.sloth': BROKEN_WORKFLOW });
    await add(home, ['every2', '--cron', '*/2 * * * * *', '-f', join(dir, 'ok.sloth')]);
    await add(home, ['broken', '--cron', '*/2 * * * * *', '-f', join(dir, 'broken.sloth')]);
    await add(home, ['off', '--cron', '* * * * * *', '-f', join(dir, 'ok.sloth'), '--disabled']);
    const s = schedulerRun(home);
    const ok = await waitForRun(home, 'every2', 'a successful run of every2', (r) => r.status === 'success');
    // Fired as an on-time firing (not a catch-up), on a due time of its expression, recorded in its stack.
    expect(ok.trigger).toBe('cron');
    expect(ok.dueAt % 2000).toBe(0);
    expect(ok.stack).toBe('ticker');
    expect(ok.executionId).toMatch(/\S/);
    const broken = await waitForRun(
      home,
      'broken',
      'a finished run of broken',
      (r) => !['running', 'skipped'].includes(r.status),
    );
    expect(broken.status).toBe('failed');
    expect(broken.exitCode).toBe(2);
    expect(broken.error).toMatch(/broken\.sloth:\d+/);
    // Several firings of the others later, the disabled schedule has none.
    await waitFor(() => runsOf(home, 'every2').length >= 3, 30_000, 'three firings of every2');
    expect(runsOf(home, 'off')).toEqual([]);
    const triggered = eventsOf(home, 'schedule.triggered').map((e) => (e.data as { schedule: string }).schedule);
    expect(triggered).toContain('every2');
    expect(triggered).not.toContain('off');
    const history = await sloth(home, ['scheduler', 'history', 'broken']);
    expect(history.stdout).toMatch(/failed/);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(s.output()).toMatch(/scheduler stopped/);
    expect(peek(home, (store) => store.sqlite.prepare("SELECT count(*) AS n FROM locks WHERE name = 'scheduler'").get())).toEqual(
      { n: 0 },
    );
  });

  it('skips a firing while the run before is going (recorded, with schedule.skipped), stops a run at its timeout', async () => {
    const home = freshHome();
    const gate = writeFiles({});
    // capped's gate never opens: its run waits until its timeout stops it.
    const closed = writeFiles({});
    const dir = writeFiles({ 'gated.sloth': gatedWorkflow(gate), 'closed.sloth': gatedWorkflow(closed) });
    await add(home, ['slow', '--cron', '@every 1s', '-f', join(dir, 'gated.sloth')]);
    const capped = ['capped', '--cron', '@every 1s', '-f', join(dir, 'closed.sloth'), '--stack', 'capped'];
    await add(home, [...capped, '--timeout', '1s', '--disabled']);
    const s = schedulerRun(home);
    const skipped = await waitForRun(home, 'slow', 'a skipped firing of slow', (r) => r.status === 'skipped');
    expect(skipped.error).toMatch(/run #\d+ is still running \(overlap skip\)/);
    // The event is dispatched right after the skip is recorded (through the scheduler's event journal): wait for it.
    await waitFor(() => eventsOf(home, 'schedule.skipped').length > 0, 10_000, 'the schedule.skipped event');
    const event = eventsOf(home, 'schedule.skipped').map((e) => e.data);
    expect(event[0]).toMatchObject({ schedule: 'slow', run_id: skipped.id, reason: skipped.error });
    writeFileSync(join(gate, 'go'), '');
    await waitForRun(home, 'slow', 'a successful run of slow', (r) => r.status === 'success');
    await sloth(home, ['scheduler', 'disable', 'slow']);
    await sloth(home, ['scheduler', 'enable', 'capped']);
    const timedOut = await waitForRun(
      home,
      'capped',
      'a finished run of capped',
      (r) => !['running', 'skipped'].includes(r.status),
    );
    expect(timedOut.status).toBe('timeout');
    expect(timedOut.error).toMatch(/timeout \(1s\)/);
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('queues one firing behind the run going on (overlap queue) and starts it when that run ends', async () => {
    const home = freshHome();
    const gate = writeFiles({});
    const dir = writeFiles({ 'gated.sloth': gatedWorkflow(gate) });
    await add(home, ['queued', '--cron', '@every 1s', '-f', join(dir, 'gated.sloth'), '--overlap', 'queue']);
    const s = schedulerRun(home);
    await waitForRun(home, 'queued', 'a queued firing', (r) => r.status === 'queued');
    const extra = await waitForRun(home, 'queued', 'a firing skipped while one is queued', (r) => r.status === 'skipped');
    expect(extra.error).toMatch(/a run is queued already/);
    await sloth(home, ['scheduler', 'disable', 'queued']);
    writeFileSync(join(gate, 'go'), '');
    await waitFor(
      () => runsOf(home, 'queued').filter((r) => r.status === 'success').length === 2,
      30_000,
      'the first run and the queued one to succeed',
    );
    const [first, second] = runsOf(home, 'queued').filter((r) => r.status === 'success');
    expect((second?.startedAt as number) >= (first?.finishedAt as number)).toBe(true);
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('two schedulers on one store never fire a firing twice; kill -9 of the lease holder hands over', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    await add(home, ['beat', '--cron', '@every 1s', '-f', join(dir, 'ok.sloth')]);
    const a = schedulerRun(home);
    const b = schedulerRun(home);
    await waitFor(() => runsOf(home, 'beat').length >= 4, 30_000, 'four firings of beat');
    const firers = new Set(runsOf(home, 'beat').map((r) => r.pid));
    expect(firers.size).toBe(1);
    const holder = [a, b].find((d) => firers.has(d.child.pid)) as typeof a;
    const other = holder === a ? b : a;
    holder.child.kill('SIGKILL');
    await holder.exited;
    await waitForRun(home, 'beat', 'a firing by the surviving scheduler', (r) => r.pid === other.child.pid);
    await waitFor(
      () => runsOf(home, 'beat').filter((r) => r.pid === other.child.pid).length >= 2,
      30_000,
      'two firings by the surviving scheduler',
    );
    const runs = runsOf(home, 'beat');
    const due = runs.map((r) => r.dueAt);
    expect(new Set(due).size).toBe(due.length);
    // The run the killed scheduler left is marked interrupted, not left running for ever.
    await waitFor(
      () => runsOf(home, 'beat').every((r) => r.pid === other.child.pid || r.status !== 'running'),
      30_000,
      "the killed scheduler's runs to be closed",
    );
    other.child.kill('SIGTERM');
    await other.exited;
  });

  it('a run whose scheduler is killed (-9) stops instead of running on unattended, and its successor marks it interrupted', async () => {
    const { home, scheduler: first } = await heldRun();
    first.child.kill('SIGKILL');
    await first.exited;
    // The gate never opens: only the scheduler's end of its stdin closing stops the run.
    await waitFor(
      async () => {
        const { json } = await slothJson(home, ['stack', 'history', 'gated']);
        return (json as { status: string }[])[0]?.status === 'aborted';
      },
      30_000,
      'the run to stop and record itself aborted in its stack',
      200,
    );
    const second = schedulerRun(home);
    await waitForRun(home, 'held', 'the run of the killed scheduler marked interrupted', (r) => r.status === 'interrupted');
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('SIGTERM stops the scheduler cleanly: the run going on is stopped and recorded interrupted, the lease released', async () => {
    const { home, scheduler: s } = await heldRun();
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    const run = runsOf(home, 'held').find((r) => r.status !== 'skipped');
    expect(run).toMatchObject({ status: 'interrupted', error: 'the scheduler stopped while it ran', stack: 'gated' });
    const { json } = await slothJson(home, ['stack', 'history', 'gated']);
    expect((json as { status: string }[])[0]?.status).toBe('aborted');
    const lease = peek(home, (store) => store.sqlite.prepare("SELECT count(*) AS n FROM locks WHERE name = 'scheduler'").get());
    expect(lease).toEqual({ n: 0 });
  });

  it('catches up a missed firing once after downtime (catch-up one), records it skipped with catch-up none', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    await add(home, ['one', '--cron', '@daily', '-f', join(dir, 'ok.sloth')]);
    await add(home, ['none', '--cron', '@daily', '-f', join(dir, 'ok.sloth'), '--catch-up', 'none']);
    // The scheduler was down for the last hour: both schedules' firings are an hour overdue.
    const hourAgo = Date.now() - 3_600_000;
    peek(home, (store) => store.sqlite.prepare('UPDATE schedules SET due_at = ?, fire_at = ?').run(hourAgo, hourAgo));
    expect((await sloth(home, ['scheduler', 'list'])).stdout).toContain(`${new Date(hourAgo).toISOString()} (overdue)`);
    const s = schedulerRun(home);
    const caught = await waitForRun(home, 'one', 'the catch-up run of one', (r) => r.status === 'success');
    expect([caught.trigger, caught.dueAt]).toEqual(['catch-up', hourAgo]);
    const missed = await waitForRun(home, 'none', 'the skipped firing of none', (r) => r.status === 'skipped');
    expect(missed.error).toMatch(/missed.*catch-up none/);
    // Both moved on to their next firing, tomorrow: nothing more runs.
    expect(runsOf(home, 'one')).toHaveLength(1);
    const next = peek(home, (store) => scheduleRepo(store).get('one').dueAt as number);
    expect(next).toBeGreaterThan(Date.now());
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('run-now runs a schedule at once and records it; --after runs a dependent when it succeeds', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW, 'failing.sloth': FAILING_WORKFLOW });
    await add(home, ['build', '--cron', '@yearly', '-f', join(dir, 'ok.sloth')]);
    await add(home, ['deploy', '--after', 'build', '-f', join(dir, 'ok.sloth'), '--stack', 'deploys']);
    await add(home, ['fails', '--cron', '@yearly', '-f', join(dir, 'failing.sloth')]);
    const failed = await sloth(home, ['scheduler', 'run-now', 'fails']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/run #\d+ failed: task boom: the disk is full/);
    const s = schedulerRun(home);
    await s.waitFor(/firing the schedules/);
    const now = await sloth(home, ['scheduler', 'run-now', 'build']);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/run #\d+ success/);
    expect(runsOf(home, 'build').map((r) => [r.trigger, r.status])).toEqual([['run-now', 'success']]);
    const dependent = await waitForRun(home, 'deploy', 'the run of deploy after build', (r) => r.status === 'success');
    expect([dependent.trigger, dependent.stack]).toEqual(['after', 'deploys']);
    s.child.kill('SIGTERM');
    await s.exited;
  });

  it('master start fires the schedules of its data directory and stops cleanly on SIGTERM', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    await add(home, ['beat', '--cron', '@every 1s', '-f', join(dir, 'ok.sloth')]);
    const master = await startMaster(home, tokenFile);
    await waitForRun(home, 'beat', 'a successful run fired by the master', (r) => r.status === 'success');
    expect(runsOf(home, 'beat')[0]?.pid).toBe(master.child.pid);
    master.child.kill('SIGTERM');
    expect((await master.exited).code).toBe(0);
    expect(master.output()).toMatch(/master stopped/);
  });
});

describe('scheduler --master', () => {
  /** The CLI on a data directory of its own (no schedules), pointed at the master. */
  async function onMaster(url: string, tokenFile: string, args: string[]) {
    return sloth(freshHome(), ['scheduler', ...args, ...withMaster(url, tokenFile)]);
  }
  async function jsonOnMaster(url: string, tokenFile: string, args: string[]) {
    const r = await onMaster(url, tokenFile, [...args, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  }

  it('adds a schedule the master fires, lists, shows, disables and removes it there; JSON as the local commands print it', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    const file = join(dir, 'ok.sloth');
    const master = await startMaster(home, tokenFile);
    const added = await jsonOnMaster(master.url, tokenFile, ['add', 'beat', '--cron', '*/2 * * * * *', '-f', file]);
    expect([added.name, added.cron, added.file, added.enabled]).toEqual(['beat', '*/2 * * * * *', file, true]);
    expect(typeof added.next_run_at).toBe('string');
    // Stored in the master's data directory, not in the CLI's.
    expect(peek(home, (store) => scheduleRepo(store).list()).map((s) => s.name)).toEqual(['beat']);
    await waitForRun(home, 'beat', 'a successful run fired by the master', (r) => r.status === 'success');

    // A schedule firing every second is the clock: once it has a firing (run or skipped) due 2 s after `disable`, the
    // master's scheduler has gone past a time when beat was due.
    await jsonOnMaster(master.url, tokenFile, ['add', 'clock', '--cron', '* * * * * *', '-f', file, '--stack', 'clock']);
    const off = await onMaster(master.url, tokenFile, ['disable', 'beat']);
    expect([off.code, off.stdout.trim()]).toEqual([0, 'disabled schedule beat']);
    const disabledAt = Date.now();
    await waitFor(
      () => runsOf(home, 'clock').some((r) => r.dueAt > disabledAt + 2000),
      30_000,
      'a firing of clock due 2 s after beat was disabled',
      50,
    );
    expect(runsOf(home, 'beat').filter((r) => r.dueAt > disabledAt)).toEqual([]);
    await waitFor(() => runsOf(home, 'beat').every((r) => r.status !== 'running'), 30_000, "beat's last run to end", 50);
    expect((await onMaster(master.url, tokenFile, ['disable'])).stdout.trim()).toBe('disabled schedules beat, clock');

    // Remote and local answers are the same documents (beat's: it no longer changes).
    const beatOnly = (json: unknown[]) => json.filter((s) => (s as { name: string }).name === 'beat');
    expect(beatOnly(await jsonOnMaster(master.url, tokenFile, ['list']))).toEqual(
      beatOnly((await slothJson(home, ['scheduler', 'list'])).json),
    );
    const history = await jsonOnMaster(master.url, tokenFile, ['history', 'beat']);
    expect(history).toEqual((await slothJson(home, ['scheduler', 'history', 'beat'])).json);
    expect(history.some((r: { trigger: string; status: string }) => r.trigger === 'cron' && r.status === 'success')).toBe(true);
    const shown = await onMaster(master.url, tokenFile, ['show', 'beat']);
    expect(shown.stdout).toMatch(/enabled: {3}no/);
    expect(shown.stdout).toMatch(/runs: +\n {2}#\d+ cron /);

    const removed = await onMaster(master.url, tokenFile, ['remove', 'beat']);
    expect([removed.code, removed.stdout.trim()]).toEqual([0, 'removed schedule beat']);
    expect(peek(home, (store) => scheduleRepo(store).list()).map((s) => s.name)).toEqual(['clock']);
    const gone = await onMaster(master.url, tokenFile, ['show', 'beat', '-o', 'json']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no schedule named 'beat'/);
    master.child.kill('SIGTERM');
    expect((await master.exited).code).toBe(0);
  }, 300_000);

  it('refuses a wrong token, an invalid expression, a file the master cannot find, an unknown name and run-now, clearly', async () => {
    const { home, tokenFile } = fleetHome();
    const dir = writeFiles({ 'ok.sloth': OK_WORKFLOW });
    const file = join(dir, 'ok.sloth');
    const master = await startMaster(home, tokenFile);
    const wrongToken = ['--master', master.url, '--token', 'not-the-token-at-all'];
    const wrong = await sloth(freshHome(), ['scheduler', 'add', 'beat', '--cron', '@daily', '-f', file, ...wrongToken]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/refused the token/);
    const anonymous = await sloth(freshHome(), ['scheduler', 'list', '--master', master.url]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/refused the token: this master requires a token/);
    expect(peek(home, (store) => scheduleRepo(store).list())).toEqual([]);

    // An invalid expression: exit 2, and word for word what the local command says.
    const local = await sloth(home, ['scheduler', 'add', 'bad', '--cron', '61 * * * *', '-f', file]);
    const remote = await onMaster(master.url, tokenFile, ['add', 'bad', '--cron', '61 * * * *', '-f', file]);
    expect([remote.code, remote.stderr]).toEqual([2, local.stderr]);
    expect(remote.stderr).toMatch(/invalid cron expression '61 \* \* \* \*': Invalid value for minute: 61/);

    await jsonOnMaster(master.url, tokenFile, ['add', 'nightly', '--cron', '0 3 * * *', '-f', file]);
    const cases: [string[], RegExp][] = [
      [['add', 'bad', '--cron', '@daily', '--timezone', 'Mars/Base', '-f', file], /unknown timezone 'Mars\/Base'/],
      [['add', 'bad', '--cron', '@daily', '-f', join(dir, 'nope.sloth')], /workflow file not found on the master: .*nope\.sloth/],
      [['add', 'bad', '--after', 'nightli', '-f', file], /no schedule named 'nightli'.*nightly/],
      [['add', 'nightly', '--cron', '@daily', '-f', file], /a schedule named 'nightly' exists already/],
      [['show', 'nightli'], /no schedule named 'nightli'.*did you mean.*nightly/i],
      [['remove', 'nightli'], /no schedule named 'nightli'/],
      [['run-now', 'nightly'], /run-now --master is not supported/],
    ];
    for (const [args, message] of cases) {
      const r = await onMaster(master.url, tokenFile, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(peek(home, (store) => scheduleRepo(store).list()).map((s) => s.name)).toEqual(['nightly']);
    master.child.kill('SIGTERM');
    expect((await master.exited).code).toBe(0);
  }, 300_000);
});
