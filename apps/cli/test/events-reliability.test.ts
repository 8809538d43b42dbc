import { join } from 'node:path';
import { eventRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { type CliResult, collect, waitFor, writeFiles } from './cli.test-helper.js';
import { eventsOf, peek, statusCounts, writeHook } from './events.test-helper.js';
import { freshHome, sloth, slothJson, startRun } from './stack.test-helper.js';

// Real processes on one real database: what the event queue promises when processes die, hooks misbehave or are slow.

const BURST = 10_000;
const burstWorkflow = (n: number) => `
task("burst"):command(function()
  for i = 1, ${n} do
    event.dispatch("burst.tick", { i = i })
    if i % 500 == 0 then log.info("dispatched " .. i) end
  end
  return true
end):build()
`;

function executionCount(home: string): number {
  return peek(home, (s) => (s.sqlite.prepare('SELECT count(*) AS n FROM hook_executions').get() as { n: number }).n);
}

/** Starts `events serve`, waits until `done` holds (bounded), stops it with SIGTERM and expects a clean exit. */
async function serveUntil(home: string, done: () => boolean, what: string, timeoutMs = 120_000): Promise<CliResult> {
  const child = startRun(home, ['events', 'serve', '--concurrency', '32', '--poll', '50ms']);
  const result = collect(child, timeoutMs + 30_000);
  try {
    await waitFor(done, timeoutMs, what);
  } finally {
    child.kill('SIGTERM');
  }
  const r = await result;
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('SIGTERM received: stopping');
  return r;
}

/** Every burst event: completed, with at least one successful execution of the hook; returns the data.i seen. */
function expectAllProcessed(home: string): number[] {
  const events = eventsOf(home, 'burst.tick');
  const notDone = events.filter((e) => e.status !== 'completed' || !e.executions.some((x) => x.success));
  expect(notDone.map((e) => `${e.id} ${e.status} ${e.executions.length}`).slice(0, 5)).toEqual([]);
  return events.map((e) => e.data.i as number).sort((a, b) => a - b);
}

describe('event queue reliability', () => {
  it(`SIGKILL while hooks process a burst of ${BURST.toLocaleString('en-US')} events: after a restart every event is processed, none lost`, {
    timeout: 300_000,
  }, async () => {
    const home = freshHome();
    const dir = writeFiles({ 'burst.sloth': burstWorkflow(BURST) });
    await sloth(home, ['hook', 'add', writeHook(dir, 'tick.lua', 'tick', 'burst.*', 'return true')]);
    const run = startRun(home, ['workflow', 'run', '-f', join(dir, 'burst.sloth'), '--hooks-timeout', '5m']);
    const result = collect(run, 240_000);
    // Killed once the drain is under way: some events done, some being processed, most still pending.
    await waitFor(() => executionCount(home) >= 500, 120_000, 'the hooks to start on the burst');
    run.kill('SIGKILL');
    const killed = await result;
    expect(killed.signal).toBe('SIGKILL');
    const before = statusCounts(home, 'burst.%');
    expect(before.completed ?? 0).toBeLessThan(BURST);
    // Some were held by the killed process: they must be taken back, not left processing forever.
    expect(before.processing ?? 0).toBeGreaterThan(0);
    expect(Object.values(before).reduce((a, b) => a + b, 0)).toBe(BURST);

    const executedBefore = executionCount(home);
    const served = await serveUntil(home, () => statusCounts(home, 'burst.%').completed === BURST, 'every event to complete');
    expect(expectAllProcessed(home)).toEqual(Array.from({ length: BURST }, (_, k) => k + 1));
    // A line per execution (its output is buffered), every one written out by the time it exits.
    expect(served.stdout.match(/^✓ tick burst\.tick \S+ #1 /gm)?.length).toBe(executionCount(home) - executedBefore);
  });

  it('SIGKILL of `events serve` runs a hook again for at most 2 x concurrency x 16 events per kill', {
    timeout: 300_000,
  }, async () => {
    const home = freshHome();
    const n = 6000;
    const concurrency = 1;
    const dir = writeFiles({ 'burst.sloth': burstWorkflow(n) });
    // The hook counts its own runs per event, in the same database: a run whose outcome was not written runs again.
    await sloth(home, ['hook', 'add', writeHook(dir, 'count.lua', 'count', 'burst.*', 'state.increment("runs:" .. event.id)')]);
    expect((await sloth(home, ['workflow', 'run', '-f', join(dir, 'burst.sloth'), '--hooks-timeout', '0'])).code).toBe(0);
    // Killed three times at different points: wherever a kill lands, what runs again stays within the bound.
    const kills = [1000, 2500, 4000];
    for (const after of kills) {
      const serve = startRun(home, ['events', 'serve', '--concurrency', String(concurrency), '--poll', '50ms']);
      const served = collect(serve, 240_000);
      await waitFor(() => executionCount(home) >= after, 120_000, `the hooks to pass ${after} events`);
      serve.kill('SIGKILL');
      await served;
    }
    await serveUntil(home, () => statusCounts(home, 'burst.%').completed === n, 'every event to complete');
    const counts = (await slothJson(home, ['state', 'list', 'runs:*'])).json as unknown as { value: number }[];
    // Every event's hook ran, and ran again only if it was in flight when the processor was killed.
    expect(counts).toHaveLength(n);
    const extraRuns = counts.reduce((sum, c) => sum + c.value - 1, 0);
    expect(extraRuns).toBeLessThanOrEqual(kills.length * 2 * concurrency * 16);
  });

  it('SIGKILL while a workflow dispatches: every event it was told was stored is there and gets processed', {
    timeout: 300_000,
  }, async () => {
    const home = freshHome();
    const dir = writeFiles({ 'burst.sloth': burstWorkflow(BURST) });
    await sloth(home, ['hook', 'add', writeHook(dir, 'tick.lua', 'tick', 'burst.*', 'return true')]);
    const run = startRun(home, ['workflow', 'run', '-f', join(dir, 'burst.sloth')]);
    let out = '';
    run.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const result = collect(run, 240_000);
    await waitFor(() => /dispatched 2000/.test(out), 120_000, 'the burst to be under way');
    run.kill('SIGKILL');
    await result;
    // "dispatched N" was logged after event.dispatch returned for 1..N: each of those must be stored.
    const acknowledged = Math.max(...[...out.matchAll(/dispatched (\d+)/g)].map((m) => Number(m[1])));
    const stored = eventsOf(home, 'burst.tick').length;
    expect(stored).toBeGreaterThanOrEqual(acknowledged);
    expect(stored).toBeLessThan(BURST);
    await serveUntil(home, () => statusCounts(home, 'burst.%').completed === stored, 'every stored event to complete');
    expect(expectAllProcessed(home)).toEqual(Array.from({ length: stored }, (_, k) => k + 1));
  });

  it('hooks that raise, hang past their timeout or return false are recorded as failed and retried up to their limit', {
    timeout: 120_000,
  }, async () => {
    const home = freshHome();
    const dir = writeFiles({
      'wf.sloth': 'task("t"):command(function() event.dispatch("deploy.failed", { env = "prod" }) end):build()',
    });
    const limits = ', max_attempts = 2, timeout = "300ms"';
    await sloth(home, ['hook', 'add', writeHook(dir, 'throws.lua', 'throws', 'deploy.*', 'error("boom")', limits)]);
    await sloth(home, ['hook', 'add', writeHook(dir, 'hangs.lua', 'hangs', 'deploy.*', 'while true do end', limits)]);
    await sloth(home, ['hook', 'add', writeHook(dir, 'refuses.lua', 'refuses', 'deploy.*', 'return false, "not today"', limits)]);
    const r = await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth'), '--hooks-timeout', '30s']);
    // Hooks never change the run's outcome; their failures are reported on stderr.
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/hook throws failed for deploy\.failed \(\w+\), attempt 1\/2: .*throws\.lua:3: boom \(will retry\)/);
    expect(r.stderr).toMatch(/hook hangs failed for deploy\.failed \(\w+\), attempt 2\/2: timed out after 300ms/);
    const [event] = eventsOf(home, 'deploy.failed');
    expect(event?.status).toBe('failed');
    const byHook = (name: string) => event?.executions.filter((e) => e.hook === name).map((e) => [e.attempt, e.success]);
    for (const name of ['throws', 'hangs', 'refuses'])
      expect(byHook(name), name).toEqual([
        [1, false],
        [2, false],
      ]);
    const show = await slothJson(home, ['events', 'show', event?.id as string]);
    expect(show.json).toMatchObject({ status: 'failed', attempts: 2 });
    expect(String((show.json as unknown as { error: string }).error)).toContain('refuses: not today');
  });

  it('a malformed hook file is refused at `hook add` with its line, and nothing is registered', async () => {
    const home = freshHome();
    const dir = writeFiles({
      'bad.lua':
        'local hook = { name = "bad", event_type = "task.failed" }\nfunction hook.execute(event)\n  return true,\nend\nreturn hook\n',
    });
    const r = await sloth(home, ['hook', 'add', join(dir, 'bad.lua')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.lua:4: unexpected symbol near 'end'/);
    expect((await slothJson(home, ['hook', 'list'])).json).toEqual([]);
  });

  it('a hook that sleeps 5 s does not delay the workflow that emitted the event', { timeout: 120_000 }, async () => {
    const home = freshHome();
    const dir = writeFiles({ 'wf.sloth': 'task("quick"):command(function() return true end):build()' });
    await sloth(home, [
      'hook',
      'add',
      writeHook(dir, 'slow.lua', 'slow', 'task.completed', 'exec.run({ "sleep", "5" }) return true, "slept"'),
    ]);
    // The workflow finishes and the process exits after a 1 s drain, while the hook is still sleeping.
    const r = await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth'), '--hooks-timeout', '1s', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'success', tasks: { quick: { status: 'success' } } });
    expect(r.stderr).toContain('hooks: 1 event(s) of this run left pending after 1s');
    const [pending] = eventsOf(home, 'task.completed');
    expect(pending?.status).toBe('pending');
    expect(pending?.executions).toEqual([]);
    // The next processor completes it.
    await serveUntil(home, () => eventsOf(home, 'task.completed')[0]?.status === 'completed', 'the slow hook', 60_000);
    expect(eventsOf(home, 'task.completed')[0]?.executions).toMatchObject([{ hook: 'slow', success: true, output: 'slept' }]);
  });

  it('`events serve` stopped while a hook runs lets it finish within --grace', { timeout: 60_000 }, async () => {
    const home = freshHome();
    const dir = writeFiles({});
    await sloth(home, ['hook', 'add', writeHook(dir, 'h.lua', 'h', 'custom.*', 'exec.run({ "sleep", "1" }) return true')]);
    const id = peek(home, (s) => eventRepo(s).dispatch('custom.ping', {}, { source: 'cli' }));
    const child = startRun(home, ['events', 'serve', '--grace', '20s']);
    const result = collect(child, 50_000);
    await waitFor(() => eventsOf(home, 'custom.ping')[0]?.status === 'processing', 20_000, 'the claim');
    child.kill('SIGINT');
    const r = await result;
    expect(r.code).toBe(0);
    expect(eventsOf(home, 'custom.ping')[0]).toMatchObject({ id, status: 'completed' });
  });
});
