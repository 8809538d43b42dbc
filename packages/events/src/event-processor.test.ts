import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { eventRepo, MAX_EVENT_DEPTH, openStore, type Store, stateRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { EventProcessor } from './event-processor.js';
import { addHook, hookSource, until, useStores } from './events.test-helper.js';

const { fresh } = useStores();
const meta = { source: 'cli', stack: 'production', runId: 'run-1' };
const p0 = { token: 'test-owner', host: hostname(), pid: process.pid };

/** Counts the claims of the store's event repository (one per store: the processor's). */
function countClaims(store: Store): { n: number } {
  const repo = eventRepo(store);
  const claim = repo.claim.bind(repo);
  const counter = { n: 0 };
  repo.claim = (...args) => {
    counter.n += 1;
    return claim(...args);
  };
  return counter;
}

/** Runs a processor until `done` holds, then stops it. */
async function serveUntil(processor: EventProcessor, done: () => boolean, what: string, timeoutMs = 20_000) {
  const running = processor.run();
  try {
    await until(done, timeoutMs, what);
  } finally {
    await processor.stop(0);
    await running;
  }
}

describe('EventProcessor', () => {
  it('warmUp loads the enabled hooks before any event, once; a hook that fails to load then fails only its events', async () => {
    const t = fresh();
    const loads = join(t.dir, 'loads.txt');
    const flag = join(t.dir, 'break-now');
    const top = (name: string) =>
      `fs.append(${JSON.stringify(loads)}, "${name}\\n")\nif fs.exists(${JSON.stringify(flag)}) and "${name}" == "broken" then error("cannot load now") end\n`;
    await addHook(t.store, t.dir, 'warm.lua', top('warm') + hookSource('warm', 'deploy.*', 'return true'));
    await addHook(t.store, t.dir, 'broken.lua', top('broken') + hookSource('broken', 'build.*', 'return true'));
    await addHook(t.store, t.dir, 'off.lua', top('off') + hookSource('off', 'deploy.*', 'return true'));
    t.hooks.setEnabled('off', false);
    const loaded = () => readFileSync(loads, 'utf8').trim().split('\n').sort();
    const atAdd = loaded(); // `hook add` ran each file once to check it
    writeFileSync(flag, '');
    const p = new EventProcessor({ store: t.store, runner: t.runner });
    await p.warmUp();
    expect(loaded()).toEqual([...atAdd, 'broken', 'warm'].sort());
    const deploy = t.events.dispatch('deploy.started', {}, meta);
    const build = t.events.dispatch('build.started', {}, meta);
    await serveUntil(
      p,
      () => t.events.find(deploy)?.status === 'completed' && t.events.executionsOf(build).length > 0,
      'both events',
    );
    // The warm hook was not loaded again for its event; the broken one is tried again and fails with its error.
    expect(loaded().filter((l) => l === 'warm')).toHaveLength(atAdd.filter((l) => l === 'warm').length + 1);
    expect(t.events.executionsOf(build)[0]).toMatchObject({ hook: 'broken', success: false });
    expect(t.events.executionsOf(build)[0]?.error).toContain('cannot load now');
  });

  it('runs matching hooks (exact, wildcard, stack filter) with the event, records each execution, completes the event', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'exact.lua',
      hookSource('exact', 'task.failed', 'state.set("exact:" .. event.id, event.data) return true, "seen " .. event.type'),
    );
    await addHook(t.store, t.dir, 'wild.lua', hookSource('wild', 'task.*', 'state.set("wild:" .. event.type, true) return true'));
    await addHook(
      t.store,
      t.dir,
      'other.lua',
      hookSource('other', 'task.*', 'state.set("other", event.type) return true', ', stack = "staging"'),
    );
    const failed = t.events.dispatch('task.failed', { task: { task_name: 'build', error: 'exit 1' } }, meta);
    const done = t.events.dispatch('task.completed', {}, meta);
    const unrelated = t.events.dispatch('deploy.started', {}, meta);
    const p = new EventProcessor({ store: t.store, runner: t.runner });
    await serveUntil(p, () => [failed, done, unrelated].every((id) => t.events.find(id)?.status === 'completed'), 'the events');
    const state = stateRepo(t.store);
    expect(state.get(`exact:${failed}`)).toEqual({ task: { task_name: 'build', error: 'exit 1' } });
    expect(state.keys('wild:*')).toEqual(['wild:task.completed', 'wild:task.failed']);
    expect(state.get('other')).toBeUndefined();
    expect(t.events.executionsOf(failed).map((e) => [e.hook, e.success, e.output])).toEqual(
      expect.arrayContaining([
        ['exact', true, 'seen task.failed'],
        ['wild', true, undefined],
      ]),
    );
    expect(t.events.executionsOf(unrelated)).toEqual([]);
  });

  it('gives hooks the event id, type, source, stack, run id, created_at and attempt', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource(
        'h',
        'deploy.started',
        'state.set("ev", { id = event.id, type = event.type, source = event.source, stack = event.stack, run_id = event.run_id, created_at = event.created_at, attempt = event.attempt, v = event.data.version }) return true',
      ),
    );
    const id = t.events.dispatch('deploy.started', { version: 'v2.0.0' }, meta);
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner }),
      () => t.events.find(id)?.status === 'completed',
      'the event',
    );
    expect(stateRepo(t.store).get('ev')).toMatchObject({
      id,
      type: 'deploy.started',
      source: 'cli',
      stack: 'production',
      run_id: 'run-1',
      attempt: 1,
      v: 'v2.0.0',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('a hook that raises, returns false or hangs is recorded as failed and retried up to its limit; the event fails', async () => {
    const t = fresh();
    await addHook(t.store, t.dir, 'throws.lua', hookSource('throws', 'x.y', 'error("boom")'));
    await addHook(t.store, t.dir, 'refuses.lua', hookSource('refuses', 'x.y', 'return false, "not today"'));
    await addHook(t.store, t.dir, 'hangs.lua', hookSource('hangs', 'x.y', 'while true do end', ', timeout = "200ms"'));
    await addHook(t.store, t.dir, 'fine.lua', hookSource('fine', 'x.y', 'return true, "ok"'));
    const id = t.events.dispatch('x.y', {}, meta);
    const p = new EventProcessor({ store: t.store, runner: t.runner, retryDelayMs: 10 });
    await serveUntil(p, () => t.events.find(id)?.status === 'failed', 'the event to fail');
    const runs = t.events.executionsOf(id);
    const of = (hook: string) => runs.filter((e) => e.hook === hook);
    for (const hook of ['throws', 'refuses', 'hangs']) {
      expect(of(hook).map((e) => e.attempt)).toEqual([1, 2, 3]);
      expect(of(hook).every((e) => !e.success)).toBe(true);
    }
    expect(of('throws')[0]?.error).toMatch(/throws\.lua:3: boom/);
    expect(of('refuses')[0]?.error).toBe('not today');
    expect(of('hangs')[0]?.error).toMatch(/timed out after 200ms \(hook hangs in .*hangs\.lua\)/);
    // The hook that succeeded ran once: retries re-run only the failed ones.
    expect(of('fine').map((e) => [e.attempt, e.success])).toEqual([[1, true]]);
    const event = t.events.find(id);
    expect(event?.attempts).toBe(3);
    expect(event?.error).toMatch(/throws: .*boom/);
  });

  it('a hook that fails once and then succeeds completes the event on its second attempt', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'flaky.lua',
      hookSource('flaky', 'x.y', 'if state.increment("tries") < 2 then error("first time") end return true, "second time"'),
    );
    const id = t.events.dispatch('x.y', {}, meta);
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner, retryDelayMs: 10 }),
      () => t.events.find(id)?.status === 'completed',
      'the retry',
    );
    expect(t.events.executionsOf(id).map((e) => [e.attempt, e.success])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('one slice, the 3rd event hangs: 1-2 recorded, 3 times out, 4-5 processed after it; one failing event fails alone', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource(
        'h',
        'x.y',
        'if event.data.n == 3 then while true do end end if event.data.n == 5 then error("not five") end return true, "ok " .. event.data.n',
        ', timeout = "300ms", max_attempts = 1',
      ),
    );
    const ids = [1, 2, 3, 4, 5, 6].map((n) => t.events.dispatch('x.y', { n }, meta));
    // Concurrency 1: the six events are one slice, run by the hook in one batch.
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner, concurrency: 1 }),
      () => ids.every((id) => ['completed', 'failed'].includes(t.events.find(id)?.status ?? '')),
      'the events',
    );
    expect(ids.map((id) => t.events.find(id)?.status)).toEqual([
      'completed',
      'completed',
      'failed',
      'completed',
      'failed',
      'completed',
    ]);
    const runs = ids.map((id) => t.events.executionsOf(id).map((e) => [e.attempt, e.success, e.output ?? e.error]));
    expect(runs[0]).toEqual([[1, true, 'ok 1']]);
    expect(runs[1]).toEqual([[1, true, 'ok 2']]);
    expect(runs[2]).toEqual([[1, false, expect.stringMatching(/timed out after 300ms/)]]);
    expect(runs[3]).toEqual([[1, true, 'ok 4']]);
    expect(runs[4]).toEqual([[1, false, expect.stringMatching(/h\.lua:3: not five/)]]);
    expect(runs[5]).toEqual([[1, true, 'ok 6']]);
  });

  it('runs at most `concurrency` events at once', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'slow.lua',
      hookSource(
        'slow',
        'x.y',
        'local n = state.increment("active") state.append("seen_active", n) exec.run({ "sleep", "0.1" }) state.decrement("active") return true',
      ),
    );
    const ids = Array.from({ length: 8 }, (_, i) => t.events.dispatch('x.y', { i }, meta));
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner, concurrency: 3 }),
      () => ids.every((id) => t.events.find(id)?.status === 'completed'),
      'all events',
    );
    const seen = stateRepo(t.store).get('seen_active') as number[];
    expect(seen).toHaveLength(8);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    expect(Math.max(...seen)).toBeGreaterThan(1);
  });

  it('an idle processor notices an event another connection commits at once, not at its next poll', async () => {
    const t = fresh();
    await addHook(t.store, t.dir, 'seen.lua', hookSource('seen', 'deploy.*', 'return true'));
    // A poll of ten minutes: only the wake on another connection's commit can finish this test in time.
    const p = new EventProcessor({ store: t.store, runner: t.runner, pollMs: 600_000 });
    const running = p.run();
    const elsewhere = openStore(t.dir);
    try {
      const first = t.events.dispatch('deploy.started', {}, meta);
      p.notify();
      await until(() => t.events.find(first)?.status === 'completed', 20_000, 'the first event');
      // Now idle: the next event comes from another connection, as from another process.
      const second = eventRepo(elsewhere).dispatch('deploy.finished', {}, meta);
      await until(() => t.events.find(second)?.status === 'completed', 20_000, 'the event committed elsewhere');
    } finally {
      elsewhere.close();
      await p.stop(0);
      await running;
    }
  });

  it('another connection writing other tables all the time does not keep an idle processor claiming in a loop', async () => {
    const t = fresh();
    const p = new EventProcessor({ store: t.store, runner: t.runner, pollMs: 600_000 });
    const claims = countClaims(t.store);
    const running = p.run();
    const elsewhere = openStore(t.dir);
    const state = stateRepo(elsewhere);
    let writes = 0;
    const started = Date.now();
    try {
      // Thousands of commits, yielding between them so the processor gets its turns.
      while (Date.now() - started < 500) {
        state.set(`k${writes % 10}`, writes);
        writes += 1;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      elsewhere.close();
      await p.stop(0);
      await running;
    }
    const elapsed = Date.now() - started;
    expect(writes).toBeGreaterThan(200);
    // At most one claim per MIN_WAKE_GAP_MS (10ms) of writing, and the first.
    expect(claims.n).toBeLessThanOrEqual(Math.ceil(elapsed / 10) + 2);
  });

  it('its own connection writing other tables (the master recording agents and work) does not make an idle processor claim', async () => {
    const t = fresh();
    const p = new EventProcessor({ store: t.store, runner: t.runner, pollMs: 600_000 });
    const claims = countClaims(t.store);
    const running = p.run();
    const state = stateRepo(t.store);
    const started = Date.now();
    let writes = 0;
    let claimsWhileWriting = -1;
    try {
      await until(() => claims.n === 1, 5000, 'the first claim');
      while (Date.now() - started < 300) {
        state.set(`k${writes % 10}`, writes);
        writes += 1;
        await new Promise((r) => setTimeout(r, 2));
      }
      claimsWhileWriting = claims.n - 1;
      // An event dispatched through the same connection is announced with notify(), and still handled.
      const id = t.events.dispatch('x.y', {}, meta);
      p.notify();
      await until(() => t.events.find(id)?.status === 'completed', 20_000, 'the event dispatched here');
    } finally {
      await p.stop(0);
      await running;
    }
    expect(writes).toBeGreaterThan(20);
    expect(claimsWhileWriting).toBe(0);
  });

  it('takes back at start the events a dead processor of this host left processing', async () => {
    const t = fresh();
    await addHook(t.store, t.dir, 'h.lua', hookSource('h', 'x.y', 'return true'));
    const ids = [t.events.dispatch('x.y', {}, meta), t.events.dispatch('x.y', {}, meta)];
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    t.events.claim({ token: 'dead', host: hostname(), pid: deadPid }, 10, 3_600_000);
    expect(ids.map((id) => t.events.find(id)?.status)).toEqual(['processing', 'processing']);
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner }),
      () => ids.every((id) => t.events.find(id)?.status === 'completed'),
      'the recovery',
    );
    expect(t.events.find(ids[0] as string)?.attempts).toBe(2);
  });

  it('drain processes only its run, and at its deadline stops a slow hook and leaves that event pending, unrecorded', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource('h', 'x.*', 'if event.type == "x.slow" then exec.run({ "sleep", "30" }) end return true'),
    );
    const quick = t.events.dispatch('x.quick', {}, meta);
    const slow = t.events.dispatch('x.slow', {}, meta);
    const elsewhere = t.events.dispatch('x.quick', {}, { ...meta, runId: 'run-2' });
    const p = new EventProcessor({ store: t.store, runner: t.runner, runId: 'run-1' });
    const report = await p.drain(1500);
    expect(report).toEqual({ processed: 1, left: 1 });
    expect(t.events.find(quick)?.status).toBe('completed');
    expect(t.events.find(slow)?.status).toBe('pending');
    expect(t.events.executionsOf(slow)).toEqual([]);
    expect(t.events.find(elsewhere)?.status).toBe('pending');
  });

  it('drain waits for a retry due before its deadline', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'flaky.lua',
      hookSource('flaky', 'x.y', 'if state.increment("tries") < 2 then return false, "not yet" end return true'),
    );
    const id = t.events.dispatch('x.y', {}, meta);
    const report = await new EventProcessor({ store: t.store, runner: t.runner, runId: 'run-1', retryDelayMs: 50 }).drain(10_000);
    expect(report.left).toBe(0);
    expect(t.events.find(id)?.status).toBe('completed');
  });

  it('stop lets running hooks finish within the grace, then releases what is left', async () => {
    const t = fresh();
    await addHook(t.store, t.dir, 'h.lua', hookSource('h', 'x.y', 'exec.run({ "sleep", "0.3" }) return true'));
    const id = t.events.dispatch('x.y', {}, meta);
    const p = new EventProcessor({ store: t.store, runner: t.runner });
    const running = p.run();
    await until(() => t.events.find(id)?.status === 'processing', 10_000, 'the claim');
    await p.stop(10_000);
    await running;
    expect(t.events.find(id)?.status).toBe('completed');

    const id2 = t.events.dispatch('x.y', {}, meta);
    const p2 = new EventProcessor({ store: t.store, runner: t.runner });
    const running2 = p2.run();
    await until(() => t.events.find(id2)?.status === 'processing', 10_000, 'the claim');
    await p2.stop(0);
    await running2;
    expect(t.events.find(id2)?.status).toBe('pending');
    expect(t.events.executionsOf(id2)).toEqual([]);
  });

  it('a stop mid-slice records the events that finished and puts the running one and the rest back, unrecorded', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource('h', 'x.y', 'if event.data.n == 2 then exec.run({ "sleep", "30" }) end return true'),
    );
    const ids = [1, 2, 3].map((n) => t.events.dispatch('x.y', { n }, meta));
    const p = new EventProcessor({ store: t.store, runner: t.runner, concurrency: 1 });
    const running = p.run();
    await until(() => t.events.find(ids[2] as string)?.status === 'processing', 10_000, 'the claim');
    // The first event finishes at once; the second sleeps, so the slice is still running.
    await p.stop(200);
    await running;
    expect(ids.map((id) => t.events.find(id)?.status)).toEqual(['completed', 'pending', 'pending']);
    expect(ids.map((id) => t.events.executionsOf(id).length)).toEqual([1, 0, 0]);
  });

  it('an event no hook matches is completed without executions; disabled hooks do not run', async () => {
    const t = fresh();
    await addHook(t.store, t.dir, 'h.lua', hookSource('h', 'x.y', 'state.set("ran", true) return true'));
    t.hooks.setEnabled('h', false);
    const id = t.events.dispatch('x.y', {}, meta);
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner }),
      () => t.events.find(id)?.status === 'completed',
      'the event',
    );
    expect(t.events.executionsOf(id)).toEqual([]);
    expect(stateRepo(t.store).get('ran')).toBeUndefined();
  });

  it('hook log lines reach onLog, and events a hook dispatches come from hook:<name>', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource(
        'h',
        'x.y',
        'log.info("handling " .. event.id) require("event").dispatch("x.followup", { from = event.id }) return true',
      ),
    );
    const id = t.events.dispatch('x.y', {}, meta);
    await serveUntil(
      new EventProcessor({ store: t.store, runner: t.runner }),
      () => t.events.find(id)?.status === 'completed',
      'the event',
    );
    expect(t.events.executionsOf(id)).toMatchObject([{ success: true }]);
    expect(t.logs).toContain(`h info handling ${id}`);
    expect(t.events.list({ type: 'x.followup' })[0]).toMatchObject({ source: 'hook:h', data: { from: id } });
  });

  it('a hook that dispatches what it matches stops after MAX_EVENT_DEPTH levels, failing with why, instead of looping', async () => {
    const t = fresh();
    await addHook(
      t.store,
      t.dir,
      'echo.lua',
      hookSource(
        'echo',
        'loop.*',
        'require("event").dispatch("loop.again", { n = (event.data.n or 0) + 1 }) return true',
        ', max_attempts = 1',
      ),
    );
    const first = t.events.dispatch('loop.start', {}, meta);
    const p = new EventProcessor({ store: t.store, runner: t.runner, retryDelayMs: 10 });
    await serveUntil(p, () => t.events.list({ status: 'failed' }).length === 1, 'the chain to end in a failure');
    const chain = t.events.list({ limit: 100 });
    expect(chain).toHaveLength(MAX_EVENT_DEPTH + 1);
    expect(chain.map((e) => e.depth).sort((a, b) => a - b)).toEqual(Array.from({ length: MAX_EVENT_DEPTH + 1 }, (_, i) => i));
    expect(t.events.find(first)).toMatchObject({ depth: 0, status: 'completed' });
    const last = chain.find((e) => e.depth === MAX_EVENT_DEPTH);
    expect(last).toMatchObject({ status: 'failed', data: { n: MAX_EVENT_DEPTH } });
    expect(last?.error).toMatch(
      new RegExp(`echo: .*echo\\.lua:3: .*'loop\\.again' from hook:echo would be the ${MAX_EVENT_DEPTH + 1}th event of a chain`),
    );
    expect(last?.error).toContain('loops for ever');
  });

  it('events of different depths in one batch: each dispatches one level deeper than itself', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'follow.lua',
      hookSource('follow', 'x.y', 'require("event").dispatch("x.followup", { from = event.id }) return true'),
    );
    const ids = [0, 0, 5, 5, 0].map((depth) => t.events.dispatch('x.y', {}, { ...meta, depth }));
    const claimed = t.events.claim(p0, 10, 60_000);
    expect(claimed.map((e) => e.depth)).toEqual([0, 0, 5, 5, 0]);
    const results = await t.runner.executeBatch(
      hook,
      claimed.map((event) => ({ event, attempt: 1 })),
    );
    expect(results.every((r) => r.success)).toBe(true);
    const followups = t.events.list({ type: 'x.followup', limit: 10 });
    const depthOf = (id: string) => followups.find((e) => e.data.from === id)?.depth;
    expect(ids.map(depthOf)).toEqual([1, 1, 6, 6, 1]);
  });
});
